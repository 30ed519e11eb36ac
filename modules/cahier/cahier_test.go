package cahier_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/testenv"
)

type apiWork struct {
	ID          uuid.UUID `json:"id"`
	Description string    `json:"description"`
	DueOn       string    `json:"due_on"`
	NextLesson  bool      `json:"next_lesson"`
	Done        *bool     `json:"done"`
}

type apiWorkList struct {
	Work []apiWork `json:"work"`
}

func descriptions(ws []apiWork) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Description)
	}
	return strings.Join(out, " | ")
}

// TestPupilInTwoGroups: a pupil's « à faire » has the work of their class and of both their
// groups, by due date, and not another class's; a classmate outside the groups sees only the
// class's; a guardian sees their child's, another parent nothing.
func TestPupilInTwoGroups(t *testing.T) {
	s := newSite(t)
	s.work(s.teacher, s.latin, "LATIN", "2026-10-07", "30", "Version latine", nil)
	s.work(s.paul, s.english, "ANG", "2026-10-07", "20", "Irregular verbs", nil)
	s.work(s.teacher, s.class2, "MATHS", "2026-10-07", "30", "Pour la 2nde 2", nil)
	s.work(s.teacher, s.class1, "MATHS", "2026-10-08", "30", "Pour la 2nde 1", nil)

	var list apiWorkList
	s.getJSON(s.alice, "/api/v1/cahier/a-faire", http.StatusOK, &list)
	if got := descriptions(list.Work); len(list.Work) != 3 || !strings.Contains(got, "Version latine") || !strings.Contains(got, "Irregular verbs") ||
		!strings.HasSuffix(got, "Pour la 2nde 1") {
		t.Errorf("Alice's list: %s; want both groups' work, then her class's (by due date)", got)
	}
	rec := s.Get(s.alice, "/cahier/a-faire")
	wantCode(t, rec, http.StatusOK, "Alice's à faire")
	wantIn(t, rec, "Alice's à faire", "Version latine", "Irregular verbs", "Pour la 2nde 1", "Pour le mercredi 07/10/2026")
	wantNotIn(t, rec, "Alice's à faire", "Pour la 2nde 2")
	rec = s.Get(s.bruno, "/cahier/a-faire")
	wantIn(t, rec, "Bruno's à faire", "Pour la 2nde 1")
	wantNotIn(t, rec, "Bruno's à faire", "Version latine", "Irregular verbs", "Pour la 2nde 2")
	rec = s.Get(s.zoe, "/cahier/a-faire")
	wantIn(t, rec, "Zoé's à faire", "Pour la 2nde 2")
	wantNotIn(t, rec, "Zoé's à faire", "Version latine", "Pour la 2nde 1")

	rec = s.Get(s.guardian, "/cahier/eleves/"+s.alice.PersonID.String()+"/a-faire")
	wantCode(t, rec, http.StatusOK, "the guardian's view of Alice's")
	wantIn(t, rec, "the guardian's view", "Version latine", "Pour la 2nde 1")
	wantCode(t, s.Get(s.guardianZoe, "/cahier/eleves/"+s.alice.PersonID.String()+"/a-faire"), http.StatusNotFound, "another parent")
	wantCode(t, s.Get(s.zoe, "/cahier/eleves/"+s.alice.PersonID.String()+"/a-faire"), http.StatusNotFound, "another pupil")
	rec = s.Get(s.guardian, "/cahier")
	wantIn(t, rec, "the guardian's cahier page", "/cahier/eleves/"+s.alice.PersonID.String()+"/a-faire")
}

// TestNeverUnpublished: a draft séance, a séance before the end of its lesson, work before its
// publication and work of a draft séance are shown to no pupil; each is once its time comes.
func TestNeverUnpublished(t *testing.T) {
	s := newSite(t)
	draft := s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Brouillon secret", "brouillon")
	later := s.lessonSession(s.teacher, s.thursday1, "2026-10-08", "Séance de jeudi", "publier")
	done := s.lessonSession(s.teacher, s.monday1, "2026-09-28", "Séance passée", "publier")
	s.work(s.teacher, s.class1, "MATHS", "2026-10-09", "30", "Travail différé", url.Values{"publication": {"2026-10-06T18:00"}})
	s.save(s.teacher, "/cahier/travail/nouveau", url.Values{"seance": {draft.String()}, "type": {"Leçon"}, "consigne": {"Travail du brouillon"},
		"pour": {"date"}, "echeance": {"2026-10-09"}, "action": {"enregistrer"}})

	book := "/cahier/eleves/" + s.alice.PersonID.String()
	rec := s.Get(s.alice, book)
	wantCode(t, rec, http.StatusOK, "Alice's cahier")
	wantIn(t, rec, "Alice's cahier", "Séance passée")
	wantNotIn(t, rec, "Alice's cahier", "Brouillon secret", "Séance de jeudi")
	for _, id := range []uuid.UUID{draft, later} {
		wantCode(t, s.Get(s.alice, "/cahier/seances/"+id.String()), http.StatusNotFound, "a séance not shown yet")
		wantCode(t, s.Get(s.direction, "/cahier/seances/"+id.String()), http.StatusNotFound, "the direction, a séance not shown yet")
		wantCode(t, s.Get(s.teacher, "/cahier/seances/"+id.String()), http.StatusOK, "its teacher")
	}
	wantCode(t, s.Get(s.alice, "/cahier/seances/"+done.String()), http.StatusOK, "a published séance")
	rec = s.Get(s.alice, "/cahier/a-faire")
	wantNotIn(t, rec, "Alice's à faire", "Travail différé", "Travail du brouillon")
	rec = s.Get(s.alice, "/cahier?semaine=2026-10-05")
	wantNotIn(t, rec, "Alice's week", "Brouillon secret", "Séance de jeudi", "Travail différé")
	rec = s.Get(s.teacher, "/cahier/classes/"+s.class1.String())
	wantIn(t, rec, "the teacher's view of the class", "Brouillon secret", "Séance de jeudi")

	s.Clock.Set(time.Date(2026, time.October, 6, 18, 1, 0, 0, testenv.Paris))
	wantIn(t, s.Get(s.alice, "/cahier/a-faire"), "after its publication", "Travail différé")
	wantNotIn(t, s.Get(s.alice, "/cahier/a-faire"), "a draft séance's work", "Travail du brouillon")
	s.Clock.Set(time.Date(2026, time.October, 8, 11, 1, 0, 0, testenv.Paris))
	wantIn(t, s.Get(s.alice, book), "after the end of the lesson", "Séance de jeudi")
	wantNotIn(t, s.Get(s.alice, book), "a draft", "Brouillon secret")
}

// TestTicksArePupilsOwn: a pupil's « fait » is shown to them alone: not to a classmate, their
// guardian, the teacher or the direction, in pages or the API; only a pupil ticks, their own.
func TestTicksArePupilsOwn(t *testing.T) {
	s := newSite(t)
	id := s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Exercice 12 page 45", nil)
	wantCode(t, s.Post(s.alice, "/cahier/travail/"+id.String()+"/fait", url.Values{"fait": {"1"}}), http.StatusSeeOther, "Alice ticks")
	rec := s.Get(s.alice, "/cahier/a-faire")
	wantIn(t, rec, "Alice's list", "· fait", "comme non fait")
	var own, other apiWorkList
	s.getJSON(s.alice, "/api/v1/cahier/a-faire", http.StatusOK, &own)
	if len(own.Work) != 1 || own.Work[0].Done == nil || !*own.Work[0].Done {
		t.Errorf("Alice's own list: %+v, want her tick", own.Work)
	}
	s.getJSON(s.bruno, "/api/v1/cahier/a-faire", http.StatusOK, &other)
	if len(other.Work) != 1 || other.Work[0].Done == nil || *other.Work[0].Done {
		t.Errorf("Bruno's list: %+v, want his own (not done)", other.Work)
	}
	s.getJSON(s.guardian, "/api/v1/cahier/a-faire?eleve="+s.alice.PersonID.String(), http.StatusOK, &other)
	if len(other.Work) != 1 || other.Work[0].Done != nil {
		t.Errorf("the guardian's view: %+v, want no tick", other.Work)
	}
	rec = s.Get(s.guardian, "/cahier/eleves/"+s.alice.PersonID.String()+"/a-faire")
	wantIn(t, rec, "the guardian's page", "Exercice 12 page 45")
	wantNotIn(t, rec, "the guardian's page", "· fait", "· à faire", "non fait")
	var w apiWork
	s.getJSON(s.teacher, "/api/v1/cahier/travail/"+id.String(), http.StatusOK, &w)
	if w.Done != nil {
		t.Errorf("the teacher reads a tick: %+v", w)
	}
	s.getJSON(s.direction, "/api/v1/cahier/travail/"+id.String(), http.StatusOK, &w)
	if w.Done != nil {
		t.Errorf("the direction reads a tick: %+v", w)
	}
	for _, page := range []string{"/cahier/travail/" + id.String(), "/cahier/classes/" + s.class1.String()} {
		wantNotIn(t, s.Get(s.teacher, page), "the teacher's "+page, "· fait", "comme fait", "comme non fait")
		wantNotIn(t, s.Get(s.direction, page), "the direction's "+page, "· fait", "comme fait", "comme non fait")
	}
	wantCode(t, s.Post(s.teacher, "/cahier/travail/"+id.String()+"/fait", url.Values{"fait": {"1"}}), http.StatusForbidden, "a teacher ticks")
	wantCode(t, s.sendJSON(s.guardian, http.MethodPut, "/api/v1/cahier/travail/"+id.String()+"/fait", `{"done": true}`), http.StatusForbidden, "a guardian ticks")
	wantCode(t, s.sendJSON(s.zoe, http.MethodPut, "/api/v1/cahier/travail/"+id.String()+"/fait", `{"done": true}`), http.StatusNotFound, "a pupil of another class ticks")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_done`); n != 1 {
		t.Errorf("%d ticks, want Alice's only", n)
	}
	wantCode(t, s.sendJSON(s.alice, http.MethodPut, "/api/v1/cahier/travail/"+id.String()+"/fait", `{"done": false}`), http.StatusNoContent, "Alice unticks")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_done`); n != 0 {
		t.Errorf("%d ticks after unticking, want none", n)
	}
}

type apiWorkload struct {
	Date       string `json:"date"`
	Minutes    int    `json:"minutes"`
	Threshold  int    `json:"threshold"`
	Over       bool   `json:"over"`
	Disconnect bool   `json:"disconnect"`
}

// TestWorkloadWarning: the form and the saved work show the class's workload of the day,
// counted per pupil across their class and groups, and warn above the establishment's
// threshold (set by the direction) and for work set on a weekend or in the holidays for the
// next school day.
func TestWorkloadWarning(t *testing.T) {
	s := newSite(t)
	wantCode(t, s.Post(s.teacher, "/cahier/reglages", url.Values{"seuil": {"60"}, "types": {"Exercices"}}), http.StatusForbidden, "a teacher's settings")
	rec := s.Post(s.direction, "/cahier/reglages", url.Values{"seuil": {"5"}, "types": {"Exercices"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a threshold too low")
	wantIn(t, rec, "the refused settings", `href="#seuil"`, "entre 10 et 600")
	wantCode(t, s.Post(s.direction, "/cahier/reglages", url.Values{"seuil": {"60"}, "types": {"Exercices\nLeçon\nDevoir maison"}}), http.StatusSeeOther, "settings")

	s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "40", "Problème", nil)
	var wl apiWorkload
	s.getJSON(s.teacher, "/api/v1/cahier/charge?classe="+s.class1.String()+"&date=2026-10-07", http.StatusOK, &wl)
	if wl.Minutes != 40 || wl.Over || wl.Threshold != 60 {
		t.Errorf("workload %+v, want 40 of 60", wl)
	}
	latin := s.work(s.teacher, s.latin, "LATIN", "2026-10-07", "30", "Thème latin", nil)
	s.getJSON(s.teacher, "/api/v1/cahier/charge?classe="+s.class1.String()+"&date=2026-10-07", http.StatusOK, &wl)
	if wl.Minutes != 70 || !wl.Over {
		t.Errorf("workload %+v, want 70 (Alice's maths and latin) over 60", wl)
	}
	rec = s.Get(s.teacher, "/cahier/travail/"+latin.String())
	wantIn(t, rec, "the saved work", "Charge de travail du mercredi 07/10/2026", "dépasse le seuil")
	rec = s.Post(s.teacher, "/cahier/travail/nouveau", url.Values{"classe": {s.class1.String() + "|MATHS"}, "pour": {"date"}, "echeance": {"2026-10-07"}, "action": {"charge"}})
	wantCode(t, rec, http.StatusOK, "the form's workload")
	wantIn(t, rec, "the form's workload", "1 h 10", "dépasse le seuil")
	wantCode(t, s.Get(s.paul, "/api/v1/cahier/charge?classe="+s.class1.String()+"&date=2026-10-07"), http.StatusNotFound, "a teacher of another class")
	rec = s.Post(s.paul, "/cahier/travail/nouveau", url.Values{"classe": {s.class1.String() + "|MATHS"}, "type": {"Exercices"}, "consigne": {"x"},
		"pour": {"date"}, "echeance": {"2026-10-07"}, "action": {"enregistrer"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "work for a class one does not teach")

	// Saturday afternoon, for Monday: the right to disconnect; for Tuesday: no warning.
	s.Clock.Set(time.Date(2026, time.October, 10, 15, 0, 0, 0, testenv.Paris))
	monday := s.work(s.teacher, s.class1, "MATHS", "2026-10-12", "20", "Lundi", nil)
	wantIn(t, s.Get(s.teacher, "/cahier/travail/"+monday.String()), "work set on Saturday for Monday", "droit à la déconnexion")
	tuesday := s.work(s.teacher, s.class1, "MATHS", "2026-10-13", "20", "Mardi", nil)
	wantNotIn(t, s.Get(s.teacher, "/cahier/travail/"+tuesday.String()), "work set on Saturday for Tuesday", "droit à la déconnexion", "dépasse le seuil")
	// In the holidays, for the first day back.
	s.Exec(s.alpha, `INSERT INTO timetable_holidays (label, starts_on, ends_on) VALUES ('Vacances de la Toussaint', '2026-10-17', '2026-11-01')`)
	s.Clock.Set(time.Date(2026, time.October, 28, 11, 0, 0, 0, testenv.Paris))
	back := s.work(s.teacher, s.class1, "MATHS", "2026-11-02", "20", "Rentrée", nil)
	wantIn(t, s.Get(s.teacher, "/cahier/travail/"+back.String()), "work set in the holidays", "droit à la déconnexion")
	s.getJSON(s.teacher, "/api/v1/cahier/charge?classe="+s.class1.String()+"&date=2026-11-02", http.StatusOK, &wl)
	if !wl.Disconnect {
		t.Errorf("workload %+v, want the right to disconnect", wl)
	}
}

type apiSession struct {
	ID       uuid.UUID `json:"id"`
	Title    string    `json:"title"`
	BodyHTML string    `json:"body_html"`
	State    string    `json:"state"`
	Date     string    `json:"date"`
	Starts   string    `json:"starts"`
	Work     []struct {
		DescriptionHTML string `json:"description_html"`
	} `json:"work"`
}

// TestContentSanitised: scripts, event handlers and javascript: links written in a séance
// or a work are gone from what pages and the API show; a link that is not http(s) is refused.
func TestContentSanitised(t *testing.T) {
	s := newSite(t)
	evil := "Bonjour <script>alert('x')</script> <img src=x onerror=alert(1)> [clic](javascript:alert(2)) <a href=\"#\" onclick=\"alert(3)\">a</a> **gras**"
	rec := s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances", `{"slot_id": "`+s.monday1.String()+`", "date": "2026-10-05", "title": "XSS",
		"body": `+jsonString(evil)+`, "links": [{"title": "Mauvais", "url": "javascript:alert(1)"}], "publish": true}`)
	wantCode(t, rec, http.StatusUnprocessableEntity, "a javascript: link")
	wantIn(t, rec, "the refused link", `"links"`)
	rec = s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances", `{"slot_id": "`+s.monday1.String()+`", "date": "2026-10-05", "title": "XSS",
		"body": `+jsonString(evil)+`, "links": [{"title": "Cours", "url": "https://example.org/cours"}], "publish": true}`)
	wantCode(t, rec, http.StatusCreated, "the séance")
	id := savedOf(t, rec.Body.String())
	s.save(s.teacher, "/cahier/travail/nouveau", url.Values{"seance": {id.String()}, "type": {"Exercices"}, "consigne": {evil}, "pour": {"prochaine"}, "action": {"enregistrer"}})
	var se apiSession
	s.getJSON(s.alice, "/api/v1/cahier/seances/"+id.String(), http.StatusOK, &se)
	if len(se.Work) != 1 {
		t.Fatalf("séance %+v, want its work", se)
	}
	for what, html := range map[string]string{"séance": se.BodyHTML, "work": se.Work[0].DescriptionHTML} {
		for _, bad := range []string{"<script", "onerror", "onclick", "javascript:"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s: %q left in %s", what, bad, html)
			}
		}
		if !strings.Contains(html, "<strong>gras</strong>") {
			t.Errorf("%s: Markdown not rendered: %s", what, html)
		}
	}
	rec = s.Get(s.alice, "/cahier/seances/"+id.String())
	wantIn(t, rec, "the séance's page", "<strong>gras</strong>", `href="https://example.org/cours"`)
	wantNotIn(t, rec, "the séance's page", "<script>alert", "onerror=", "javascript:alert")
}

// TestIsolation: another establishment sees nothing of Alpha's cahier; within Alpha a person
// without the role is refused, a pupil or parent outside the class sees nothing, the vie
// scolaire and the direction read every class, and only the class's teachers write.
func TestIsolation(t *testing.T) {
	s := newSite(t)
	id := s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Théorème de Thalès", "publier")
	work := s.work(s.teacher, s.class1, "MATHS", "2026-10-08", "30", "Exercices sur Thalès", nil)
	for _, p := range []string{"/cahier/seances/" + id.String(), "/cahier/classes/" + s.class1.String(), "/cahier/travail/" + work.String(),
		"/api/v1/cahier/seances/" + id.String(), "/api/v1/cahier/travail/" + work.String()} {
		wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, p, nil), http.StatusNotFound, "Bravo's direction: "+p)
		wantCode(t, s.Send(s.bravo, s.bravoPupil, http.MethodGet, p, nil), http.StatusNotFound, "Bravo's pupil: "+p)
		wantCode(t, s.Send(s.bravo, s.alice, http.MethodGet, p, nil), http.StatusForbidden, "Alice on Bravo's host: "+p)
		wantCode(t, s.Get(s.zoe, p), http.StatusNotFound, "a pupil of another class: "+p)
		wantCode(t, s.Get(s.guardianZoe, p), http.StatusNotFound, "a parent of another class: "+p)
		wantCode(t, s.Get(s.staffer, p), http.StatusForbidden, "a member of staff without the role: "+p)
		wantCode(t, s.Get(s.alice, p), http.StatusOK, "a pupil of the class: "+p)
		wantCode(t, s.Get(s.guardian, p), http.StatusOK, "her guardian: "+p)
		wantCode(t, s.Get(s.cpe, p), http.StatusOK, "the vie scolaire: "+p)
		wantCode(t, s.Get(s.direction, p), http.StatusOK, "the direction: "+p)
	}
	rec := s.Send(s.bravo, s.bravoPupil, http.MethodGet, "/api/v1/cahier/a-faire", nil)
	wantCode(t, rec, http.StatusOK, "Bravo's pupil's list")
	wantNotIn(t, rec, "Bravo's pupil's list", "Thalès")
	wantCode(t, s.Get(s.staffer, "/cahier"), http.StatusForbidden, "a member of staff's cahier")
	for _, m := range []directorytest.Member{s.cpe, s.direction} {
		rec := s.Get(m, "/cahier")
		wantCode(t, rec, http.StatusOK, "the classes' list")
		wantIn(t, rec, "the classes' list", "2nde 1", "2nde 2", "Groupe Latin")
	}
	rec = s.Get(s.paul, "/cahier")
	wantIn(t, rec, "a teacher's classes", "Groupe Anglais 1")
	wantNotIn(t, rec, "a teacher's classes", "2nde 2")
	wantCode(t, s.Post(s.alice, "/cahier/seances/nouvelle", url.Values{"titre": {"x"}}), http.StatusForbidden, "a pupil writes a séance")
	wantCode(t, s.Post(s.direction, "/cahier/seances/nouvelle", url.Values{"titre": {"x"}}), http.StatusForbidden, "the direction writes (read-only)")
	rec = s.Post(s.paul, "/cahier/seances/nouvelle", url.Values{"classe": {s.class1.String() + "|MATHS"}, "date": {"2026-10-05"}, "debut": {"08:00"},
		"fin": {"09:00"}, "titre": {"Intrus"}, "action": {"publier"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a teacher of another class")
	wantIn(t, rec, "the refusal", "enseignez pas dans cette classe", `href="#classe"`)
	rec = s.Post(s.paul, "/cahier/seances/nouvelle", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-10-05"}, "titre": {"Intrus"}, "action": {"publier"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a teacher filling another's lesson")
	wantCode(t, s.Post(s.paul, "/cahier/seances/"+id.String()+"/modifier", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-10-05"}, "titre": {"x"}}),
		http.StatusUnprocessableEntity, "another teacher edits")
	wantCode(t, s.Do(s.alpha, s.paul, http.MethodDelete, "/api/v1/cahier/seances/"+id.String(), "", nil), http.StatusNotFound, "another teacher deletes")
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE title = 'Théorème de Thalès'`); n != 1 {
		t.Errorf("%d séances left, want 1", n)
	}
}

// TestNextLessonAndCopy: work « pour la prochaine séance » is due on the class's next lesson
// of that subject in the timetable; a séance copied to another class lands as a draft on that
// class's lesson; « Mes séances » shows the week's lessons with their séances.
func TestNextLessonAndCopy(t *testing.T) {
	s := newSite(t)
	id := s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Fonctions affines", "publier")
	rec := s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/travail", `{"session_id": "`+id.String()+`", "kind": "Exercices", "description": "Exercices 1 à 4",
		"due": "prochaine", "minutes": 25}`)
	wantCode(t, rec, http.StatusCreated, "work for the next lesson")
	wantIn(t, rec, "the work", `"due_on":"2026-10-08"`, `"next_lesson":true`, `"minutes":25`)
	rec = s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/travail", `{"class_id": "`+s.class1.String()+`", "subject_code": "ANG", "kind": "Exercices",
		"description": "x", "due": "prochaine"}`)
	wantCode(t, rec, http.StatusUnprocessableEntity, "a subject the class has no lesson of")

	rec = s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances/"+id.String()+"/copier", `{"class_id": "`+s.class2.String()+`"}`)
	wantCode(t, rec, http.StatusCreated, "the copy")
	wantIn(t, rec, "the copy", `"title":"Fonctions affines"`, `"state":"brouillon"`, `"slot_id":"`+s.monday2.String()+`"`, `"starts":"09:00"`)
	wantCode(t, s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/seances/"+id.String()+"/copier", `{"class_id": "`+s.english.String()+`"}`),
		http.StatusUnprocessableEntity, "a copy to a class one does not teach")
	wantCode(t, s.sendJSON(s.paul, http.MethodPost, "/api/v1/cahier/seances/"+id.String()+"/copier", `{"class_id": "`+s.english.String()+`"}`),
		http.StatusNotFound, "another teacher's copy")

	rec = s.Get(s.teacher, "/cahier/seances?semaine=2026-10-05")
	wantCode(t, rec, http.StatusOK, "Mes séances")
	wantIn(t, rec, "Mes séances", "Fonctions affines</a> (Publiée)", "Fonctions affines</a> (Brouillon)", "Remplir la séance du jeudi 08/10/2026 10h00 en 2nde 1",
		"Remplir la séance du mardi 06/10/2026 14h00 en Latin")
}

// TestNewWorkNotified: the class's pupils are told of new work once, when it is visible:
// at once, or by the periodic job at its publication; nobody else is told.
func TestNewWorkNotified(t *testing.T) {
	s := newSite(t)
	s.svc.SetNotifier(notify.NewService(s.Reg.DB(), s.Clock.Now))
	told := func(p uuid.UUID) int {
		return s.Count(s.alpha, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id WHERE r.person_id = ? AND n.kind = 'travail'`, p)
	}
	s.work(s.teacher, s.class1, "MATHS", "2026-10-07", "30", "Tout de suite", nil)
	for who, c := range map[string]struct {
		id   uuid.UUID
		want int
	}{"Alice": {s.alice.PersonID, 1}, "Bruno": {s.bruno.PersonID, 1}, "Zoé": {s.zoe.PersonID, 0}, "teacher": {s.teacher.PersonID, 0}, "guardian": {s.guardian.PersonID, 0}} {
		if got := told(c.id); got != c.want {
			t.Errorf("%s told %d times, want %d", who, got, c.want)
		}
	}
	s.work(s.teacher, s.class1, "MATHS", "2026-10-09", "30", "Plus tard", url.Values{"publication": {"2026-10-06T18:00"}})
	ctx := context.Background()
	if n, err := s.svc.TellDue(ctx, s.alpha, s.Clock.Now()); err != nil || n != 0 || told(s.alice.PersonID) != 1 {
		t.Fatalf("before its publication: told %d (%v), Alice %d", n, err, told(s.alice.PersonID))
	}
	s.Clock.Set(time.Date(2026, time.October, 6, 18, 5, 0, 0, testenv.Paris))
	if n, err := s.svc.TellDue(ctx, s.alpha, s.Clock.Now()); err != nil || n != 1 || told(s.alice.PersonID) != 2 {
		t.Fatalf("at its publication: told %d (%v), Alice %d", n, err, told(s.alice.PersonID))
	}
	if n, err := s.svc.TellDue(ctx, s.alpha, s.Clock.Now()); err != nil || n != 0 || told(s.alice.PersonID) != 2 {
		t.Fatalf("again: told %d (%v)", n, err)
	}
	if got := notify.DefaultDelivery[notify.KindWork]; got != notify.Digest {
		t.Errorf("new work's default delivery %q, want the digest", got)
	}
}
