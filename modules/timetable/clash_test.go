package timetable_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestSlotClashes: the form refuses a slot that cannot be held with a stored one (the same
// class, a class and a group sharing pupils, the same teacher, the same room, in weeks and
// dates where both happen), naming the other lesson, and writes nothing; week A against
// week B, disjoint dates, other rooms, two groups of one class and a slot against itself
// are no clash.
func TestSlotClashes(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 14)
	// A second group of 2nde 1 (Bruno; the Spanish group has Alice).
	german := uuid.New()
	s.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'groupe', '2NDE-ALL', 'Allemand 2nde', (SELECT code FROM school_years WHERE current))`, german)
	s.exec(t, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, german, s.bruno)
	s.exec(t, `INSERT INTO subjects (code, label) VALUES ('ALL', 'Allemand')`)
	maths := func(class uuid.UUID, teacher uuid.UUID, room, day, start, end, weeks string) timetable.SlotForm {
		return timetable.SlotForm{ClassID: class.String(), Subject: "MATHS", Teachers: []string{teacher.String()}, Room: room,
			Weekday: day, Start: start, End: end, Weeks: weeks}
	}
	base := s.slot(t, maths(s.class, s.maths, "B12", "mardi", "10:00", "11:00", "A"))
	autumn := timetable.SlotForm{ClassID: s.other.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
		Weekday: "jeudi", Start: "14:00", End: "15:00", From: "01/09/2026", Until: "31/10/2026"}
	s.slot(t, autumn)
	s.slot(t, timetable.SlotForm{ClassID: s.group.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
		Weekday: "mercredi", Start: "09:00", End: "10:00"})
	slots := s.count(t, `SELECT count(*) FROM lesson_slots`)

	withDates := func(f timetable.SlotForm, from, until string) timetable.SlotForm {
		f.From, f.Until = from, until
		return f
	}
	german9 := timetable.SlotForm{ClassID: german.String(), Subject: "ALL", Teachers: []string{s.maths.String()}, Room: "D4",
		Weekday: "mercredi", Start: "09:00", End: "10:00"}
	cases := []struct {
		name  string
		form  timetable.SlotForm
		clash string // "" for none
	}{
		{"the same class, every week against week A", maths(s.class, s.spanish, "C1", "mardi", "10:30", "11:30", ""),
			"Le mardi 10h00–11h00, 2nde 1 a déjà Mathématiques (semaine A)"},
		{"the same teacher in another class", maths(s.other, s.maths, "C1", "mardi", "10:00", "11:00", "all"),
			"Le mardi 10h00–11h00, Mme Lefèvre Claire a déjà Mathématiques en 2nde 1 (semaine A)"},
		{"the same room (any case)", maths(s.other, s.spanish, "b12", "mardi", "09:30", "10:30", "A"),
			"Le mardi 10h00–11h00, la salle B12 est déjà prise (Mathématiques en 2nde 1) (semaine A)"},
		{"a group of the class's pupils", timetable.SlotForm{ClassID: s.group.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
			Weekday: "mardi", Start: "10:00", End: "11:00", Weeks: "A"},
			"Le mardi 10h00–11h00, des élèves de Espagnol 2nde ont déjà Mathématiques en 2nde 1 (semaine A)"},
		{"the class while its group has a lesson", maths(s.class, s.maths, "B12", "mercredi", "09:30", "10:30", ""),
			"Le mercredi 9h00–10h00, des élèves de 2nde 1 ont déjà Espagnol en Espagnol 2nde (toutes les semaines)"},
		{"dates that meet", withDates(maths(s.other, s.maths, "C3", "jeudi", "14:00", "15:00", ""), "15/10/2026", ""),
			"Le jeudi 14h00–15h00, 2nde 2 a déjà Espagnol (toutes les semaines, du 01/09/2026 au 31/10/2026)"},
		{"week B against week A", maths(s.class, s.maths, "B12", "mardi", "10:00", "11:00", "B"), ""},
		{"disjoint dates", withDates(maths(s.other, s.spanish, "C3", "jeudi", "14:00", "15:00", ""), "01/11/2026", ""), ""},
		{"another room, teacher and class at the same time", maths(s.other, s.spanish, "C1", "mardi", "10:00", "11:00", ""), ""},
		{"right after", maths(s.class, s.maths, "B12", "mardi", "11:00", "12:00", ""), ""},
		{"two groups of one class", german9, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sl, err := s.svc.SaveSlot(sctx, s.tn, uuid.Nil, c.form)
			var errs timetable.FormErrors
			switch {
			case c.clash == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.clash == "":
				if err := s.svc.DeleteSlot(sctx, s.tn, sl.ID); err != nil {
					t.Fatal(err)
				}
			case !errors.As(err, &errs) || !strings.HasPrefix(errs["creneau"], c.clash):
				t.Fatalf("error %v;\nwant a clash starting %q", err, c.clash)
			}
			if n := s.count(t, `SELECT count(*) FROM lesson_slots`); n != slots {
				t.Errorf("%d slots, want %d", n, slots)
			}
		})
	}
	t.Run("a slot rewritten does not clash with itself", func(t *testing.T) {
		if _, err := s.svc.SaveSlot(sctx, s.tn, base, maths(s.class, s.maths, "B14", "mardi", "10:00", "11:30", "A")); err != nil {
			t.Fatal(err)
		}
	})
}

// TestImportClashes: the CSV import replaces the slots of the classes it names and checks its
// lines against the slots that stay (the other classes') and against each other, teacher,
// room and class, naming the file, the line and the other lesson.
func TestImportClashes(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 15)
	s.slot(t, timetable.SlotForm{ClassID: s.other.String(), Subject: "MATHS", Teachers: []string{s.maths.String()}, Room: "B12",
		Weekday: "lundi", Start: "08:00", End: "09:00"})
	own := s.slot(t, timetable.SlotForm{ClassID: s.class.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
		Weekday: "mardi", Start: "08:00", End: "09:00"})
	head := "classe;matiere;enseignants;salle;jour;debut;fin;semaines\n"
	importing := func(text string) (*timetable.ImportReport, error) {
		return s.svc.ImportSlots(sctx, s.tn, "edt.csv", strings.NewReader(head+text))
	}
	refused := func(t *testing.T, text string, want ...string) {
		t.Helper()
		_, err := importing(text)
		var bad *timetable.ImportError
		if !errors.As(err, &bad) {
			t.Fatalf("error %v, want a refusal", err)
		}
		got := strings.Join(bad.Lines, "\n")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("refusal lacks %q:\n%s", w, got)
			}
		}
		if n := s.count(t, `SELECT count(*) FROM lesson_slots WHERE id = ?`, own); n != 1 {
			t.Error("a refused import removed a slot")
		}
	}
	t.Run("the teacher has a stored lesson in a class the file keeps", func(t *testing.T) {
		refused(t, "2NDE1;MATHS;"+s.mathsLogin+";B14;lundi;08:30;09:30;\n",
			"edt.csv, ligne 2 : le lundi 8h00–9h00, Mme Lefèvre Claire a déjà Mathématiques en 2nde 2 (toutes les semaines), cours déjà enregistré d'une classe que le fichier ne remplace pas")
	})
	t.Run("the room is taken by a stored lesson", func(t *testing.T) {
		refused(t, "2NDE1;ESP;;B12;lundi;08:00;09:00;\n", "edt.csv, ligne 2 : le lundi 8h00–9h00, la salle B12 est déjà prise (Mathématiques en 2nde 2)")
	})
	t.Run("two lines of the file in one room, one of a class and one of its group", func(t *testing.T) {
		refused(t, "2NDE2;ESP;;D1;jeudi;08:00;09:00;\n2NDE1;MATHS;;D1;jeudi;08:00;09:00;\n2NDE-ESP;ESP;;D2;jeudi;08:30;09:00;\n",
			"edt.csv, ligne 3 : le jeudi 8h00–9h00, la salle D1 est déjà prise (Espagnol en 2nde 2) (toutes les semaines), ligne 2 du fichier",
			"edt.csv, ligne 4 : le jeudi 8h00–9h00, des élèves de Espagnol 2nde ont déjà Mathématiques en 2nde 1 (toutes les semaines), ligne 3 du fichier")
	})
	t.Run("what the file replaces does not clash, nor week A with week B", func(t *testing.T) {
		rep, err := importing("2NDE1;ESP;" + s.spanishLogin + ";C3;mardi;08:00;09:00;\n" +
			"2NDE1;MATHS;" + s.mathsLogin + ";B12;lundi;08:00;09:00;A\n" + // 2nde 2's maths is every week: the teacher clashes
			"")
		var bad *timetable.ImportError
		if !errors.As(err, &bad) || len(bad.Lines) != 1 || !strings.HasPrefix(bad.Lines[0], "edt.csv, ligne 3 :") {
			t.Fatalf("import: %v, %v; want line 3 refused only", rep, err)
		}
		rep, err = importing("2NDE1;ESP;" + s.spanishLogin + ";C3;mardi;08:00;09:00;\n" +
			"2NDE1;MATHS;" + s.mathsLogin + ";B14;lundi;10:00;11:00;A\n" +
			"2NDE2;ESP;;B14;lundi;10:00;11:00;B\n")
		if err != nil || rep.Slots != 3 || rep.Replaced != 2 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
	})
}
