package exercises_test

// Attempts with the injected clock: the opening and closing, the attempts allowed, resuming,
// the time limit kept by the server, auto-submission; what a pupil's view holds before and
// after the chosen moment; who sees an assignment at all.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestAttemptWindowLimitAndResume(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"), choice("Q2"))
	ex := s.exercise(qs...)
	f := s.week()
	f.OpensAt = s.clock.Now().Add(time.Hour) // opens at 11:00
	f.Attempts = 2
	as := s.assign(ex, f)

	_, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	wantKind(t, err, fault.ErrConflict, "before opening", "ouvre le lundi 5 octobre 2026 à 11 h 00")

	s.clock.Advance(time.Hour)
	v1, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if v1.Number != 1 || len(v1.Questions) != 2 || v1.MaxPoints != 400 {
		t.Fatalf("attempt 1: number %d, %d questions, max %v", v1.Number, len(v1.Questions), v1.MaxPoints)
	}
	if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v1.ID, 1, choose(1)); err != nil {
		t.Fatalf("save: %v", err)
	}

	t.Run("a second start resumes the unfinished attempt with its responses", func(t *testing.T) {
		again, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
		if err != nil || again.ID != v1.ID {
			t.Fatalf("resume: %v, id %s want %s", err, again.ID, v1.ID)
		}
		if r := again.Questions[0].Response; r == nil || len(r.Choices) != 1 || r.Choices[0] != 1 {
			t.Errorf("saved response lost: %+v", r)
		}
	})

	if _, err := s.svc.Submit(s.ctx, s.alpha, s.alice, v1.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	v2, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	if err != nil || v2.Number != 2 {
		t.Fatalf("attempt 2: %v, number %d", err, v2.Number)
	}
	if _, err := s.svc.Submit(s.ctx, s.alpha, s.alice, v2.ID); err != nil {
		t.Fatalf("submit 2: %v", err)
	}
	_, err = s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	wantKind(t, err, fault.ErrConflict, "beyond the attempts allowed", "2 tentative(s) permise(s)")
	if n := s.count(s.alpha, `SELECT count(*) FROM exercise_attempts WHERE pupil_id = ?`, s.alice.PersonID); n != 2 {
		t.Errorf("attempts in the database: %d, want 2", n)
	}

	s.clock.Set(f.ClosesAt)
	_, err = s.svc.StartAttempt(s.ctx, s.alpha, s.bob, as)
	wantKind(t, err, fault.ErrConflict, "after closing", "clos depuis le vendredi 9 octobre 2026 à 18 h 00")
}

func TestTimeLimitKeptByTheServer(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"), choice("Q2"))
	ex := s.exercise(qs...)
	f := s.week()
	f.TimeLimitMinutes = 20
	f.Attempts = 3
	as := s.assign(ex, f)

	v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	if err != nil {
		t.Fatal(err)
	}
	if want := v.StartedAt.Add(20 * time.Minute); !v.Deadline.Equal(want) {
		t.Errorf("deadline %v, want %v", v.Deadline, want)
	}
	if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, 1, choose(1)); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(20 * time.Minute)
	t.Run("a save at the deadline is refused, the attempt handed in as saved", func(t *testing.T) {
		_, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, 2, choose(1))
		wantKind(t, err, fault.ErrConflict, "late save", "temps de cette tentative est écoulé", "remise avec les réponses enregistrées")
		got, err := s.svc.Attempt(s.ctx, s.alpha, s.alice, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SubmittedAt == nil || !got.AutoSubmitted || !got.SubmittedAt.Equal(v.Deadline) {
			t.Fatalf("not auto-submitted at the deadline: %+v", got.Attempt)
		}
		ratIs(t, got.Score, "2", "score of the one saved right answer (2 points)")
		if got.Questions[1].Response != nil {
			t.Errorf("the late response was saved: %+v", got.Questions[1].Response)
		}
	})

	t.Run("an expired attempt is submitted when read, and a late submit is refused", func(t *testing.T) {
		v2, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
		if err != nil || v2.Number != 2 {
			t.Fatalf("attempt 2: %v", err)
		}
		s.clock.Advance(time.Hour)
		_, err = s.svc.Submit(s.ctx, s.alpha, s.alice, v2.ID)
		wantKind(t, err, fault.ErrConflict, "late submit", "écoulé")
		ats, err := s.svc.Attempts(s.ctx, s.alpha, s.alice, as)
		if err != nil || len(ats) != 2 || ats[1].SubmittedAt == nil || !ats[1].AutoSubmitted {
			t.Fatalf("attempts: %v %+v", err, ats)
		}
		ratIs(t, ats[1].Score, "0", "nothing saved")
	})

	t.Run("the deadline is the closing when the limit would pass it", func(t *testing.T) {
		s.clock.Set(f.ClosesAt.Add(-5 * time.Minute))
		v3, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
		if err != nil {
			t.Fatal(err)
		}
		if !v3.Deadline.Equal(f.ClosesAt) {
			t.Errorf("deadline %v, want the closing %v", v3.Deadline, f.ClosesAt)
		}
	})
}

// leaks are the texts a pupil's view must not hold before the correction is shown.
var leaks = []string{"FEEDBACK-JUSTE", "FEEDBACK-FAUX", "RAPPEL-GENERAL", "Fraction", "10000000"}

func viewJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantNoLeak(t *testing.T, v any, what string) {
	t.Helper()
	js := viewJSON(t, v)
	for _, l := range leaks {
		if strings.Contains(js, l) {
			t.Errorf("%s: the pupil's view holds %q: %s", what, l, js)
		}
	}
}

func TestNoRightAnswersBeforeTheChosenMoment(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"), choice("Q2"))
	ex := s.exercise(qs...)

	t.Run("after the closing", func(t *testing.T) {
		f := s.week()
		as := s.assign(ex, f)
		v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, v, "started")
		sq, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, 1, choose(0))
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, sq, "saved")
		sub, err := s.svc.Submit(s.ctx, s.alpha, s.alice, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, sub, "submitted, before closing")
		ratIs(t, sub.Score, "0", "score shown")
		s.clock.Set(f.ClosesAt)
		after, err := s.svc.Attempt(s.ctx, s.alpha, s.alice, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := after.Questions[0].Correction
		if c == nil || !strings.Contains(viewJSON(t, c), "FEEDBACK-JUSTE") {
			t.Fatalf("no correction after closing: %+v", c)
		}
		ratIs(t, c.Score, "0", "question 1's score")
		s.clock.Set(testenv.SchoolDay)
	})

	t.Run("after each answer: the question answered only, then locked", func(t *testing.T) {
		f := s.week()
		f.Feedback = exercises.FeedbackEachAnswer
		as := s.assign(ex, f)
		v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.bob, as)
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, v, "started")
		sq, err := s.svc.SaveResponse(s.ctx, s.alpha, s.bob, v.ID, 1, choose(1))
		if err != nil {
			t.Fatal(err)
		}
		if sq.Correction == nil || !sq.Locked {
			t.Fatalf("no correction after the answer: %+v", sq)
		}
		ratIs(t, sq.Correction.Score, "1", "right answer")
		again, err := s.svc.Attempt(s.ctx, s.alpha, s.bob, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, again.Questions[1], "the question not answered yet")
		_, err = s.svc.SaveResponse(s.ctx, s.alpha, s.bob, v.ID, 1, choose(0))
		wantKind(t, err, fault.ErrConflict, "change after the check", "déjà répondu à la question 1")
		// Handed in with attempts left: the question skipped keeps its answer hidden
		// until the closing, or the next attempt would start with it.
		if _, err := s.svc.Submit(s.ctx, s.alpha, s.bob, v.ID); err != nil {
			t.Fatal(err)
		}
		handed, err := s.svc.Attempt(s.ctx, s.alpha, s.bob, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, handed.Questions[1], "the question skipped, after the hand-in, before the closing")
		if handed.Questions[0].Correction == nil {
			t.Error("the question answered lost its correction after the hand-in")
		}
	})

	t.Run("never", func(t *testing.T) {
		f := s.week()
		f.Feedback = exercises.FeedbackNever
		f.Classes = []uuid.UUID{s.class1}
		as := s.assign(ex, f)
		v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.Submit(s.ctx, s.alpha, s.alice, v.ID); err != nil {
			t.Fatal(err)
		}
		s.clock.Set(f.ClosesAt.Add(24 * time.Hour))
		after, err := s.svc.Attempt(s.ctx, s.alpha, s.alice, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantNoLeak(t, after, "long after closing")
	})
}

func TestWhoSeesAnAssignment(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"))
	ex := s.exercise(qs...)
	as := s.assign(ex, s.week())

	for name, a := range map[string]exercises.Actor{"pupil of another class": s.zoe} {
		if _, err := s.svc.StartAttempt(s.ctx, s.alpha, a, as); !errorsIsNotFound(err) {
			t.Errorf("%s: want not found, got %v", name, err)
		}
		if todo, err := s.svc.ToDo(s.ctx, s.alpha, a); err != nil || len(todo) != 0 {
			t.Errorf("%s: list %v, %+v", name, err, todo)
		}
	}
	for name, a := range map[string]exercises.Actor{"guardian": s.guardian, "CPE": s.cpe, "teacher": s.claire} {
		_, err := s.svc.StartAttempt(s.ctx, s.alpha, a, as)
		wantKind(t, err, fault.ErrForbidden, name)
	}
	if _, err := s.svc.StartAttempt(s.ctx, s.bravo, s.bravoEl, as); !errorsIsNotFound(err) {
		t.Errorf("pupil of another establishment: want not found, got %v", err)
	}
	todo, err := s.svc.ToDo(s.ctx, s.alpha, s.alice)
	if err != nil || len(todo) != 1 || todo[0].Title != "Calcul mental" || todo[0].ClassLabels != "" {
		t.Fatalf("Alice's list: %v %+v", err, todo)
	}
	v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Attempt(s.ctx, s.alpha, s.bob, v.ID); !errorsIsNotFound(err) {
		t.Errorf("another pupil reads Alice's attempt: %v", err)
	}
	if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.bob, v.ID, 1, choose(1)); !errorsIsNotFound(err) {
		t.Errorf("another pupil answers in Alice's attempt: %v", err)
	}
	if _, err := s.svc.ReviewAttempt(s.ctx, s.alpha, s.paul, v.ID); !errorsIsNotFound(err) {
		t.Errorf("another teacher reviews Alice's attempt: %v", err)
	}
}

func TestDrawNeverTwice(t *testing.T) {
	s := newSite(t)
	cat, qs := s.bank(choice("Q1"), choice("Q2"), choice("Q3"))
	ex, err := s.svc.CreateExercise(s.ctx, s.alpha, s.claire, exercises.ExerciseForm{Title: "Tirage", Items: []exercises.ItemForm{
		{Category: cat, Count: 2, Points: "1"}, {Question: qs[0], Points: "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.svc.CreateExercise(s.ctx, s.alpha, s.claire, exercises.ExerciseForm{Title: "Trop", Items: []exercises.ItemForm{{Category: cat, Count: 4, Points: "1"}}})
	wantKind(t, err, fault.ErrInvalid, "drawing more than the category holds", "n'a que 3 question(s), 4 demandée(s)")
	f := s.week()
	f.ShuffleQuestions, f.ShuffleAnswers = true, true
	as := s.assign(ex, f)
	v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Questions) != 3 || v.MaxPoints != 400 {
		t.Fatalf("%d questions, max %v", len(v.Questions), v.MaxPoints)
	}
	if n := s.count(s.alpha, `SELECT count(DISTINCT question_id) FROM exercise_responses WHERE attempt_id = ?`, v.ID); n != 3 {
		t.Errorf("%d distinct questions drawn, want 3", n)
	}
	for _, q := range v.Questions {
		if len(q.Choices) != 3 {
			t.Errorf("question %d shows %d choices", q.Position, len(q.Choices))
		}
	}
}
