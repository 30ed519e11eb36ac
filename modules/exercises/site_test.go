package exercises_test

// The test site: two lycées on real PostgreSQL (no router: the service is what is tested),
// the grades module for « into the marks », and a stand-in grader.

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// standIn grades single choice and true/false questions (the weight of the answer chosen,
// 0 when negative), and leaves essays to the teacher. The real grader is package grading's.
func standIn(q question.Question, r question.Response) (*big.Rat, bool) {
	switch q.Type {
	case question.Essay:
		return nil, false
	case question.TrueFalse:
		if r.Bool != nil && *r.Bool == q.Correct {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	}
	score := new(big.Rat)
	for _, c := range r.Choices {
		score.Add(score, q.Answers[c].Fraction.Rat())
	}
	if score.Sign() < 0 {
		score = new(big.Rat)
	}
	return score, true
}

// site is Alpha with 2nde 1 (Alice, Bob), 2nde 2 (Zoé), Claire (teaches 2nde 1), Paul (teaches
// 2nde 2), a CPE and a guardian; Bravo with a teacher and a pupil.
type site struct {
	t                     *testing.T
	ctx                   context.Context
	reg                   *tenant.Registry
	clock                 *testenv.Clock
	svc                   *exercises.Service
	grades                *grades.Service
	alpha, bravo          *tenant.Tenant
	class1, class2        uuid.UUID
	claire, paul, cpe     exercises.Actor
	guardian              exercises.Actor
	alice, bob, zoe       exercises.Actor
	bravoTeacher, bravoEl exercises.Actor
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{t: t, ctx: context.Background(), class1: uuid.New(), class2: uuid.New()}
	s.reg = tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 4})
	s.clock = testenv.NewClock(testenv.SchoolDay)
	s.grades = grades.NewService(s.reg.DB(), s.clock.Now)
	s.svc = exercises.NewService(s.reg.DB(), standIn, s.grades, s.clock.Now)
	s.alpha = tenanttest.Provision(t, s.reg, tenanttest.UAI(33, 301), "Lycée Alpha", "lycee")
	s.bravo = tenanttest.Provision(t, s.reg, tenanttest.UAI(33, 302), "Lycée Bravo", "lycee")
	for _, tn := range []*tenant.Tenant{s.alpha, s.bravo} {
		s.exec(tn, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES ('2026-2027', '2026-09-01', '2027-07-04', true)`)
		s.exec(tn, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques')`)
	}
	s.claire = s.person(s.alpha, "personnel", identity.RoleEnseignant, "Claire", "Lefèvre")
	s.paul = s.person(s.alpha, "personnel", identity.RoleEnseignant, "Paul", "Collègue")
	s.cpe = s.person(s.alpha, "personnel", identity.RoleVieScolaire, "Inès", "Durand")
	s.guardian = s.person(s.alpha, "responsable", identity.RoleResponsable, "Gérard", "Martin")
	s.alice = s.person(s.alpha, "eleve", identity.RoleEleve, "Alice", "Martin")
	s.bob = s.person(s.alpha, "eleve", identity.RoleEleve, "Bob", "Bernard")
	s.zoe = s.person(s.alpha, "eleve", identity.RoleEleve, "Zoé", "Petit")
	s.bravoTeacher = s.person(s.bravo, "personnel", identity.RoleEnseignant, "Jeanne", "Bravo")
	s.bravoEl = s.person(s.bravo, "eleve", identity.RoleEleve, "Léo", "Bravo")
	s.exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', '2026-2027'), (?, 'classe', '2NDE2', '2nde 2', '2026-2027')`, s.class1, s.class2)
	s.exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class1, s.bob.PersonID, s.class2, s.zoe.PersonID)
	s.exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'MATHS')`, s.claire.PersonID, s.class1, s.paul.PersonID, s.class2)
	s.exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, s.alice.PersonID, s.guardian.PersonID)
	bravoClass := uuid.New()
	s.exec(s.bravo, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', '2026-2027')`, bravoClass)
	s.exec(s.bravo, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, bravoClass, s.bravoEl.PersonID)
	s.exec(s.bravo, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, s.bravoTeacher.PersonID, bravoClass)
	return s
}

func (s *site) person(tn *tenant.Tenant, category string, role identity.Role, first, last string) exercises.Actor {
	s.t.Helper()
	id := uuid.New()
	s.exec(tn, `INSERT INTO people (id, category, roles, last_name, first_name) VALUES (?, ?, ARRAY[?], ?, ?)`, id, category, string(role), last, first)
	return exercises.Actor{PersonID: id, Roles: []identity.Role{role}}
}

func (s *site) exec(tn *tenant.Tenant, q string, args ...any) {
	s.t.Helper()
	if err := s.reg.DB().Tx(s.ctx, tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

func (s *site) count(tn *tenant.Tenant, q string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.reg.DB().ReadTx(s.ctx, tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// The questions of the tests.
func choice(name string) question.Question {
	return question.Question{Type: question.SingleChoice, Name: name, Text: question.Text{Text: "Combien font 2 + 2 ?"},
		GeneralFeedback: question.Text{Text: "RAPPEL-GENERAL"},
		Answers: []question.Answer{
			{Text: question.Text{Text: "3"}, Fraction: 0, Feedback: question.Text{Text: "FEEDBACK-FAUX"}},
			{Text: question.Text{Text: "4"}, Fraction: question.FullMark, Feedback: question.Text{Text: "FEEDBACK-JUSTE"}},
			{Text: question.Text{Text: "5"}, Fraction: 0},
		}}
}

func essay(name string) question.Question {
	return question.Question{Type: question.Essay, Name: name, Text: question.Text{Text: "Expliquez."}}
}

// bank makes Claire's category « Calcul » with the questions, returns it and their ids.
func (s *site) bank(qs ...question.Question) (uuid.UUID, []uuid.UUID) {
	s.t.Helper()
	cat, err := s.svc.CreateCategory(s.ctx, s.alpha, s.claire, "Calcul")
	if err != nil {
		s.t.Fatalf("category: %v", err)
	}
	var ids []uuid.UUID
	for _, q := range qs {
		id, err := s.svc.SaveQuestion(s.ctx, s.alpha, s.claire, uuid.Nil, cat, q, false)
		if err != nil {
			s.t.Fatalf("question %s: %v", q.Name, err)
		}
		ids = append(ids, id)
	}
	return cat, ids
}

// exercise makes Claire's exercise of the questions, 2 points each.
func (s *site) exercise(ids ...uuid.UUID) uuid.UUID {
	s.t.Helper()
	f := exercises.ExerciseForm{Title: "Calcul mental", Instructions: "Sans calculatrice."}
	for _, id := range ids {
		f.Items = append(f.Items, exercises.ItemForm{Question: id, Points: "2"})
	}
	ex, err := s.svc.CreateExercise(s.ctx, s.alpha, s.claire, f)
	if err != nil {
		s.t.Fatalf("exercise: %v", err)
	}
	return ex
}

// week is an assignment form to 2nde 1 from now to Friday 18:00.
func (s *site) week() exercises.AssignmentForm {
	now := s.clock.Now()
	return exercises.AssignmentForm{Classes: []uuid.UUID{s.class1}, OpensAt: now, ClosesAt: now.Add(4*24*time.Hour + 8*time.Hour),
		Attempts: 1, Feedback: exercises.FeedbackAfterClose, Rule: exercises.RuleBest}
}

func (s *site) assign(ex uuid.UUID, f exercises.AssignmentForm) uuid.UUID {
	s.t.Helper()
	id, err := s.svc.Assign(s.ctx, s.alpha, s.claire, ex, f)
	if err != nil {
		s.t.Fatalf("assign: %v", err)
	}
	return id
}

func choose(i ...int) question.Response { return question.Response{Choices: i} }

func wantKind(t *testing.T, err, kind error, what string, contains ...string) {
	t.Helper()
	var inv *fault.Invalid
	if !errors.Is(err, kind) && !(kind == fault.ErrInvalid && errors.As(err, &inv)) {
		t.Fatalf("%s: want %v, got %v", what, kind, err)
	}
	for _, c := range contains {
		if !strings.Contains(err.Error(), c) {
			t.Errorf("%s: message %q lacks %q", what, err.Error(), c)
		}
	}
}

func ratIs(t *testing.T, got *big.Rat, want string, what string) {
	t.Helper()
	w, _ := new(big.Rat).SetString(want)
	if got == nil || got.Cmp(w) != 0 {
		t.Errorf("%s: got %v, want %s", what, got, want)
	}
}

func errorsIsNotFound(err error) bool { return errors.Is(err, fault.ErrNotFound) }

func questionText(text string) question.Response { return question.Response{Text: text} }
