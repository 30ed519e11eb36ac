package cahier_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestSubjectTaught: a teacher writes the cahier only in the subjects they teach to a class
// (the form's choices): a forged « classe|matière » of a class they teach but of another
// subject, or of a subject that does not exist, is refused at the field « classe » with a
// French message (not a 500), for an exceptional séance, standalone work (page and API) and
// a copy onto a class they teach another subject to; nothing is written.
func TestSubjectTaught(t *testing.T) {
	s := newSite(t)
	for _, subject := range []string{"ANG", "NOPE"} {
		rec := s.Post(s.teacher, "/cahier/seances/nouvelle", url.Values{"classe": {s.class1.String() + "|" + subject}, "date": {"2026-10-05"},
			"debut": {"11:00"}, "fin": {"12:00"}, "titre": {"Intrus"}, "action": {"publier"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "an exceptional séance in "+subject)
		wantIn(t, rec, "the refusal", "enseignez pas cette matière", `href="#classe"`)
		rec = s.Post(s.teacher, "/cahier/travail/nouveau", url.Values{"classe": {s.class1.String() + "|" + subject}, "type": {"Exercices"},
			"consigne": {"Intrus"}, "pour": {"date"}, "echeance": {"2026-10-09"}, "action": {"enregistrer"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "standalone work in "+subject)
		wantIn(t, rec, "the refusal", "enseignez pas cette matière")
		rec = s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/travail", `{"class_id": "`+s.class1.String()+`", "subject_code": "`+subject+`",
			"kind": "Exercices", "description": "Intrus", "due": "date", "due_on": "2026-10-09"}`)
		wantCode(t, rec, http.StatusUnprocessableEntity, "API work in "+subject)
		wantIn(t, rec, "the API refusal", `"class_id"`, "enseignez pas cette matière")
	}
	// Claire teaches Latin to the Latin group and maths to 2nde 1: her Latin séance does not
	// go into 2nde 1's cahier.
	latin := s.lessonSession(s.teacher, s.latin1, "2026-10-06", "Déclinaisons", "publier")
	rec := s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances/"+latin.String()+"/copier", `{"class_id": "`+s.class1.String()+`"}`)
	wantCode(t, rec, http.StatusUnprocessableEntity, "a copy onto a class taught another subject")
	wantIn(t, rec, "the copy's refusal", "class_id", "enseignez pas cette matière")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE title IN ('Intrus', 'Déclinaisons')`); n != 1 {
		t.Errorf("%d séances, want only the Latin one", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_work`); n != 0 {
		t.Errorf("%d pieces of work written", n)
	}
	// What she teaches still works: an exceptional maths séance in 2nde 1, work in Latin.
	s.save(s.teacher, "/cahier/seances/nouvelle", url.Values{"classe": {s.class1.String() + "|MATHS"}, "date": {"2026-10-05"},
		"debut": {"11:00"}, "fin": {"12:00"}, "titre": {"Soutien"}, "action": {"publier"}})
	s.work(s.teacher, s.latin, "LATIN", "2026-10-09", "20", "Rosa, rosae", nil)
}
