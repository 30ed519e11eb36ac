package exercises_test

// Assigning to one's classes only, the grade rules on worked examples, the results per class,
// the review of essays, and the grades into the marks (create, then update).

import (
	"math/big"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestAssignToOwnClassesOnly(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"))
	ex := s.exercise(qs...)
	f := s.week()
	f.Classes = []uuid.UUID{s.class2}
	_, err := s.svc.Assign(s.ctx, s.alpha, s.claire, ex, f)
	wantKind(t, err, fault.ErrInvalid, "a class Claire does not teach", "vous n'enseignez pas")
	f = s.week()
	f.Classes = []uuid.UUID{s.class2}
	if _, err := s.svc.Assign(s.ctx, s.alpha, s.paul, ex, f); !errorsIsNotFound(err) {
		t.Errorf("Paul assigns Claire's exercise: %v", err)
	}
	as := s.assign(ex, s.week())
	if _, err := s.svc.Results(s.ctx, s.alpha, s.paul, as, s.class1); !errorsIsNotFound(err) {
		t.Errorf("Paul reads the results: %v", err)
	}
	if _, err := s.svc.Results(s.ctx, s.alpha, s.claire, as, s.class2); !errorsIsNotFound(err) {
		t.Errorf("results of a class not assigned: %v", err)
	}
	if _, err := s.svc.Results(s.ctx, s.bravo, s.bravoTeacher, as, s.class1); !errorsIsNotFound(err) {
		t.Errorf("Bravo reads the results: %v", err)
	}
	bad := s.week()
	bad.ClosesAt = bad.OpensAt
	bad.Attempts = 0
	bad.Rule = "pire"
	_, err = s.svc.Assign(s.ctx, s.alpha, s.claire, ex, bad)
	wantKind(t, err, fault.ErrInvalid, "bad form", "Clôture : la clôture vient après l'ouverture.", "Tentatives : de 1 à 100.", "Note retenue")
}

func TestGradeRules(t *testing.T) {
	r := func(a, b int64) *big.Rat { return big.NewRat(a, b) }
	attempts := []*big.Rat{r(1, 2), r(2, 3), r(1, 3)}
	for _, c := range []struct {
		rule exercises.Rule
		want string
	}{
		{exercises.RuleBest, "2/3"},
		{exercises.RuleAverage, "1/2"}, // (1/2 + 2/3 + 1/3) / 3 = 1/2 exactly
		{exercises.RuleFirst, "1/2"},
		{exercises.RuleLast, "1/3"},
	} {
		ratIs(t, exercises.GradeOf(c.rule, attempts), c.want, string(c.rule))
	}
	if exercises.GradeOf(exercises.RuleBest, nil) != nil {
		t.Error("a grade without attempt")
	}
	// 2/3 on 20 is 13.333…: 13,33; 5/6 on 20 is 16.666…: 16,67 (half-up at the hundredth).
	if got := exercises.Rescale(r(2, 3), r(20, 1)); got != 1333 {
		t.Errorf("2/3 on 20: %v", got)
	}
	if got := exercises.Rescale(r(5, 6), r(20, 1)); got != 1667 {
		t.Errorf("5/6 on 20: %v", got)
	}
}

func TestResultsReviewAndMarks(t *testing.T) {
	s := newSite(t)
	_, qs := s.bank(choice("Q1"), choice("Q2"), essay("Rédaction"))
	ex := s.exercise(qs...)
	f := s.week()
	f.Attempts = 2
	f.Rule = exercises.RuleAverage
	as := s.assign(ex, f)

	// Alice: attempt 1 right, wrong, essay; attempt 2 right, right, essay. Bob: nothing.
	var aliceAttempts []uuid.UUID
	for _, answers := range [][2]int{{1, 0}, {1, 1}} {
		v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, as)
		if err != nil {
			t.Fatal(err)
		}
		for pos, c := range answers {
			if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, pos+1, choose(c)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.svc.SaveResponse(s.ctx, s.alpha, s.alice, v.ID, 3, questionText("Parce que.")); err != nil {
			t.Fatal(err)
		}
		sub, err := s.svc.Submit(s.ctx, s.alpha, s.alice, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sub.Pending {
			t.Error("an essay to review: attempt not pending")
		}
		aliceAttempts = append(aliceAttempts, v.ID)
	}

	res, err := s.svc.Results(s.ctx, s.alpha, s.claire, as, s.class1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pupils) != 2 || res.Pupils[0].Name != "Bernard Bob" || res.Pupils[0].Grade != nil {
		t.Fatalf("pupils: %+v", res.Pupils)
	}
	alice := res.Pupils[1]
	// attempt 1: 2/6, attempt 2: 4/6 (essays count 0 until reviewed): average 1/2.
	ratIs(t, alice.Grade, "1/2", "Alice's average before review")
	if !alice.Pending || len(alice.Attempts) != 2 {
		t.Errorf("Alice: %+v", alice)
	}
	if len(res.Questions) != 3 {
		t.Fatalf("questions: %+v", res.Questions)
	}
	ratIs(t, res.Questions[0].Rate, "1", "Q1 success rate")
	ratIs(t, res.Questions[1].Rate, "1/2", "Q2 success rate")
	if res.Questions[2].Rate != nil {
		t.Errorf("the essay's rate before review: %v", res.Questions[2].Rate)
	}

	evID, err := s.svc.ToMarks(s.ctx, s.alpha, s.claire, as, exercises.MarksForm{Class: s.class1, Subject: "MATHS", Title: "Calcul mental",
		Date: "2026-10-09", Scale: "20", Coefficient: "0,5", Absent: true})
	if err != nil {
		t.Fatalf("into the marks: %v", err)
	}
	ga := grades.Actor{PersonID: s.claire.PersonID, Roles: s.claire.Roles}
	grid, err := s.grades.Grid(s.ctx, s.alpha, ga, evID)
	if err != nil {
		t.Fatal(err)
	}
	marks := map[string]string{}
	for _, r := range grid.Rows {
		marks[r.FirstName] = r.Input
	}
	if marks["Alice"] != "10" || marks["Bob"] != "Abs" || grid.Evaluation.Coefficient != 50 {
		t.Errorf("marks: %v, coefficient %v", marks, grid.Evaluation.Coefficient)
	}

	t.Run("a late essay review updates the same evaluation", func(t *testing.T) {
		if err := s.svc.Review(s.ctx, s.alpha, s.claire, aliceAttempts[0], 3, "1,5", "Bien argumenté."); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.Review(s.ctx, s.alpha, s.claire, aliceAttempts[1], 3, "2", ""); err != nil {
			t.Fatal(err)
		}
		err := s.svc.Review(s.ctx, s.alpha, s.claire, aliceAttempts[1], 3, "2,5", "")
		wantKind(t, err, fault.ErrInvalid, "more than the points", "de 0 à 2")
		again, err := s.svc.ToMarks(s.ctx, s.alpha, s.claire, as, exercises.MarksForm{Class: s.class1, Subject: "MATHS", Title: "Calcul mental",
			Date: "2026-10-09", Scale: "20", Coefficient: "0,5"})
		if err != nil || again != evID {
			t.Fatalf("update: %v, evaluation %s want %s", err, again, evID)
		}
		grid, err := s.grades.Grid(s.ctx, s.alpha, ga, evID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range grid.Rows {
			marks[r.FirstName] = r.Input
		}
		// attempt 1: 3.5/6, attempt 2: 6/6: average 19/24, on 20: 15.8333… → 15,83; Bob: no mark.
		if marks["Alice"] != "15,83" || marks["Bob"] != "" {
			t.Errorf("marks after review: %v", marks)
		}
		if n := s.count(s.alpha, `SELECT count(*) FROM evaluations`); n != 1 {
			t.Errorf("%d evaluations, want 1", n)
		}
		v, err := s.svc.Attempt(s.ctx, s.alpha, s.alice, aliceAttempts[0])
		if err != nil {
			t.Fatal(err)
		}
		if v.Pending {
			t.Error("reviewed attempt still pending")
		}
		ratIs(t, v.Score, "7/2", "attempt 1's score")
	})

	t.Run("a run that died before its link finds its evaluation again", func(t *testing.T) {
		// As after a crash between the evaluation and its link: the link is gone, the
		// evaluation stays; the next run makes no second one.
		s.exec(s.alpha, `DELETE FROM exercise_evaluations`)
		again, err := s.svc.ToMarks(s.ctx, s.alpha, s.claire, as, exercises.MarksForm{Class: s.class1, Subject: "MATHS", Title: "Calcul mental",
			Date: "2026-10-09", Scale: "20", Coefficient: "0,5"})
		if err != nil || again != evID {
			t.Fatalf("after the lost link: %v, evaluation %s want %s", err, again, evID)
		}
		if n := s.count(s.alpha, `SELECT count(*) FROM evaluations`); n != 1 {
			t.Errorf("%d evaluations, want 1", n)
		}
	})

	t.Run("another teacher cannot put them into the marks", func(t *testing.T) {
		_, err := s.svc.ToMarks(s.ctx, s.alpha, s.paul, as, exercises.MarksForm{Class: s.class1, Subject: "MATHS", Title: "x", Date: "2026-10-09"})
		if !errorsIsNotFound(err) {
			t.Errorf("Paul: %v", err)
		}
	})
}
