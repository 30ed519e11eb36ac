package courses_test

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
)

// TestGuardianPerChild: a legal guardian chooses a child (« Cours »), sees the courses
// published to that child's classes and groups, and reads their outline, pages and files,
// read-only and without the child's progress; another child's courses, a draft, a course of
// another class and another establishment's pages are 404 (403 for a member of another
// establishment); nobody else reaches a child's page.
func TestGuardianPerChild(t *testing.T) {
	s := newSite(t)
	mine, pageA, pageB := s.course("Le latin en images", s.latin)
	wantCode(t, s.upload(s.teacher, pageA, "carte.png", pngBytes(t), "La carte de l'Empire romain"), http.StatusSeeOther, "image")
	wantCode(t, s.Post(s.teacher, "/cours/"+mine.String()+"/publier", nil), http.StatusSeeOther, "publish to Latin")
	other, otherPage, _ := s.course("Pour la 2nde 2", s.class2)
	wantCode(t, s.upload(s.teacher, otherPage, "plan.png", pngBytes(t), "Un plan"), http.StatusSeeOther, "image of 2nde 2")
	wantCode(t, s.Post(s.teacher, "/cours/"+other.String()+"/publier", nil), http.StatusSeeOther, "publish to 2nde 2")
	draft, draftPage, _ := s.course("Brouillon de 2nde 1", s.class1)
	img := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'image'`, pageA)
	otherImg := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'image'`, otherPage)
	// Alice opens a page: her progress, never shown to her guardian.
	wantCode(t, s.Get(s.alice, "/cours/pages/"+pageB.String()), http.StatusOK, "Alice reads")
	alice := "/cours/eleves/" + s.alice.PersonID.String()

	rec := s.Get(s.guardian, "/cours")
	wantCode(t, rec, http.StatusOK, "the chooser")
	wantIn(t, rec, "the chooser", "Alice", `href="`+alice+`"`)
	wantNotIn(t, rec, "the chooser", "Zoé")

	rec = s.Get(s.guardian, alice)
	wantCode(t, rec, http.StatusOK, "Alice's courses")
	wantIn(t, rec, "Alice's courses", "<h1>Cours de Alice", "Le latin en images", `href="/cours/`+mine.String()+`"`)
	wantNotIn(t, rec, "Alice's courses", "Pour la 2nde 2", "Brouillon de 2nde 1", "Reprendre")

	rec = s.Get(s.guardian, "/cours/"+mine.String())
	wantCode(t, rec, http.StatusOK, "the course")
	wantNotIn(t, rec, "the course", "Reprendre", `badge">vue`, "Effacer ma progression", "/plan")
	rec = s.Get(s.guardian, "/cours/pages/"+pageA.String())
	wantCode(t, rec, http.StatusOK, "a page")
	wantIn(t, rec, "a page", `alt="La carte de l&#39;Empire romain"`)
	wantNotIn(t, rec, "a page", "Modifier cette page")
	wantCode(t, s.Get(s.guardian, "/cours/fichiers/"+img.String()), http.StatusOK, "a file of the page")
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_views WHERE pupil_id <> ?`, s.alice.PersonID); n != 0 {
		t.Errorf("the guardian's reading recorded %d views", n)
	}
	wantCode(t, s.Post(s.guardian, "/cours/"+mine.String()+"/progression/effacer", nil), http.StatusSeeOther, "a guardian's « forget » touches only their own (none)")
	if n := s.Count(s.alpha, `SELECT count(*) FROM course_views WHERE pupil_id = ?`, s.alice.PersonID); n != 1 {
		t.Errorf("Alice has %d pages seen after her guardian's « forget », want 1", n)
	}

	t.Run("another child, another class, a draft: nothing", func(t *testing.T) {
		wantCode(t, s.Get(s.guardian, "/cours/eleves/"+s.zoe.PersonID.String()), http.StatusNotFound, "Zoé's courses")
		wantCode(t, s.Get(s.guardian, "/cours/eleves/not-an-id"), http.StatusNotFound, "a bad id")
		for what, path := range map[string]string{
			"2nde 2's course": "/cours/" + other.String(), "2nde 2's page": "/cours/pages/" + otherPage.String(), "2nde 2's file": "/cours/fichiers/" + otherImg.String(),
			"a draft of Alice's class": "/cours/" + draft.String(), "a draft's page": "/cours/pages/" + draftPage.String(),
			"the editor": "/cours/pages/" + pageA.String() + "/modifier",
		} {
			if code := s.Get(s.guardian, path).Code; code != http.StatusNotFound && code != http.StatusForbidden {
				t.Errorf("%s: status %d, want 404 or 403", what, code)
			}
		}
		wantCode(t, s.Get(s.guardian, "/api/v1/cours/"+other.String()), http.StatusNotFound, "2nde 2's course through the API")
		wantCode(t, s.Get(s.guardian, "/api/v1/cours/"+mine.String()), http.StatusOK, "Alice's course through the API")
	})
	t.Run("nobody else reaches a child's page", func(t *testing.T) {
		for name, m := range map[string]directorytest.Member{"Alice herself": s.alice, "another pupil": s.zoe, "a teacher": s.teacher, "the direction": s.direction} {
			wantCode(t, s.Get(m, alice), http.StatusNotFound, name)
		}
		wantCode(t, s.Get(s.cpe, alice), http.StatusForbidden, "the vie scolaire")
		for _, m := range []directorytest.Member{s.bravoDirection, s.bravoT} {
			wantCode(t, s.Send(s.alpha, m, http.MethodGet, alice, nil), http.StatusForbidden, "Bravo's member on Alpha")
			wantCode(t, s.Send(s.bravo, m, http.MethodGet, alice, nil), http.StatusNotFound, "Alpha's child on Bravo")
			wantCode(t, s.Send(s.bravo, m, http.MethodGet, "/cours/"+mine.String(), nil), http.StatusNotFound, "Alpha's course on Bravo")
		}
	})
}

// TestGuardianChildAPI: GET /api/v1/cours?eleve= lists a guardian's child's courses, without
// progress; another pupil is 404.
func TestGuardianChildAPI(t *testing.T) {
	s := newSite(t)
	mine, pageA, _ := s.course("Le latin en images", s.latin)
	wantCode(t, s.Post(s.teacher, "/cours/"+mine.String()+"/publier", nil), http.StatusSeeOther, "publish")
	other, _, _ := s.course("Pour la 2nde 2", s.class2)
	wantCode(t, s.Post(s.teacher, "/cours/"+other.String()+"/publier", nil), http.StatusSeeOther, "publish to 2nde 2")
	wantCode(t, s.Get(s.alice, "/cours/pages/"+pageA.String()), http.StatusOK, "Alice reads")
	rec := s.Get(s.guardian, "/api/v1/cours?eleve="+s.alice.PersonID.String())
	wantCode(t, rec, http.StatusOK, "Alice's courses")
	wantIn(t, rec, "Alice's courses", mine.String())
	wantNotIn(t, rec, "Alice's courses", other.String(), pageA.String())
	wantCode(t, s.Get(s.guardian, "/api/v1/cours?eleve="+s.zoe.PersonID.String()), http.StatusNotFound, "Zoé's courses")
	wantCode(t, s.Get(s.zoe, "/api/v1/cours?eleve="+s.alice.PersonID.String()), http.StatusNotFound, "a pupil asks for another's")
	wantCode(t, s.Send(s.bravo, s.bravoT, http.MethodGet, "/api/v1/cours?eleve="+s.alice.PersonID.String(), nil), http.StatusNotFound, "Bravo asks for Alpha's pupil")
}
