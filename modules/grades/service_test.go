package grades_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// svcSchool is a lycée with a real, migrated schema and a small directory written in SQL:
// class 2NDE1 with three pupils, a group, a legal guardian and a non-legal relative of
// Alice, a maths teacher, a French teacher, a professeur principal, a teacher who teaches
// nothing, and a director.
type svcSchool struct {
	reg   *tenant.Registry
	tn    *tenant.Tenant
	svc   *grades.Service
	clock *testenv.Clock
	year  string
	start time.Time // 1 September of the current svcSchool year

	class, group, otherClass uuid.UUID

	alice, bruno, chloe, zoe uuid.UUID // zoe is in another class
	guardian, relative       uuid.UUID
	maths, french, principal uuid.UUID
	idle, director           uuid.UUID
}

var sctx = context.Background()

// newSvcRegistry opens a fresh platform database.
func newSvcRegistry(t testing.TB) *tenant.Registry {
	t.Helper()
	return tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
}

// newSvcSchool provisions lycée number n of reg and writes its directory, with the clock at
// testenv.SchoolDay.
func newSvcSchool(t testing.TB, reg *tenant.Registry, n int) *svcSchool {
	return newSvcSchoolAt(t, reg, n, testenv.SchoolDay)
}

// newSvcSchoolAt is newSvcSchool with the clock at now: the school year is now's.
func newSvcSchoolAt(t testing.TB, reg *tenant.Registry, n int, now time.Time) *svcSchool {
	t.Helper()
	clock := testenv.NewClock(now)
	s := &svcSchool{reg: reg, clock: clock, svc: grades.NewService(reg.DB(), clock.Now)}
	s.tn = tenanttest.Provision(t, reg, tenanttest.UAI(33, n), "Lycée de test", "lycee")
	ids := []*uuid.UUID{&s.class, &s.group, &s.otherClass, &s.alice, &s.bruno, &s.chloe, &s.zoe, &s.guardian, &s.relative,
		&s.maths, &s.french, &s.principal, &s.idle, &s.director}
	for _, p := range ids {
		*p = uuid.New()
	}
	s.openYear(t)
	s.exec(t, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('FRANCAIS', 'Français')`)
	s.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) VALUES
		(?, 'classe', '2NDE1', '2nde 1', ?), (?, 'groupe', '2NDE-ESP', 'Espagnol 2nde', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		s.class, s.year, s.group, s.year, s.otherClass, s.year)
	person := func(id uuid.UUID, category, roles, title, last, first string) {
		s.exec(t, `INSERT INTO people (id, category, roles, title, last_name, first_name) VALUES (?, ?, ?::text[], ?, ?, ?)`,
			id, category, roles, title, last, first)
	}
	person(s.alice, "eleve", "{eleve}", "", "Martin", "Alice")
	person(s.bruno, "eleve", "{eleve}", "", "Bernard", "Bruno")
	person(s.chloe, "eleve", "{eleve}", "", "Petit", "Chloé")
	person(s.zoe, "eleve", "{eleve}", "", "Roux", "Zoé")
	person(s.guardian, "responsable", "{responsable}", "M.", "Martin", "Gérard")
	person(s.relative, "responsable", "{responsable}", "Mme", "Martin", "Odette")
	person(s.maths, "personnel", "{enseignant}", "Mme", "Lefèvre", "Claire")
	person(s.french, "personnel", "{enseignant}", "M.", "Moreau", "Paul")
	person(s.principal, "personnel", "{enseignant}", "M.", "Durand", "Jean")
	person(s.idle, "personnel", "{enseignant}", "Mme", "Girard", "Anne")
	person(s.director, "personnel", "{direction}", "Mme", "Fournier", "Sophie")
	s.exec(t, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?), (?, ?), (?, ?)`,
		s.class, s.alice, s.class, s.bruno, s.class, s.chloe, s.group, s.alice, s.otherClass, s.zoe)
	s.exec(t, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, false, 2)`,
		s.alice, s.guardian, s.alice, s.relative)
	s.exec(t, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'FRANCAIS'), (?, ?, 'FRANCAIS')`,
		s.maths, s.class, s.french, s.class, s.french, s.group)
	s.exec(t, `INSERT INTO principal_teachers (teacher_id, class_id) VALUES (?, ?)`, s.principal, s.class)
	return s
}

// openYear opens the school year of the school's clock, as the directory does (its periods
// come with it).
func (s *svcSchool) openYear(t testing.TB) {
	t.Helper()
	var end time.Time
	s.year, s.start, end = directory.SchoolYearOf(s.clock.Now())
	s.exec(t, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true)`, s.year, s.start, end)
}

func (s *svcSchool) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if err := s.reg.DB().Tx(sctx, s.tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
		t.Fatalf("%.60s…: %v", strings.Join(strings.Fields(q), " "), err)
	}
}

func (s *svcSchool) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func asActor(id uuid.UUID, roles ...identity.Role) grades.Actor {
	return grades.Actor{PersonID: id, Roles: roles}
}

func (s *svcSchool) asPupil(id uuid.UUID) grades.Actor { return asActor(id, identity.RoleEleve) }
func (s *svcSchool) asMaths() grades.Actor             { return asActor(s.maths, identity.RoleEnseignant) }
func (s *svcSchool) asFrench() grades.Actor            { return asActor(s.french, identity.RoleEnseignant) }
func (s *svcSchool) asPrincipal() grades.Actor         { return asActor(s.principal, identity.RoleEnseignant) }
func (s *svcSchool) asDirector() grades.Actor          { return asActor(s.director, identity.RoleDirection) }
func (s *svcSchool) asGuardian(id uuid.UUID) grades.Actor {
	return asActor(id, identity.RoleResponsable)
}

// day is the n-th day after 1 September of the current svcSchool year, as a form date.
func (s *svcSchool) day(n int) string { return s.start.AddDate(0, 0, n).Format("2006-01-02") }

// period returns period number n (1-based) of the current year.
func (s *svcSchool) period(t testing.TB, n int) *grades.Period {
	t.Helper()
	ps, err := s.svc.Periods(sctx, s.tn)
	if err != nil {
		t.Fatalf("periods: %v", err)
	}
	if n > len(ps) {
		t.Fatalf("period %d of %d", n, len(ps))
	}
	return &ps[n-1]
}

// evaluation creates an evaluation of 2NDE1 or fails the test.
func (s *svcSchool) evaluation(t testing.TB, a grades.Actor, subject, title, date, scale, coef string, published bool) *grades.Evaluation {
	t.Helper()
	return s.evaluationOf(t, a, s.class, subject, title, date, scale, coef, published)
}

func (s *svcSchool) evaluationOf(t testing.TB, a grades.Actor, class uuid.UUID, subject, title, date, scale, coef string, published bool) *grades.Evaluation {
	t.Helper()
	ev, err := s.svc.SaveEvaluation(sctx, s.tn, a, uuid.Nil, grades.EvaluationForm{ClassID: class.String(), Subject: subject,
		Title: title, Date: date, Scale: scale, Coefficient: coef, Published: published})
	if err != nil {
		t.Fatalf("create evaluation %q: %v", title, err)
	}
	return ev
}

// mark saves marks (pupil → typed text) or fails the test.
func (s *svcSchool) mark(t testing.TB, a grades.Actor, ev uuid.UUID, marks map[uuid.UUID]string) *grades.Grid {
	t.Helper()
	g, err := s.svc.SaveMarks(sctx, s.tn, a, ev, grades.GridInput{Marks: marks})
	if err != nil {
		t.Fatalf("save marks: %v", err)
	}
	return g
}

// workedExample holds the evaluations of the worked example of the first trimestre:
//
//	E1 MATHS /20 coef 2, published:    Alice 12, Bruno 8,   Chloé Abs
//	E2 MATHS /20 coef 1, published:    Alice 15, Bruno 10,  Chloé Abs
//	E3 FRANCAIS /10 coef 1, published: Alice 7,  Bruno Abs, Chloé Disp
//	E4 FRANCAIS /40 coef 1, published: Alice 30, Bruno 20,  Chloé NN
//	E5 MATHS /20 coef 1, NOT published: Alice 2 (only with unpublished)
//
// Published only:
//
//	Alice: MATHS (12×2 + 15) / 3 = 13; FRANCAIS (7/10 → 14, 30/40 → 15) = 14.5;
//	       general (13 + 14.5) / 2 = 13.75
//	Bruno: MATHS (8×2 + 10) / 3 = 26/3 = 8.67; FRANCAIS 20/40 → 10; general (26/3 + 10) / 2 = 28/3
//	Chloé: no average at all (Abs, Disp, NN count in nothing)
//	class MATHS: mean (13 + 26/3) / 2 = 65/6 = 10.83, min 8.67, max 13
//	class general: mean (55/4 + 28/3) / 2 = 277/24 = 11.54
//
// With E5 (staff): Alice MATHS (24 + 15 + 2) / 4 = 41/4 = 10.25; general (41/4 + 29/2) / 2 = 99/8
// = 12.375 → "12,38".
type workedExample struct {
	e1, e2, e3, e4, e5 *grades.Evaluation
}

func (s *svcSchool) seedWorkedExample(t testing.TB, withUnpublished bool) workedExample {
	t.Helper()
	var w workedExample
	w.e1 = s.evaluation(t, s.asMaths(), "MATHS", "DS 1", s.day(10), "20", "2", true)
	w.e2 = s.evaluation(t, s.asMaths(), "MATHS", "Interrogation", s.day(20), "20", "1", true)
	w.e3 = s.evaluation(t, s.asFrench(), "FRANCAIS", "Dictée", s.day(12), "10", "1", true)
	w.e4 = s.evaluation(t, s.asFrench(), "FRANCAIS", "Dissertation", s.day(30), "40", "1", true)
	s.mark(t, s.asMaths(), w.e1.ID, map[uuid.UUID]string{s.alice: "12", s.bruno: "8", s.chloe: "Abs"})
	s.mark(t, s.asMaths(), w.e2.ID, map[uuid.UUID]string{s.alice: "15", s.bruno: "10", s.chloe: "abs"})
	s.mark(t, s.asFrench(), w.e3.ID, map[uuid.UUID]string{s.alice: "7", s.bruno: "Abs", s.chloe: "Disp"})
	s.mark(t, s.asFrench(), w.e4.ID, map[uuid.UUID]string{s.alice: "30", s.bruno: "20", s.chloe: "NN"})
	if withUnpublished {
		w.e5 = s.evaluation(t, s.asMaths(), "MATHS", "Brouillon", s.day(40), "20", "1", false)
		s.mark(t, s.asMaths(), w.e5.ID, map[uuid.UUID]string{s.alice: "2"})
	}
	return w
}

// isErr fails unless err matches kind (fault.ErrNotFound…).
func wantErr(t testing.TB, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: err = %v; want %v", what, err, kind)
	}
}

func wantFieldErrors(t testing.TB, err error, what string) grades.FieldErrors {
	t.Helper()
	var fe grades.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("%s: err = %v (%T); want FieldErrors", what, err, err)
	}
	return fe
}

// french writes an exact average the way pages show it ("–" when none).
func fr(r *big.Rat) string { return grades.French(r) }

func subjectLine(t testing.TB, r *grades.PupilReport, code string) *grades.SubjectLine {
	t.Helper()
	for i := range r.Subjects {
		if r.Subjects[i].Code == code {
			return &r.Subjects[i]
		}
	}
	return nil
}

func evalTitles(r *grades.PupilReport) []string {
	var out []string
	for _, sl := range r.Subjects {
		for _, e := range sl.Evaluations {
			out = append(out, e.Title)
		}
	}
	return out
}

func evalLine(r *grades.PupilReport, id uuid.UUID) *grades.EvalLine {
	for _, sl := range r.Subjects {
		for i := range sl.Evaluations {
			if sl.Evaluations[i].ID == id {
				return &sl.Evaluations[i]
			}
		}
	}
	return nil
}

func TestServiceSaveEvaluation(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	valid := grades.EvaluationForm{ClassID: s.class.String(), Subject: "MATHS", Title: "DS 1", Date: s.day(10), Scale: "20", Coefficient: "1"}

	t.Run("field errors", func(t *testing.T) {
		for _, tt := range []struct {
			field string
			edit  func(f *grades.EvaluationForm)
		}{
			{"titre", func(f *grades.EvaluationForm) { f.Title = "  " }},
			{"titre", func(f *grades.EvaluationForm) { f.Title = strings.Repeat("é", 201) }},
			{"date", func(f *grades.EvaluationForm) { f.Date = "31/02/2026" }},
			{"date", func(f *grades.EvaluationForm) { f.Date = "demain" }},
			{"bareme", func(f *grades.EvaluationForm) { f.Scale = "0" }},
			{"bareme", func(f *grades.EvaluationForm) { f.Scale = "-20" }},
			{"bareme", func(f *grades.EvaluationForm) { f.Scale = "1000,01" }},
			{"coefficient", func(f *grades.EvaluationForm) { f.Coefficient = "-1" }},
			{"coefficient", func(f *grades.EvaluationForm) { f.Coefficient = "100,5" }},
			{"classe", func(f *grades.EvaluationForm) { f.ClassID = "2NDE1" }},
			{"matiere", func(f *grades.EvaluationForm) { f.Subject = "" }},
		} {
			f := valid
			tt.edit(&f)
			_, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), uuid.Nil, f)
			fe := wantFieldErrors(t, err, tt.field)
			if fe[tt.field] == "" || len(fe) != 1 {
				t.Errorf("%+v: errors %v; want exactly one on %s", f, fe, tt.field)
			}
		}
		// every wrong field at once is reported at once
		_, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), uuid.Nil, grades.EvaluationForm{ClassID: s.class.String(), Subject: "MATHS",
			Date: "32/13/2026", Scale: "0", Coefficient: "-1"})
		if fe := wantFieldErrors(t, err, "all fields"); len(fe) != 4 || fe["titre"] == "" || fe["date"] == "" || fe["bareme"] == "" || fe["coefficient"] == "" {
			t.Errorf("errors %v; want titre, date, bareme and coefficient", fe)
		}
		// a date outside the class's svcSchool year
		f := valid
		f.Date = s.start.AddDate(-1, 0, 0).Format("02/01/2006")
		_, err = s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), uuid.Nil, f)
		if fe := wantFieldErrors(t, err, "date of last year"); fe["date"] == "" {
			t.Errorf("errors %v; want one on date", fe)
		}
		if n := s.count(t, `SELECT count(*) FROM evaluations`); n != 0 {
			t.Fatalf("%d evaluations saved by refused forms", n)
		}
	})

	t.Run("who may create", func(t *testing.T) {
		f := valid
		_, err := s.svc.SaveEvaluation(sctx, s.tn, s.asFrench(), uuid.Nil, f)
		wantErr(t, err, fault.ErrNotFound, "French teacher creating a MATHS evaluation")
		_, err = s.svc.SaveEvaluation(sctx, s.tn, asActor(s.idle, identity.RoleEnseignant), uuid.Nil, f)
		wantErr(t, err, fault.ErrNotFound, "teacher of nothing")
		_, err = s.svc.SaveEvaluation(sctx, s.tn, s.asPupil(s.alice), uuid.Nil, f)
		wantErr(t, err, fault.ErrNotFound, "pupil")
		f.ClassID = s.otherClass.String()
		_, err = s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), uuid.Nil, f)
		wantErr(t, err, fault.ErrNotFound, "maths teacher in a class they do not teach")

		f = valid
		f.Scale, f.Coefficient, f.Date = "10", "0,5", s.start.AddDate(0, 0, 10).Format("02/01/2006")
		ev, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), uuid.Nil, f)
		if err != nil {
			t.Fatalf("maths teacher: %v", err)
		}
		if ev.TeacherID == nil || *ev.TeacherID != s.maths || ev.Scale != 1000 || ev.Coefficient != 50 || ev.ClassLabel != "2nde 1" ||
			ev.SubjectLabel != "Mathématiques" || ev.Published || ev.PublishedAt != nil || ev.OnDate.Format("2006-01-02") != s.day(10) {
			t.Errorf("created %+v", ev)
		}
		dir, err := s.svc.SaveEvaluation(sctx, s.tn, s.asDirector(), uuid.Nil, grades.EvaluationForm{ClassID: s.class.String(), Subject: "FRANCAIS",
			Title: "Oral", Date: s.day(11), Published: true})
		if err != nil {
			t.Fatalf("direction: %v", err)
		}
		if dir.TeacherID != nil || dir.Scale != 2000 || dir.Coefficient != 100 || !dir.Published || dir.PublishedAt == nil {
			t.Errorf("created by direction %+v: want no teacher, /20, coefficient 1, published", dir)
		}
		if _, err := s.svc.Evaluation(sctx, s.tn, s.asFrench(), ev.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("French teacher reads a MATHS evaluation: %v; want not found", err)
		}
		if _, err := s.svc.Evaluation(sctx, s.tn, s.asDirector(), ev.ID); err != nil {
			t.Errorf("direction reads an evaluation: %v", err)
		}
	})

	t.Run("edit", func(t *testing.T) {
		ev := s.evaluation(t, s.asMaths(), "MATHS", "Contrôle", s.day(15), "20", "1", false)
		s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "18", s.bruno: "9"})
		f := grades.EvaluationForm{ClassID: s.class.String(), Subject: "MATHS", Title: "Contrôle", Date: s.day(15), Scale: "10", Coefficient: "1"}
		_, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), ev.ID, f)
		if fe := wantFieldErrors(t, err, "scale under a mark"); !strings.Contains(fe["bareme"], "1 note") {
			t.Errorf("errors %v; want one mark over the new scale", fe)
		}
		_, err = s.svc.SaveEvaluation(sctx, s.tn, s.asFrench(), ev.ID, f)
		wantErr(t, err, fault.ErrNotFound, "French teacher editing a MATHS evaluation")

		f.Scale, f.Title, f.Published = "40", "Contrôle commun", true
		got, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), ev.ID, f)
		if err != nil || got.Scale != 4000 || got.Title != "Contrôle commun" || !got.Published || got.PublishedAt == nil {
			t.Fatalf("edit: %+v, %v", got, err)
		}
		first := *got.PublishedAt
		f.Title = "Contrôle commun n°1"
		got, err = s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), ev.ID, f)
		if err != nil || got.PublishedAt == nil || !got.PublishedAt.Equal(first) {
			t.Fatalf("second edit changed the publication date: %v → %v, %v", first, got.PublishedAt, err)
		}
		f.Published = false
		got, err = s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), ev.ID, f)
		if err != nil || got.Published || got.PublishedAt != nil {
			t.Fatalf("unpublish: %+v, %v", got, err)
		}

		evs, err := s.svc.ClassEvaluations(sctx, s.tn, s.asMaths(), s.class, "MATHS", s.period(t, 1))
		if err != nil || len(evs) == 0 {
			t.Fatalf("class evaluations: %d, %v", len(evs), err)
		}
		_, err = s.svc.ClassEvaluations(sctx, s.tn, s.asFrench(), s.class, "MATHS", s.period(t, 1))
		wantErr(t, err, fault.ErrNotFound, "French teacher listing MATHS")

		wantErr(t, s.svc.DeleteEvaluation(sctx, s.tn, s.asFrench(), ev.ID), fault.ErrNotFound, "French teacher deleting a MATHS evaluation")
		if err := s.svc.DeleteEvaluation(sctx, s.tn, s.asMaths(), ev.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if n := s.count(t, `SELECT count(*) FROM marks WHERE evaluation_id = ?`, ev.ID); n != 0 {
			t.Errorf("%d marks left after the evaluation was deleted", n)
		}
		_, err = s.svc.Evaluation(sctx, s.tn, s.asMaths(), ev.ID)
		wantErr(t, err, fault.ErrNotFound, "deleted evaluation")
	})
}

func TestServiceSaveMarks(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	ev := s.evaluation(t, s.asMaths(), "MATHS", "DS 1", s.day(10), "20", "1", true)
	marks := func() int { return s.count(t, `SELECT count(*) FROM marks WHERE evaluation_id = ?`, ev.ID) }
	updatedAt := func() map[uuid.UUID]time.Time {
		var rows []struct {
			PupilID   uuid.UUID
			UpdatedAt time.Time
		}
		if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT pupil_id, updated_at FROM marks WHERE evaluation_id = ?`, ev.ID).Scan(&rows).Error
		}); err != nil {
			t.Fatal(err)
		}
		out := map[uuid.UUID]time.Time{}
		for _, r := range rows {
			out[r.PupilID] = r.UpdatedAt
		}
		return out
	}

	t.Run("a wrong cell refuses the whole grid", func(t *testing.T) {
		in := grades.GridInput{Marks: map[uuid.UUID]string{s.alice: "21", s.bruno: "12,5,3", s.chloe: "14"}}
		g, err := s.svc.SaveMarks(sctx, s.tn, s.asMaths(), ev.ID, in)
		var ge *grades.GridError
		if !errors.As(err, &ge) {
			t.Fatalf("err = %v (%T); want *GridError", err, err)
		}
		if g == nil || g != ge.Grid || len(g.Rows) != 3 {
			t.Fatalf("grid returned with the error: %+v", g)
		}
		rows := map[uuid.UUID]grades.GridRow{}
		for _, r := range g.Rows {
			rows[r.PupilID] = r
		}
		if r := rows[s.alice]; r.Input != "21" || !strings.Contains(r.Error, "/20") {
			t.Errorf("Alice: input %q error %q; want 21 and a message naming /20", r.Input, r.Error)
		}
		if r := rows[s.bruno]; r.Input != "12,5,3" || !strings.Contains(r.Error, "12,5,3") {
			t.Errorf("Bruno: input %q error %q; want 12,5,3 and a message", r.Input, r.Error)
		}
		if r := rows[s.chloe]; r.Input != "14" || r.Error != "" {
			t.Errorf("Chloé: input %q error %q; want her typed 14 kept, no error", r.Input, r.Error)
		}
		if !strings.Contains(err.Error(), "Martin Alice") || !strings.Contains(err.Error(), "Bernard Bruno") {
			t.Errorf("error text %q should name both pupils", err)
		}
		if n := marks(); n != 0 {
			t.Fatalf("%d marks saved from a refused grid; want none", n)
		}
	})

	t.Run("a correct grid saves, the same grid again changes nothing", func(t *testing.T) {
		g := s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "12,5", s.bruno: "a", s.chloe: "20"})
		if n := marks(); n != 3 {
			t.Fatalf("%d marks; want 3", n)
		}
		texts := map[uuid.UUID]string{}
		for _, r := range g.Rows {
			texts[r.PupilID] = r.Mark.Text()
		}
		if texts[s.alice] != "12,5" || texts[s.bruno] != "Abs" || texts[s.chloe] != "20" {
			t.Errorf("saved %v", texts)
		}
		// stats over the counted marks on the scale: 12.5 and 20 → mean 16.25
		if g.Stats.Count != 2 || fr(g.Stats.Avg) != "16,25" || fr(g.Stats.Min) != "12,50" || fr(g.Stats.Max) != "20,00" {
			t.Errorf("grid stats %d %s %s %s; want 2, 16,25, 12,50, 20,00", g.Stats.Count, fr(g.Stats.Avg), fr(g.Stats.Min), fr(g.Stats.Max))
		}
		before := updatedAt()
		time.Sleep(5 * time.Millisecond)
		s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "12.50", s.bruno: "Abs", s.chloe: "20,0"})
		after := updatedAt()
		for pid, at := range before {
			if !after[pid].Equal(at) {
				t.Errorf("pupil %s: updated_at %v → %v after an identical save", pid, at, after[pid])
			}
		}
		// a changed comment is a change
		if _, err := s.svc.SaveMarks(sctx, s.tn, s.asMaths(), ev.ID, grades.GridInput{Marks: map[uuid.UUID]string{s.alice: "12,5"},
			Comments: map[uuid.UUID]string{s.alice: " Bien "}}); err != nil {
			t.Fatal(err)
		}
		if after2 := updatedAt(); !after2[s.alice].After(before[s.alice]) || !after2[s.bruno].Equal(before[s.bruno]) {
			t.Errorf("after a comment: Alice %v → %v, Bruno %v → %v", before[s.alice], after2[s.alice], before[s.bruno], after2[s.bruno])
		}
		g2, _ := s.svc.Grid(sctx, s.tn, s.asMaths(), ev.ID)
		for _, r := range g2.Rows {
			if r.PupilID == s.alice && (r.Comment != "Bien" || r.Mark.Comment != "Bien") {
				t.Errorf("comment %q / %q; want Bien", r.Comment, r.Mark.Comment)
			}
		}
	})

	t.Run("a refused grid keeps what was saved", func(t *testing.T) {
		before := updatedAt()
		_, err := s.svc.SaveMarks(sctx, s.tn, s.asMaths(), ev.ID, grades.GridInput{Marks: map[uuid.UUID]string{s.alice: "21", s.chloe: "3"}})
		var ge *grades.GridError
		if !errors.As(err, &ge) {
			t.Fatalf("err = %v; want *GridError", err)
		}
		g, _ := s.svc.Grid(sctx, s.tn, s.asMaths(), ev.ID)
		for _, r := range g.Rows {
			if r.PupilID == s.chloe && r.Mark.Text() != "20" {
				t.Errorf("Chloé's mark is %q after a refused grid; want 20", r.Mark.Text())
			}
		}
		if after := updatedAt(); !after[s.chloe].Equal(before[s.chloe]) {
			t.Error("Chloé's mark was touched by a refused grid")
		}
	})

	t.Run("clearing a cell deletes the mark, a pupil left out keeps theirs", func(t *testing.T) {
		s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.bruno: " "})
		if n := s.count(t, `SELECT count(*) FROM marks WHERE evaluation_id = ? AND pupil_id = ?`, ev.ID, s.bruno); n != 0 {
			t.Fatalf("Bruno's mark still there after clearing it")
		}
		if n := marks(); n != 2 {
			t.Fatalf("%d marks; want Alice's and Chloé's", n)
		}
		g, _ := s.svc.Grid(sctx, s.tn, s.asMaths(), ev.ID)
		for _, r := range g.Rows {
			if r.PupilID == s.bruno && (r.Mark != nil || r.Input != "") {
				t.Errorf("Bruno's row %+v; want no mark", r)
			}
		}
	})

	t.Run("who may save", func(t *testing.T) {
		_, err := s.svc.SaveMarks(sctx, s.tn, s.asFrench(), ev.ID, grades.GridInput{Marks: map[uuid.UUID]string{s.alice: "1"}})
		wantErr(t, err, fault.ErrNotFound, "French teacher marking a MATHS evaluation")
		_, err = s.svc.SaveMarks(sctx, s.tn, s.asMaths(), ev.ID, grades.GridInput{Marks: map[uuid.UUID]string{s.zoe: "1", s.alice: "1"}})
		var inv *fault.Invalid
		if !errors.As(err, &inv) {
			t.Fatalf("a pupil of another class: err = %v; want fault.Invalid", err)
		}
		if n := s.count(t, `SELECT count(*) FROM marks WHERE pupil_id = ? OR (pupil_id = ? AND value = 1)`, s.zoe, s.alice); n != 0 {
			t.Fatal("marks saved from a grid naming a pupil of another class")
		}
		if _, err := s.svc.SaveMarks(sctx, s.tn, s.asDirector(), ev.ID, grades.GridInput{Marks: map[uuid.UUID]string{s.bruno: "NN"}}); err != nil {
			t.Fatalf("direction: %v", err)
		}
	})
}

// TestServicePupilMarks runs at each of testenv.CalendarDates: the first trimestre's marks
// and "Nouveau" behave the same whatever the day.
func TestServicePupilMarks(t *testing.T) {
	t.Parallel()
	for _, now := range testenv.CalendarDates() {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			t.Parallel()
			testPupilMarks(t, now)
		})
	}
}

func testPupilMarks(t *testing.T, now time.Time) {
	s := newSvcSchoolAt(t, newSvcRegistry(t), 1, now)
	w := s.seedWorkedExample(t, true)
	t1 := s.period(t, 1)
	published := []string{"DS 1", "Interrogation", "Dictée", "Dissertation"}

	t.Run("who sees what", func(t *testing.T) {
		for _, tt := range []struct {
			who  string
			a    grades.Actor
			want []string // evaluations seen; nil: not found
		}{
			{"the pupil", s.asPupil(s.alice), published},
			{"the legal guardian", s.asGuardian(s.guardian), published},
			{"a teacher of the class", s.asFrench(), published},
			{"vie scolaire", asActor(s.idle, identity.RoleVieScolaire), published},
			{"direction", s.asDirector(), append(published, "Brouillon")},
			{"an establishment admin", asActor(uuid.Nil, identity.RoleAdmin), append(published, "Brouillon")},
			{"a non-legal relative", s.asGuardian(s.relative), nil},
			{"another pupil", s.asPupil(s.bruno), nil},
			{"a pupil claiming guardian role", s.asGuardian(s.bruno), nil},
			{"a teacher of another class", asActor(s.idle, identity.RoleEnseignant), nil},
			{"a pupil id without the eleve role", asActor(s.alice, identity.RolePersonnel), nil},
			{"nobody", grades.Actor{}, nil},
		} {
			r, err := s.svc.PupilMarks(sctx, s.tn, tt.a, s.alice, t1)
			if tt.want == nil {
				wantErr(t, err, fault.ErrNotFound, tt.who)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.who, err)
			}
			got := evalTitles(r)
			if len(got) != len(tt.want) {
				t.Errorf("%s sees %v; want %v", tt.who, got, tt.want)
			}
			for _, title := range tt.want {
				if !strings.Contains(strings.Join(got, "|"), title) {
					t.Errorf("%s does not see %q (sees %v)", tt.who, title, got)
				}
			}
			if r.FirstName != "Alice" || r.ClassLabel != "2nde 1" || r.ClassID != s.class || r.Period.ID != t1.ID {
				t.Errorf("%s: header %s %s %s", tt.who, r.FirstName, r.ClassLabel, r.Period.Label())
			}
		}
	})

	t.Run("a teacher who is also a parent still sees their class", func(t *testing.T) {
		// The French teacher teaches 2NDE1 and is (elsewhere) a parent: the responsable
		// role must not hide what the enseignant role grants.
		a := asActor(s.french, identity.RoleEnseignant, identity.RoleResponsable)
		if _, err := s.svc.PupilMarks(sctx, s.tn, a, s.alice, t1); err != nil {
			t.Fatalf("teacher of the class with the responsable role too: %v; want the page", err)
		}
	})

	t.Run("averages equal the worked example", func(t *testing.T) {
		r, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t1)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Subjects) != 2 || r.Subjects[0].Code != "FRANCAIS" || r.Subjects[1].Code != "MATHS" {
			t.Fatalf("subjects %+v; want Français then Mathématiques", r.Subjects)
		}
		m, f := subjectLine(t, r, "MATHS"), subjectLine(t, r, "FRANCAIS")
		if m.Average.Cmp(big.NewRat(13, 1)) != 0 || f.Average.Cmp(big.NewRat(29, 2)) != 0 || r.General.Cmp(big.NewRat(55, 4)) != 0 {
			t.Errorf("Alice MATHS %s FRANCAIS %s general %s; want 13, 14,5, 13,75", fr(m.Average), fr(f.Average), fr(r.General))
		}
		if m.Class.Count != 2 || m.Class.Avg.Cmp(big.NewRat(65, 6)) != 0 || fr(m.Class.Min) != "8,67" || fr(m.Class.Max) != "13,00" {
			t.Errorf("class MATHS %d %s %s %s; want 2, 10,83, 8,67, 13,00", m.Class.Count, fr(m.Class.Avg), fr(m.Class.Min), fr(m.Class.Max))
		}
		if r.ClassStats.Count != 2 || r.ClassStats.Avg.Cmp(big.NewRat(277, 24)) != 0 || fr(r.ClassStats.Avg) != "11,54" {
			t.Errorf("class general %d %s; want 2, 11,54", r.ClassStats.Count, fr(r.ClassStats.Avg))
		}
		if m.Coef != 100 {
			t.Errorf("MATHS coefficient %s; want the default 1", m.Coef.Short())
		}
		// the evaluation line: Alice's 7/10, the class figures over the counted marks only
		e3 := evalLine(r, w.e3.ID)
		if e3 == nil || e3.Mark == nil || e3.Mark.Text() != "7" || e3.Stats.Count != 1 || e3.Scale != 1000 {
			t.Errorf("Dictée line %+v; want 7/10 and one counted mark (Abs and Disp excluded)", e3)
		}
		e1 := evalLine(r, w.e1.ID)
		if e1 == nil || e1.Stats.Count != 2 || fr(e1.Stats.Avg) != "10,00" || e1.Coefficient != 200 {
			t.Errorf("DS 1 line %+v; want mean of 12 and 8 = 10 and coefficient 2", e1)
		}

		b, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.bruno), s.bruno, t1)
		if err != nil {
			t.Fatal(err)
		}
		if fr(subjectLine(t, b, "MATHS").Average) != "8,67" || fr(subjectLine(t, b, "FRANCAIS").Average) != "10,00" || b.General.Cmp(big.NewRat(28, 3)) != 0 {
			t.Errorf("Bruno %s %s %s; want 8,67 10,00 9,33", fr(subjectLine(t, b, "MATHS").Average), fr(subjectLine(t, b, "FRANCAIS").Average), fr(b.General))
		}
		c, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.chloe), s.chloe, t1)
		if err != nil {
			t.Fatal(err)
		}
		for _, sl := range c.Subjects {
			if sl.Average != nil {
				t.Errorf("Chloé %s average %s; want none (only Abs, Disp, NN)", sl.Code, fr(sl.Average))
			}
		}
		if c.General != nil || len(c.Subjects) != 2 {
			t.Errorf("Chloé general %s, %d subjects; want none and 2 subjects listed", fr(c.General), len(c.Subjects))
		}

		// direction counts the unpublished evaluation: MATHS 41/4, general 99/8 → 12,38
		d, err := s.svc.PupilMarks(sctx, s.tn, s.asDirector(), s.alice, t1)
		if err != nil {
			t.Fatal(err)
		}
		if subjectLine(t, d, "MATHS").Average.Cmp(big.NewRat(41, 4)) != 0 || fr(d.General) != "12,38" {
			t.Errorf("direction: MATHS %s general %s; want 10,25 and 12,38", fr(subjectLine(t, d, "MATHS").Average), fr(d.General))
		}
	})

	t.Run("subject coefficient", func(t *testing.T) {
		wantErr(t, s.svc.SetSubjectCoefficient(sctx, s.tn, s.asMaths(), s.class, "MATHS", "3"), fault.ErrForbidden, "teacher sets a coefficient")
		var inv *fault.Invalid
		if err := s.svc.SetSubjectCoefficient(sctx, s.tn, s.asDirector(), s.class, "MATHS", "-3"); !errors.As(err, &inv) {
			t.Fatalf("coefficient -3: %v; want invalid", err)
		}
		if err := s.svc.SetSubjectCoefficient(sctx, s.tn, s.asDirector(), s.class, "MATHS", "3"); err != nil {
			t.Fatal(err)
		}
		defer s.svc.SetSubjectCoefficient(sctx, s.tn, s.asDirector(), s.class, "MATHS", "1")
		// (13×3 + 14.5) / 4 = 53.5/4 = 13.375 → 13,38
		r, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t1)
		if err != nil {
			t.Fatal(err)
		}
		if r.General.Cmp(big.NewRat(107, 8)) != 0 || fr(r.General) != "13,38" || subjectLine(t, r, "MATHS").Coef != 300 {
			t.Errorf("general %s with MATHS coefficient 3; want 13,38", fr(r.General))
		}
		// MATHS at coefficient 0 leaves French alone: 14.5
		if err := s.svc.SetSubjectCoefficient(sctx, s.tn, s.asDirector(), s.class, "MATHS", "0"); err != nil {
			t.Fatal(err)
		}
		r, _ = s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t1)
		if r.General.Cmp(big.NewRat(29, 2)) != 0 {
			t.Errorf("general %s with MATHS coefficient 0; want 14,50", fr(r.General))
		}
	})

	t.Run("new marks since the last visit", func(t *testing.T) {
		visit := func(a grades.Actor) *grades.PupilReport {
			t.Helper()
			r, err := s.svc.PupilMarks(sctx, s.tn, a, s.alice, t1)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		visit(s.asPupil(s.alice))
		visit(s.asGuardian(s.guardian))
		// the teacher adds a comment to Alice's Interrogation: her mark changed
		if _, err := s.svc.SaveMarks(sctx, s.tn, s.asMaths(), w.e2.ID, grades.GridInput{Marks: map[uuid.UUID]string{s.alice: "15"},
			Comments: map[uuid.UUID]string{s.alice: "Bon travail"}}); err != nil {
			t.Fatal(err)
		}
		r := visit(s.asPupil(s.alice))
		if !evalLine(r, w.e2.ID).New || evalLine(r, w.e1.ID).New || evalLine(r, w.e3.ID).New {
			t.Errorf("after the change: Interrogation new %v, DS 1 new %v, Dictée new %v; want true, false, false",
				evalLine(r, w.e2.ID).New, evalLine(r, w.e1.ID).New, evalLine(r, w.e3.ID).New)
		}
		if r = visit(s.asPupil(s.alice)); evalLine(r, w.e2.ID).New {
			t.Error("Interrogation still new on the next visit")
		}
		// the guardian's visits are their own
		if r = visit(s.asGuardian(s.guardian)); !evalLine(r, w.e2.ID).New {
			t.Error("Interrogation not new for the guardian, who has not seen it yet")
		}
		if r = visit(s.asGuardian(s.guardian)); evalLine(r, w.e2.ID).New {
			t.Error("Interrogation still new on the guardian's next visit")
		}
		// direction's page records no visit and shows nothing as new
		if r = visit(s.asDirector()); evalLine(r, w.e2.ID).New {
			t.Error("new on direction's page")
		}
	})

	t.Run("an evaluation published after the last visit is new", func(t *testing.T) {
		r, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t1)
		if err != nil || evalLine(r, w.e5.ID) != nil {
			t.Fatalf("unpublished Brouillon on the pupil's page (%v)", err)
		}
		// Alice's 2 was saved before this visit; the teacher publishes it now
		if _, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), w.e5.ID, grades.EvaluationForm{ClassID: s.class.String(), Subject: "MATHS",
			Title: "Brouillon", Date: s.day(40), Scale: "20", Coefficient: "1", Published: true}); err != nil {
			t.Fatal(err)
		}
		r, err = s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t1)
		if err != nil {
			t.Fatal(err)
		}
		if l := evalLine(r, w.e5.ID); l == nil || !l.New {
			t.Errorf("Brouillon, published since Alice's last visit: line %v; want shown as new", l)
		}
	})

	t.Run("periods", func(t *testing.T) {
		// An evaluation of the group dated in the 2nd trimestre (1 January).
		t2 := s.period(t, 2)
		jan := s.start.AddDate(0, 4, 0)
		ev := s.evaluationOf(t, s.asFrench(), s.group, "FRANCAIS", "Exposé en groupe", jan.Format("02/01/2006"), "20", "1", true)
		s.mark(t, s.asFrench(), ev.ID, map[uuid.UUID]string{s.alice: "16"})
		r1, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t1)
		if err != nil {
			t.Fatal(err)
		}
		if evalLine(r1, ev.ID) != nil {
			t.Error("a 2nd-trimestre evaluation on the 1st trimestre's page")
		}
		r2, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, t2)
		if err != nil {
			t.Fatal(err)
		}
		if l := evalLine(r2, ev.ID); l == nil || len(evalTitles(r2)) != 1 || fr(subjectLine(t, r2, "FRANCAIS").Average) != "16,00" || fr(r2.General) != "16,00" {
			t.Errorf("2nd trimestre of Alice: %v, general %s; want the group's exposé only, 16,00", evalTitles(r2), fr(r2.General))
		}
		// Bruno is not in the group: he does not see it, and has no average
		b2, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.bruno), s.bruno, t2)
		if err != nil {
			t.Fatal(err)
		}
		if len(b2.Subjects) != 0 || b2.General != nil {
			t.Errorf("Bruno's 2nd trimestre %v; want empty (he is not in the group)", evalTitles(b2))
		}
	})
}

func TestServicePeriods(t *testing.T) {
	t.Parallel()
	for _, now := range testenv.CalendarDates() {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			t.Parallel()
			testPeriods(t, now)
		})
	}
}

func testPeriods(t *testing.T, now time.Time) {
	s := newSvcSchoolAt(t, newSvcRegistry(t), 1, now)
	ps, err := s.svc.Periods(sctx, s.tn)
	if err != nil {
		t.Fatal(err)
	}
	y := s.start.Year()
	want := [][2]string{
		{s.start.Format("2006-01-02"), time.Date(y, 11, 30, 0, 0, 0, 0, time.UTC).Format("2006-01-02")},
		{time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), time.Date(y+1, 3, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")},
		{time.Date(y+1, 3, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), time.Date(y+1, 8, 31, 0, 0, 0, 0, time.UTC).Format("2006-01-02")},
	}
	if len(ps) != 3 {
		t.Fatalf("%d default periods; want three trimestres", len(ps))
	}
	for i, p := range ps {
		if p.Kind != grades.KindTrimestre || p.Number != i+1 || p.SchoolYear != s.year ||
			p.StartsOn.Format("2006-01-02") != want[i][0] || p.EndsOn.Format("2006-01-02") != want[i][1] {
			t.Errorf("period %d: %s %s → %s; want %s → %s", i+1, p.Label(), p.StartsOn.Format("2006-01-02"), p.EndsOn.Format("2006-01-02"), want[i][0], want[i][1])
		}
	}
	again, _ := s.svc.Periods(sctx, s.tn)
	if len(again) != 3 || again[0].ID != ps[0].ID {
		t.Error("periods created again on the second call")
	}
	if p, err := s.svc.PeriodByID(sctx, s.tn, ps[1].ID); err != nil || p.Number != 2 {
		t.Errorf("PeriodByID: %v, %v", p, err)
	}
	_, err = s.svc.PeriodByID(sctx, s.tn, uuid.New())
	wantErr(t, err, fault.ErrNotFound, "unknown period")
	if cur, err := s.svc.CurrentPeriod(sctx, s.tn); err != nil || !cur.Contains(s.clock.Now()) {
		t.Errorf("current period %+v does not contain today (%v)", cur, err)
	}

	var inv *fault.Invalid
	jan31 := time.Date(y+1, 1, 31, 0, 0, 0, 0, time.UTC)
	for name, try := range map[string]func() error{
		"unknown kind": func() error { _, err := s.svc.SetPeriods(sctx, s.tn, "quadrimestre", []time.Time{jan31}); return err },
		"two dates": func() error {
			_, err := s.svc.SetPeriods(sctx, s.tn, grades.KindSemestre, []time.Time{jan31, jan31})
			return err
		},
		"no date": func() error { _, err := s.svc.SetPeriods(sctx, s.tn, grades.KindSemestre, nil); return err },
		"end before start": func() error {
			_, err := s.svc.SetPeriods(sctx, s.tn, grades.KindSemestre, []time.Time{s.start.AddDate(0, 0, -1)})
			return err
		},
		"end after the year": func() error {
			_, err := s.svc.SetPeriods(sctx, s.tn, grades.KindSemestre, []time.Time{s.start.AddDate(1, 0, 0)})
			return err
		},
		"trimestres reversed": func() error {
			_, err := s.svc.SetPeriods(sctx, s.tn, grades.KindTrimestre, []time.Time{jan31, jan31.AddDate(0, -1, 0)})
			return err
		},
	} {
		if err := try(); !errors.As(err, &inv) {
			t.Errorf("%s: err = %v; want fault.Invalid", name, err)
		}
	}
	if ps2, _ := s.svc.Periods(sctx, s.tn); len(ps2) != 3 || ps2[0].ID != ps[0].ID {
		t.Fatal("a refused SetPeriods changed the periods")
	}

	sem, err := s.svc.SetPeriods(sctx, s.tn, grades.KindSemestre, []time.Time{jan31})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.svc.Periods(sctx, s.tn)
	if len(sem) != 2 || len(got) != 2 {
		t.Fatalf("semestres: %d returned, %d stored; want 2", len(sem), len(got))
	}
	if got[0].Label() != "1er semestre" || got[0].StartsOn.Format("2006-01-02") != s.start.Format("2006-01-02") || !got[0].EndsOn.Equal(jan31) ||
		got[1].Label() != "2e semestre" || got[1].StartsOn.Format("2006-01-02") != jan31.AddDate(0, 0, 1).Format("2006-01-02") ||
		got[1].EndsOn.Format("2006-01-02") != want[2][1] {
		t.Errorf("semestres %s %s→%s, %s %s→%s", got[0].Label(), got[0].StartsOn, got[0].EndsOn, got[1].Label(), got[1].StartsOn, got[1].EndsOn)
	}

	// an evaluation on the last day of a period is in it, one on the next day is not
	last := s.evaluation(t, s.asMaths(), "MATHS", "Dernier jour", jan31.Format("2006-01-02"), "20", "1", true)
	first := s.evaluation(t, s.asMaths(), "MATHS", "Premier jour", jan31.AddDate(0, 0, 1).Format("2006-01-02"), "20", "1", true)
	s.mark(t, s.asMaths(), last.ID, map[uuid.UUID]string{s.alice: "10"})
	s.mark(t, s.asMaths(), first.ID, map[uuid.UUID]string{s.alice: "14"})
	for i, want := range []string{"Dernier jour", "Premier jour"} {
		r, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, &got[i])
		if err != nil {
			t.Fatal(err)
		}
		if titles := evalTitles(r); len(titles) != 1 || titles[0] != want {
			t.Errorf("%s: %v; want only %q", got[i].Label(), titles, want)
		}
	}

	// once a report card of the year is published, the periods are fixed
	if err := s.svc.Publish(sctx, s.tn, s.asDirector(), &got[0], s.class, true); err != nil {
		t.Fatal(err)
	}
	_, err = s.svc.SetPeriods(sctx, s.tn, grades.KindTrimestre, []time.Time{jan31.AddDate(0, -2, 0), jan31.AddDate(0, 2, 0)})
	wantErr(t, err, fault.ErrConflict, "SetPeriods after a publication")
}

func TestServiceReportCards(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	s.seedWorkedExample(t, false)
	p := s.period(t, 1)
	appr := map[uuid.UUID]string{s.alice: "  Très bon trimestre.  ", s.bruno: "Des efforts à poursuivre."}

	t.Run("appréciations", func(t *testing.T) {
		wantErr(t, s.svc.SaveAppreciations(sctx, s.tn, s.asFrench(), p, s.class, "MATHS", appr), fault.ErrNotFound, "French teacher on MATHS")
		wantErr(t, s.svc.SaveAppreciations(sctx, s.tn, s.asPupil(s.alice), p, s.class, "MATHS", appr), fault.ErrNotFound, "pupil")
		var inv *fault.Invalid
		if err := s.svc.SaveAppreciations(sctx, s.tn, s.asMaths(), p, s.class, "MATHS", map[uuid.UUID]string{s.zoe: "Bien"}); !errors.As(err, &inv) {
			t.Errorf("pupil of another class: %v; want invalid", err)
		}
		err := s.svc.SaveAppreciations(sctx, s.tn, s.asMaths(), p, s.class, "MATHS", map[uuid.UUID]string{s.alice: "Bien", s.bruno: strings.Repeat("x", 1001)})
		if fe := wantFieldErrors(t, err, "1001 characters"); fe[s.bruno.String()] == "" {
			t.Errorf("errors %v; want one on Bruno", fe)
		}
		if n := s.count(t, `SELECT count(*) FROM appreciations`); n != 0 {
			t.Fatalf("%d appréciations saved from a refused form", n)
		}
		if err := s.svc.SaveAppreciations(sctx, s.tn, s.asMaths(), p, s.class, "MATHS", appr); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.SaveAppreciations(sctx, s.tn, s.asFrench(), p, s.class, "FRANCAIS", map[uuid.UUID]string{s.alice: "Belle plume.", s.bruno: "x"}); err != nil {
			t.Fatal(err)
		}
		// an empty text removes it
		if err := s.svc.SaveAppreciations(sctx, s.tn, s.asFrench(), p, s.class, "FRANCAIS", map[uuid.UUID]string{s.bruno: " "}); err != nil {
			t.Fatal(err)
		}
		if n := s.count(t, `SELECT count(*) FROM appreciations WHERE pupil_id = ? AND subject_code = 'FRANCAIS'`, s.bruno); n != 0 {
			t.Error("an emptied appréciation is still stored")
		}
		if err := s.svc.SaveAppreciations(sctx, s.tn, s.asDirector(), p, s.class, "FRANCAIS", map[uuid.UUID]string{s.chloe: "Absences nombreuses."}); err != nil {
			t.Errorf("direction: %v", err)
		}
	})

	t.Run("conseil de classe", func(t *testing.T) {
		council := map[uuid.UUID]string{s.alice: "Félicitations.", s.bruno: "Encouragements."}
		wantErr(t, s.svc.SaveCouncilComments(sctx, s.tn, s.asMaths(), p, s.class, council), fault.ErrNotFound, "a teacher who is not principal")
		wantErr(t, s.svc.SaveCouncilComments(sctx, s.tn, s.asPupil(s.alice), p, s.class, council), fault.ErrNotFound, "pupil")
		if ok, _ := s.svc.IsPrincipal(sctx, s.tn, s.asPrincipal(), s.class); !ok {
			t.Error("IsPrincipal(principal) = false")
		}
		if ok, _ := s.svc.IsPrincipal(sctx, s.tn, s.asMaths(), s.class); ok {
			t.Error("IsPrincipal(maths teacher) = true")
		}
		if err := s.svc.SaveCouncilComments(sctx, s.tn, s.asPrincipal(), p, s.class, council); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.SaveCouncilComments(sctx, s.tn, s.asDirector(), p, s.class, map[uuid.UUID]string{s.chloe: "Avertissement travail."}); err != nil {
			t.Fatalf("direction: %v", err)
		}
	})

	t.Run("publication", func(t *testing.T) {
		_, err := s.svc.ReportCard(sctx, s.tn, s.asPupil(s.alice), s.alice, p)
		wantErr(t, err, fault.ErrNotFound, "pupil before publication")
		_, err = s.svc.ReportCard(sctx, s.tn, s.asGuardian(s.guardian), s.alice, p)
		wantErr(t, err, fault.ErrNotFound, "guardian before publication")
		if r, err := s.svc.ReportCard(sctx, s.tn, s.asDirector(), s.alice, p); err != nil || r.Published {
			t.Fatalf("direction before publication: %v, published %v", err, r != nil && r.Published)
		}
		wantErr(t, s.svc.Publish(sctx, s.tn, s.asMaths(), p, s.class, true), fault.ErrForbidden, "teacher publishing")
		wantErr(t, s.svc.Publish(sctx, s.tn, s.asPrincipal(), p, s.class, true), fault.ErrForbidden, "principal publishing")
		if err := s.svc.Publish(sctx, s.tn, s.asDirector(), p, s.class, true); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.Publish(sctx, s.tn, s.asDirector(), p, s.class, true); err != nil {
			t.Fatalf("publishing twice: %v", err)
		}

		r, err := s.svc.ReportCard(sctx, s.tn, s.asPupil(s.alice), s.alice, p)
		if err != nil {
			t.Fatalf("pupil after publication: %v", err)
		}
		m, f := subjectLine(t, r, "MATHS"), subjectLine(t, r, "FRANCAIS")
		if !r.Published || r.Council != "Félicitations." || r.Principal != "M. Durand" || r.ClassLabel != "2nde 1" ||
			m.Appreciation != "Très bon trimestre." || f.Appreciation != "Belle plume." ||
			fr(m.Average) != "13,00" || fr(f.Average) != "14,50" || fr(r.General) != "13,75" ||
			fr(m.Class.Avg) != "10,83" || fr(m.Class.Min) != "8,67" || fr(m.Class.Max) != "13,00" ||
			fr(r.ClassStats.Avg) != "11,54" || r.ClassStats.Count != 2 {
			t.Errorf("report card: published %v council %q principal %q MATHS %q %s (class %s %s %s) FRANCAIS %q %s general %s (class %s)",
				r.Published, r.Council, r.Principal, m.Appreciation, fr(m.Average), fr(m.Class.Avg), fr(m.Class.Min), fr(m.Class.Max),
				f.Appreciation, fr(f.Average), fr(r.General), fr(r.ClassStats.Avg))
		}
		if _, err := s.svc.ReportCard(sctx, s.tn, s.asGuardian(s.guardian), s.alice, p); err != nil {
			t.Errorf("legal guardian after publication: %v", err)
		}
		_, err = s.svc.ReportCard(sctx, s.tn, s.asGuardian(s.relative), s.alice, p)
		wantErr(t, err, fault.ErrNotFound, "non-legal relative after publication")
		_, err = s.svc.ReportCard(sctx, s.tn, s.asPupil(s.bruno), s.alice, p)
		wantErr(t, err, fault.ErrNotFound, "another pupil after publication")

		wantErr(t, s.svc.SaveAppreciations(sctx, s.tn, s.asMaths(), p, s.class, "MATHS", map[uuid.UUID]string{s.alice: "Changé"}), fault.ErrConflict, "appréciation after publication")
		wantErr(t, s.svc.SaveCouncilComments(sctx, s.tn, s.asPrincipal(), p, s.class, map[uuid.UUID]string{s.alice: "Changé"}), fault.ErrConflict, "council after publication")
		wantErr(t, s.svc.SaveCouncilComments(sctx, s.tn, s.asDirector(), p, s.class, map[uuid.UUID]string{s.alice: "Changé"}), fault.ErrConflict, "council by direction after publication")
		if n := s.count(t, `SELECT count(*) FROM appreciations WHERE text = 'Changé'`) + s.count(t, `SELECT count(*) FROM council_comments WHERE text = 'Changé'`); n != 0 {
			t.Error("texts changed after publication")
		}

		// withdrawn: hidden again, and open to changes
		if err := s.svc.Publish(sctx, s.tn, s.asDirector(), p, s.class, false); err != nil {
			t.Fatal(err)
		}
		_, err = s.svc.ReportCard(sctx, s.tn, s.asPupil(s.alice), s.alice, p)
		wantErr(t, err, fault.ErrNotFound, "pupil after withdrawal")
		if err := s.svc.SaveAppreciations(sctx, s.tn, s.asMaths(), p, s.class, "MATHS", map[uuid.UUID]string{s.alice: "Excellent."}); err != nil {
			t.Errorf("appréciation after withdrawal: %v", err)
		}
	})

	t.Run("class reports and table", func(t *testing.T) {
		reports, err := s.svc.ClassReports(sctx, s.tn, s.class, p)
		if err != nil || len(reports) != 3 {
			t.Fatalf("class reports: %d, %v; want 3 pupils", len(reports), err)
		}
		if reports[0].LastName != "Bernard" || reports[1].LastName != "Martin" || reports[2].LastName != "Petit" {
			t.Errorf("order %s %s %s; want by last name", reports[0].LastName, reports[1].LastName, reports[2].LastName)
		}
		_, err = s.svc.Table(sctx, s.tn, s.asMaths(), s.class, p)
		wantErr(t, err, fault.ErrForbidden, "teacher's table")
		_, err = s.svc.Table(sctx, s.tn, s.asPrincipal(), s.class, p)
		wantErr(t, err, fault.ErrForbidden, "principal's table")
		ct, err := s.svc.Table(sctx, s.tn, s.asDirector(), s.class, p)
		if err != nil {
			t.Fatal(err)
		}
		if ct.ClassLabel != "2nde 1" || len(ct.Rows) != 3 || len(ct.Subjects) != 2 {
			t.Fatalf("table %q, %d rows, %d subjects", ct.ClassLabel, len(ct.Rows), len(ct.Subjects))
		}
		heads := map[string]grades.SubjectHead{}
		for _, h := range ct.Subjects {
			heads[h.Code] = h
		}
		// MATHS: 13 and 26/3; FRANCAIS: 14.5 and 10 → mean 12.25
		if h := heads["MATHS"]; h.Stats.Count != 2 || fr(h.Stats.Avg) != "10,83" || fr(h.Stats.Min) != "8,67" || fr(h.Stats.Max) != "13,00" {
			t.Errorf("MATHS column %d %s %s %s", h.Stats.Count, fr(h.Stats.Avg), fr(h.Stats.Min), fr(h.Stats.Max))
		}
		if h := heads["FRANCAIS"]; h.Stats.Count != 2 || fr(h.Stats.Avg) != "12,25" || fr(h.Stats.Min) != "10,00" || fr(h.Stats.Max) != "14,50" {
			t.Errorf("FRANCAIS column %d %s %s %s", h.Stats.Count, fr(h.Stats.Avg), fr(h.Stats.Min), fr(h.Stats.Max))
		}
		if ct.General.Count != 2 || fr(ct.General.Avg) != "11,54" {
			t.Errorf("general %d %s; want 2, 11,54", ct.General.Count, fr(ct.General.Avg))
		}
		withGeneral, sum := 0, 0
		for _, r := range ct.Rows {
			if r.General != nil {
				withGeneral++
			}
			if len(r.Averages) != len(ct.Subjects) {
				t.Errorf("%s: %d averages for %d subjects", r.Name, len(r.Averages), len(ct.Subjects))
			}
		}
		buckets := map[[2]int]int{}
		for _, b := range ct.Distribution {
			sum += b.Count
			buckets[[2]int{b.From, b.To}] = b.Count
		}
		if sum != withGeneral || withGeneral != 2 {
			t.Errorf("distribution counts %d pupils, %d have a general average (want 2)", sum, withGeneral)
		}
		// Alice 13.75 in [12, 14), Bruno 9.33 in [8, 10)
		if buckets[[2]int{12, 14}] != 1 || buckets[[2]int{8, 10}] != 1 {
			t.Errorf("distribution %+v", ct.Distribution)
		}
	})
}

func TestServiceTableDistributionEdges(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	ev := s.evaluation(t, s.asMaths(), "MATHS", "DS", s.day(10), "20", "1", true)
	// 20 is in the last bucket, 0 in the first, 10 opens [10, 12)
	s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "20", s.bruno: "0", s.chloe: "10"})
	ct, err := s.svc.Table(sctx, s.tn, s.asDirector(), s.class, s.period(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, b := range ct.Distribution {
		sum += b.Count
		if (b.From == 0 || b.From == 10 || b.From == 16) != (b.Count == 1) {
			t.Errorf("bucket [%d, %d) counts %d", b.From, b.To, b.Count)
		}
	}
	if sum != 3 {
		t.Errorf("distribution sums to %d; want 3", sum)
	}
}

func TestServiceIsolation(t *testing.T) {
	t.Parallel()
	reg := newSvcRegistry(t)
	a := newSvcSchool(t, reg, 1)
	w := a.seedWorkedExample(t, false)
	pa := a.period(t, 1)
	b := &svcSchool{reg: reg, clock: a.clock, svc: a.svc, tn: tenanttest.Provision(t, reg, tenanttest.UAI(33, 2), "Autre lycée", "lycee")}
	b.openYear(t)
	pb := b.period(t, 1)
	if pb.ID == pa.ID {
		t.Fatal("the two lycées share a period")
	}

	for _, who := range []grades.Actor{a.asPupil(a.alice), a.asDirector(), asActor(uuid.Nil, identity.RoleAdminRegion)} {
		_, err := b.svc.PupilMarks(sctx, b.tn, who, a.alice, pb)
		wantErr(t, err, fault.ErrNotFound, "Alice's id in the other lycée")
		_, err = b.svc.ReportCard(sctx, b.tn, who, a.alice, pb)
		wantErr(t, err, fault.ErrNotFound, "Alice's report card in the other lycée")
	}
	_, err := b.svc.Evaluation(sctx, b.tn, a.asDirector(), w.e1.ID)
	wantErr(t, err, fault.ErrNotFound, "the first lycée's evaluation read in the other")
	_, err = b.svc.SaveMarks(sctx, b.tn, a.asDirector(), w.e1.ID, grades.GridInput{Marks: map[uuid.UUID]string{a.alice: "0"}})
	wantErr(t, err, fault.ErrNotFound, "marking the first lycée's evaluation from the other")
	if ts, err := b.svc.Teachings(sctx, b.tn, a.asDirector()); err != nil || len(ts) != 0 {
		t.Errorf("teachings of the other lycée: %v, %v; want none", ts, err)
	}
	// even with the same ids, the other lycée holds its own people, with no marks
	b.exec(t, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true) ON CONFLICT (code) DO NOTHING`,
		b.year, b.start, b.start.AddDate(1, 0, -1))
	b.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '1G1', '1ère G1', ?)`, a.class, b.year)
	b.exec(t, `INSERT INTO people (id, category, roles, last_name, first_name) VALUES (?, 'eleve', '{eleve}', 'Autre', 'Zélie')`, a.alice)
	b.exec(t, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, a.class, a.alice)
	r, err := b.svc.PupilMarks(sctx, b.tn, a.asPupil(a.alice), a.alice, pb)
	if err != nil {
		t.Fatal(err)
	}
	if r.FirstName != "Zélie" || r.ClassLabel != "1ère G1" || len(r.Subjects) != 0 || r.General != nil {
		t.Errorf("other lycée's page: %s in %s, %d subjects; want Zélie in 1ère G1 with no marks", r.FirstName, r.ClassLabel, len(r.Subjects))
	}
	// and the first lycée is untouched
	ra, err := a.svc.PupilMarks(sctx, a.tn, a.asPupil(a.alice), a.alice, pa)
	if err != nil || ra.FirstName != "Alice" || fr(ra.General) != "13,75" {
		t.Errorf("first lycée: %v, %v", ra, err)
	}
}

// TestServiceNewMarksPerPeriod: "Nouveau" is remembered per viewer × pupil × period. On
// 10 December (2nd trimestre), looking at the 2nd trimestre does not clear what is new in the
// 1st, and looking at the 1st after it ended does.
func TestServiceNewMarksPerPeriod(t *testing.T) {
	t.Parallel()
	s := newSvcSchoolAt(t, newSvcRegistry(t), 1, time.Date(2026, time.December, 10, 18, 0, 0, 0, testenv.Paris))
	t1, t2 := s.period(t, 1), s.period(t, 2)
	e1 := s.evaluation(t, s.asMaths(), "MATHS", "DS du 1er trimestre", s.day(20), "20", "1", true)
	e2 := s.evaluation(t, s.asMaths(), "MATHS", "DS du 2e trimestre", "2026-12-07", "20", "1", true)
	s.mark(t, s.asMaths(), e1.ID, map[uuid.UUID]string{s.alice: "12"})
	s.mark(t, s.asMaths(), e2.ID, map[uuid.UUID]string{s.alice: "13"})
	parent := s.asGuardian(s.guardian)
	visit := func(p *grades.Period) *grades.PupilReport {
		t.Helper()
		r, err := s.svc.PupilMarks(sctx, s.tn, parent, s.alice, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	visit(t1)
	visit(t2)
	// both marks change after the parent's first visits
	s.mark(t, s.asMaths(), e1.ID, map[uuid.UUID]string{s.alice: "14"})
	s.mark(t, s.asMaths(), e2.ID, map[uuid.UUID]string{s.alice: "15"})

	if r := visit(t2); evalLine(r, e2.ID) == nil || !evalLine(r, e2.ID).New {
		t.Fatal("2nd trimestre: the changed mark is not new")
	}
	if r := visit(t2); evalLine(r, e2.ID).New {
		t.Error("2nd trimestre: still new on the next visit")
	}
	if r := visit(t1); evalLine(r, e1.ID) == nil || !evalLine(r, e1.ID).New {
		t.Error("1st trimestre: looking at the 2nd cleared the 1st's new mark")
	}
	if r := visit(t1); evalLine(r, e1.ID).New {
		t.Error("1st trimestre: looking at it after it ended did not clear its new mark")
	}
	if n := s.count(t, `SELECT count(*) FROM mark_views WHERE viewer_id = ?`, s.guardian); n != 2 {
		t.Errorf("%d visits recorded; want one per period (2)", n)
	}
}

// TestServicePeriodsReadOnly: reading the periods writes nothing; they come with the school
// year, and many first readers at once all see the same three trimestres.
func TestServicePeriodsReadOnly(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	ids := make(chan uuid.UUID, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ps, err := s.svc.Periods(sctx, s.tn)
			if err != nil {
				errs <- err
				return
			}
			ids <- ps[0].ID
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		t.Errorf("concurrent first reads: %v", err)
	}
	first := uuid.Nil
	for id := range ids {
		if first != uuid.Nil && id != first {
			t.Error("concurrent first reads saw different periods")
		}
		first = id
	}
	if n := s.count(t, `SELECT count(*) FROM periods`); n != 3 {
		t.Errorf("%d periods; want the year's three trimestres", n)
	}

	// An establishment whose directory has opened no year yet gets a clear refusal, not a
	// year made up on a GET.
	other := &svcSchool{reg: s.reg, clock: s.clock, svc: s.svc, tn: tenanttest.Provision(t, s.reg, tenanttest.UAI(33, 3), "Lycée vide", "lycee")}
	_, err := other.svc.Periods(sctx, other.tn)
	wantErr(t, err, fault.ErrNotFound, "periods without a school year")
	if !strings.Contains(err.Error(), "importez l'annuaire") {
		t.Errorf("message %q does not say what to do", err)
	}
	if n := other.count(t, `SELECT count(*) FROM school_years`); n != 0 {
		t.Errorf("reading the periods created %d school years", n)
	}
}

// TestServiceMovedEvaluation: an evaluation moved to another class counts only the marks of
// that class's pupils; the marks of the pupils it left count nowhere.
func TestServiceMovedEvaluation(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	p := s.period(t, 1)
	ev := s.evaluation(t, s.asDirector(), "MATHS", "Contrôle déplacé", s.day(10), "20", "1", true)
	s.mark(t, s.asDirector(), ev.ID, map[uuid.UUID]string{s.alice: "4", s.bruno: "6"})
	if _, err := s.svc.SaveEvaluation(sctx, s.tn, s.asDirector(), ev.ID, grades.EvaluationForm{ClassID: s.otherClass.String(), Subject: "MATHS",
		Title: ev.Title, Date: s.day(10), Scale: "20", Coefficient: "1", Published: true}); err != nil {
		t.Fatalf("move the evaluation: %v", err)
	}
	s.mark(t, s.asDirector(), ev.ID, map[uuid.UUID]string{s.zoe: "16"})

	z, err := s.svc.PupilMarks(sctx, s.tn, s.asDirector(), s.zoe, p)
	if err != nil {
		t.Fatal(err)
	}
	line := evalLine(z, ev.ID)
	if line == nil || line.Stats.Count != 1 || fr(line.Stats.Avg) != "16,00" {
		t.Errorf("moved evaluation in 2NDE2: %+v; want Zoé's 16 alone", line)
	}
	a, err := s.svc.PupilMarks(sctx, s.tn, s.asDirector(), s.alice, p)
	if err != nil {
		t.Fatal(err)
	}
	if sl := subjectLine(t, a, "MATHS"); evalLine(a, ev.ID) != nil || sl != nil && sl.Average != nil {
		t.Errorf("Alice still counts the evaluation moved away from her class: %v", evalTitles(a))
	}
	g, err := s.svc.Grid(sctx, s.tn, s.asDirector(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g.Stats.Count != 1 {
		t.Errorf("grid of the moved evaluation counts %d marks; want 1", g.Stats.Count)
	}
}

// TestServiceFailedUpdateIsReported: a refused UPDATE of an evaluation is an error, not a
// silent success (an err shadowed inside the transaction once hid it).
func TestServiceFailedUpdateIsReported(t *testing.T) {
	t.Parallel()
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	ev := s.evaluation(t, s.asMaths(), "MATHS", "Titre", s.day(10), "20", "1", true)
	// The database refuses the change (a title over 200 characters passes no CHECK) while
	// the service's own validation accepts it: the trigger stands for any failing UPDATE.
	s.exec(t, `CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`)
	s.exec(t, `CREATE TRIGGER refuse BEFORE UPDATE ON evaluations FOR EACH ROW EXECUTE FUNCTION refuse_update()`)
	_, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), ev.ID, grades.EvaluationForm{ClassID: s.class.String(), Subject: "MATHS",
		Title: "Nouveau titre", Date: s.day(10), Scale: "20", Coefficient: "1", Published: true})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("failed UPDATE: err = %v; want the database's refusal", err)
	}
}
