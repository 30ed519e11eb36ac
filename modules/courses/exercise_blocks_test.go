package courses_test

// Exercise blocks (issue 13, §7): a teacher shows in a page one of their assignments given to
// the course's classes; the pupils it is given to start it from the page, other readers see its
// title only; a copy keeps it only for classes it is given to; nothing crosses establishments.

import (
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/grading"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/identity"
)

// exerciseSite is the site with the exercises mounted and plugged into courses: Claire
// teaches 2nde 1 and 2nde 2, Paul 2nde 2.
func exerciseSite(t *testing.T) (*site, *exercises.Service) {
	s := newSiteWith(t, exercises.Templates)
	grade := func(q question.Question, r question.Response) (*big.Rat, bool) {
		res := grading.Grade(q, r)
		return res.Score, res.Graded
	}
	x := exercises.NewService(s.Reg.DB(), grade, nil, s.Clock.Now)
	s.svc.SetExercises(x.ForCourses())
	s.Mount(exercises.NewHandler(x).Module())
	s.Exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'MATHS'), (?, ?, 'MATHS')`,
		s.teacher.PersonID, s.class1, s.teacher.PersonID, s.class2, s.colleague.PersonID, s.class2)
	return s, x
}

// assignment makes m's exercise « title » of one question and gives it to classes for a week.
func assignment(t *testing.T, s *site, x *exercises.Service, m directorytest.Member, title string, classes ...uuid.UUID) uuid.UUID {
	t.Helper()
	a := exercises.Actor{PersonID: m.PersonID, Roles: []identity.Role{identity.RoleEnseignant}}
	ctx, tn := t.Context(), s.alpha
	cat, err := x.CreateCategory(ctx, tn, a, "Calcul")
	if err != nil {
		t.Fatalf("category: %v", err)
	}
	q := question.Question{Type: question.SingleChoice, Name: "Somme", Text: question.Text{Text: "Combien font 2 + 2 ?"},
		Answers: []question.Answer{{Text: question.Text{Text: "3"}}, {Text: question.Text{Text: "4"}, Fraction: question.FullMark}}}
	qid, err := x.SaveQuestion(ctx, tn, a, uuid.Nil, cat, q, false)
	if err != nil {
		t.Fatalf("question: %v", err)
	}
	ex, err := x.CreateExercise(ctx, tn, a, exercises.ExerciseForm{Title: title, Items: []exercises.ItemForm{{Question: qid, Points: "2"}}})
	if err != nil {
		t.Fatalf("exercise: %v", err)
	}
	now := s.Clock.Now()
	id, err := x.Assign(ctx, tn, a, ex, exercises.AssignmentForm{Classes: classes, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(7 * 24 * time.Hour),
		Attempts: 2, Feedback: exercises.FeedbackAfterClose, Rule: exercises.RuleBest})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	return id
}

func TestExerciseBlocks(t *testing.T) {
	s, x := exerciseSite(t)
	fractions := assignment(t, s, x, s.teacher, "Fractions", s.class1)
	other := assignment(t, s, x, s.colleague, "Du collègue", s.class2)
	elsewhere := assignment(t, s, x, s.teacher, "Hors du cours", s.class2)
	course, pageA, _ := s.course("Nombres", s.class1, s.latin)
	edit := "/cours/pages/" + pageA.String() + "/modifier"
	add := "/cours/pages/" + pageA.String() + "/blocs"

	rec := s.Get(s.teacher, edit)
	wantIn(t, rec, "the editor", "Ajouter un exercice", `value="`+fractions.String()+`"`)
	wantNotIn(t, rec, "the editor", other.String(), elsewhere.String())
	for what, id := range map[string]string{"a colleague's": other.String(), "given to other classes": elsewhere.String(), "unknown": uuid.NewString(), "not an id": "x"} {
		rec := s.Post(s.teacher, add, url.Values{"type": {"exercice"}, "affectation": {id}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "an assignment "+what)
		wantIn(t, rec, "an assignment "+what, "Exercice : ")
	}
	wantCode(t, s.Post(s.colleague, add, url.Values{"type": {"exercice"}, "affectation": {fractions.String()}}), http.StatusNotFound, "a colleague's page")
	wantCode(t, s.Post(s.teacher, add, url.Values{"type": {"exercice"}, "affectation": {fractions.String()}}), http.StatusSeeOther, "add the exercise")
	block := s.one(`SELECT id FROM course_blocks WHERE page_id = ? AND kind = 'exercice' AND assignment_id = ?`, pageA, fractions)
	wantIn(t, s.Get(s.teacher, edit), "the editor", "Exercice : Fractions", "Supprimer l&#39;exercice « Fractions »")
	wantCode(t, s.Post(s.teacher, "/cours/blocs/"+block.String()+"/modifier", url.Values{"texte": {"x"}}), http.StatusUnprocessableEntity, "edit an exercise block")
	wantCode(t, s.Post(s.teacher, "/cours/"+course.String()+"/publier", nil), http.StatusSeeOther, "publish")

	page := "/cours/pages/" + pageA.String()
	start := "/exercices/affectations/" + fractions.String() + "/commencer"
	t.Run("the assigned pupil starts it from the page", func(t *testing.T) {
		rec := s.Get(s.alice, page)
		wantIn(t, rec, "Alice's page", "Exercice : Fractions", "Tentatives restantes : 2", `action="`+start+`"`, "Commencer l'exercice « Fractions »")
		rec = s.Post(s.alice, start, nil)
		wantCode(t, rec, http.StatusSeeOther, "start")
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/exercices/tentatives/") {
			t.Fatalf("start leads to %q", loc)
		}
		wantCode(t, s.Get(s.alice, rec.Header().Get("Location")), http.StatusOK, "the attempt")
		wantIn(t, s.Get(s.alice, page), "Alice's page after starting", "Tentative en cours", "Reprendre l'exercice « Fractions »", "Tentatives restantes : 1")
	})
	t.Run("others see the title only", func(t *testing.T) {
		// Gérard is Alice's guardian; Zoé is in Latin (the course's) but not in 2nde 1.
		s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, s.latin, s.zoe.PersonID)
		for who, m := range map[string]directorytest.Member{"the guardian": s.guardian, "Zoé": s.zoe, "the direction": s.direction} {
			rec := s.Get(m, page)
			wantIn(t, rec, who, "Exercice : Fractions")
			wantNotIn(t, rec, who, start, "Commencer", "Reprendre", "Tentatives restantes")
		}
		wantCode(t, s.Post(s.zoe, start, nil), http.StatusNotFound, "Zoé starts it anyway")
	})
	t.Run("a copy keeps it only for its classes", func(t *testing.T) {
		blocksOf := func(copied uuid.UUID, kind string) int {
			return s.Count(s.alpha, `SELECT count(*) FROM course_blocks b JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id
				WHERE se.course_id = ? AND b.kind = ?`, copied, kind)
		}
		rec := s.Post(s.teacher, "/cours/"+course.String()+"/copier", url.Values{"annee": {s.Year()}, "classes": {s.class1.String()}})
		wantCode(t, rec, http.StatusSeeOther, "copy to 2nde 1")
		same := s.planned(rec.Header().Get("Location"))
		if n := blocksOf(same, "exercice"); n != 1 {
			t.Fatalf("the copy for 2nde 1 has %d exercise blocks, want 1", n)
		}
		rec = s.Post(s.teacher, "/cours/"+course.String()+"/copier", url.Values{"annee": {s.Year()}, "classes": {s.class2.String()}})
		wantCode(t, rec, http.StatusSeeOther, "copy to 2nde 2")
		moved := s.planned(rec.Header().Get("Location"))
		if n, texts := blocksOf(moved, "exercice"), blocksOf(moved, "texte"); n != 0 || texts != 2 {
			t.Fatalf("the copy for 2nde 2 has %d exercise blocks and %d texts, want 0 and 2 (the note)", n, texts)
		}
		movedA := s.one(`SELECT p.id FROM course_pages p JOIN course_sections se ON se.id = p.section_id WHERE se.course_id = ? AND p.title = 'Page A'`, moved)
		wantIn(t, s.Get(s.teacher, "/cours/pages/"+movedA.String()+"/modifier"), "the copy's page", "Exercice « Fractions » non repris dans cette copie")
	})
	t.Run("deleting the assignment removes its blocks", func(t *testing.T) {
		s.Exec(s.alpha, `DELETE FROM exercise_assignments WHERE id = ?`, fractions)
		if n := s.Count(s.alpha, `SELECT count(*) FROM course_blocks WHERE assignment_id = ?`, fractions); n != 0 {
			t.Fatalf("%d blocks name the deleted assignment", n)
		}
		wantCode(t, s.Get(s.alice, page), http.StatusOK, "the page without it")
	})
}

func TestExerciseBlocksIsolation(t *testing.T) {
	s, x := exerciseSite(t)
	fractions := assignment(t, s, x, s.teacher, "Fractions", s.class1)
	bravoCourse := s.Send(s.bravo, s.bravoT, http.MethodPost, "/cours/nouveau", url.Values{"titre": {"Cours de Bravo"}})
	wantCode(t, bravoCourse, http.StatusSeeOther, "Bravo's course")
	id := s.planned(bravoCourse.Header().Get("Location"))
	wantCode(t, s.Send(s.bravo, s.bravoT, http.MethodPost, "/cours/"+id.String()+"/sections", url.Values{"section": {"Chapitre"}}), http.StatusSeeOther, "Bravo's section")
	bravoOne := func(q string, args ...any) uuid.UUID {
		t.Helper()
		var out []uuid.UUID
		if err := s.Reg.DB().ReadTx(t.Context(), s.bravo, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&out).Error }); err != nil || len(out) == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return out[0]
	}
	sec := bravoOne(`SELECT id FROM course_sections WHERE course_id = ?`, id)
	wantCode(t, s.Send(s.bravo, s.bravoT, http.MethodPost, "/cours/sections/"+sec.String()+"/pages", url.Values{"page": {"Page"}}), http.StatusSeeOther, "Bravo's page")
	page := bravoOne(`SELECT id FROM course_pages WHERE section_id = ?`, sec)
	rec := s.Send(s.bravo, s.bravoT, http.MethodPost, "/cours/pages/"+page.String()+"/blocs", url.Values{"type": {"exercice"}, "affectation": {fractions.String()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "Alpha's assignment in Bravo")
	wantNotIn(t, s.Send(s.bravo, s.bravoT, http.MethodGet, "/cours/pages/"+page.String()+"/modifier", nil), "Bravo's editor", fractions.String(), "Fractions")
	// Even written by hand, Alpha's assignment does not exist in Bravo's schema.
	if err := s.Reg.DB().Tx(t.Context(), s.bravo, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO course_blocks (page_id, position, kind, label, assignment_id, created_at) VALUES (?, 1, 'exercice', 'x', ?, now())`, page, fractions).Error
	}); err == nil {
		t.Fatal("Bravo's block names Alpha's assignment")
	}
}
