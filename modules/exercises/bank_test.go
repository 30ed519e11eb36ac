package exercises_test

// The bank: owner edits, colleagues read and copy shared questions, pupils and other roles
// read nothing, another establishment sees nothing; imports all or nothing.

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestBankPermissions(t *testing.T) {
	s := newSite(t)
	cat, ids := s.bank(choice("Addition"))
	q := ids[0]

	t.Run("a question not shared is its owner's alone", func(t *testing.T) {
		if _, err := s.svc.Question(s.ctx, s.alpha, s.paul, q); !errorsIsNotFound(err) {
			t.Errorf("colleague reads an unshared question: %v", err)
		}
		bank, err := s.svc.Bank(s.ctx, s.alpha, s.paul)
		if err != nil || len(bank) != 0 {
			t.Errorf("colleague's bank: %v %+v", err, bank)
		}
	})
	t.Run("pupils and other roles read no bank", func(t *testing.T) {
		for name, a := range map[string]exercises.Actor{"pupil": s.alice, "guardian": s.guardian, "CPE": s.cpe} {
			_, err := s.svc.Bank(s.ctx, s.alpha, a)
			wantKind(t, err, fault.ErrForbidden, name+" bank")
			_, err = s.svc.Question(s.ctx, s.alpha, a, q)
			wantKind(t, err, fault.ErrForbidden, name+" question")
		}
	})
	if _, err := s.svc.SaveQuestion(s.ctx, s.alpha, s.claire, q, cat, choice("Addition"), true); err != nil {
		t.Fatalf("share: %v", err)
	}
	t.Run("a shared question: colleagues read and copy it, never change it", func(t *testing.T) {
		got, err := s.svc.Question(s.ctx, s.alpha, s.paul, q)
		if err != nil || got.Mine || got.Owner != "Claire Lefèvre" || got.Question.Answers[1].Fraction != question.FullMark {
			t.Fatalf("colleague reads: %v %+v", err, got)
		}
		paulCat, err := s.svc.CreateCategory(s.ctx, s.alpha, s.paul, " Reprises / De Claire ")
		if err != nil {
			t.Fatal(err)
		}
		copied, err := s.svc.CopyQuestion(s.ctx, s.alpha, s.paul, q, paulCat)
		if err != nil {
			t.Fatalf("copy: %v", err)
		}
		mine, err := s.svc.Question(s.ctx, s.alpha, s.paul, copied)
		if err != nil || !mine.Mine || mine.Shared || mine.CategoryPath != "Reprises/De Claire" {
			t.Errorf("the copy: %v %+v", err, mine)
		}
		cats, _ := s.svc.Categories(s.ctx, s.alpha, s.paul)
		if len(cats) != 2 || cats[0].Path != "Reprises" {
			t.Errorf("parents made: %+v", cats)
		}
		if _, err := s.svc.SaveQuestion(s.ctx, s.alpha, s.paul, q, paulCat, essay("volée"), true); !errorsIsNotFound(err) {
			t.Errorf("colleague changes it: %v", err)
		}
		if err := s.svc.DeleteQuestion(s.ctx, s.alpha, s.paul, q); !errorsIsNotFound(err) {
			t.Errorf("colleague deletes it: %v", err)
		}
		if _, err := s.svc.SaveQuestion(s.ctx, s.alpha, s.paul, uuid.Nil, cat, essay("chez Claire"), false); !errorsIsNotFound(err) {
			t.Errorf("colleague writes into Claire's category: %v", err)
		}
	})
	t.Run("another establishment sees nothing", func(t *testing.T) {
		if _, err := s.svc.Question(s.ctx, s.bravo, s.bravoTeacher, q); !errorsIsNotFound(err) {
			t.Errorf("Bravo reads Alpha's question: %v", err)
		}
		bank, err := s.svc.Bank(s.ctx, s.bravo, s.bravoTeacher)
		if err != nil || len(bank) != 0 {
			t.Errorf("Bravo's bank: %v %+v", err, bank)
		}
	})
	t.Run("a question in an exercise is not deleted", func(t *testing.T) {
		s.exercise(q)
		err := s.svc.DeleteQuestion(s.ctx, s.alpha, s.claire, q)
		wantKind(t, err, fault.ErrInvalid, "delete used", "Calcul mental")
	})
}

func TestImportAllOrNothing(t *testing.T) {
	s := newSite(t)
	bad := choice("Sans réponse juste")
	bad.Answers[1].Fraction = 0
	qs := []question.Question{choice("Un"), bad, essay("Trois")}
	_, err := s.svc.ImportQuestions(s.ctx, s.alpha, s.claire, "Import", qs, exercises.ImportInto)
	var ie *exercises.ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[1] == "" {
		t.Fatalf("want the second question refused, got %v", err)
	}
	t.Log(ie.Problems[1])
	if n := s.count(s.alpha, `SELECT count(*) FROM exercise_questions`); n != 0 {
		t.Errorf("%d questions imported from a refused list", n)
	}
	qs[1] = choice("Deux")
	qs[1].Category = "$course$/top/Géométrie"
	ids, err := s.svc.ImportQuestions(s.ctx, s.alpha, s.claire, "Import", qs, exercises.ImportSubcategories)
	if err != nil || len(ids) != 3 {
		t.Fatalf("import: %v %d", err, len(ids))
	}
	got, err := s.svc.Question(s.ctx, s.alpha, s.claire, ids[1])
	if err != nil || got.CategoryPath != "Import/Géométrie" || got.Name != "Deux" {
		t.Errorf("second question: %v %+v", err, got)
	}
	if _, err := s.svc.ImportQuestions(s.ctx, s.alpha, s.alice, "Import", qs, exercises.ImportInto); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("a pupil imports: %v", err)
	}
}
