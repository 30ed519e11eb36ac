package attendance_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

var sctx = context.Background()

// school is a lycée with a migrated schema and a directory written in SQL: class 2NDE1
// (Alice, Bruno), class 2NDE2 (Zoé), Alice's legal guardian and a relative who is not one, a
// maths and a Spanish teacher, a CPE; a day profile of 4 morning and 2 afternoon hours;
// maths for 2NDE1 on Monday and Tuesday 8:00–10:00 (M1–M2) and 13:30–15:30 (S1–S2), Spanish
// for 2NDE2 on Monday 8:00–9:00. The clock is at testenv.SchoolDay (Monday 5 October 2026).
type school struct {
	reg   *tenant.Registry
	tn    *tenant.Tenant
	tt    *timetable.Service
	svc   *attendance.Service
	clock *testenv.Clock

	class, other                          uuid.UUID
	alice, bruno, zoe, guardian, relative uuid.UUID
	maths, spanish, cpe                   uuid.UUID
}

func newSchool(t testing.TB, reg *tenant.Registry, n int) *school {
	t.Helper()
	s := &school{reg: reg, clock: testenv.NewClock(testenv.SchoolDay)}
	s.tt = timetable.NewService(reg.DB(), s.clock.Now)
	s.svc = attendance.NewService(reg.DB(), s.tt, s.clock.Now)
	s.tn = tenanttest.Provision(t, reg, tenanttest.UAI(33, n), "Lycée de test", "lycee")
	for _, p := range []*uuid.UUID{&s.class, &s.other, &s.alice, &s.bruno, &s.zoe, &s.guardian, &s.relative, &s.maths, &s.spanish, &s.cpe} {
		*p = uuid.New()
	}
	year, start, end := directory.SchoolYearOf(s.clock.Now())
	s.exec(t, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true)`, year, start, end)
	s.exec(t, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('ESP', 'Espagnol')`)
	s.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		s.class, year, s.other, year)
	person := func(id uuid.UUID, category, roles, last, first string) {
		s.exec(t, `INSERT INTO people (id, category, roles, last_name, first_name) VALUES (?, ?, ?::text[], ?, ?)`, id, category, roles, last, first)
	}
	person(s.alice, "eleve", "{eleve}", "Martin", "Alice")
	person(s.bruno, "eleve", "{eleve}", "Bernard", "Bruno")
	person(s.zoe, "eleve", "{eleve}", "Roux", "Zoé")
	person(s.guardian, "responsable", "{responsable}", "Martin", "Gérard")
	person(s.relative, "responsable", "{responsable}", "Martin", "Odette")
	person(s.maths, "personnel", "{enseignant}", "Lefèvre", "Claire")
	person(s.spanish, "personnel", "{enseignant}", "Moreau", "Paul")
	person(s.cpe, "personnel", "{vie_scolaire}", "Durand", "Inès")
	s.exec(t, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`, s.class, s.alice, s.class, s.bruno, s.other, s.zoe)
	s.exec(t, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, false, 2)`,
		s.alice, s.guardian, s.alice, s.relative)
	if _, err := s.tt.SaveProfile(sctx, s.tn, timetable.ProfileForm{Codes: []string{"M1", "M2", "M3", "M4", "S1", "S2"},
		Starts: []string{"08:00", "09:00", "10:00", "11:00", "13:30", "14:30"}, Ends: []string{"09:00", "10:00", "11:00", "12:00", "14:30", "15:30"},
		MorningEnds: "12:30"}); err != nil {
		t.Fatal(err)
	}
	for _, wd := range []string{"lundi", "mardi"} {
		for _, h := range [][2]string{{"M1", "M1"}, {"M2", "M2"}, {"M3", "M3"}, {"M4", "M4"}, {"S1", "S1"}, {"S2", "S2"}} {
			s.slot(t, timetable.SlotForm{ClassID: s.class.String(), Subject: "MATHS", Teachers: []string{s.maths.String()}, Weekday: wd, Start: h[0], End: h[1]})
		}
	}
	s.slot(t, timetable.SlotForm{ClassID: s.other.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Weekday: "lundi", Start: "M1", End: "M1"})
	return s
}

func (s *school) slot(t testing.TB, f timetable.SlotForm) {
	t.Helper()
	if _, err := s.tt.SaveSlot(sctx, s.tn, uuid.Nil, f); err != nil {
		t.Fatalf("slot %+v: %v", f, err)
	}
}

func (s *school) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if err := s.reg.DB().Tx(sctx, s.tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
		t.Fatalf("%.60s…: %v", strings.Join(strings.Fields(q), " "), err)
	}
}

func (s *school) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// motif is the id of the motif whose label starts with label.
func (s *school) motif(t testing.TB, label string) string {
	t.Helper()
	var id string
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id::text FROM absence_motifs WHERE label LIKE ?`, label+"%").Scan(&id).Error
	}); err != nil || id == "" {
		t.Fatalf("motif %s: %q %v", label, id, err)
	}
	return id
}

func actor(id uuid.UUID, r identity.Role) attendance.Actor {
	return attendance.Actor{PersonID: id, Roles: []identity.Role{r}}
}

func (s *school) teacher() attendance.Actor { return actor(s.maths, identity.RoleEnseignant) }
func (s *school) vs() attendance.Actor      { return actor(s.cpe, identity.RoleVieScolaire) }

// registers returns the maths registers of d by start ("08:00" → register).
func (s *school) registers(t testing.TB, d time.Time) map[string]attendance.Register {
	t.Helper()
	regs, err := s.svc.Day(sctx, s.tn, s.teacher(), d, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]attendance.Register{}
	for _, r := range regs {
		out[r.Start.String()] = r
	}
	return out
}

func (s *school) save(t testing.TB, r attendance.Register, marks map[uuid.UUID]attendance.Mark) int {
	t.Helper()
	n, err := s.svc.SaveRoll(sctx, s.tn, s.teacher(), r.ID, marks)
	if err != nil {
		t.Fatalf("save roll of %s: %v", r.Start, err)
	}
	return n
}

var (
	absent  = attendance.Mark{Status: attendance.Absent}
	present = attendance.Mark{Status: attendance.Present}
)

// events lists a pupil's events of d as "absence 08:00-10:00 en_attente".
func (s *school) events(t testing.TB, pupil uuid.UUID) string {
	t.Helper()
	var rows []string
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT kind || ' ' || to_char(starts_at, 'HH24:MI') || '-' || to_char(ends_at, 'HH24:MI') || ' ' || state
			FROM absences WHERE pupil_id = ? ORDER BY on_date, starts_at`, pupil).Scan(&rows).Error
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "; ")
}

// TestRollCall: registers created from the timetable once, a roll saved twice changes
// nothing, corrections are kept with who and when, consecutive missed lessons are one
// absence.
func TestRollCall(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 1)
	monday := s.svc.Today()

	regs := s.registers(t, monday)
	if len(regs) != 6 {
		t.Fatalf("maths teacher's Monday: %d registers, want 6", len(regs))
	}
	if err := s.svc.EnsureDay(sctx, s.tn, monday); err != nil {
		t.Fatal(err)
	}
	if n := s.count(t, `SELECT count(*) FROM registers WHERE on_date = ?`, monday); n != 7 {
		t.Errorf("Monday has %d registers after creating them twice, want 7 (6 maths, 1 Spanish)", n)
	}
	if n := s.count(t, `SELECT count(*) FROM register_entries`); n != 13 {
		t.Errorf("%d roster lines, want 13 (6 × 2 + 1)", n)
	}
	m1, m2, m3 := regs["08:00"], regs["09:00"], regs["10:00"]

	t.Run("saving twice changes nothing", func(t *testing.T) {
		if n := s.save(t, m1, map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: present}); n != 1 {
			t.Errorf("first save changed %d marks, want 1", n)
		}
		if n := s.save(t, m1, map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: present}); n != 0 {
			t.Errorf("second save changed %d marks, want 0", n)
		}
		if n := s.count(t, `SELECT count(*) FROM register_changes`); n != 0 {
			t.Errorf("%d history lines after the first roll and the same again, want 0", n)
		}
		if got := s.events(t, s.alice); got != "absence 08:00-09:00 en_attente" {
			t.Errorf("Alice's events: %q", got)
		}
		roll, err := s.svc.Roll(sctx, s.tn, s.teacher(), m1.ID)
		if err != nil || !roll.Taken() || roll.TakenBy != "Claire Lefèvre" {
			t.Errorf("roll taken by %q (%v)", roll.TakenBy, err)
		}
	})

	t.Run("consecutive lessons merge into one absence", func(t *testing.T) {
		s.save(t, m2, map[uuid.UUID]attendance.Mark{s.alice: absent})
		if got := s.events(t, s.alice); got != "absence 08:00-10:00 en_attente" {
			t.Errorf("after M2: %q, want one absence 08:00-10:00", got)
		}
		s.save(t, regs["14:30"], map[uuid.UUID]attendance.Mark{s.alice: absent})
		if got := s.events(t, s.alice); got != "absence 08:00-10:00 en_attente; absence 14:30-15:30 en_attente" {
			t.Errorf("after S2: %q", got)
		}
		// M3 and M4 then S1 fill the gap: one absence all day.
		for _, k := range []string{"10:00", "11:00", "13:30"} {
			s.save(t, regs[k], map[uuid.UUID]attendance.Mark{s.alice: absent})
		}
		if got := s.events(t, s.alice); got != "absence 08:00-15:30 en_attente" {
			t.Errorf("whole day: %q", got)
		}
	})

	t.Run("a correction is kept with who and when, the absence splits", func(t *testing.T) {
		s.clock.Set(testenv.SchoolDay.Add(2 * time.Hour))
		if _, err := s.svc.SaveRoll(sctx, s.tn, s.vs(), m3.ID, map[uuid.UUID]attendance.Mark{s.alice: {Status: attendance.Late, Minutes: 10}}); err != nil {
			t.Fatal(err)
		}
		if got := s.events(t, s.alice); got != "absence 08:00-10:00 en_attente; retard 10:00-11:00 en_attente; absence 11:00-15:30 en_attente" {
			t.Errorf("after the correction: %q", got)
		}
		roll, err := s.svc.Roll(sctx, s.tn, s.teacher(), m3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(roll.Changes) != 1 {
			t.Fatalf("history: %+v, want one correction", roll.Changes)
		}
		c := roll.Changes[0]
		if c.Pupil != "Martin Alice" || c.From != "Absent" || c.To != "En retard (10 min)" || c.By != "Inès Durand" || !c.At.Equal(testenv.SchoolDay.Add(2*time.Hour)) {
			t.Errorf("correction = %+v", c)
		}
	})

	t.Run("a decided absence keeps its motif when it grows", func(t *testing.T) {
		motif := s.motif(t, "Maladie")
		day, err := s.svc.SchoolDay(sctx, s.tn, s.vs(), monday)
		if err != nil {
			t.Fatal(err)
		}
		if len(day.Pending) != 3 {
			t.Fatalf("pending on the CPE's day: %d, want 3", len(day.Pending))
		}
		first := day.Pending[0] // 08:00-10:00
		if err := s.svc.Decide(sctx, s.tn, s.vs(), first.ID, attendance.DecisionForm{Motif: motif, Comment: "Certificat"}); err != nil {
			t.Fatal(err)
		}
		// M3 absent after all: the two absences merge, the justified one is kept.
		s.save(t, m3, map[uuid.UUID]attendance.Mark{s.alice: absent})
		if got := s.events(t, s.alice); got != "absence 08:00-15:30 justifiee" {
			t.Errorf("after merging into the justified absence: %q", got)
		}
		if err := s.svc.Decide(sctx, s.tn, s.teacher(), first.ID, attendance.DecisionForm{State: "non_justifiee"}); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a teacher deciding: %v, want not found", err)
		}
	})

	t.Run("a wrong line refuses the whole roll", func(t *testing.T) {
		before := s.count(t, `SELECT count(*) FROM register_changes`)
		_, err := s.svc.SaveRoll(sctx, s.tn, s.teacher(), m1.ID, map[uuid.UUID]attendance.Mark{s.alice: present, s.bruno: {Status: attendance.Late}})
		var errs attendance.RollErrors
		if !errors.As(err, &errs) || errs[s.bruno] == "" {
			t.Fatalf("late without minutes: %v", err)
		}
		if n := s.count(t, `SELECT count(*) FROM register_changes`); n != before {
			t.Errorf("history grew from %d to %d on a refused roll", before, n)
		}
		_, err = s.svc.SaveRoll(sctx, s.tn, s.teacher(), m1.ID, map[uuid.UUID]attendance.Mark{s.zoe: absent})
		if err == nil {
			t.Error("a pupil of another class accepted in the roll")
		}
	})

	t.Run("registers not taken by the end of the lesson", func(t *testing.T) {
		s.clock.Set(time.Date(2026, 10, 5, 9, 30, 0, 0, testenv.Paris))
		day, err := s.svc.SchoolDay(sctx, s.tn, s.vs(), monday)
		if err != nil {
			t.Fatal(err)
		}
		if len(day.Untaken) != 1 || day.Untaken[0].Subject != "Espagnol" {
			t.Errorf("untaken at 9:30: %+v, want the Spanish lesson of 8:00 only", day.Untaken)
		}
	})

	t.Run("an ad hoc register", func(t *testing.T) {
		id, err := s.svc.CreateAdHoc(sctx, s.tn, s.teacher(), attendance.AdHocForm{ClassID: s.other.String(), Date: "2026-10-05", Start: "16:00", End: "17:00", Label: "Sortie"})
		if err != nil {
			t.Fatal(err)
		}
		roll, err := s.svc.Roll(sctx, s.tn, s.teacher(), id)
		if err != nil || len(roll.Entries) != 1 || roll.Entries[0].PupilID != s.zoe || !roll.AdHoc || !roll.Afternoon {
			t.Fatalf("ad hoc roll %+v, %v", roll, err)
		}
		if _, err := s.svc.Roll(sctx, s.tn, actor(s.spanish, identity.RoleEnseignant), id); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another teacher opening it: %v", err)
		}
		_, err = s.svc.CreateAdHoc(sctx, s.tn, s.teacher(), attendance.AdHocForm{ClassID: uuid.NewString(), Start: "17:00", End: "16:00"})
		var errs attendance.FormErrors
		if !errors.As(err, &errs) || errs["classe"] == "" || errs["fin"] == "" {
			t.Errorf("bad ad hoc form: %v", err)
		}
	})
}

// TestIsolation: a teacher opens only their lessons' registers, a legal guardian only their
// children's absences, another establishment nothing.
func TestIsolation(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 2)
	other := newSchool(t, reg, 3)
	regs := s.registers(t, s.svc.Today())
	m1 := regs["08:00"]
	s.save(t, m1, map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: absent})

	spanish := actor(s.spanish, identity.RoleEnseignant)
	if _, err := s.svc.Roll(sctx, s.tn, spanish, m1.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another teacher opens the maths register: %v", err)
	}
	if _, err := s.svc.SaveRoll(sctx, s.tn, spanish, m1.ID, map[uuid.UUID]attendance.Mark{s.alice: present}); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another teacher saves the maths register: %v", err)
	}
	if mine, err := s.svc.Day(sctx, s.tn, spanish, s.svc.Today(), true); err != nil || len(mine) != 1 {
		t.Errorf("the Spanish teacher's day: %d registers (%v), want 1 (theirs; all is for the vie scolaire)", len(mine), err)
	}
	if _, err := s.svc.SchoolDay(sctx, s.tn, spanish, s.svc.Today()); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a teacher opens the vie scolaire's day: %v", err)
	}
	if _, err := s.svc.Threshold(sctx, s.tn, spanish, s.svc.Today()); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a teacher opens the threshold list: %v", err)
	}

	guardian := actor(s.guardian, identity.RoleResponsable)
	p, err := s.svc.Pupil(sctx, s.tn, guardian, s.alice)
	if err != nil || len(p.Events) != 1 {
		t.Fatalf("guardian sees Alice's %d events (%v), want 1", len(p.Events), err)
	}
	for _, who := range []struct {
		name  string
		a     attendance.Actor
		pupil uuid.UUID
	}{
		{"a guardian, another pupil", guardian, s.bruno},
		{"a relative who is not a legal guardian", actor(s.relative, identity.RoleResponsable), s.alice},
		{"a pupil, another pupil", actor(s.bruno, identity.RoleEleve), s.alice},
		{"nobody", attendance.Actor{Roles: []identity.Role{identity.RoleResponsable}}, s.alice},
	} {
		if _, err := s.svc.Pupil(sctx, s.tn, who.a, who.pupil); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s: %v, want not found", who.name, err)
		}
	}
	if p, err := s.svc.Pupil(sctx, s.tn, actor(s.bruno, identity.RoleEleve), s.bruno); err != nil || len(p.Events) != 1 {
		t.Errorf("Bruno's own absences: %+v, %v", p, err)
	}

	// The other establishment: the same register id reaches nothing, even for its CPE.
	if _, err := other.svc.Roll(sctx, other.tn, other.vs(), m1.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another establishment's CPE opens the register: %v", err)
	}
	if _, err := other.svc.Pupil(sctx, other.tn, other.vs(), s.alice); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another establishment's CPE reads Alice's absences: %v", err)
	}
	if day, err := other.svc.SchoolDay(sctx, other.tn, other.vs(), s.svc.Today()); err != nil || len(day.Pending) != 0 {
		t.Errorf("another establishment's day: %+v, %v", day, err)
	}
}

// TestThresholdAndReport: the month's list of pupils at or above the threshold, by either
// method, and the report card's figures (motifs that do not count left out, lateness).
func TestThresholdAndReport(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 4)
	monday := s.svc.Today()
	tuesday := monday.AddDate(0, 0, 1)
	mon, tue := s.registers(t, monday), s.registers(t, tuesday)
	// Alice: Monday M1 and S1, Tuesday M1 and S1, unjustified: 4 half-days (gross), 1 (calculated).
	// Bruno: Monday M1 only: 1 half-day.
	for _, r := range []attendance.Register{mon["08:00"], mon["13:30"], tue["08:00"], tue["13:30"]} {
		marks := map[uuid.UUID]attendance.Mark{s.alice: absent}
		if r.ID == mon["08:00"].ID {
			marks[s.bruno] = absent
		}
		s.save(t, r, marks)
	}
	s.save(t, tue["09:00"], map[uuid.UUID]attendance.Mark{s.bruno: {Status: attendance.Late, Minutes: 5}})

	names := func(th *attendance.Threshold) string {
		var out []string
		for _, r := range th.Rows {
			out = append(out, r.Pupil+" "+attendance.Decimal(r.Count.Unjustified)+" ["+strings.Join(r.Unjustified, ", ")+"]")
		}
		return strings.Join(out, "; ")
	}
	th, err := s.svc.Threshold(sctx, s.tn, s.vs(), monday)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(th), "Martin Alice 4 [lundi 05/10 matin, lundi 05/10 après-midi, mardi 06/10 matin, mardi 06/10 après-midi]"; got != want {
		t.Errorf("October, gross: %q, want %q", got, want)
	}
	if th, _ := s.svc.Threshold(sctx, s.tn, s.vs(), monday.AddDate(0, 1, 0)); len(th.Rows) != 0 {
		t.Errorf("November: %q", names(th))
	}
	if err := s.svc.SaveSettings(sctx, s.tn, s.vs(), "calcule", "1"); err != nil {
		t.Fatal(err)
	}
	th, _ = s.svc.Threshold(sctx, s.tn, s.vs(), monday)
	// Alice missed 1 h of each 4 h morning and 2 h afternoon: 1/4 + 1/2, twice; Bruno 1/4.
	if got := names(th); !strings.HasPrefix(got, "Martin Alice 1,5 [") || strings.Contains(got, "Bruno") {
		t.Errorf("October, calculated, threshold 1: %q, want Alice alone with 1,5", got)
	}
	if err := s.svc.SaveSettings(sctx, s.tn, s.vs(), "brut", "0"); err == nil {
		t.Error("threshold 0 accepted")
	}
	s.svc.SaveSettings(sctx, s.tn, s.vs(), "brut", "4")

	// Report card: Monday's absence justified by illness, Tuesday morning by an exam
	// convocation (does not count on the report card).
	p, err := s.svc.Pupil(sctx, s.tn, s.vs(), s.alice)
	if err != nil {
		t.Fatal(err)
	}
	motif := func(label string) string { return s.motif(t, label) }
	for _, e := range p.Events {
		switch {
		case e.Date.Equal(monday):
			s.svc.Decide(sctx, s.tn, s.vs(), e.ID, attendance.DecisionForm{Motif: motif("Maladie")})
		case e.Start.String() == "08:00":
			s.svc.Decide(sctx, s.tn, s.vs(), e.ID, attendance.DecisionForm{Motif: motif("Convocation officielle")})
		}
	}
	var figs map[uuid.UUID]attendance.Figures
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error {
		var err error
		figs, err = s.svc.ReportFigures(tx, []uuid.UUID{s.alice, s.bruno, s.zoe}, monday.AddDate(0, -1, 0), monday.AddDate(0, 1, 0))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var texts map[uuid.UUID]string
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error {
		var err error
		texts, err = s.svc.ReportAbsences(tx, []uuid.UUID{s.alice}, monday, tuesday)
		return err
	}); err != nil || texts[s.alice] != figs[s.alice].Text() {
		t.Errorf("ReportAbsences = %q, %v", texts, err)
	}
	for pupil, want := range map[uuid.UUID]string{
		s.alice: "2 demi-journées d'absence justifiées, 1 non justifiée, cours manqués : 3 h, 0 retard",
		s.bruno: "0 demi-journée d'absence justifiée, 1 non justifiée, cours manqués : 1 h, 1 retard",
		s.zoe:   "Aucune absence, aucun retard",
	} {
		if got := figs[pupil].Text(); got != want {
			t.Errorf("report of %s: %q, want %q", pupil, got, want)
		}
	}
}

// TestJustification: a legal guardian justifies with a motif usable online, the vie
// scolaire refuses then accepts, the guardian sees the history; nobody else may justify.
func TestJustification(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 5)
	regs := s.registers(t, s.svc.Today())
	s.save(t, regs["08:00"], map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: absent})
	guardian := actor(s.guardian, identity.RoleResponsable)
	p, err := s.svc.Pupil(sctx, s.tn, guardian, s.alice)
	if err != nil || len(p.Events) != 1 {
		t.Fatalf("Alice's events: %+v, %v", p, err)
	}
	ev := p.Events[0].ID

	form, err := s.svc.JustifyForm(sctx, s.tn, guardian, ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range form.Motifs {
		if !m.Online {
			t.Errorf("motif %q offered online", m.Label)
		}
	}
	err = s.svc.Justify(sctx, s.tn, guardian, ev, attendance.JustificationForm{Motif: s.motif(t, "Raison confidentielle")})
	var errs attendance.FormErrors
	if !errors.As(err, &errs) || errs["motif"] == "" {
		t.Errorf("a motif not usable online: %v", err)
	}
	if err := s.svc.Justify(sctx, s.tn, guardian, ev, attendance.JustificationForm{Motif: s.motif(t, "Raison familiale"), Comment: "Décès"}); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Justify(sctx, s.tn, guardian, ev, attendance.JustificationForm{Motif: s.motif(t, "Maladie")}); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("a second one while the first waits: %v", err)
	}
	for name, a := range map[string]attendance.Actor{
		"a relative who is not a legal guardian": actor(s.relative, identity.RoleResponsable),
		"the pupil":                              actor(s.alice, identity.RoleEleve),
		"the teacher":                            s.teacher(),
	} {
		if err := s.svc.Justify(sctx, s.tn, a, ev, attendance.JustificationForm{Motif: s.motif(t, "Maladie")}); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("%s justifies: %v", name, err)
		}
	}
	var bruno uuid.UUID
	if err := s.reg.DB().ReadTx(sctx, s.tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM absences WHERE pupil_id = ?`, s.bruno).Row().Scan(&bruno)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Justify(sctx, s.tn, guardian, bruno, attendance.JustificationForm{Motif: s.motif(t, "Maladie")}); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("Alice's guardian justifies Bruno: %v", err)
	}

	pending, err := s.svc.PendingJustifications(sctx, s.tn, s.vs())
	if err != nil || len(pending) != 1 || pending[0].Event.Pupil != "Martin Alice" || pending[0].Comment != "Décès" {
		t.Fatalf("pending: %+v, %v", pending, err)
	}
	if err := s.svc.Answer(sctx, s.tn, s.teacher(), pending[0].ID, true, ""); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a teacher answers: %v", err)
	}
	if err := s.svc.Answer(sctx, s.tn, s.vs(), pending[0].ID, false, "Merci de fournir un justificatif"); err != nil {
		t.Fatal(err)
	}
	if got := s.events(t, s.alice); got != "absence 08:00-09:00 refusee" {
		t.Errorf("after the refusal: %q", got)
	}
	if err := s.svc.Answer(sctx, s.tn, s.vs(), pending[0].ID, true, ""); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("answering twice: %v", err)
	}
	if err := s.svc.Justify(sctx, s.tn, guardian, ev, attendance.JustificationForm{Motif: s.motif(t, "Maladie"), Comment: "Certificat remis"}); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.svc.PendingJustifications(sctx, s.tn, s.vs())
	if err := s.svc.Answer(sctx, s.tn, s.vs(), pending[0].ID, true, "Reçu"); err != nil {
		t.Fatal(err)
	}
	if got := s.events(t, s.alice); got != "absence 08:00-09:00 justifiee" {
		t.Errorf("after the acceptance: %q", got)
	}
	p, _ = s.svc.Pupil(sctx, s.tn, guardian, s.alice)
	var hist []string
	for _, j := range p.Events[0].Justifications {
		hist = append(hist, j.Motif+" "+j.State+" "+j.Answer)
	}
	if got, want := strings.Join(hist, "; "), "Raison familiale refusee Merci de fournir un justificatif; Maladie acceptee Reçu"; got != want {
		t.Errorf("the guardian's history: %q, want %q", got, want)
	}
	if p.Events[0].Justifiable() || p.Events[0].Motif != "Maladie" {
		t.Errorf("justified event: %+v", p.Events[0])
	}
}
