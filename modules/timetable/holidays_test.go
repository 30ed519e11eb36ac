package timetable_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// TestCalendarWeeks: A/B weeks skip the weeks entirely in holidays (Monday to Friday), unless
// the establishment counts them; a holiday only on some days of a week does not pause it.
func TestCalendarWeeks(t *testing.T) {
	toussaint := timetable.Holiday{Label: "Vacances de la Toussaint", From: d(2026, 10, 17), To: d(2026, 11, 1)}
	oneWeek := timetable.Holiday{Label: "Fermeture", From: d(2026, 11, 16), To: d(2026, 11, 20)}
	bridge := timetable.Holiday{Label: "Pont", From: d(2026, 12, 3), To: d(2026, 12, 4)}
	cal := timetable.Calendar{WeekA: d(2026, 8, 31), Holidays: []timetable.Holiday{toussaint, oneWeek, bridge}}
	through := cal
	through.ABThroughHolidays = true
	cases := []struct {
		week          time.Time
		skip, through timetable.Weeks
	}{
		{d(2026, 10, 12), timetable.WeekA, timetable.WeekA}, // the week before Toussaint
		{d(2026, 11, 2), timetable.WeekB, timetable.WeekB},  // after two weeks off: the next week either way
		{d(2026, 11, 9), timetable.WeekA, timetable.WeekA},  // the week before the one-week closure
		{d(2026, 11, 23), timetable.WeekB, timetable.WeekA}, // after it: B follows A only when holiday weeks do not count
		{d(2026, 12, 7), timetable.WeekB, timetable.WeekA},  // a two-day bridge pauses nothing
		{d(2026, 8, 24), timetable.WeekB, timetable.WeekB},  // before the reference week
		{d(2026, 11, 25), timetable.WeekB, timetable.WeekA}, // any day of the week
		{d(2026, 10, 7), timetable.WeekB, timetable.WeekB},  // the week of testenv.SchoolDay
		{d(2027, 1, 4), timetable.WeekB, timetable.WeekA},   // later in the year, the one week still counts
		{d(2026, 11, 18), timetable.WeekB, timetable.WeekB}, // inside the closure: as the week after it
	}
	for _, c := range cases {
		if got := cal.WeekOf(c.week); got != c.skip {
			t.Errorf("week of %s, holiday weeks skipped: %s, want %s", c.week.Format("02/01/2006"), got, c.skip)
		}
		if got := through.WeekOf(c.week); got != c.through {
			t.Errorf("week of %s, holiday weeks counted: %s, want %s", c.week.Format("02/01/2006"), got, c.through)
		}
	}
	if h, ok := cal.HolidayOn(time.Date(2026, 10, 20, 10, 0, 0, 0, timetable.Zone)); !ok || h.Label != toussaint.Label {
		t.Errorf("20 October: %v, %v", h, ok)
	}
	if _, ok := cal.HolidayOn(d(2026, 11, 2)); ok {
		t.Error("2 November (school resumes) is a holiday")
	}
}

// TestHolidays: through the service, with the clock on Monday 12 October 2026 (the week
// before Toussaint): no lesson on a holiday (the roll call's day, the week views, the
// calendar feed), A/B across the holidays, no exception on a holiday, the holidays form's
// errors, and another establishment's holidays are not this one's.
func TestHolidays(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 16)
	s.clock.Set(time.Date(2026, 10, 12, 9, 0, 0, 0, timetable.Zone))
	if _, err := s.svc.SaveProfile(sctx, s.tn, timetable.ProfileForm{MorningEnds: "12:30", WeekA: "2026-08-31"}); err != nil {
		t.Fatal(err)
	}
	maths := s.slot(t, timetable.SlotForm{ClassID: s.class.String(), Subject: "MATHS", Teachers: []string{s.maths.String()}, Room: "B12",
		Weekday: "lundi", Start: "08:00", End: "09:00"})
	s.slot(t, timetable.SlotForm{ClassID: s.group.String(), Subject: "ESP", Teachers: []string{s.spanish.String()}, Room: "C3",
		Weekday: "mardi", Start: "10:00", End: "11:00", Weeks: "A"})
	toussaint, err := s.svc.AddHoliday(sctx, s.tn, timetable.HolidayForm{Label: " Vacances de  la Toussaint ", From: "17/10/2026", To: "2026-11-01"})
	if err != nil {
		t.Fatal(err)
	}
	alice := s.actor(s.alice, identity.RoleEleve)

	t.Run("no lesson on a holiday", func(t *testing.T) {
		for _, c := range []struct {
			day  time.Time
			want int
		}{{d(2026, 10, 12), 1}, {d(2026, 10, 19), 0}, {d(2026, 10, 26), 0}, {d(2026, 11, 2), 1}} {
			got, err := s.svc.LessonsOn(sctx, s.tn, c.day)
			if err != nil || len(got) != c.want {
				t.Errorf("lessons of %s: %d (%v), want %d", c.day.Format("02/01"), len(got), err, c.want)
			}
		}
		if _, err := s.svc.LessonAt(sctx, s.tn, maths, d(2026, 10, 19)); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the lesson of a holiday by its key: %v", err)
		}
		var errs timetable.FormErrors
		if err := s.svc.SaveException(sctx, s.tn, maths, timetable.ExceptionForm{Date: "2026-10-19", Kind: "annule"}); !errors.As(err, &errs) ||
			errs["date"] != "Le 19/10/2026 est pendant « Vacances de la Toussaint » : aucun cours n'a lieu." {
			t.Errorf("an exception on a holiday: %v", err)
		}
		// A lesson moved into the holidays does not take place either.
		if err := s.svc.SaveException(sctx, s.tn, maths, timetable.ExceptionForm{Date: "2026-10-12", Kind: "deplace", NewDate: "2026-10-20"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.svc.LessonsOn(sctx, s.tn, d(2026, 10, 20)); len(got) != 0 {
			t.Errorf("a lesson moved onto a holiday: %+v", got)
		}
		if err := s.svc.DeleteException(sctx, s.tn, maths, "2026-10-12"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the week views say which days are holidays", func(t *testing.T) {
		w, err := s.svc.PupilWeek(sctx, s.tn, alice, s.alice, d(2026, 10, 21))
		if err != nil {
			t.Fatal(err)
		}
		if weekText(w) != "" || len(w.Days) != 5 || w.Days[0].Holiday != "Vacances de la Toussaint" || w.Days[4].Holiday == "" {
			t.Errorf("Alice's week in the holidays: %+v", w.Days)
		}
		for _, c := range []struct {
			monday time.Time
			ab     timetable.Weeks
			lines  string
		}{
			{d(2026, 10, 12), timetable.WeekA, "12/10 08:00 MATHS 2nde 1 B12 prevu\n13/10 10:00 ESP Espagnol 2nde C3 prevu\n"},
			{d(2026, 11, 2), timetable.WeekB, "02/11 08:00 MATHS 2nde 1 B12 prevu\n"},
			{d(2026, 11, 9), timetable.WeekA, "09/11 08:00 MATHS 2nde 1 B12 prevu\n10/11 10:00 ESP Espagnol 2nde C3 prevu\n"},
		} {
			w, err := s.svc.PupilWeek(sctx, s.tn, alice, s.alice, c.monday)
			if err != nil || w.AB != c.ab || weekText(w) != c.lines {
				t.Errorf("week of %s: %v, %v:\n%s\nwant %s:\n%s", c.monday.Format("02/01"), err, w.AB, weekText(w), c.ab, c.lines)
			}
		}
	})
	t.Run("the calendar feed skips the holidays", func(t *testing.T) {
		secret, err := s.svc.NewFeedSecret(sctx, s.tn, s.alice)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := s.svc.Feed(sctx, s.tn, secret)
		if err != nil {
			t.Fatal(err)
		}
		body := cal.Serialize()
		for _, want := range []string{"DTSTART:20261012T060000Z", "DTSTART:20261102T070000Z"} {
			if !strings.Contains(body, want) {
				t.Errorf("feed lacks %q", want)
			}
		}
		for _, not := range []string{"DTSTART:20261019T", "DTSTART:20261020T", "DTSTART:20261026T", "DTSTART:20261027T"} {
			if strings.Contains(body, not) {
				t.Errorf("feed has a lesson in the holidays: %q", not)
			}
		}
	})
	t.Run("the roll call opens no register on a holiday", func(t *testing.T) {
		roll := attendance.NewService(reg.DB(), s.svc, s.clock.Now)
		for _, day := range []time.Time{d(2026, 10, 12), d(2026, 10, 19)} {
			if err := roll.EnsureDay(sctx, s.tn, day); err != nil {
				t.Fatal(err)
			}
		}
		if n := s.count(t, `SELECT count(*) FROM registers WHERE on_date = '2026-10-19'`); n != 0 {
			t.Errorf("%d registers on 19 October", n)
		}
		if n := s.count(t, `SELECT count(*) FROM registers WHERE on_date = '2026-10-12'`); n != 1 {
			t.Errorf("%d registers on 12 October, want 1", n)
		}
	})
	t.Run("the holidays form", func(t *testing.T) {
		for _, c := range []struct {
			form         timetable.HolidayForm
			field, error string
		}{
			{timetable.HolidayForm{From: "21/12/2026", To: "03/01/2027"}, "libelle", "Indiquez le nom"},
			{timetable.HolidayForm{Label: "Noël", From: "32/12/2026", To: "03/01/2027"}, "du", "illisible"},
			{timetable.HolidayForm{Label: "Noël", From: "03/01/2027", To: "21/12/2026"}, "au", "précède"},
			{timetable.HolidayForm{Label: "Noël", From: "01/09/2026", To: "01/09/2027"}, "au", "au plus 100 jours"},
			{timetable.HolidayForm{Label: "Pont", From: "01/11/2026", To: "02/11/2026"}, "du", "chevauchent « Vacances de la Toussaint » (du 17/10/2026 au 01/11/2026)"},
		} {
			_, err := s.svc.AddHoliday(sctx, s.tn, c.form)
			var errs timetable.FormErrors
			if !errors.As(err, &errs) || !strings.Contains(errs[c.field], c.error) {
				t.Errorf("%+v: %v; want %s: %q", c.form, err, c.field, c.error)
			}
		}
		if n := s.count(t, `SELECT count(*) FROM timetable_holidays`); n != 1 {
			t.Errorf("%d holidays, want 1", n)
		}
	})
	t.Run("the establishment's A/B setting", func(t *testing.T) {
		closure, err := s.svc.AddHoliday(sctx, s.tn, timetable.HolidayForm{Label: "Fermeture", From: "16/11/2026", To: "20/11/2026"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.svc.DeleteHoliday(sctx, s.tn, closure.ID)
		for _, c := range []struct {
			through bool
			ab      timetable.Weeks
		}{{false, timetable.WeekB}, {true, timetable.WeekA}, {false, timetable.WeekB}} {
			if _, err := s.svc.SaveProfile(sctx, s.tn, timetable.ProfileForm{MorningEnds: "12:30", WeekA: "2026-08-31", ABThroughHolidays: c.through}); err != nil {
				t.Fatal(err)
			}
			p, err := s.svc.Profile(sctx, s.tn)
			if err != nil || p.ABThroughHolidays != c.through {
				t.Fatalf("profile: %+v, %v", p, err)
			}
			w, err := s.svc.PupilWeek(sctx, s.tn, alice, s.alice, d(2026, 11, 23))
			if err != nil || w.AB != c.ab {
				t.Errorf("holiday weeks counted %v: the week after the closure is %v (%v), want %v", c.through, w.AB, err, c.ab)
			}
		}
	})
	t.Run("another establishment", func(t *testing.T) {
		o := newSchool(t, reg, 17)
		if hs, err := o.svc.Holidays(sctx, o.tn); err != nil || len(hs) != 0 {
			t.Errorf("the other lycée's holidays: %v, %v", hs, err)
		}
		if err := o.svc.DeleteHoliday(sctx, o.tn, toussaint.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Toussaint deleted through the other lycée: %v", err)
		}
		if _, err := o.svc.Holiday(sctx, o.tn, toussaint.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Toussaint read through the other lycée: %v", err)
		}
	})
	t.Run("deleted, the holidays have lessons again", func(t *testing.T) {
		if err := s.svc.DeleteHoliday(sctx, s.tn, toussaint.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.svc.LessonsOn(sctx, s.tn, d(2026, 10, 19)); len(got) != 1 {
			t.Errorf("19 October after the deletion: %+v", got)
		}
		if err := s.svc.DeleteHoliday(sctx, s.tn, uuid.New()); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("an unknown holiday: %v", err)
		}
	})
}
