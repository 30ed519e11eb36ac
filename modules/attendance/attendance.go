// Package attendance is the vie scolaire's roll call and absences: per establishment, the
// motifs of absences with their flags and the counting rules; one register (registre
// d'appel) per lesson occurrence of the timetable, or per ad hoc lesson, holding every
// pupil of its roster and what the teacher marked, with the history of later corrections;
// the absences (consecutive lessons merged into one), lateness and early departures it
// gives, with their motif and state; their count in half-days, the CPE's day and the legal
// threshold (Code de l'éducation L131-8); and the figures of a pupil's report card.
package attendance

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/timetable"
)

// Status is what the teacher marked for a pupil in a register.
type Status string

// The marks of the roll call.
const (
	Present   Status = "present"
	Absent    Status = "absent"
	Late      Status = "retard"
	LeftEarly Status = "depart"
)

// ParseStatus reads a status from a form; false when it is none.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case Present, Absent, Late, LeftEarly:
		return st, true
	}
	return "", false
}

// Label is the French name of the status.
func (s Status) Label() string {
	switch s {
	case Absent:
		return "Absent"
	case Late:
		return "En retard"
	case LeftEarly:
		return "Parti avant la fin"
	}
	return "Présent"
}

// Kind is what an event of a pupil is: an absence (one or several consecutive lessons), a
// lateness or an early departure.
type Kind string

// The kinds of events.
const (
	KindAbsence   Kind = "absence"
	KindLateness  Kind = "retard"
	KindLeftEarly Kind = "depart"
)

// Label is the French name of the kind.
func (k Kind) Label() string {
	switch k {
	case KindLateness:
		return "Retard"
	case KindLeftEarly:
		return "Départ anticipé"
	}
	return "Absence"
}

// kindOf is the event a status gives ("" for present).
func kindOf(s Status) Kind {
	switch s {
	case Absent:
		return KindAbsence
	case Late:
		return KindLateness
	case LeftEarly:
		return KindLeftEarly
	}
	return ""
}

// State is where an event stands: pending until the vie scolaire (or, later, a legal
// guardian's accepted justification) gives it a motif.
type State string

// The states of an event.
const (
	Pending     State = "en_attente"
	Justified   State = "justifiee"
	Refused     State = "refusee"
	Unjustified State = "non_justifiee"
)

// Label is the French name of the state.
func (s State) Label() string {
	switch s {
	case Justified:
		return "Justifiée"
	case Refused:
		return "Justification refusée"
	case Unjustified:
		return "Non justifiée"
	}
	return "À traiter"
}

// Motif is a reason of absence of the establishment's list, with its flags.
type Motif struct {
	ID        uuid.UUID
	Label     string
	Justifies bool // the event is justified with it
	OnReport  bool // the event counts on the report card
	Online    bool // legal guardians may choose it online
	Shown     bool // legal guardians see it; otherwise "motif confidentiel"
	Position  int
	Active    bool
}

// Method is how an establishment counts half-days.
type Method string

// The counting methods.
const (
	// Gross: any absence during a half-day counts one half-day.
	Gross Method = "brut"
	// Calculated: a half-day counts the share of its lessons' time the pupil missed.
	Calculated Method = "calcule"
)

// Label is the French name of the method.
func (m Method) Label() string {
	if m == Calculated {
		return "calculée (au prorata des cours de la demi-journée)"
	}
	return "brute (toute absence dans une demi-journée compte une demi-journée)"
}

// Settings are an establishment's counting rules.
type Settings struct {
	Method    Method
	Threshold int // unjustified half-days in a month that call for the report to the DASEN
}

// Slot is one lesson of a pupil as half-days count it: its date and half-day, its length,
// and whether the pupil missed it with a justification or without.
type Slot struct {
	Date      time.Time
	Afternoon bool
	Minutes   int
	Absent    bool
	Justified bool // of an absent slot
}

// Count is a pupil's absences over some dates in half-days and hours.
type Count struct {
	Justified, Unjustified *big.Rat // half-days
	Minutes                int      // time missed
}

// HalfDays counts slots by method m. A half-day is a date's morning or afternoon (the day
// profile's end of the morning splits them when the register is created); one in which the
// pupil had no lesson counts nothing. Gross: a half-day with an absence counts one, as
// unjustified if any of its absences is. Calculated: it counts the missed share of its
// lessons' time, justified and unjustified separately (2 h of a 4 h morning: 0,5).
func HalfDays(slots []Slot, m Method) Count {
	type half struct {
		total, justified, unjustified int
	}
	halves := map[string]*half{}
	var order []string
	c := Count{Justified: new(big.Rat), Unjustified: new(big.Rat)}
	for _, s := range slots {
		k := s.Date.Format("2006-01-02")
		if s.Afternoon {
			k += "/pm"
		}
		h := halves[k]
		if h == nil {
			h = &half{}
			halves[k] = h
			order = append(order, k)
		}
		h.total += s.Minutes
		if !s.Absent {
			continue
		}
		c.Minutes += s.Minutes
		if s.Justified {
			h.justified += s.Minutes
		} else {
			h.unjustified += s.Minutes
		}
	}
	one := big.NewRat(1, 1)
	for _, k := range order {
		h := halves[k]
		switch {
		case h.justified+h.unjustified == 0 || h.total == 0:
		case m == Calculated:
			c.Justified.Add(c.Justified, big.NewRat(int64(h.justified), int64(h.total)))
			c.Unjustified.Add(c.Unjustified, big.NewRat(int64(h.unjustified), int64(h.total)))
		case h.unjustified > 0:
			c.Unjustified.Add(c.Unjustified, one)
		default:
			c.Justified.Add(c.Justified, one)
		}
	}
	return c
}

// Total is the half-days, justified or not.
func (c Count) Total() *big.Rat { return new(big.Rat).Add(c.Justified, c.Unjustified) }

// Decimal writes a count of half-days the French way, to two decimals at most: "2",
// "0,5", "1,33".
func Decimal(r *big.Rat) string {
	if r == nil {
		return "0"
	}
	s := r.FloatString(2)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		s = "0"
	}
	return strings.Replace(s, ".", ",", 1)
}

// Hours writes minutes as "3 h" or "1 h 30".
func Hours(minutes int) string {
	if minutes%60 == 0 {
		return fmt.Sprintf("%d h", minutes/60)
	}
	return fmt.Sprintf("%d h %02d", minutes/60, minutes%60)
}

// Figures are what a report card says of a pupil's period: half-days justified and
// unjustified, hours missed, lateness; only events whose motif counts on the report card
// (or without a motif yet) are in them.
type Figures struct {
	Count
	Lateness int
}

// Text is the report card's line: "2 demi-journées d'absence justifiées, 1 non justifiée,
// cours manqués : 9 h, 3 retards"; "Aucune absence, aucun retard" when there is nothing.
func (f Figures) Text() string {
	if f.Total().Sign() == 0 && f.Lateness == 0 {
		return "Aucune absence, aucun retard"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s demi-journée%s d'absence justifiée%[2]s, %s non justifiée%s", Decimal(f.Justified), plural(f.Justified),
		Decimal(f.Unjustified), plural(f.Unjustified))
	if f.Minutes > 0 {
		fmt.Fprintf(&b, ", cours manqués : %s", Hours(f.Minutes))
	}
	fmt.Fprintf(&b, ", %d retard", f.Lateness)
	if f.Lateness > 1 {
		b.WriteString("s")
	}
	return b.String()
}

func plural(r *big.Rat) string {
	if r.Cmp(big.NewRat(2, 1)) >= 0 {
		return "s"
	}
	return ""
}

// Clock is a time of day as the timetable writes it.
type Clock = timetable.Clock

const dateLayout = "2006-01-02"

// day is a calendar date at midnight UTC, the form PostgreSQL's dates come in.
func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
