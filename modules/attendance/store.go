package attendance

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// store is the attendance's SQL, bound to one tenant transaction (the service opens it).
// The directory's tables (people, classes, class_members) are read as the school's
// structure; who is whose legal guardian is asked of the directory.
type store struct{ tx *gorm.DB }

// minutes reads a time column (or interval) as minutes.
func minutes(col string) string { return "(extract(epoch FROM " + col + ") / 60)::int" }

const registerCols = `r.id, r.slot_id, r.lesson_date, r.on_date, ` + `(extract(epoch FROM r.starts_at) / 60)::int AS starts,
	(extract(epoch FROM r.ends_at) / 60)::int AS ends, r.afternoon, r.class_id, r.class_label, r.subject_label, r.teacher_ids::text AS teacher_ids,
	r.teachers, r.kind, r.label, r.taken_at, r.taken_by, coalesce((SELECT concat_ws(' ', p.first_name, p.last_name) FROM people p WHERE p.id = r.taken_by), '') AS taken_by_name`

type registerRow struct {
	ID                       uuid.UUID
	SlotID                   *uuid.UUID
	LessonDate, OnDate       time.Time
	Starts, Ends             int
	Afternoon                bool
	ClassID                  uuid.UUID
	ClassLabel, SubjectLabel string
	TeacherIDs               string // {uuid,…}
	Teachers, Kind, Label    string
	TakenAt                  *time.Time
	TakenBy                  *uuid.UUID
	TakenByName              string
}

func (r registerRow) register() Register {
	out := Register{ID: r.ID, LessonDate: day(r.LessonDate), OnDate: day(r.OnDate), Start: Clock(r.Starts), End: Clock(r.Ends),
		Afternoon: r.Afternoon, ClassID: r.ClassID, ClassLabel: r.ClassLabel, Subject: r.SubjectLabel, Teachers: r.Teachers,
		AdHoc: r.Kind == "ponctuel", Label: r.Label, TakenAt: r.TakenAt, TakenBy: r.TakenByName}
	if r.SlotID != nil {
		out.SlotID = *r.SlotID
	}
	for _, s := range strings.Split(strings.Trim(r.TeacherIDs, "{}"), ",") {
		if id, err := uuid.Parse(s); err == nil {
			out.TeacherIDs = append(out.TeacherIDs, id)
		}
	}
	return out
}

// uuidArray is a uuid[] literal for a ?::uuid[] parameter.
func uuidArray(ids []uuid.UUID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// upsertRegisters creates the registers of a day's lessons, or brings those not yet taken
// up to date (a replacement named since, a moved lesson), and returns the ids of the new
// ones.
func (st store) upsertRegisters(rs []Register) ([]uuid.UUID, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	var values []string
	var args []any
	for _, r := range rs {
		values = append(values, "(?::uuid, ?::date, ?::date, ?::time, ?::time, ?::boolean, ?::uuid, ?, ?, ?::uuid[], ?)")
		args = append(args, r.SlotID, r.LessonDate.Format(dateLayout), r.OnDate.Format(dateLayout), r.Start.String(), r.End.String(), r.Afternoon,
			r.ClassID, r.ClassLabel, r.Subject, uuidArray(r.TeacherIDs), r.Teachers)
	}
	rows, err := st.tx.Raw(`INSERT INTO registers AS r (slot_id, lesson_date, on_date, starts_at, ends_at, afternoon, class_id, class_label, subject_label, teacher_ids, teachers)
		VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (slot_id, lesson_date) WHERE slot_id IS NOT NULL DO UPDATE SET on_date = excluded.on_date, starts_at = excluded.starts_at,
			ends_at = excluded.ends_at, afternoon = excluded.afternoon, teacher_ids = excluded.teacher_ids, teachers = excluded.teachers
			WHERE r.taken_at IS NULL AND (r.on_date, r.starts_at, r.ends_at, r.teacher_ids) IS DISTINCT FROM (excluded.on_date, excluded.starts_at, excluded.ends_at, excluded.teacher_ids)
		RETURNING id, xmax = 0 AS created`, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("attendance: registers of the day: %w", err)
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		var created bool
		if err := rows.Scan(&id, &created); err != nil {
			return nil, fmt.Errorf("attendance: registers of the day: %w", err)
		}
		if created {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// dropUntaken deletes the registers of day from the timetable that were never taken and
// whose lesson no longer takes place that day (cancelled, moved away); keep are the
// occurrences that do ("slot/date").
func (st store) dropUntaken(d time.Time, keep []string) error {
	q := `DELETE FROM registers WHERE on_date = ? AND kind = 'cours' AND taken_at IS NULL`
	args := []any{d.Format(dateLayout)}
	if len(keep) > 0 {
		q += ` AND (slot_id::text || '/' || lesson_date::text) NOT IN ?`
		args = append(args, keep)
	}
	if err := st.tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("attendance: drop the day's registers of lessons not held: %w", err)
	}
	return nil
}

// fillRosters adds to registers every active pupil of their class or group missing from
// them (a register's roster is its class's when it is created; a pupil who joins before the
// roll is taken is added).
func (st store) fillRosters(ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	if err := st.tx.Exec(`INSERT INTO register_entries (register_id, pupil_id)
		SELECT r.id, m.person_id FROM registers r JOIN class_members m ON m.class_id = r.class_id
		JOIN people p ON p.id = m.person_id AND p.active AND p.category = 'eleve'
		WHERE r.id IN ? ON CONFLICT DO NOTHING`, ids).Error; err != nil {
		return fmt.Errorf("attendance: rosters of %d registers: %w", len(ids), err)
	}
	return nil
}

// insertAdHoc creates an ad hoc register.
func (st store) insertAdHoc(r Register, by uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	if err := st.tx.Raw(`INSERT INTO registers (lesson_date, on_date, starts_at, ends_at, afternoon, class_id, class_label, subject_label, teacher_ids, teachers, kind, label, created_by)
		VALUES (?::date, ?::date, ?::time, ?::time, ?, ?, ?, ?, ?::uuid[], ?, 'ponctuel', ?, ?) RETURNING id`,
		r.OnDate.Format(dateLayout), r.OnDate.Format(dateLayout), r.Start.String(), r.End.String(), r.Afternoon, r.ClassID, r.ClassLabel, r.Subject,
		uuidArray(r.TeacherIDs), r.Teachers, r.Label, nullID(by)).Row().Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("attendance: create an ad hoc register: %w", err)
	}
	return id, nil
}

func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

var errNoRegister = fault.New(fault.ErrNotFound, "cet appel n'existe pas")

// register reads one register; lock takes it for a save (two saves of one register run one
// after the other).
func (st store) register(id uuid.UUID, lock bool) (Register, error) {
	q := `SELECT ` + registerCols + ` FROM registers r WHERE r.id = ?`
	if lock {
		q += ` FOR UPDATE OF r`
	}
	var rows []registerRow
	if err := st.tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return Register{}, fmt.Errorf("attendance: register %s: %w", id, err)
	}
	if len(rows) == 0 {
		return Register{}, errNoRegister
	}
	return rows[0].register(), nil
}

// registersOn lists the registers of day, of teacher only unless teacher is uuid.Nil.
func (st store) registersOn(d time.Time, teacher uuid.UUID) ([]Register, error) {
	q := `SELECT ` + registerCols + ` FROM registers r WHERE r.on_date = ?`
	args := []any{d.Format(dateLayout)}
	if teacher != uuid.Nil {
		q += ` AND (? = ANY (r.teacher_ids) OR r.created_by = ?)`
		args = append(args, teacher, teacher)
	}
	var rows []registerRow
	if err := st.tx.Raw(q+` ORDER BY r.starts_at, r.class_label`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: registers of %s: %w", d.Format(dateLayout), err)
	}
	out := make([]Register, len(rows))
	for i, r := range rows {
		out[i] = r.register()
	}
	return out, nil
}

// entries reads a register's roster and marks, by name in French order.
func (st store) entries(id uuid.UUID) ([]Entry, error) {
	var out []Entry
	if err := st.tx.Raw(`SELECT e.pupil_id, p.first_name, p.last_name, e.status, e.minutes, coalesce(a.state, '') AS state
		FROM register_entries e JOIN people p ON p.id = e.pupil_id LEFT JOIN absences a ON a.id = e.absence_id
		WHERE e.register_id = ? ORDER BY lower(p.last_name), lower(p.first_name)`, id).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: roster of %s: %w", id, err)
	}
	return out, nil
}

// saveMarks writes the changed marks of a register in one statement.
func (st store) saveMarks(id uuid.UUID, changes []change) error {
	var values []string
	var args []any
	for _, c := range changes {
		values = append(values, "(?::uuid, ?, ?::int)")
		args = append(args, c.pupil, string(c.to.Status), c.to.Minutes)
	}
	args = append(args, id)
	if err := st.tx.Exec(`UPDATE register_entries e SET status = v.status, minutes = v.minutes
		FROM (VALUES `+strings.Join(values, ", ")+`) AS v (pupil_id, status, minutes)
		WHERE e.pupil_id = v.pupil_id AND e.register_id = ?`, args...).Error; err != nil {
		return fmt.Errorf("attendance: save the roll of %s: %w", id, err)
	}
	return nil
}

// logChanges records corrections of a register already taken.
func (st store) logChanges(id uuid.UUID, changes []change, by uuid.UUID, at time.Time) error {
	var values []string
	var args []any
	for _, c := range changes {
		values = append(values, "(?::uuid, ?::uuid, ?, ?::int, ?, ?::int, ?::uuid, ?::timestamptz)")
		args = append(args, id, c.pupil, string(c.from.Status), c.from.Minutes, string(c.to.Status), c.to.Minutes, nullID(by), at)
	}
	if err := st.tx.Exec(`INSERT INTO register_changes (register_id, pupil_id, old_status, old_minutes, new_status, new_minutes, changed_by, changed_at)
		VALUES `+strings.Join(values, ", "), args...).Error; err != nil {
		return fmt.Errorf("attendance: history of %s: %w", id, err)
	}
	return nil
}

// markTaken records who took the roll first, and when.
func (st store) markTaken(id, by uuid.UUID, at time.Time) error {
	if err := st.tx.Exec(`UPDATE registers SET taken_at = ?, taken_by = ? WHERE id = ? AND taken_at IS NULL`, at, nullID(by), id).Error; err != nil {
		return fmt.Errorf("attendance: mark %s taken: %w", id, err)
	}
	return nil
}

// changes reads a register's corrections, latest first.
func (st store) changes(id uuid.UUID) ([]Change, error) {
	var rows []struct {
		FirstName, LastName, OldStatus, NewStatus, By string
		OldMinutes, NewMinutes                        int
		ChangedAt                                     time.Time
	}
	if err := st.tx.Raw(`SELECT p.first_name, p.last_name, c.old_status, c.new_status, c.old_minutes, c.new_minutes, c.changed_at,
			coalesce((SELECT concat_ws(' ', b.first_name, b.last_name) FROM people b WHERE b.id = c.changed_by), '') AS by
		FROM register_changes c JOIN people p ON p.id = c.pupil_id WHERE c.register_id = ? ORDER BY c.changed_at DESC, c.id DESC`, id).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: history of %s: %w", id, err)
	}
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = Change{Pupil: r.LastName + " " + r.FirstName, From: Mark{Status(r.OldStatus), r.OldMinutes}.Text(),
			To: Mark{Status(r.NewStatus), r.NewMinutes}.Text(), By: r.By, At: r.ChangedAt}
	}
	return out, nil
}

// lockPupilDays serialises the recomputation of pupils' events on a date (two teachers saving
// consecutive lessons at once must not both create the merged absence).
func (st store) lockPupilDays(pupils []uuid.UUID, d time.Time) error {
	for _, p := range pupils { // sorted by the caller: locks always taken in one order
		if err := st.tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('attendance/' || ? || '/' || ?))`, p.String(), d.Format(dateLayout)).Error; err != nil {
			return fmt.Errorf("attendance: lock %s on %s: %w", p, d.Format(dateLayout), err)
		}
	}
	return nil
}

// dayEntry is a pupil's mark in one register of a day, with the event it belongs to.
type dayEntry struct {
	RegisterID, PupilID uuid.UUID
	Status              Status
	Minutes             int
	Starts, Ends        int
	AbsenceID           *uuid.UUID
	AbsenceKind         Kind
	AbsenceState        State
}

// dayEntries reads the marks of pupils in every register of d, in order of time.
func (st store) dayEntries(pupils []uuid.UUID, d time.Time) ([]dayEntry, error) {
	var out []dayEntry
	if err := st.tx.Raw(`SELECT e.register_id, e.pupil_id, e.status, e.minutes, `+minutes("r.starts_at")+` AS starts, `+minutes("r.ends_at")+` AS ends,
			e.absence_id, coalesce(a.kind, '') AS absence_kind, coalesce(a.state, '') AS absence_state
		FROM register_entries e JOIN registers r ON r.id = e.register_id LEFT JOIN absences a ON a.id = e.absence_id
		WHERE e.pupil_id IN ? AND r.on_date = ? ORDER BY e.pupil_id, r.starts_at, r.ends_at`, pupils, d.Format(dateLayout)).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: the day's marks of %d pupils: %w", len(pupils), err)
	}
	return out, nil
}

// newEvent creates a pending event of a pupil.
func (st store) newEvent(pupil uuid.UUID, k Kind, d time.Time, start, end Clock, mins int) (uuid.UUID, error) {
	var id uuid.UUID
	if err := st.tx.Raw(`INSERT INTO absences (pupil_id, kind, on_date, starts_at, ends_at, minutes) VALUES (?, ?, ?::date, ?::time, ?::time, ?) RETURNING id`,
		pupil, string(k), d.Format(dateLayout), start.String(), end.String(), mins).Row().Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("attendance: new %s of %s: %w", k, pupil, err)
	}
	return id, nil
}

// spanEvent sets an event's times and minutes.
func (st store) spanEvent(id uuid.UUID, start, end Clock, mins int) error {
	if err := st.tx.Exec(`UPDATE absences SET starts_at = ?::time, ends_at = ?::time, minutes = ? WHERE id = ?`, start.String(), end.String(), mins, id).Error; err != nil {
		return fmt.Errorf("attendance: update event %s: %w", id, err)
	}
	return nil
}

// linkEntries points entries at their event (nil: none) in one statement.
func (st store) linkEntries(links []dayEntry) error {
	if len(links) == 0 {
		return nil
	}
	var values []string
	var args []any
	for _, l := range links {
		values = append(values, "(?::uuid, ?::uuid, ?::uuid)")
		args = append(args, l.RegisterID, l.PupilID, l.AbsenceID)
	}
	if err := st.tx.Exec(`UPDATE register_entries e SET absence_id = v.absence_id
		FROM (VALUES `+strings.Join(values, ", ")+`) AS v (register_id, pupil_id, absence_id)
		WHERE e.register_id = v.register_id AND e.pupil_id = v.pupil_id`, args...).Error; err != nil {
		return fmt.Errorf("attendance: link %d marks to their events: %w", len(links), err)
	}
	return nil
}

// dropOrphans deletes the events of pupils on d that no mark gives any more.
func (st store) dropOrphans(pupils []uuid.UUID, d time.Time) error {
	if err := st.tx.Exec(`DELETE FROM absences a WHERE a.pupil_id IN ? AND a.on_date = ?
		AND NOT EXISTS (SELECT 1 FROM register_entries e WHERE e.absence_id = a.id)`, pupils, d.Format(dateLayout)).Error; err != nil {
		return fmt.Errorf("attendance: drop events no longer marked: %w", err)
	}
	return nil
}

// settings reads the counting rules.
func (st store) settings() (Settings, error) {
	var s Settings
	if err := st.tx.Raw(`SELECT method, threshold FROM attendance_settings`).Scan(&s).Error; err != nil {
		return s, fmt.Errorf("attendance: settings: %w", err)
	}
	if s.Method == "" {
		s = Settings{Method: Gross, Threshold: 4}
	}
	return s, nil
}

func (st store) saveSettings(s Settings) error {
	if err := st.tx.Exec(`INSERT INTO attendance_settings (id, method, threshold) VALUES (true, ?, ?)
		ON CONFLICT (id) DO UPDATE SET method = excluded.method, threshold = excluded.threshold`, string(s.Method), s.Threshold).Error; err != nil {
		return fmt.Errorf("attendance: save settings: %w", err)
	}
	return nil
}

// motifs reads the establishment's motifs in their order.
func (st store) motifs() ([]Motif, error) {
	var out []Motif
	if err := st.tx.Raw(`SELECT id, label, justifies, on_report, online, shown, position, active FROM absence_motifs ORDER BY position, label`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: motifs: %w", err)
	}
	return out, nil
}

// decide gives an event its motif and state.
func (st store) decide(id uuid.UUID, motif *uuid.UUID, state State, comment string, by uuid.UUID, at time.Time) (bool, error) {
	res := st.tx.Exec(`UPDATE absences SET motif_id = ?, state = ?, comment = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
		motif, string(state), comment, nullID(by), at, id)
	if res.Error != nil {
		return false, fmt.Errorf("attendance: decide on %s: %w", id, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// slotRow is a pupil's mark in one register, as half-days count it.
type slotRow struct {
	PupilID   uuid.UUID
	OnDate    time.Time
	Afternoon bool
	Minutes   int
	Status    Status
	State     State
	OnReport  bool
}

// slotsOf reads every mark from from to to of pupils (nil: of every pupil absent at least
// once in those dates), with the state of their absence and whether its motif counts on the
// report card.
func (st store) slotsOf(pupils []uuid.UUID, from, to time.Time) ([]slotRow, error) {
	who := `e.pupil_id IN (SELECT e2.pupil_id FROM register_entries e2 JOIN registers r2 ON r2.id = e2.register_id
		WHERE r2.on_date BETWEEN ? AND ? AND e2.status = 'absent')`
	args := []any{from.Format(dateLayout), to.Format(dateLayout)}
	if pupils != nil {
		who, args = `e.pupil_id IN ?`, []any{pupils}
	}
	args = append(args, from.Format(dateLayout), to.Format(dateLayout))
	var out []slotRow
	if err := st.tx.Raw(`SELECT e.pupil_id, r.on_date, r.afternoon, `+minutes("r.ends_at - r.starts_at")+` AS minutes, e.status,
			coalesce(a.state, '') AS state, coalesce(m.on_report, true) AS on_report
		FROM register_entries e JOIN registers r ON r.id = e.register_id
		LEFT JOIN absences a ON a.id = e.absence_id LEFT JOIN absence_motifs m ON m.id = a.motif_id
		WHERE `+who+` AND r.on_date BETWEEN ? AND ? ORDER BY e.pupil_id, r.on_date, r.starts_at`, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: marks from %s to %s: %w", from.Format(dateLayout), to.Format(dateLayout), err)
	}
	return out, nil
}

// pupilRef is a pupil as lists name them.
type pupilRef struct {
	ID                  uuid.UUID
	FirstName, LastName string
	ClassLabel          string
	Category            string
}

// pupils reads names and classes of pupils.
func (st store) pupils(ids []uuid.UUID) (map[uuid.UUID]pupilRef, error) {
	out := map[uuid.UUID]pupilRef{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []pupilRef
	if err := st.tx.Raw(`SELECT p.id, p.first_name, p.last_name, p.category,
			coalesce((SELECT c.label FROM class_members m JOIN classes c ON c.id = m.class_id JOIN school_years y ON y.code = c.school_year AND y.current
				WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '') AS class_label
		FROM people p WHERE p.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: pupils: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// eventRow is an event as lists show it.
type eventRow struct {
	ID                  uuid.UUID
	PupilID             uuid.UUID
	FirstName, LastName string
	ClassLabel          string
	Kind                Kind
	OnDate              time.Time
	Starts, Ends        int
	Minutes             int
	State               State
	MotifID             *uuid.UUID
	MotifLabel          string
	MotifShown          bool
	Comment             string
}

const eventCols = `a.id, a.pupil_id, p.first_name, p.last_name, a.kind, a.on_date, ` + `(extract(epoch FROM a.starts_at) / 60)::int AS starts,
	(extract(epoch FROM a.ends_at) / 60)::int AS ends, a.minutes, a.state, a.motif_id, coalesce(m.label, '') AS motif_label,
	coalesce(m.shown, true) AS motif_shown, a.comment,
	coalesce((SELECT c.label FROM class_members cm JOIN classes c ON c.id = cm.class_id JOIN school_years y ON y.code = c.school_year AND y.current
		WHERE cm.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '') AS class_label`

// events reads the events matching where (on absences a, people p), by date and time.
func (st store) events(where string, args ...any) ([]eventRow, error) {
	var out []eventRow
	if err := st.tx.Raw(`SELECT `+eventCols+` FROM absences a JOIN people p ON p.id = a.pupil_id LEFT JOIN absence_motifs m ON m.id = a.motif_id
		WHERE `+where+` ORDER BY a.on_date DESC, a.starts_at, lower(p.last_name), lower(p.first_name)`, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: events: %w", err)
	}
	return out, nil
}

// classesOfYear lists the current year's classes and groups, for the ad hoc register form.
func (st store) classesOfYear() ([]classRef, error) {
	var out []classRef
	if err := st.tx.Raw(`SELECT c.id, c.label FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
		ORDER BY c.kind, c.label`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: classes: %w", err)
	}
	return out, nil
}

// person names someone of the directory ("Mme Lefèvre Claire"); "" when unknown.
func (st store) personName(id uuid.UUID) (string, error) {
	var name string
	err := st.tx.Raw(`SELECT concat_ws(' ', nullif(title, ''), last_name, first_name) FROM people WHERE id = ?`, id).Scan(&name).Error
	return name, err
}

func (st store) insertJustification(absence, guardian, motif uuid.UUID, comment string, at time.Time) (uuid.UUID, error) {
	var id uuid.UUID
	if err := st.tx.Raw(`INSERT INTO justifications (absence_id, guardian_id, motif_id, comment, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		absence, guardian, motif, comment, at).Row().Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("attendance: justify %s: %w", absence, err)
	}
	return id, nil
}

const justificationCols = `j.id, j.absence_id, j.declaration_id, concat_ws(' ', g.first_name, g.last_name) AS guardian, m.label AS motif, j.comment, j.state, j.answer,
	coalesce((SELECT concat_ws(' ', b.first_name, b.last_name) FROM people b WHERE b.id = j.answered_by), '') AS answered_by, j.created_at, j.answered_at`

// justificationRow is a justification as read (Justification holds an Event, which gorm
// would take for a relation).
type justificationRow struct {
	ID, AbsenceID                                       uuid.UUID
	DeclarationID                                       *uuid.UUID
	Guardian, Motif, Comment, State, Answer, AnsweredBy string
	CreatedAt                                           time.Time
	AnsweredAt                                          *time.Time
}

// justificationsWhere reads the justifications matching where, oldest first.
func (st store) justificationsWhere(where string, args ...any) ([]Justification, error) {
	var rows []justificationRow
	if err := st.tx.Raw(`SELECT `+justificationCols+` FROM justifications j JOIN people g ON g.id = j.guardian_id JOIN absence_motifs m ON m.id = j.motif_id
		WHERE `+where+` ORDER BY j.created_at`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: justifications: %w", err)
	}
	out := make([]Justification, len(rows))
	var ids, decls []uuid.UUID
	for i, r := range rows {
		out[i] = Justification{ID: r.ID, AbsenceID: r.AbsenceID, Guardian: r.Guardian, Motif: r.Motif, Comment: r.Comment, State: r.State,
			Answer: r.Answer, AnsweredBy: r.AnsweredBy, CreatedAt: r.CreatedAt, AnsweredAt: r.AnsweredAt, Declared: r.DeclarationID != nil}
		ids = append(ids, r.ID)
		if r.DeclarationID != nil {
			decls = append(decls, *r.DeclarationID)
		}
	}
	files, err := st.filesOf("justification_id", ids)
	if err != nil {
		return nil, err
	}
	declFiles, err := st.filesOf("declaration_id", decls)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		out[i].Files = files[r.ID]
		if r.DeclarationID != nil {
			out[i].Files = append(out[i].Files, declFiles[*r.DeclarationID]...)
		}
	}
	return out, nil
}

// justificationsOf reads the justifications of events, oldest first.
func (st store) justificationsOf(events []uuid.UUID) ([]Justification, error) {
	return st.justificationsWhere(`j.absence_id IN ?`, events)
}

// pendingJustifications reads those waiting for an answer, with their events.
func (st store) pendingJustifications() ([]Justification, error) {
	out, err := st.justificationsWhere(`j.state = 'en_attente'`)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(out))
	for i, j := range out {
		ids[i] = j.AbsenceID
	}
	rows, err := st.events(`a.id IN ?`, ids)
	if err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]Event{}
	for _, r := range rows {
		byID[r.ID] = eventOf(r, false)
	}
	for i := range out {
		out[i].Event = byID[out[i].AbsenceID]
	}
	return out, nil
}

// justification reads one justification for its answer, locked.
func (st store) justification(id uuid.UUID) (struct {
	AbsenceID, MotifID uuid.UUID
	State              string
	Justifies          bool
}, error) {
	var j struct {
		AbsenceID, MotifID uuid.UUID
		State              string
		Justifies          bool
	}
	err := st.tx.Raw(`SELECT j.absence_id, j.motif_id, j.state, m.justifies FROM justifications j JOIN absence_motifs m ON m.id = j.motif_id
		WHERE j.id = ? FOR UPDATE OF j`, id).Row().Scan(&j.AbsenceID, &j.MotifID, &j.State, &j.Justifies)
	if errors.Is(err, sql.ErrNoRows) {
		return j, fault.New(fault.ErrNotFound, "cette justification n'existe pas")
	}
	if err != nil {
		return j, fmt.Errorf("attendance: justification %s: %w", id, err)
	}
	return j, nil
}

func (st store) answerJustification(id uuid.UUID, accept bool, answer string, by uuid.UUID, at time.Time) error {
	state := "refusee"
	if accept {
		state = "acceptee"
	}
	if err := st.tx.Exec(`UPDATE justifications SET state = ?, answer = ?, answered_by = ?, answered_at = ? WHERE id = ?`,
		state, answer, nullID(by), at, id).Error; err != nil {
		return fmt.Errorf("attendance: answer justification %s: %w", id, err)
	}
	return nil
}

// saveMotif updates a motif, or adds it at the end of the list.
func (st store) saveMotif(f MotifForm) error {
	var err error
	if f.ID == uuid.Nil {
		err = st.tx.Exec(`INSERT INTO absence_motifs (label, justifies, on_report, online, shown, active, position)
			VALUES (?, ?, ?, ?, ?, true, (SELECT coalesce(max(position), 0) + 1 FROM absence_motifs))`, f.Label, f.Justifies, f.OnReport, f.Online, f.Shown).Error
	} else {
		err = st.tx.Exec(`UPDATE absence_motifs SET label = ?, justifies = ?, on_report = ?, online = ?, shown = ?, active = ? WHERE id = ?`,
			f.Label, f.Justifies, f.OnReport, f.Online, f.Shown, f.Active, f.ID).Error
	}
	if err != nil {
		return fmt.Errorf("attendance: save motif %q: %w", f.Label, err)
	}
	return nil
}
