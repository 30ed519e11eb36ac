package timetable_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

var sctx = context.Background()

// school is a lycée with a real, migrated schema and a small directory written in SQL:
// class 2NDE1 (Alice, Bruno), a Spanish group (Alice), class 2NDE2 (Zoé), Alice's legal
// guardian and a non-legal relative, two teachers and a director; the clock at
// testenv.SchoolDay (Monday 5 October 2026, a week B).
type school struct {
	reg   *tenant.Registry
	tn    *tenant.Tenant
	svc   *timetable.Service
	clock *testenv.Clock

	class, group, other      uuid.UUID
	alice, bruno, zoe        uuid.UUID
	guardian, relative       uuid.UUID
	maths, spanish, director uuid.UUID
	mathsLogin, spanishLogin string
}

func newSchool(t testing.TB, reg *tenant.Registry, n int) *school {
	t.Helper()
	s := &school{reg: reg, clock: testenv.NewClock(testenv.SchoolDay)}
	s.svc = timetable.NewService(reg.DB(), s.clock.Now)
	s.tn = tenanttest.Provision(t, reg, tenanttest.UAI(33, n), "Lycée de test", "lycee")
	for _, p := range []*uuid.UUID{&s.class, &s.group, &s.other, &s.alice, &s.bruno, &s.zoe, &s.guardian, &s.relative, &s.maths, &s.spanish, &s.director} {
		*p = uuid.New()
	}
	year, start, end := directory.SchoolYearOf(s.clock.Now())
	s.exec(t, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true)`, year, start, end)
	s.exec(t, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('ESP', 'Espagnol')`)
	s.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) VALUES
		(?, 'classe', '2NDE1', '2nde 1', ?), (?, 'groupe', '2NDE-ESP', 'Espagnol 2nde', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		s.class, year, s.group, year, s.other, year)
	s.mathsLogin, s.spanishLogin = "claire.lefevre"+suffix(n), "paul.moreau"+suffix(n)
	person := func(id uuid.UUID, category, roles, title, last, first, login string) {
		s.exec(t, `INSERT INTO people (id, category, roles, title, last_name, first_name, login) VALUES (?, ?, ?::text[], ?, ?, ?, ?)`,
			id, category, roles, title, last, first, login)
	}
	person(s.alice, "eleve", "{eleve}", "", "Martin", "Alice", "")
	person(s.bruno, "eleve", "{eleve}", "", "Bernard", "Bruno", "")
	person(s.zoe, "eleve", "{eleve}", "", "Roux", "Zoé", "")
	person(s.guardian, "responsable", "{responsable}", "M.", "Martin", "Gérard", "")
	person(s.relative, "responsable", "{responsable}", "Mme", "Martin", "Odette", "")
	person(s.maths, "personnel", "{enseignant}", "Mme", "Lefèvre", "Claire", s.mathsLogin)
	person(s.spanish, "personnel", "{enseignant}", "M.", "Moreau", "Paul", s.spanishLogin)
	person(s.director, "personnel", "{direction}", "Mme", "Fournier", "Sophie", "")
	s.exec(t, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?), (?, ?)`,
		s.class, s.alice, s.class, s.bruno, s.group, s.alice, s.other, s.zoe)
	s.exec(t, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, false, 2)`,
		s.alice, s.guardian, s.alice, s.relative)
	return s
}

func suffix(n int) string { return "." + string(rune('a'+n%26)) }

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

// slot saves a slot through the service.
func (s *school) slot(t testing.TB, f timetable.SlotForm) uuid.UUID {
	t.Helper()
	sl, err := s.svc.SaveSlot(sctx, s.tn, uuid.Nil, f)
	if err != nil {
		t.Fatalf("save slot %+v: %v", f, err)
	}
	return sl.ID
}

func (s *school) actor(id uuid.UUID, r identity.Role) timetable.Actor {
	return timetable.Actor{PersonID: id, Roles: []identity.Role{r}}
}

// weekText is a week's lessons as "lundi 08:00 MATHS 2nde 1 B12 prevu" lines.
func weekText(w *timetable.Week) string {
	var b strings.Builder
	for _, d := range w.Days {
		for _, l := range d.Lessons {
			b.WriteString(d.Date.Format("02/01") + " " + l.Start.String() + " " + l.Subject.Code + " " + l.Group.Label + " " + l.Room + " " + string(l.Status) + "\n")
		}
	}
	return b.String()
}

// TestServiceWeeks: slots and exceptions through the service, expanded for the roll call's
// day, a pupil's, a teacher's and a room's week; who may see a pupil's week.
func TestServiceWeeks(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 1)
	if _, err := s.svc.SaveProfile(sctx, s.tn, timetable.ProfileForm{Codes: []string{"M1", "M2", "S1"}, Starts: []string{"08:00", "08:55", "13:30"},
		Ends: []string{"08:55", "09:50", "14:25"}, MorningEnds: "12:30"}); err != nil {
		t.Fatal(err)
	}
	maths := s.slot(t, timetable.SlotForm{ClassID: s.class.String(), Subject: "MATHS", Teachers: []string{s.maths.String()}, Room: "B12",
		Weekday: "lundi", Start: "M1", End: "M2"})
	spanishB := s.slot(t, timetable.SlotForm{ClassID: s.group.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
		Weekday: "mardi", Start: "S1", End: "S1", Weeks: "B"})
	s.slot(t, timetable.SlotForm{ClassID: s.group.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
		Weekday: "mercredi", Start: "10:00", End: "11:00", Weeks: "A"})
	s.slot(t, timetable.SlotForm{ClassID: s.other.String(), Subject: "MATHS", Teachers: []string{s.maths.String()}, Room: "B12",
		Weekday: "lundi", Start: "13:30", End: "14:25"})
	monday := timetable.Monday(s.clock.Now())

	t.Run("the roll call's day", func(t *testing.T) {
		got, err := s.svc.LessonsOn(sctx, s.tn, monday)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Group.Label != "2nde 1" || got[0].StartsAt().Format("15:04") != "08:00" || got[0].EndsAt().Format("15:04") != "09:50" ||
			got[1].Group.Label != "2nde 2" || len(got[0].Teachers) != 1 || got[0].Teachers[0].ID != s.maths {
			t.Fatalf("lessons of Monday = %+v", got)
		}
	})

	t.Run("exceptions", func(t *testing.T) {
		tuesday := monday.AddDate(0, 0, 1).Format("2006-01-02")
		if err := s.svc.SaveException(sctx, s.tn, spanishB, timetable.ExceptionForm{Date: tuesday, Kind: "remplace", Replacement: s.maths.String()}); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.SaveException(sctx, s.tn, maths, timetable.ExceptionForm{Date: monday.Format("2006-01-02"), Kind: "deplace",
			NewDate: monday.AddDate(0, 0, 3).Format("2006-01-02"), NewStart: "15:00", NewEnd: "16:00", NewRoom: "Gymnase"}); err != nil {
			t.Fatal(err)
		}
		var errs timetable.FormErrors
		err := s.svc.SaveException(sctx, s.tn, maths, timetable.ExceptionForm{Date: tuesday, Kind: "annule"})
		if !errors.As(err, &errs) || !strings.Contains(errs["date"], "n'a pas cours") {
			t.Errorf("an exception on a day without the lesson: %v", err)
		}
		w, err := s.svc.PupilWeek(sctx, s.tn, s.actor(s.alice, identity.RoleEleve), s.alice, s.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := "06/10 13:30 ESP Espagnol 2nde C3 remplace\n08/10 15:00 MATHS 2nde 1 Gymnase deplace\n"
		if got := weekText(w); got != want || w.AB != timetable.WeekB || w.Title != "Alice Martin – 2nde 1" {
			t.Errorf("Alice's week (%s, %s):\n%s\nwant:\n%s", w.Title, w.AB, got, want)
		}
		tw, err := s.svc.TeacherWeek(sctx, s.tn, s.actor(s.maths, identity.RoleEnseignant), s.maths, monday)
		if err != nil {
			t.Fatal(err)
		}
		want = "05/10 13:30 MATHS 2nde 2 B12 prevu\n06/10 13:30 ESP Espagnol 2nde C3 remplace\n08/10 15:00 MATHS 2nde 1 Gymnase deplace\n"
		if got := weekText(tw); got != want {
			t.Errorf("the maths teacher's week (she replaces in Spanish):\n%s\nwant:\n%s", got, want)
		}
		rw, err := s.svc.RoomWeek(sctx, s.tn, s.actor(s.director, identity.RoleDirection), "b12", monday)
		if err != nil {
			t.Fatal(err)
		}
		if got := weekText(rw); got != "05/10 13:30 MATHS 2nde 2 B12 prevu\n" {
			t.Errorf("B12's week (the 2nde 1 maths moved to the gym):\n%s", got)
		}
		next, err := s.svc.PupilWeek(sctx, s.tn, s.actor(s.alice, identity.RoleEleve), s.alice, monday.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		if got := weekText(next); got != "12/10 08:00 MATHS 2nde 1 B12 prevu\n14/10 10:00 ESP Espagnol 2nde C3 prevu\n" || next.AB != timetable.WeekA {
			t.Errorf("Alice's next week (A):\n%s", got)
		}
		moved, err := s.svc.LessonAt(sctx, s.tn, maths, monday)
		if err != nil || moved.Status != timetable.StatusDeplace || moved.On.Format("02/01") != "08/10" || moved.Room != "Gymnase" {
			t.Errorf("the moved lesson by its key: %+v, %v", moved, err)
		}
		if _, err := s.svc.LessonAt(sctx, s.tn, maths, monday.AddDate(0, 0, 1)); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a date the slot does not give: %v", err)
		}
		if err := s.svc.DeleteException(sctx, s.tn, maths, monday.Format("2006-01-02")); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.svc.LessonsOn(sctx, s.tn, monday); len(got) != 2 || got[0].Status != timetable.Planned {
			t.Errorf("after deleting the move, Monday = %+v", got)
		}
	})

	t.Run("who sees a pupil's week", func(t *testing.T) {
		cases := []struct {
			name  string
			actor timetable.Actor
			pupil uuid.UUID
			sees  bool
		}{
			{"herself", s.actor(s.alice, identity.RoleEleve), s.alice, true},
			{"another pupil", s.actor(s.bruno, identity.RoleEleve), s.alice, false},
			{"her legal guardian", s.actor(s.guardian, identity.RoleResponsable), s.alice, true},
			{"a relative who is not a legal guardian", s.actor(s.relative, identity.RoleResponsable), s.alice, false},
			{"her guardian, for another pupil", s.actor(s.guardian, identity.RoleResponsable), s.zoe, false},
			{"a teacher (staff)", s.actor(s.spanish, identity.RoleEnseignant), s.zoe, true},
			{"the director", s.actor(s.director, identity.RoleDirection), s.alice, true},
			{"no one", timetable.Actor{}, s.alice, false},
			{"a teacher is not a pupil", s.actor(s.director, identity.RoleDirection), s.maths, false},
		}
		for _, c := range cases {
			w, err := s.svc.PupilWeek(sctx, s.tn, c.actor, c.pupil, monday)
			switch {
			case c.sees && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case !c.sees && (err == nil || !errors.Is(err, fault.ErrNotFound)):
				t.Errorf("%s: week %v, error %v; want not found", c.name, w, err)
			}
		}
		if _, err := s.svc.TeacherWeek(sctx, s.tn, s.actor(s.alice, identity.RoleEleve), s.maths, monday); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a pupil reads a teacher's week: %v", err)
		}
		if _, err := s.svc.RoomWeek(sctx, s.tn, s.actor(s.guardian, identity.RoleResponsable), "B12", monday); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a parent reads a room's week: %v", err)
		}
	})

	t.Run("another establishment sees nothing", func(t *testing.T) {
		o := newSchool(t, reg, 2)
		got, err := o.svc.LessonsOn(sctx, o.tn, monday)
		if err != nil || len(got) != 0 {
			t.Errorf("the other lycée's Monday: %v, %v", got, err)
		}
		if _, err := o.svc.PupilWeek(sctx, o.tn, o.actor(o.director, identity.RoleDirection), s.alice, monday); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Alice's week read through the other lycée: %v", err)
		}
		if _, _, err := o.svc.Slot(sctx, o.tn, maths); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the slot read through the other lycée: %v", err)
		}
		if err := o.svc.DeleteSlot(sctx, o.tn, maths); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the slot deleted through the other lycée: %v", err)
		}
		if n := s.count(t, `SELECT count(*) FROM lesson_slots`); n != 4 {
			t.Errorf("%d slots left, want 4", n)
		}
	})
}

// TestSlotFormErrors: a form in error names each field and writes nothing.
func TestSlotFormErrors(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 3)
	_, err := s.svc.SaveSlot(sctx, s.tn, uuid.Nil, timetable.SlotForm{ClassID: uuid.NewString(), Subject: "SVT", Teachers: []string{s.alice.String()},
		Weekday: "dimanche", Start: "9:00", End: "8:00", Weeks: "C", From: "31/02/2027"})
	var errs timetable.FormErrors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v, want FormErrors", err)
	}
	for _, field := range []string{"classe", "matiere", "enseignants", "jour", "fin", "semaines", "du"} {
		if errs[field] == "" {
			t.Errorf("no error for %s in %v", field, errs)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM lesson_slots`); n != 0 {
		t.Errorf("%d slots written", n)
	}
}
