package timetable

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// store is the timetable's SQL, bound to one tenant transaction (the service opens it). The
// directory's tables (people, classes, class_members, subjects, school_years) are read here
// as the school's structure; who is whose legal guardian is asked of the directory.
type store struct{ tx *gorm.DB }

// minutes reads a time column as minutes after midnight.
func minutes(col string) string { return "(extract(epoch FROM " + col + ") / 60)::int" }

// personName is how lessons name a teacher: "Mme Lefèvre Claire".
const personName = `concat_ws(' ', nullif(p.title, ''), p.last_name, p.first_name)`

// profile reads the day profile and the calendar in one statement (every lesson read needs
// them): an establishment that never saved one has no periods, a morning ending at 12:30 and
// its week A from the school year's first week. Periods and holidays come as JSON arrays.
func (st store) profile() (Profile, error) {
	var set struct {
		MorningEnds       int
		WeekA             *time.Time
		YearStart         *time.Time
		ABThroughHolidays bool
		Periods           string
		Holidays          string
	}
	if err := st.tx.Raw(`SELECT coalesce(` + minutes("s.morning_ends") + `, 750) AS morning_ends, s.week_a, coalesce(s.ab_through_holidays, false) AS ab_through_holidays,
			(SELECT starts_on FROM school_years WHERE current) AS year_start,
			(SELECT json_agg(json_build_object('code', code, 'start', ` + minutes("starts_at") + `, 'end', ` + minutes("ends_at") + `) ORDER BY starts_at)
				FROM timetable_periods) AS periods,
			(SELECT json_agg(json_build_object('id', id, 'label', label, 'from', starts_on, 'to', ends_on) ORDER BY starts_on, label)
				FROM timetable_holidays) AS holidays
		FROM (SELECT) AS one LEFT JOIN timetable_settings s ON true`).Scan(&set).Error; err != nil {
		return Profile{}, fmt.Errorf("timetable: day profile: %w", err)
	}
	p := Profile{MorningEnds: Clock(set.MorningEnds)}
	p.ABThroughHolidays = set.ABThroughHolidays
	switch {
	case set.WeekA != nil:
		p.WeekA = day(*set.WeekA)
	case set.YearStart != nil:
		p.WeekA = Monday(*set.YearStart)
	}
	if set.Periods != "" {
		var rows []struct {
			Code       string
			Start, End int
		}
		if err := json.Unmarshal([]byte(set.Periods), &rows); err != nil {
			return Profile{}, fmt.Errorf("timetable: periods of the day: %w", err)
		}
		for _, r := range rows {
			p.Periods = append(p.Periods, Period{Code: r.Code, Start: Clock(r.Start), End: Clock(r.End)})
		}
	}
	var err error
	if p.Holidays, err = holidaysOf(set.Holidays); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// saveProfile replaces the day profile.
func (st store) saveProfile(p Profile) error {
	var weekA any
	if !p.WeekA.IsZero() {
		weekA = p.WeekA.Format(dateLayout)
	}
	if err := st.tx.Exec(`INSERT INTO timetable_settings (id, morning_ends, week_a, ab_through_holidays) VALUES (true, ?::time, ?::date, ?)
		ON CONFLICT (id) DO UPDATE SET morning_ends = excluded.morning_ends, week_a = excluded.week_a, ab_through_holidays = excluded.ab_through_holidays`,
		p.MorningEnds.String(), weekA, p.ABThroughHolidays).Error; err != nil {
		return fmt.Errorf("timetable: save the day profile: %w", err)
	}
	if err := st.tx.Exec(`DELETE FROM timetable_periods`).Error; err != nil {
		return fmt.Errorf("timetable: replace the periods: %w", err)
	}
	for _, pe := range p.Periods {
		if err := st.tx.Exec(`INSERT INTO timetable_periods (code, starts_at, ends_at) VALUES (?, ?::time, ?::time)`,
			pe.Code, pe.Start.String(), pe.End.String()).Error; err != nil {
			return fmt.Errorf("timetable: save period %s: %w", pe.Code, err)
		}
	}
	return nil
}

// yearBounds is the current school year's code, first and last day.
func (st store) yearBounds() (string, time.Time, time.Time, error) {
	var y struct {
		Code             string
		StartsOn, EndsOn time.Time
	}
	if err := st.tx.Raw(`SELECT code, starts_on, ends_on FROM school_years WHERE current`).Scan(&y).Error; err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("timetable: current school year: %w", err)
	}
	if y.Code == "" {
		return "", time.Time{}, time.Time{}, fault.New(fault.ErrNotFound, "aucune année scolaire n'est ouverte dans cet établissement : importez l'annuaire de l'année pour l'ouvrir")
	}
	return y.Code, day(y.StartsOn), day(y.EndsOn), nil
}

// filter chooses the slots a week view or a day's list reads.
type filter struct {
	all      bool
	classIDs []uuid.UUID
	teacher  uuid.UUID
	room     string
	slotID   uuid.UUID
	weekday  time.Weekday // with all: only the slots of that weekday (the clash check's)
}

type slotRow struct {
	ID                               uuid.UUID
	ClassID                          uuid.UUID
	ClassKind, ClassCode, ClassLabel string
	SubjectCode, SubjectLabel, Room  string
	Weekday, Starts, Ends            int
	Weeks                            string
	ValidFrom, ValidUntil            time.Time
	Teachers                         string // JSON
}

// slots reads the slots of f held at some date from from to to, or with an occurrence
// moved into those dates.
func (st store) slots(f filter, from, to time.Time) ([]Slot, error) {
	var where []string
	var args []any
	switch {
	case f.slotID != uuid.Nil:
		where, args = append(where, "s.id = ?"), append(args, f.slotID)
	case f.all:
	case f.classIDs != nil:
		where, args = append(where, "s.class_id IN ?"), append(args, f.classIDs)
	case f.teacher != uuid.Nil:
		where = append(where, `(s.id IN (SELECT slot_id FROM lesson_slot_teachers WHERE teacher_id = ?)
			OR s.id IN (SELECT slot_id FROM lesson_exceptions WHERE replacement_id = ?))`)
		args = append(args, f.teacher, f.teacher)
	case f.room != "":
		where = append(where, `(lower(s.room) = lower(?) OR s.id IN (SELECT slot_id FROM lesson_exceptions WHERE lower(new_room) = lower(?)))`)
		args = append(args, f.room, f.room)
	default:
		return nil, nil
	}
	if f.weekday != 0 {
		where, args = append(where, "s.weekday = ?"), append(args, isoWeekday(f.weekday))
	}
	if !from.IsZero() {
		// Held in the range: its dates meet the range and, for less than a week, on one of
		// the range's weekdays (a day's list reads a fifth of the slots); or moved into it.
		held := `s.valid_from <= ? AND s.valid_until >= ?`
		args = append(args, to.Format(dateLayout), from.Format(dateLayout))
		if days := daysBetween(from, to) + 1; days < 7 {
			var wds []int
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				wds = append(wds, isoWeekday(d.Weekday()))
			}
			held += ` AND s.weekday IN ?`
			args = append(args, wds)
		}
		where = append(where, `(`+held+` OR EXISTS (SELECT 1 FROM lesson_exceptions e WHERE e.slot_id = s.id AND e.new_date BETWEEN ? AND ?))`)
		args = append(args, from.Format(dateLayout), to.Format(dateLayout))
	}
	q := `SELECT s.id, s.class_id, c.kind AS class_kind, c.code AS class_code, c.label AS class_label,
			s.subject_code, coalesce(sub.label, s.subject_code) AS subject_label, s.room, s.weekday,
			` + minutes("s.starts_at") + ` AS starts, ` + minutes("s.ends_at") + ` AS ends, s.weeks, s.valid_from, s.valid_until
		FROM lesson_slots s JOIN classes c ON c.id = s.class_id LEFT JOIN subjects sub ON sub.code = s.subject_code`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.label, s.weekday, s.starts_at"
	var rows []slotRow
	if err := st.tx.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("timetable: slots: %w", err)
	}
	out := make([]Slot, len(rows))
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i] = Slot{ID: r.ID, Group: Group{ID: r.ClassID, Kind: r.ClassKind, Code: r.ClassCode, Label: r.ClassLabel},
			Subject: Subject{Code: r.SubjectCode, Label: r.SubjectLabel}, Room: r.Room, Weekday: weekdayOf(r.Weekday),
			Start: Clock(r.Starts), End: Clock(r.Ends), Weeks: Weeks(r.Weeks), From: day(r.ValidFrom), Until: day(r.ValidUntil)}
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	// The teachers of every slot in one more query (a subquery per row cost 40 µs a slot).
	var teachers []struct {
		SlotID, ID uuid.UUID
		Name       string
	}
	if err := st.tx.Raw(`SELECT t.slot_id, p.id, `+personName+` AS name FROM lesson_slot_teachers t JOIN people p ON p.id = t.teacher_id
		WHERE t.slot_id IN ? ORDER BY p.last_name, p.first_name`, ids).Scan(&teachers).Error; err != nil {
		return nil, fmt.Errorf("timetable: teachers of %d slots: %w", len(ids), err)
	}
	at := make(map[uuid.UUID]int, len(out))
	for i, sl := range out {
		at[sl.ID] = i
	}
	for _, p := range teachers {
		i := at[p.SlotID]
		out[i].Teachers = append(out[i].Teachers, Person{ID: p.ID, Name: p.Name})
	}
	return out, nil
}

// exceptions reads the exceptions of slots whose date or new date is from from to to (zero
// from: every one of them).
func (st store) exceptions(slots []Slot, from, to time.Time) ([]Exception, error) {
	if len(slots) == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, len(slots))
	for i, s := range slots {
		ids[i] = s.ID
	}
	q := `SELECT e.slot_id, e.on_date, e.kind, e.new_date, ` + minutes("e.new_starts_at") + ` AS new_start, ` + minutes("e.new_ends_at") + ` AS new_end,
			coalesce(e.new_room, '') AS new_room, e.replacement_id, coalesce(` + personName + `, '') AS replacement_name, e.note
		FROM lesson_exceptions e LEFT JOIN people p ON p.id = e.replacement_id WHERE e.slot_id IN ?`
	args := []any{ids}
	if !from.IsZero() {
		q += ` AND (e.on_date BETWEEN ? AND ? OR e.new_date BETWEEN ? AND ?)`
		f, t := from.Format(dateLayout), to.Format(dateLayout)
		args = append(args, f, t, f, t)
	}
	var rows []struct {
		SlotID          uuid.UUID
		OnDate          time.Time
		Kind            string
		NewDate         *time.Time
		NewStart        *int
		NewEnd          *int
		NewRoom         string
		ReplacementID   *uuid.UUID
		ReplacementName string
		Note            string
	}
	if err := st.tx.Raw(q+` ORDER BY e.on_date`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("timetable: exceptions: %w", err)
	}
	out := make([]Exception, len(rows))
	for i, r := range rows {
		e := Exception{SlotID: r.SlotID, Date: day(r.OnDate), Kind: ExceptionKind(r.Kind), NewRoom: r.NewRoom, Note: r.Note}
		if r.NewDate != nil {
			e.NewDate = day(*r.NewDate)
		}
		if r.NewStart != nil && r.NewEnd != nil {
			e.NewStart, e.NewEnd = Clock(*r.NewStart), Clock(*r.NewEnd)
		}
		if r.ReplacementID != nil {
			e.Replacement = &Person{ID: *r.ReplacementID, Name: r.ReplacementName}
		}
		out[i] = e
	}
	return out, nil
}

// insertSlot writes a new slot and its teachers.
func (st store) insertSlot(s Slot) error {
	if err := st.tx.Exec(`INSERT INTO lesson_slots (id, class_id, subject_code, room, weekday, starts_at, ends_at, weeks, valid_from, valid_until)
		VALUES (?, ?, ?, ?, ?, ?::time, ?::time, ?, ?, ?)`, s.ID, s.Group.ID, s.Subject.Code, s.Room, isoWeekday(s.Weekday),
		s.Start.String(), s.End.String(), string(s.Weeks), s.From.Format(dateLayout), s.Until.Format(dateLayout)).Error; err != nil {
		return fmt.Errorf("timetable: insert slot: %w", err)
	}
	return st.setTeachers(s)
}

// updateSlot rewrites a slot and its teachers; its exceptions stay.
func (st store) updateSlot(s Slot) error {
	res := st.tx.Exec(`UPDATE lesson_slots SET class_id = ?, subject_code = ?, room = ?, weekday = ?, starts_at = ?::time, ends_at = ?::time,
		weeks = ?, valid_from = ?, valid_until = ?, updated_at = now() WHERE id = ?`, s.Group.ID, s.Subject.Code, s.Room, isoWeekday(s.Weekday),
		s.Start.String(), s.End.String(), string(s.Weeks), s.From.Format(dateLayout), s.Until.Format(dateLayout), s.ID)
	if res.Error != nil {
		return fmt.Errorf("timetable: update slot %s: %w", s.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return errSlotNotFound
	}
	if err := st.tx.Exec(`DELETE FROM lesson_slot_teachers WHERE slot_id = ?`, s.ID).Error; err != nil {
		return fmt.Errorf("timetable: teachers of slot %s: %w", s.ID, err)
	}
	return st.setTeachers(s)
}

func (st store) setTeachers(s Slot) error {
	for _, p := range s.Teachers {
		if err := st.tx.Exec(`INSERT INTO lesson_slot_teachers (slot_id, teacher_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, s.ID, p.ID).Error; err != nil {
			return fmt.Errorf("timetable: teacher of slot %s: %w", s.ID, err)
		}
	}
	return nil
}

var errSlotNotFound = fault.New(fault.ErrNotFound, "ce créneau n'existe pas (ou plus)")

// deleteSlot removes a slot with its teachers and exceptions.
func (st store) deleteSlot(id uuid.UUID) error {
	return st.deleteRow("lesson_slots", id, errSlotNotFound)
}

// deleteRow removes the row id of table (one of the timetable's): notFound if there is none.
func (st store) deleteRow(table string, id uuid.UUID, notFound error) error {
	res := st.tx.Exec(`DELETE FROM `+table+` WHERE id = ?`, id)
	if res.Error != nil {
		return fmt.Errorf("timetable: delete %s %s: %w", table, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound
	}
	return nil
}

// deleteSlotsOf removes every slot of the classes and groups ids.
func (st store) deleteSlotsOf(ids []uuid.UUID) (int64, error) {
	res := st.tx.Exec(`DELETE FROM lesson_slots WHERE class_id IN ?`, ids)
	if res.Error != nil {
		return 0, fmt.Errorf("timetable: replace the slots of %d classes: %w", len(ids), res.Error)
	}
	return res.RowsAffected, nil
}

// saveException writes the exception of its slot's date, replacing any.
func (st store) saveException(e Exception) error {
	var newDate, newStart, newEnd, newRoom, repl any
	if e.Kind == Moved {
		newDate, newStart, newEnd = e.NewDate.Format(dateLayout), e.NewStart.String(), e.NewEnd.String()
		if e.NewRoom != "" {
			newRoom = e.NewRoom
		}
	}
	if e.Kind == Replaced && e.Replacement != nil {
		repl = e.Replacement.ID
	}
	if err := st.tx.Exec(`INSERT INTO lesson_exceptions (slot_id, on_date, kind, new_date, new_starts_at, new_ends_at, new_room, replacement_id, note)
		VALUES (?, ?, ?, ?::date, ?::time, ?::time, ?, ?, ?)
		ON CONFLICT (slot_id, on_date) DO UPDATE SET kind = excluded.kind, new_date = excluded.new_date, new_starts_at = excluded.new_starts_at,
			new_ends_at = excluded.new_ends_at, new_room = excluded.new_room, replacement_id = excluded.replacement_id, note = excluded.note, created_at = now()`,
		e.SlotID, e.Date.Format(dateLayout), string(e.Kind), newDate, newStart, newEnd, newRoom, repl, e.Note).Error; err != nil {
		return fmt.Errorf("timetable: save exception of %s on %s: %w", e.SlotID, e.Date.Format(dateLayout), err)
	}
	return nil
}

// deleteException removes the exception of slot on date.
func (st store) deleteException(slot uuid.UUID, date time.Time) error {
	res := st.tx.Exec(`DELETE FROM lesson_exceptions WHERE slot_id = ? AND on_date = ?`, slot, date.Format(dateLayout))
	if res.Error != nil {
		return fmt.Errorf("timetable: delete exception of %s: %w", slot, res.Error)
	}
	if res.RowsAffected == 0 {
		return fault.New(fault.ErrNotFound, "aucune modification de ce cours à cette date")
	}
	return nil
}
