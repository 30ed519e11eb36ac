package cahier_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestAttackAdultSubmissionGuardian: a submission is an item of the pupil's portfolio, and the
// portfolio of an adult pupil is theirs alone. Alice's legal guardian must not read her
// submission, its file, nor see it on the work's page once she is of age.
func TestAttackAdultSubmissionGuardian(t *testing.T) {
	s := newSubSite(t)
	s.Exec(s.alpha, `UPDATE people SET birth_date = '2000-01-15' WHERE id = ?`, s.alice.PersonID)
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Exercice rédigé", url.Values{"rendu": {"fichiers"}})
	path := "/cahier/travail/" + work.String()
	wantCode(t, s.handIn(s.alpha, s.alice, http.MethodPost, path+"/rendre", "", part{"f", "alice.pdf", subPDF}), http.StatusSeeOther, "Alice hands in")
	sub := "/cahier/rendus/" + s.submissionOf(work, s.alice).String()
	m := fileLink2.FindStringSubmatch(s.Get(s.alice, sub).Body.String())
	if m == nil {
		t.Fatalf("no file on Alice's own submission page")
	}
	wantCode(t, s.Get(s.guardian, sub), http.StatusNotFound, "the guardian of an adult opens her submission")
	wantCode(t, s.Get(s.guardian, m[1]), http.StatusNotFound, "the guardian of an adult downloads her file")
	wantNotIn(t, s.Get(s.guardian, path), "the guardian's work page", "Travail rendu par Alice-", "alice.pdf")
	wantCode(t, s.Get(s.teacher, sub), http.StatusOK, "the teacher still opens it")
}
