package timetable

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Expand turns slots and their exceptions into the lessons that take place from from to to
// (dates, both included), in order of date, start and class. A slot gives an occurrence on
// each of its weekdays within its date range, in its weeks (A/B counted from weekA). An
// exception then applies to the occurrence of its date: a cancelled one is kept with status
// annule (the views show it struck through; the roll call skips it), a moved one is listed on
// its new date and time only (so a lesson moved into the range from outside it is listed too,
// and one moved out of it is not), a replaced one names the replacement as its teacher. An
// exception on a date the slot does not give is ignored. Holidays of the calendar give no
// lesson, not even one moved onto them.
func Expand(slots []Slot, exceptions []Exception, from, to time.Time, cal Calendar) []Lesson {
	from, to = day(from), day(to)
	// Each date's week and holiday, worked out once for all the slots.
	type dateInfo struct {
		ab  Weeks
		off bool
	}
	infos := map[time.Time]dateInfo{}
	info := func(d time.Time) dateInfo {
		i, ok := infos[d]
		if !ok {
			i = dateInfo{ab: cal.WeekOf(d), off: cal.off(d)}
			infos[d] = i
		}
		return i
	}
	byKey := map[string]Exception{}
	extra := map[uuid.UUID][]time.Time{} // occurrences outside the range moved into it
	for _, e := range exceptions {
		e.Date = day(e.Date)
		byKey[e.SlotID.String()+"/"+e.Date.Format(dateLayout)] = e
		if e.Kind == Moved && within(day(e.NewDate), from, to) && !within(e.Date, from, to) {
			extra[e.SlotID] = append(extra[e.SlotID], e.Date)
		}
	}
	var out []Lesson
	for _, s := range slots {
		dates := slices.Clone(extra[s.ID])
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			dates = append(dates, d)
		}
		for _, d := range dates {
			if i := info(d); i.off || !s.heldIn(d, i.ab) {
				continue
			}
			l := s.occurrence(d)
			if e, ok := byKey[l.Key()]; ok {
				l = e.apply(l)
			}
			if within(l.On, from, to) && !info(l.On).off {
				out = append(out, l)
			}
		}
	}
	slices.SortFunc(out, func(a, b Lesson) int {
		return cmp.Or(a.On.Compare(b.On), cmp.Compare(a.Start, b.Start), cmp.Compare(a.Group.Label, b.Group.Label), cmp.Compare(a.Subject.Label, b.Subject.Label))
	})
	return out
}

func within(d, from, to time.Time) bool { return !d.Before(from) && !d.After(to) }

// heldOn tells whether the slot gives an occurrence on date d of the calendar.
func (s Slot) heldOn(d time.Time, cal Calendar) bool {
	return !cal.off(d) && s.heldIn(d, cal.WeekOf(d))
}

// heldIn tells whether the slot gives an occurrence on date d, of a week ab.
func (s Slot) heldIn(d time.Time, ab Weeks) bool {
	if d.Weekday() != s.Weekday || !within(d, day(s.From), day(s.Until)) {
		return false
	}
	return s.Weeks == EveryWeek || s.Weeks == "" || ab == s.Weeks
}

// occurrence is the slot's lesson on date d, as planned.
func (s Slot) occurrence(d time.Time) Lesson {
	return Lesson{SlotID: s.ID, Date: d, On: d, Start: s.Start, End: s.End, Group: s.Group, Subject: s.Subject,
		Teachers: s.Teachers, Room: s.Room, Status: Planned, FromStart: s.Start, FromRoom: s.Room}
}

// apply changes the planned lesson l as the exception says.
func (e Exception) apply(l Lesson) Lesson {
	l.Note = e.Note
	switch e.Kind {
	case Cancelled:
		l.Status = StatusAnnule
	case Moved:
		l.Status = StatusDeplace
		if !e.NewDate.IsZero() {
			l.On = day(e.NewDate)
		}
		if e.NewEnd > e.NewStart {
			l.Start, l.End = e.NewStart, e.NewEnd
		}
		if e.NewRoom != "" {
			l.Room = e.NewRoom
		}
	case Replaced:
		if e.Replacement != nil {
			l.Status, l.Planned, l.Teachers = StatusRempl, l.Teachers, []Person{*e.Replacement}
		}
	}
	return l
}
