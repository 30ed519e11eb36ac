package timetable_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// date is a calendar date as the store gives them.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// expandFixture: a maths slot of 2nde 1 every Monday 8:00–9:55 in B12, an A-week physics
// slot on Tuesday and a B-week one on Wednesday, and a Latin slot valid only in October;
// week A is the week of Monday 31 August 2026 (the school year's first), so the week of
// testenv.SchoolDay (Monday 5 October 2026, 5 weeks later) is a week B.
type expandFixture struct {
	maths, physA, physB, latin timetable.Slot
	teacher, other             timetable.Person
	weekA                      time.Time
}

func newExpandFixture() expandFixture {
	f := expandFixture{weekA: date(2026, 8, 31),
		teacher: timetable.Person{ID: uuid.New(), Name: "Mme Lefèvre Claire"}, other: timetable.Person{ID: uuid.New(), Name: "M. Moreau Paul"}}
	g := timetable.Group{ID: uuid.New(), Kind: "classe", Code: "2NDE1", Label: "2nde 1"}
	year := func(s timetable.Slot) timetable.Slot {
		s.ID, s.Group, s.Teachers = uuid.New(), g, []timetable.Person{f.teacher}
		if s.From.IsZero() {
			s.From, s.Until = date(2026, 9, 1), date(2027, 7, 3)
		}
		if s.Weeks == "" {
			s.Weeks = timetable.EveryWeek
		}
		return s
	}
	f.maths = year(timetable.Slot{Subject: timetable.Subject{Code: "MATHS", Label: "Mathématiques"}, Room: "B12", Weekday: time.Monday, Start: 480, End: 595})
	f.physA = year(timetable.Slot{Subject: timetable.Subject{Code: "PC", Label: "Physique-chimie"}, Room: "L1", Weekday: time.Tuesday, Start: 600, End: 655, Weeks: timetable.WeekA})
	f.physB = year(timetable.Slot{Subject: timetable.Subject{Code: "PC", Label: "Physique-chimie"}, Room: "L1", Weekday: time.Wednesday, Start: 600, End: 655, Weeks: timetable.WeekB})
	f.latin = year(timetable.Slot{Subject: timetable.Subject{Code: "LATIN", Label: "Latin"}, Weekday: time.Friday, Start: 840, End: 895,
		From: date(2026, 10, 1), Until: date(2026, 10, 31)})
	return f
}

func (f expandFixture) slots() []timetable.Slot {
	return []timetable.Slot{f.maths, f.physA, f.physB, f.latin}
}

// lessonsText writes lessons as "2026-10-05 MATHS 08:00-09:55 B12 prevu", one per line.
func lessonsText(ls []timetable.Lesson) string {
	var b strings.Builder
	for _, l := range ls {
		names := make([]string, len(l.Teachers))
		for i, p := range l.Teachers {
			names[i] = p.Name
		}
		b.WriteString(l.On.Format("2006-01-02") + " " + l.Subject.Code + " " + l.Start.String() + "-" + l.End.String() + " " + l.Room + " " + string(l.Status) + " " + strings.Join(names, ",") + "\n")
	}
	return b.String()
}

// The week of the clock's day, then the weeks around it, as a week view asks.
func TestExpandWeeks(t *testing.T) {
	f := newExpandFixture()
	clock := testenv.NewClock(testenv.SchoolDay)
	monday := timetable.Monday(clock.Now())
	if got := timetable.WeekOf(monday, f.weekA); got != timetable.WeekB {
		t.Fatalf("week of %s = %s, want B (five weeks after week A)", monday.Format("2006-01-02"), got)
	}
	cases := []struct {
		name   string
		monday time.Time
		want   string
	}{
		{"week B: Wednesday's B-week physics, the October Latin", monday,
			"2026-10-05 MATHS 08:00-09:55 B12 prevu Mme Lefèvre Claire\n" +
				"2026-10-07 PC 10:00-10:55 L1 prevu Mme Lefèvre Claire\n" +
				"2026-10-09 LATIN 14:00-14:55  prevu Mme Lefèvre Claire\n"},
		{"week A: Tuesday's A-week physics", monday.AddDate(0, 0, 7),
			"2026-10-12 MATHS 08:00-09:55 B12 prevu Mme Lefèvre Claire\n" +
				"2026-10-13 PC 10:00-10:55 L1 prevu Mme Lefèvre Claire\n" +
				"2026-10-16 LATIN 14:00-14:55  prevu Mme Lefèvre Claire\n"},
		{"after the Latin's date range (November, week B)", date(2026, 11, 2),
			"2026-11-02 MATHS 08:00-09:55 B12 prevu Mme Lefèvre Claire\n" +
				"2026-11-04 PC 10:00-10:55 L1 prevu Mme Lefèvre Claire\n"},
		{"before the school year", date(2026, 8, 24), ""},
		{"the year's last week: slots end on 3 July", date(2027, 7, 5), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lessonsText(timetable.Expand(f.slots(), nil, c.monday, c.monday.AddDate(0, 0, 5), timetable.Calendar{WeekA: f.weekA}))
			if got != c.want {
				t.Errorf("lessons of the week of %s:\n%s\nwant:\n%s", c.monday.Format("2006-01-02"), got, c.want)
			}
		})
	}
}

// Each kind of exception on the Monday maths of the clock's week.
func TestExpandExceptions(t *testing.T) {
	f := newExpandFixture()
	clock := testenv.NewClock(testenv.SchoolDay)
	monday := timetable.Monday(clock.Now())
	sunday := monday.AddDate(0, 0, 6)
	on := func(e timetable.Exception) []timetable.Exception {
		e.SlotID, e.Date = f.maths.ID, monday
		return []timetable.Exception{e}
	}
	mathsOnly := []timetable.Slot{f.maths}
	cases := []struct {
		name       string
		exceptions []timetable.Exception
		from, to   time.Time
		want       string
	}{
		{"cancelled: kept, with its status", on(timetable.Exception{Kind: timetable.Cancelled, Note: "sortie"}), monday, sunday,
			"2026-10-05 MATHS 08:00-09:55 B12 annule Mme Lefèvre Claire\n"},
		{"moved within the week: on its new day, time and room only",
			on(timetable.Exception{Kind: timetable.Moved, NewDate: monday.AddDate(0, 0, 3), NewStart: 840, NewEnd: 955, NewRoom: "C3"}), monday, sunday,
			"2026-10-08 MATHS 14:00-15:55 C3 deplace Mme Lefèvre Claire\n"},
		{"moved to the next week: gone from this one",
			on(timetable.Exception{Kind: timetable.Moved, NewDate: monday.AddDate(0, 0, 8), NewStart: 480, NewEnd: 595}), monday, sunday, ""},
		{"moved from the previous week: listed in the week it takes place",
			on(timetable.Exception{Kind: timetable.Moved, NewDate: monday.AddDate(0, 0, 8), NewStart: 480, NewEnd: 595}), monday.AddDate(0, 0, 7), sunday.AddDate(0, 0, 7),
			"2026-10-13 MATHS 08:00-09:55 B12 deplace Mme Lefèvre Claire\n2026-10-12 MATHS 08:00-09:55 B12 prevu Mme Lefèvre Claire\n"},
		{"moved room only", on(timetable.Exception{Kind: timetable.Moved, NewDate: monday, NewStart: 480, NewEnd: 595, NewRoom: "CDI"}), monday, sunday,
			"2026-10-05 MATHS 08:00-09:55 CDI deplace Mme Lefèvre Claire\n"},
		{"replaced teacher", on(timetable.Exception{Kind: timetable.Replaced, Replacement: &f.other}), monday, sunday,
			"2026-10-05 MATHS 08:00-09:55 B12 remplace M. Moreau Paul\n"},
		{"an exception on a date the slot does not give is ignored",
			[]timetable.Exception{{SlotID: f.maths.ID, Date: monday.AddDate(0, 0, 1), Kind: timetable.Cancelled}}, monday, sunday,
			"2026-10-05 MATHS 08:00-09:55 B12 prevu Mme Lefèvre Claire\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := timetable.Expand(mathsOnly, c.exceptions, c.from, c.to, timetable.Calendar{WeekA: f.weekA})
			if text := lessonsText(got); text != sortedWant(c.want) {
				t.Errorf("lessons:\n%s\nwant:\n%s", text, sortedWant(c.want))
			}
			for _, l := range got {
				if l.SlotID != f.maths.ID {
					t.Errorf("lesson %s of slot %s", l.Key(), l.SlotID)
				}
				if l.Status == timetable.StatusRempl && (!l.HasTeacher(f.teacher.ID) || !l.HasTeacher(f.other.ID) || len(l.Planned) != 1) {
					t.Errorf("a replaced lesson names its planned teacher and the replacement: %+v", l)
				}
				if l.Taught() == (l.Status == timetable.StatusAnnule) {
					t.Errorf("%s: Taught() = %v with status %s", l.Key(), l.Taught(), l.Status)
				}
			}
		})
	}
}

// sortedWant orders the expected lines by date, as Expand does.
func sortedWant(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if s == "" {
		return ""
	}
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && lines[j] < lines[j-1]; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// The moved lesson keeps its key: the slot and the date the slot gives it.
func TestLessonKeyOfMovedLesson(t *testing.T) {
	f := newExpandFixture()
	monday := timetable.Monday(testenv.SchoolDay)
	got := timetable.Expand([]timetable.Slot{f.maths}, []timetable.Exception{{SlotID: f.maths.ID, Date: monday, Kind: timetable.Moved,
		NewDate: monday.AddDate(0, 0, 2), NewStart: 480, NewEnd: 595}}, monday, monday.AddDate(0, 0, 5), timetable.Calendar{WeekA: f.weekA})
	if len(got) != 1 || got[0].Key() != f.maths.ID.String()+"/2026-10-05" || !got[0].On.Equal(date(2026, 10, 7)) {
		t.Fatalf("moved lesson = %+v", got)
	}
	if s := got[0].StartsAt(); s.Hour() != 8 || s.Location() != timetable.Zone || s.Format("2006-01-02") != "2026-10-07" {
		t.Errorf("starts at %s, want 8:00 Paris on 7 October", s)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"8:30": 510, "08:30": 510, "8h30": 510, "8h": 480, "08:30:00": 510, "17H05": 1025} {
		if c, ok := timetable.ParseClock(in); !ok || int(c) != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, c, ok, want)
		}
	}
	for _, in := range []string{"", "8", "24:00", "8:60", "abc", "8:300"} {
		if _, ok := timetable.ParseClock(in); ok {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}
