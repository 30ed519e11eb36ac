package courses_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
)

// TestPublicationNotified: publishing a course tells its classes' and groups' pupils once
// (kind cours, a link to the course, digest by default); a draft tells nobody, nor does
// taking it back and publishing it again; a class added to a published course tells its
// pupils, and only those not told yet; the API's publication tells the same way; nobody of
// another establishment, no teacher, guardian or pupil of another class is told.
func TestPublicationNotified(t *testing.T) {
	s := newSite(t)
	s.svc.SetNotifier(notify.NewService(s.Reg.DB(), s.Clock.Now))
	told := func(p uuid.UUID, course uuid.UUID) int {
		return s.Count(s.alpha, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.person_id = ? AND n.kind = 'cours' AND n.link = ?`, p, "/cours/"+course.String())
	}
	want := func(course uuid.UUID, when string, counts map[string]int) {
		t.Helper()
		people := map[string]uuid.UUID{"Alice": s.alice.PersonID, "Zoé": s.zoe.PersonID, "the teacher": s.teacher.PersonID, "the guardian": s.guardian.PersonID, "the direction": s.direction.PersonID}
		for who, id := range people {
			if got := told(id, course); got != counts[who] {
				t.Errorf("%s: %s told %d times, want %d", when, who, got, counts[who])
			}
		}
	}
	// Alice is in 2nde 1 and the group Latin: told once for both.
	course, _, _ := s.course("Les vecteurs", s.class1, s.latin)
	c := "/cours/" + course.String()
	want(course, "a draft", nil)
	wantCode(t, s.Post(s.teacher, c+"/publier", nil), http.StatusSeeOther, "publish")
	want(course, "published", map[string]int{"Alice": 1})
	var n []struct{ Title, Body string }
	if err := s.Reg.DB().ReadTx(t.Context(), s.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT title, body FROM notifications WHERE kind = 'cours'`).Scan(&n).Error
	}); err != nil || len(n) != 1 || n[0].Title != "Cours : Les vecteurs" || n[0].Body == "" {
		t.Fatalf("the notice: %+v, %v", n, err)
	}
	wantCode(t, s.Post(s.teacher, c+"/publier", nil), http.StatusSeeOther, "publish again")
	wantCode(t, s.Post(s.teacher, c+"/retirer", nil), http.StatusSeeOther, "back to a draft")
	wantCode(t, s.Post(s.teacher, c+"/publier", nil), http.StatusSeeOther, "published again")
	want(course, "published again", map[string]int{"Alice": 1})

	form := url.Values{"titre": {"Les vecteurs"}, "matiere": {"MATHS"}, "classes": {s.class1.String(), s.latin.String(), s.class2.String()}}
	wantCode(t, s.Post(s.teacher, c+"/modifier", form), http.StatusSeeOther, "add 2nde 2")
	want(course, "2nde 2 added", map[string]int{"Alice": 1, "Zoé": 1})
	wantCode(t, s.Post(s.teacher, c+"/modifier", form), http.StatusSeeOther, "saved again")
	want(course, "saved again", map[string]int{"Alice": 1, "Zoé": 1})

	t.Run("a class added to a draft tells nobody; the API publishes and tells", func(t *testing.T) {
		draft := s.create(s.teacher, "Brouillon", s.class2)
		wantCode(t, s.Post(s.teacher, "/cours/"+draft.String()+"/modifier", url.Values{"titre": {"Brouillon"}, "classes": {s.class1.String(), s.class2.String()}}), http.StatusSeeOther, "edit a draft")
		want(draft, "a draft edited", nil)
		rec := s.Do(s.alpha, s.teacher, http.MethodPost, "/api/v1/cours/"+draft.String()+"/publier", "application/json", nil)
		wantCode(t, rec, http.StatusNoContent, "API publication")
		want(draft, "published through the API", map[string]int{"Alice": 1, "Zoé": 1})
	})
	if got := notify.DefaultDelivery[notify.KindCourse]; got != notify.Digest {
		t.Errorf("a course's default delivery %q, want the digest", got)
	}
	if n := s.Count(s.bravo, `SELECT count(*) FROM notifications`); n != 0 {
		t.Errorf("Bravo has %d notifications", n)
	}
}
