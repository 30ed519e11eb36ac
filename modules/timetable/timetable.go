// Package timetable is the establishment's timetable (emploi du temps): the day profile
// (named periods M1…S4, the end of the morning half-day, the A/B reference week), weekly
// lesson slots of classes and groups, exceptions on given dates (cancelled, moved, replaced
// teacher), and their expansion into the concrete lessons of a day or a week, which the
// week views, the iCalendar feeds and the roll call read (Service.LessonsOn).
package timetable

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Clock is a time of day in minutes after midnight (8:30 is 510).
type Clock int

// ParseClock reads "8:30", "08:30", "8h30", "8h" or "08:30:00".
func ParseClock(s string) (Clock, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	h, m, found := strings.Cut(strings.ReplaceAll(s, "h", ":"), ":")
	if !found {
		return 0, false
	}
	m, _, _ = strings.Cut(m, ":") // seconds, as PostgreSQL writes a time
	if m == "" {
		m = "0"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(h) > 2 || len(m) > 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return Clock(hh*60 + mm), true
}

// String is the time as PostgreSQL and forms read it: "08:30".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// French is the time as shown: "8h30".
func (c Clock) French() string { return fmt.Sprintf("%dh%02d", int(c)/60, int(c)%60) }

// On is the instant of c on day, in the establishments' zone.
func (c Clock) On(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), int(c)/60, int(c)%60, 0, 0, Zone)
}

// Weeks says which weeks a slot is held.
type Weeks string

// Every week, or one week in two (week A, week B).
const (
	EveryWeek Weeks = "all"
	WeekA     Weeks = "A"
	WeekB     Weeks = "B"
)

// Label is the French name of the weeks.
func (w Weeks) Label() string {
	switch w {
	case WeekA:
		return "semaine A"
	case WeekB:
		return "semaine B"
	}
	return "toutes les semaines"
}

// Period is a named period of the day profile (M1 08:00–08:55).
type Period struct {
	Code  string
	Start Clock
	End   Clock
}

// Profile is an establishment's day profile and its calendar (A/B weeks, holidays).
type Profile struct {
	Periods     []Period
	MorningEnds Clock // end of the morning half-day
	Calendar
}

// Calendar says which days have school and whether a week is a week A or B.
type Calendar struct {
	// WeekA is a Monday of a week A; A and B alternate from it. Zero: the Monday of the week of
	// the school year's first day.
	WeekA time.Time
	// Holidays are the establishment's holiday periods (vacances scolaires), by first day: no
	// lesson takes place on their days.
	Holidays []Holiday
	// ABThroughHolidays: a week entirely in holidays flips A/B like any other. False (the
	// default): only weeks with school count, so that the week after the holidays follows the
	// week before them (what most timetable tools do; the direction may choose).
	ABThroughHolidays bool
}

// Holiday is a holiday period, its first and last days included.
type Holiday struct {
	ID    uuid.UUID
	Label string // "Vacances de la Toussaint"
	From  time.Time
	To    time.Time
}

// HolidayOn is the holiday period d falls in, if any.
func (c Calendar) HolidayOn(d time.Time) (Holiday, bool) {
	d = day(d)
	for _, h := range c.Holidays {
		if within(d, day(h.From), day(h.To)) {
			return h, true
		}
	}
	return Holiday{}, false
}

// off tells whether d is a holiday.
func (c Calendar) off(d time.Time) bool {
	_, ok := c.HolidayOn(d)
	return ok
}

// WeekOf tells whether d falls in a week A or B: weeks alternate from WeekA, skipping the
// weeks entirely in holidays unless ABThroughHolidays.
func (c Calendar) WeekOf(d time.Time) Weeks {
	a, m := Monday(c.WeekA), Monday(d)
	n := daysBetween(a, m) / 7
	if !c.ABThroughHolidays && len(c.Holidays) > 0 {
		if n >= 0 {
			n -= c.offWeeks(a, m)
		} else {
			n += c.offWeeks(m, a)
		}
	}
	if n%2 == 0 {
		return WeekA
	}
	return WeekB
}

// allOff tells whether every date from from to to is a holiday.
func (c Calendar) allOff(from, to time.Time) bool {
	for d := day(from); !d.After(day(to)); d = d.AddDate(0, 0, 1) {
		if !c.off(d) {
			return false
		}
	}
	return len(c.Holidays) > 0
}

// offWeeks counts the weeks from the Monday lo (included) to the Monday hi (excluded) whose
// Monday to Friday are all holidays (a Saturday of lessons does not make a week of school).
func (c Calendar) offWeeks(lo, hi time.Time) int {
	seen := map[time.Time]bool{}
	for _, h := range c.Holidays {
		for m := Monday(h.From); !m.After(day(h.To)); m = m.AddDate(0, 0, 7) {
			if seen[m] || m.Before(lo) || !m.Before(hi) {
				continue
			}
			whole := true
			for i := range 5 {
				whole = whole && c.off(m.AddDate(0, 0, i))
			}
			if whole {
				seen[m] = true
			}
		}
	}
	return len(seen)
}

// Period returns the profile's period of that code.
func (p Profile) Period(code string) (Period, bool) {
	for _, pe := range p.Periods {
		if strings.EqualFold(pe.Code, code) {
			return pe, true
		}
	}
	return Period{}, false
}

// WeekOf tells whether day falls in a week A or B, counting every week from weekA (no
// holidays: Calendar.WeekOf counts them).
func WeekOf(day, weekA time.Time) Weeks { return Calendar{WeekA: weekA}.WeekOf(day) }

// Person is a teacher as a lesson names them.
type Person struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"` // "Mme Lefèvre Claire"
}

// Group is the class or group a slot is for.
type Group struct {
	ID    uuid.UUID `json:"id"`
	Kind  string    `json:"kind"` // classe or groupe
	Code  string    `json:"code"`
	Label string    `json:"label"`
}

// Subject is a subject of the directory.
type Subject struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Slot is a weekly lesson of a class or group.
type Slot struct {
	ID       uuid.UUID
	Group    Group
	Subject  Subject
	Teachers []Person
	Room     string
	Weekday  time.Weekday // Monday…Saturday
	Start    Clock
	End      Clock
	Weeks    Weeks
	From     time.Time // first date it is held (a date: midnight UTC, as PostgreSQL gives it)
	Until    time.Time // last date
}

// ExceptionKind is what happens to one occurrence of a slot.
type ExceptionKind string

// The exceptions.
const (
	Cancelled ExceptionKind = "annule"
	Moved     ExceptionKind = "deplace"
	Replaced  ExceptionKind = "remplace"
)

// Exception changes the occurrence of a slot on Date.
type Exception struct {
	SlotID uuid.UUID
	Date   time.Time // the occurrence's date as the slot gives it
	Kind   ExceptionKind
	// Moved: where and when it takes place instead (each defaults to the slot's).
	NewDate  time.Time
	NewStart Clock
	NewEnd   Clock
	NewRoom  string
	// Replaced: who teaches instead of the slot's teachers.
	Replacement *Person
	Note        string
}

// Status is the state of a lesson occurrence.
type Status string

// The statuses of an occurrence.
const (
	Planned       Status = "prevu"
	StatusAnnule  Status = "annule"
	StatusDeplace Status = "deplace"
	StatusRempl   Status = "remplace"
)

// Label is the French name of the status ("" when the lesson is as planned).
func (s Status) Label() string {
	switch s {
	case StatusAnnule:
		return "Annulé"
	case StatusDeplace:
		return "Déplacé"
	case StatusRempl:
		return "Remplacement"
	}
	return ""
}

// Lesson is one occurrence of a slot: what the week views show and the roll call registers.
// SlotID and Date identify it for good (a moved lesson keeps them).
type Lesson struct {
	SlotID   uuid.UUID
	Date     time.Time // the date the slot gives it
	On       time.Time // the date it takes place (Date unless moved)
	Start    Clock
	End      Clock
	Group    Group
	Subject  Subject
	Teachers []Person // who teaches it (the replacement, when replaced)
	Planned  []Person // the slot's teachers, when replaced
	Room     string
	Status   Status
	Note     string
	// Moved: the slot's own time and room, for "initialement le lundi 5 à 8h00".
	FromStart Clock
	FromRoom  string
}

// Key identifies the occurrence: the slot and its date.
func (l Lesson) Key() string { return l.SlotID.String() + "/" + l.Date.Format(dateLayout) }

// StartsAt and EndsAt are the lesson's instants in the establishments' zone.
func (l Lesson) StartsAt() time.Time { return l.Start.On(l.On) }

// EndsAt is the lesson's end.
func (l Lesson) EndsAt() time.Time { return l.End.On(l.On) }

// Taught tells whether the lesson takes place (not cancelled): the roll call registers those.
func (l Lesson) Taught() bool { return l.Status != StatusAnnule }

// HasTeacher tells whether id teaches the lesson or was to teach it before a replacement.
func (l Lesson) HasTeacher(id uuid.UUID) bool {
	for _, ps := range [][]Person{l.Teachers, l.Planned} {
		for _, p := range ps {
			if p.ID == id {
				return true
			}
		}
	}
	return false
}

const dateLayout = "2006-01-02"

// day is a calendar date at midnight UTC, the form PostgreSQL's dates come in: dates are
// compared and stepped without any zone's daylight saving.
func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// Monday is the Monday of the week of t, as a date.
func Monday(t time.Time) time.Time {
	d := day(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func daysBetween(a, b time.Time) int { return int(day(b).Sub(day(a)).Hours() / 24) }

// isoWeekday is 1 for Monday … 7 for Sunday.
func isoWeekday(d time.Weekday) int { return (int(d)+6)%7 + 1 }

// weekdayOf is the inverse of isoWeekday.
func weekdayOf(iso int) time.Weekday { return time.Weekday(iso % 7) }
