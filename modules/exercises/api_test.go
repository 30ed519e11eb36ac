package exercises_test

// The JSON API through the real router with real Kratos sessions, every exchange checked
// against web/openapi.json (moduletest's Do): no right answer before the moment the teacher
// chose, under each feedback mode; the time limit and the closing; who gets what.

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/tenant"
)

// apiLeaks are what a pupil's JSON must not hold before the correction is shown: the
// feedback texts, the weights, a true/false's right answer.
var apiLeaks = []string{"FEEDBACK-JUSTE", "FEEDBACK-FAUX", "RAPPEL-GENERAL", "FEEDBACK-VRAI", `"fraction"`, "10000000", `"correct"`, `"general_feedback"`}

type apiSite struct {
	*moduletest.Site
	t            *testing.T
	alpha, bravo *tenant.Tenant
}

// call sends body (JSON unless ct says otherwise; empty: none) as m and returns the answer's
// body, decoded into out when out is not nil.
func (s *apiSite) call(tn *tenant.Tenant, m directorytest.Member, method, path, ct, body string, want int, out any) string {
	s.t.Helper()
	if body != "" && ct == "" {
		ct = "application/json"
	}
	rec := s.Do(tn, m, method, path, ct, strings.NewReader(body))
	moduletest.WantCode(s.t, rec, want, method+" "+path)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, rec.Body.String())
		}
	}
	return rec.Body.String()
}

type apiQuestion struct {
	Position   int             `json:"position"`
	Locked     bool            `json:"locked"`
	Correction json.RawMessage `json:"correction"`
}

type apiAttempt struct {
	ID          uuid.UUID     `json:"id"`
	Number      int           `json:"number"`
	StartedAt   time.Time     `json:"started_at"`
	Deadline    time.Time     `json:"deadline"`
	SubmittedAt *time.Time    `json:"submitted_at"`
	Auto        bool          `json:"auto_submitted"`
	Score       *string       `json:"score"`
	MaxPoints   string        `json:"max_points"`
	Questions   []apiQuestion `json:"questions"`
}

func apiNoLeak(t *testing.T, js, what string) {
	t.Helper()
	for _, l := range apiLeaks {
		if strings.Contains(js, l) {
			t.Errorf("%s: the pupil's JSON holds %s: %s", what, l, js)
		}
	}
}

func apiShownCorrection(q apiQuestion) bool {
	return len(q.Correction) > 0 && string(q.Correction) != "null"
}

func TestAPI(t *testing.T) {
	site := moduletest.New(t, moduletest.Options{Templates: []fs.FS{exercises.Templates}, LogWarnings: true})
	s := &apiSite{Site: site, t: t, alpha: site.Establishment(95, "Lycée Alpha"), bravo: site.Establishment(96, "Lycée Bravo")}
	gs := grades.NewService(s.Reg.DB(), s.Clock.Now)
	svc := exercises.NewService(s.Reg.DB(), standIn, gs, s.Clock.Now)
	s.Mount(exercises.NewHandler(svc).Module())
	teacher := s.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	colleague := s.Member(s.alpha, identity.RoleEnseignant, "Paul", "Collègue")
	alice := s.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	bob := s.Member(s.alpha, identity.RoleEleve, "Bob", "Bernard")
	guardian := s.Member(s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	bravoPupil := s.Member(s.bravo, identity.RoleEleve, "Léo", "Bravo")
	bravoTeacher := s.Member(s.bravo, identity.RoleEnseignant, "Jeanne", "Bravo")
	class := uuid.New()
	s.Exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques')`)
	s.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, class, s.Year())
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, class, alice.PersonID, class, bob.PersonID)
	s.Exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, teacher.PersonID, class)

	ctx := t.Context()
	claire := exercises.Actor{PersonID: teacher.PersonID, Roles: []identity.Role{identity.RoleEnseignant}}
	cat, err := svc.CreateCategory(ctx, s.alpha, claire, "Calcul")
	if err != nil {
		t.Fatal(err)
	}
	tf := question.Question{Type: question.TrueFalse, Name: "VF", Text: question.Text{Text: "2 + 2 = 4 ?"}, Correct: true,
		TrueFeedback: question.Text{Text: "FEEDBACK-VRAI"}, GeneralFeedback: question.Text{Text: "RAPPEL-GENERAL"}}
	var qids []uuid.UUID
	for _, q := range []question.Question{choice("Q1"), tf} {
		id, err := svc.SaveQuestion(ctx, s.alpha, claire, uuid.Nil, cat, q, false)
		if err != nil {
			t.Fatal(err)
		}
		qids = append(qids, id)
	}
	ex, err := svc.CreateExercise(ctx, s.alpha, claire, exercises.ExerciseForm{Title: "Calcul mental",
		Items: []exercises.ItemForm{{Question: qids[0], Points: "1"}, {Question: qids[1], Points: "0,5"}}})
	if err != nil {
		t.Fatal(err)
	}
	start := s.Clock.Now()
	closes := start.Add(48 * time.Hour)
	assign := func(fb exercises.Feedback, attempts, limit int, opens time.Time) uuid.UUID {
		t.Helper()
		id, err := svc.Assign(ctx, s.alpha, claire, ex, exercises.AssignmentForm{Classes: []uuid.UUID{class}, OpensAt: opens, ClosesAt: closes,
			Attempts: attempts, TimeLimitMinutes: limit, Feedback: fb, Rule: exercises.RuleBest})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	tentatives := func(as uuid.UUID) string { return "/api/v1/exercices/affectations/" + as.String() + "/tentatives" }
	attemptPath := func(id uuid.UUID) string { return "/api/v1/exercices/tentatives/" + id.String() }
	// afterClosing reads the attempt as m after the closing, then comes back to the start.
	afterClosing := func(m directorytest.Member, id uuid.UUID, out any) string {
		t.Helper()
		s.Clock.Set(closes.Add(time.Hour))
		defer s.Clock.Set(start)
		return s.call(s.alpha, m, http.MethodGet, attemptPath(id), "", "", http.StatusOK, out)
	}

	neverAs := assign(exercises.FeedbackNever, 1, 0, start)
	t.Run("never", func(t *testing.T) {
		as := neverAs
		var v apiAttempt
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPost, tentatives(as), "", "", http.StatusOK, &v), "started")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPut, attemptPath(v.ID)+"/reponses/1", "", `{"choices":[1]}`, http.StatusOK, nil), "saved")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPut, attemptPath(v.ID)+"/reponses/2", "", `{"bool":true}`, http.StatusOK, nil), "saved")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodGet, attemptPath(v.ID), "", "", http.StatusOK, nil), "read")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPost, attemptPath(v.ID)+"/remise", "", "", http.StatusOK, &v), "submitted")
		if v.Score == nil || *v.Score != "3/2" || v.MaxPoints != "1.50" {
			t.Errorf("score %v / %s, want 3/2 / 1.50", v.Score, v.MaxPoints)
		}
		apiNoLeak(t, afterClosing(alice, v.ID, nil), "after closing")
	})

	t.Run("after closing", func(t *testing.T) {
		as := assign(exercises.FeedbackAfterClose, 1, 0, start)
		var v apiAttempt
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPost, tentatives(as), "", "", http.StatusOK, &v), "started")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPut, attemptPath(v.ID)+"/reponses/1", "", `{"choices":[0]}`, http.StatusOK, nil), "saved")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPost, tentatives(as), "", "", http.StatusOK, nil), "resumed")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodPost, attemptPath(v.ID)+"/remise", "", "", http.StatusOK, nil), "submitted, before closing")
		apiNoLeak(t, s.call(s.alpha, alice, http.MethodGet, attemptPath(v.ID), "", "", http.StatusOK, nil), "read, before closing")
		var after apiAttempt
		js := afterClosing(alice, v.ID, &after)
		if !strings.Contains(js, "FEEDBACK-JUSTE") || !strings.Contains(js, "FEEDBACK-VRAI") || !apiShownCorrection(after.Questions[0]) || !apiShownCorrection(after.Questions[1]) {
			t.Errorf("no correction after closing: %s", js)
		}
		// Bob never started it: after closing he cannot, and sees nothing.
		s.Clock.Set(closes)
		msg := s.call(s.alpha, bob, http.MethodPost, tentatives(as), "", "", http.StatusConflict, nil)
		s.Clock.Set(start)
		if !strings.Contains(msg, "clos depuis le") {
			t.Errorf("start after closing: %s", msg)
		}
	})

	t.Run("after each answer", func(t *testing.T) {
		as := assign(exercises.FeedbackEachAnswer, 1, 0, start)
		var v apiAttempt
		apiNoLeak(t, s.call(s.alpha, bob, http.MethodPost, tentatives(as), "", "", http.StatusOK, &v), "started")
		var q apiQuestion
		js := s.call(s.alpha, bob, http.MethodPut, attemptPath(v.ID)+"/reponses/1", "", `{"choices":[1]}`, http.StatusOK, &q)
		if !q.Locked || !apiShownCorrection(q) || !strings.Contains(js, "FEEDBACK-JUSTE") || !strings.Contains(js, `"score":"1"`) {
			t.Errorf("no correction once answered: %s", js)
		}
		var again apiAttempt
		s.call(s.alpha, bob, http.MethodGet, attemptPath(v.ID), "", "", http.StatusOK, &again)
		if len(again.Questions) != 2 || apiShownCorrection(again.Questions[1]) || !apiShownCorrection(again.Questions[0]) {
			t.Fatalf("after answering question 1: %+v", again.Questions)
		}
		second, _ := json.Marshal(again.Questions[1])
		apiNoLeak(t, string(second), "the question not answered yet")
		msg := s.call(s.alpha, bob, http.MethodPut, attemptPath(v.ID)+"/reponses/1", "", `{"choices":[0]}`, http.StatusConflict, nil)
		if !strings.Contains(msg, "déjà répondu à la question 1") {
			t.Errorf("change after the check: %s", msg)
		}
		s.call(s.alpha, bob, http.MethodPut, attemptPath(v.ID)+"/reponses/7", "", `{"choices":[0]}`, http.StatusNotFound, nil)
		s.call(s.alpha, bob, http.MethodPut, attemptPath(v.ID)+"/reponses/2", "", `{"secret":true}`, http.StatusBadRequest, nil)
	})

	t.Run("time limit and opening", func(t *testing.T) {
		as := assign(exercises.FeedbackNever, 2, 20, start)
		var v apiAttempt
		s.call(s.alpha, alice, http.MethodPost, tentatives(as), "", "", http.StatusOK, &v)
		if !v.Deadline.Equal(v.StartedAt.Add(20 * time.Minute)) {
			t.Errorf("deadline %v, want the start %v and 20 minutes", v.Deadline, v.StartedAt)
		}
		s.call(s.alpha, alice, http.MethodPut, attemptPath(v.ID)+"/reponses/1", "", `{"choices":[1]}`, http.StatusOK, nil)
		s.Clock.Advance(20 * time.Minute)
		msg := s.call(s.alpha, alice, http.MethodPut, attemptPath(v.ID)+"/reponses/2", "", `{"bool":true}`, http.StatusConflict, nil)
		if !strings.Contains(msg, "temps de cette tentative est écoulé") {
			t.Errorf("late save: %s", msg)
		}
		s.call(s.alpha, alice, http.MethodGet, attemptPath(v.ID), "", "", http.StatusOK, &v)
		if v.SubmittedAt == nil || !v.Auto || v.Score == nil || *v.Score != "1" {
			t.Errorf("not handed in as saved at the deadline: %+v", v)
		}
		var v2 apiAttempt
		s.call(s.alpha, alice, http.MethodPost, tentatives(as), "", "", http.StatusOK, &v2)
		if v2.Number != 2 {
			t.Errorf("second attempt numbered %d", v2.Number)
		}
		s.Clock.Advance(time.Hour)
		if msg := s.call(s.alpha, alice, http.MethodPost, attemptPath(v2.ID)+"/remise", "", "", http.StatusConflict, nil); !strings.Contains(msg, "écoulé") {
			t.Errorf("late submit: %s", msg)
		}
		if msg := s.call(s.alpha, alice, http.MethodPost, tentatives(as), "", "", http.StatusConflict, nil); !strings.Contains(msg, "2 tentative(s) permise(s)") {
			t.Errorf("a third attempt: %s", msg)
		}
		s.Clock.Set(start)
		later := assign(exercises.FeedbackNever, 1, 0, start.Add(24*time.Hour))
		if msg := s.call(s.alpha, alice, http.MethodPost, tentatives(later), "", "", http.StatusConflict, nil); !strings.Contains(msg, "ouvre le") {
			t.Errorf("start before the opening: %s", msg)
		}
		var todo struct {
			Assignments []struct {
				ID           uuid.UUID `json:"id"`
				AttemptsUsed int       `json:"attempts_used"`
				Open         bool      `json:"open"`
			} `json:"assignments"`
		}
		s.call(s.alpha, alice, http.MethodGet, "/api/v1/exercices", "", "", http.StatusOK, &todo)
		seen := map[uuid.UUID]bool{}
		for _, a := range todo.Assignments {
			seen[a.ID] = true
			if a.ID == as && a.AttemptsUsed != 2 || a.ID == later && a.Open {
				t.Errorf("pupil's list line %+v", a)
			}
		}
		if len(todo.Assignments) != 5 || !seen[as] || !seen[later] {
			t.Errorf("the pupil's list: %+v", todo)
		}
	})

	// One attempt of Alice's to try others on.
	var mine apiAttempt
	anyAs := assign(exercises.FeedbackAfterClose, 1, 0, start)
	s.call(s.alpha, alice, http.MethodPost, tentatives(anyAs), "", "", http.StatusOK, &mine)
	t.Run("other people, other establishments", func(t *testing.T) {
		p := attemptPath(mine.ID)
		s.call(s.alpha, bob, http.MethodGet, p, "", "", http.StatusNotFound, nil)
		s.call(s.alpha, bob, http.MethodPut, p+"/reponses/1", "", `{"choices":[1]}`, http.StatusNotFound, nil)
		s.call(s.alpha, bob, http.MethodPost, p+"/remise", "", "", http.StatusNotFound, nil)
		s.call(s.alpha, teacher, http.MethodGet, p, "", "", http.StatusForbidden, nil)
		s.call(s.alpha, guardian, http.MethodGet, "/api/v1/exercices", "", "", http.StatusForbidden, nil)
		s.call(s.bravo, bravoPupil, http.MethodGet, p, "", "", http.StatusNotFound, nil)
		s.call(s.bravo, bravoPupil, http.MethodPost, tentatives(anyAs), "", "", http.StatusNotFound, nil)
		s.call(s.alpha, alice, http.MethodGet, "/api/v1/exercices/gestion", "", "", http.StatusForbidden, nil)
		s.call(s.alpha, alice, http.MethodGet, "/api/v1/exercices/banque/questions/"+qids[0].String(), "", "", http.StatusForbidden, nil)
		s.call(s.alpha, alice, http.MethodGet, "/api/v1/exercices/affectations/"+anyAs.String()+"/resultats?classe="+class.String(), "", "", http.StatusForbidden, nil)
		s.call(s.alpha, colleague, http.MethodGet, "/api/v1/exercices/affectations/"+anyAs.String()+"/resultats?classe="+class.String(), "", "", http.StatusNotFound, nil)
		s.call(s.alpha, colleague, http.MethodGet, "/api/v1/exercices/banque/questions/"+qids[0].String(), "", "", http.StatusNotFound, nil)
		s.call(s.bravo, bravoTeacher, http.MethodGet, "/api/v1/exercices/banque/questions/"+qids[0].String(), "", "", http.StatusNotFound, nil)
		s.call(s.bravo, bravoTeacher, http.MethodGet, "/api/v1/exercices/affectations/"+anyAs.String()+"/resultats?classe="+class.String(), "", "", http.StatusNotFound, nil)
		var list struct {
			Exercises []json.RawMessage `json:"exercises"`
		}
		s.call(s.bravo, bravoTeacher, http.MethodGet, "/api/v1/exercices/gestion", "", "", http.StatusOK, &list)
		if len(list.Exercises) != 0 {
			t.Errorf("another establishment's teacher lists %s", list.Exercises)
		}
	})

	t.Run("the teacher's exercises, results and bank", func(t *testing.T) {
		var list struct {
			Exercises []struct {
				ID          uuid.UUID `json:"id"`
				Assignments []struct {
					ID uuid.UUID `json:"id"`
				} `json:"assignments"`
			} `json:"exercises"`
		}
		s.call(s.alpha, teacher, http.MethodGet, "/api/v1/exercices/gestion", "", "", http.StatusOK, &list)
		if len(list.Exercises) != 1 || list.Exercises[0].ID != ex || len(list.Exercises[0].Assignments) != 6 {
			t.Errorf("the teacher's exercises: %+v", list)
		}
		// The first assignment (never): Alice submitted 3/2 of 1.50, Bob nothing.
		first := neverAs
		var res struct {
			Pupils []struct {
				Name     string  `json:"name"`
				Grade    *string `json:"grade"`
				Attempts []struct {
					Score *string `json:"score"`
				} `json:"attempts"`
			} `json:"pupils"`
			Questions []struct {
				Name string  `json:"name"`
				Rate *string `json:"rate"`
			} `json:"questions"`
		}
		path := "/api/v1/exercices/affectations/%s/resultats?classe=%s"
		js := s.call(s.alpha, teacher, http.MethodGet, fmt.Sprintf(path, first, class), "", "", http.StatusOK, &res)
		byName := map[string]*string{} // the site's names carry a suffix
		for _, p := range res.Pupils {
			byName[strings.Fields(p.Name)[0]+" "+strings.Split(strings.Fields(p.Name)[1], "-")[0]] = p.Grade
		}
		if g := byName["Martin Alice"]; len(res.Pupils) != 2 || g == nil || *g != "1" || byName["Bernard Bob"] != nil {
			t.Errorf("results per pupil: %s", js)
		}
		if len(res.Questions) != 2 || res.Questions[0].Rate == nil || *res.Questions[0].Rate != "1" {
			t.Errorf("results per question: %s", js)
		}
		s.call(s.alpha, teacher, http.MethodGet, "/api/v1/exercices/affectations/"+first.String()+"/resultats", "", "", http.StatusUnprocessableEntity, nil)
		s.call(s.alpha, teacher, http.MethodGet, fmt.Sprintf(path, first, uuid.New()), "", "", http.StatusNotFound, nil)

		var bank struct {
			Questions []struct {
				ID   uuid.UUID `json:"id"`
				Name string    `json:"name"`
				Mine bool      `json:"mine"`
			} `json:"questions"`
		}
		s.call(s.alpha, teacher, http.MethodGet, "/api/v1/exercices/banque/questions", "", "", http.StatusOK, &bank)
		if len(bank.Questions) != 2 || !bank.Questions[0].Mine {
			t.Errorf("the bank: %+v", bank)
		}
		js = s.call(s.alpha, teacher, http.MethodGet, "/api/v1/exercices/banque/questions/"+qids[0].String(), "", "", http.StatusOK, nil)
		if !strings.Contains(js, "FEEDBACK-JUSTE") || !strings.Contains(js, `"fraction":10000000`) {
			t.Errorf("one question, whole: %s", js)
		}
	})

	t.Run("GIFT import", func(t *testing.T) {
		file := "// deux questions\n::Bonne:: Combien font 3 + 3 ? {=6 ~5 ~7}\n\n::Mauvaise:: Combien font 1 + 1 ? {=2 ~%abc%3}\n"
		imp := "/api/v1/exercices/banque/import-gift?categorie=Import"
		var refused struct {
			Error    string `json:"error"`
			Problems []struct {
				Line    int    `json:"line"`
				Title   string `json:"title"`
				Message string `json:"message"`
			} `json:"problems"`
		}
		s.call(s.alpha, teacher, http.MethodPost, imp, "text/plain; charset=utf-8", file, http.StatusUnprocessableEntity, &refused)
		if len(refused.Problems) != 1 || refused.Problems[0].Line != 4 || refused.Problems[0].Message == "" || !strings.Contains(refused.Error, "rien n'a été importé") {
			t.Errorf("all or nothing: %+v", refused)
		}
		var bank struct {
			Questions []json.RawMessage `json:"questions"`
		}
		s.call(s.alpha, teacher, http.MethodGet, "/api/v1/exercices/banque/questions", "", "", http.StatusOK, &bank)
		if len(bank.Questions) != 2 {
			t.Errorf("a refused import imported: %d questions", len(bank.Questions))
		}
		var done struct {
			Imported int         `json:"imported"`
			IDs      []uuid.UUID `json:"ids"`
			Skipped  []struct {
				Line int `json:"line"`
			} `json:"skipped"`
		}
		s.call(s.alpha, teacher, http.MethodPost, imp+"&valides=1", "text/plain; charset=utf-8", file, http.StatusCreated, &done)
		if done.Imported != 1 || len(done.IDs) != 1 || len(done.Skipped) != 1 || done.Skipped[0].Line != 4 {
			t.Errorf("valid only: %+v", done)
		}
		s.call(s.alpha, teacher, http.MethodGet, "/api/v1/exercices/banque/questions", "", "", http.StatusOK, &bank)
		if len(bank.Questions) != 3 {
			t.Errorf("after importing the valid one: %d questions", len(bank.Questions))
		}
		s.call(s.alpha, teacher, http.MethodPost, "/api/v1/exercices/banque/import-gift", "text/plain; charset=utf-8", file, http.StatusUnprocessableEntity, nil)
		s.call(s.alpha, alice, http.MethodPost, imp, "text/plain; charset=utf-8", file, http.StatusForbidden, nil)
	})
}
