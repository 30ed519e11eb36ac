package timetable

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/web/fault"
)

// holidaysOf reads the holidays as the profile's query gives them (a JSON array).
func holidaysOf(raw string) ([]Holiday, error) {
	if raw == "" {
		return nil, nil
	}
	var rows []struct {
		ID       uuid.UUID
		Label    string
		From, To string // aaaa-mm-jj
	}
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		return nil, fmt.Errorf("timetable: holidays: %w", err)
	}
	out := make([]Holiday, len(rows))
	for i, r := range rows {
		from, err1 := time.Parse(dateLayout, r.From)
		to, err2 := time.Parse(dateLayout, r.To)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("timetable: holiday %s: dates %q–%q", r.ID, r.From, r.To)
		}
		out[i] = Holiday{ID: r.ID, Label: r.Label, From: from, To: to}
	}
	return out, nil
}

// insertHoliday writes a new holiday period.
func (st store) insertHoliday(h Holiday) error {
	if err := st.tx.Exec(`INSERT INTO timetable_holidays (id, label, starts_on, ends_on) VALUES (?, ?, ?, ?)`,
		h.ID, h.Label, h.From.Format(dateLayout), h.To.Format(dateLayout)).Error; err != nil {
		return fmt.Errorf("timetable: insert holiday: %w", err)
	}
	return nil
}

var errHolidayNotFound = fault.New(fault.ErrNotFound, "ces vacances n'existent pas (ou plus)")

// deleteHoliday removes a holiday period.
func (st store) deleteHoliday(id uuid.UUID) error {
	return st.deleteRow("timetable_holidays", id, errHolidayNotFound)
}
