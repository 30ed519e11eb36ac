package attendance

import (
	"testing"
	"time"
)

// TestHalfDays: the worked examples of the issue, for both methods, and half-days without
// lessons counting nothing.
func TestHalfDays(t *testing.T) {
	mon := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	tue := mon.AddDate(0, 0, 1)
	hour := func(d time.Time, pm, absent, justified bool) Slot {
		return Slot{Date: d, Afternoon: pm, Minutes: 60, Absent: absent, Justified: justified}
	}
	// A 4 h morning and a 2 h afternoon on Monday.
	day := func(abs ...bool) []Slot {
		return []Slot{hour(mon, false, abs[0], false), hour(mon, false, abs[1], false), hour(mon, false, abs[2], false), hour(mon, false, abs[3], false),
			hour(mon, true, abs[4], false), hour(mon, true, abs[5], false)}
	}
	cases := []struct {
		name                   string
		slots                  []Slot
		method                 Method
		justified, unjustified string
		minutes                int
	}{
		{"a morning and an afternoon absence = 2 (gross)", day(true, false, false, false, true, false), Gross, "0", "2", 120},
		{"a morning and an afternoon absence = 2 (calculated, whole half-days)", day(true, true, true, true, true, true), Calculated, "0", "2", 360},
		{"two slots of the same morning = 1 (gross)", day(true, true, false, false, false, false), Gross, "0", "1", 120},
		{"2 h of a 4 h morning = 0,5 (calculated)", day(true, true, false, false, false, false), Calculated, "0", "0,5", 120},
		{"1 h of a 2 h afternoon and 1 h of a 4 h morning = 0,75 (calculated)", day(true, false, false, false, true, false), Calculated, "0", "0,75", 120},
		{"present all day = 0", day(false, false, false, false, false, false), Gross, "0", "0", 0},
		{"a half-day without lessons counts nothing", []Slot{hour(tue, false, true, true)}, Gross, "1", "0", 60},
		{"a justified and an unjustified absence in one morning: unjustified (gross)",
			[]Slot{hour(mon, false, true, true), hour(mon, false, true, false)}, Gross, "0", "1", 120},
		{"the same, calculated: half each",
			[]Slot{hour(mon, false, true, true), hour(mon, false, true, false)}, Calculated, "0,5", "0,5", 120},
		{"one hour of three: 0,33 (calculated)",
			[]Slot{hour(mon, false, true, false), hour(mon, false, false, false), hour(mon, false, false, false)}, Calculated, "0", "0,33", 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := HalfDays(c.slots, c.method)
			if Decimal(got.Justified) != c.justified || Decimal(got.Unjustified) != c.unjustified || got.Minutes != c.minutes {
				t.Errorf("got %s justified, %s unjustified, %d min; want %s, %s, %d", Decimal(got.Justified), Decimal(got.Unjustified), got.Minutes,
					c.justified, c.unjustified, c.minutes)
			}
		})
	}
}

func TestFiguresText(t *testing.T) {
	f := Figures{Count: HalfDays([]Slot{{Date: time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC), Minutes: 90, Absent: true}}, Gross), Lateness: 2}
	if got, want := f.Text(), "0 demi-journée d'absence justifiée, 1 non justifiée, cours manqués : 1 h 30, 2 retards"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	if got := (Figures{Count: HalfDays(nil, Gross)}).Text(); got != "Aucune absence, aucun retard" {
		t.Errorf("nothing: %q", got)
	}
}
