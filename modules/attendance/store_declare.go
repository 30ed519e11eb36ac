package attendance

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/web/fault"
)

// declarationRow is a declaration as read, with its pupil's and people's names.
type declarationRow struct {
	ID, PupilID, GuardianID, MotifID        uuid.UUID
	FirstName, LastName, ClassLabel         string
	Guardian, Motif, Comment, State, Answer string
	AnsweredBy                              string
	OnDate                                  time.Time
	Starts, Ends                            int
	CreatedAt                               time.Time
	AnsweredAt                              *time.Time
}

const declarationCols = `d.id, d.pupil_id, d.guardian_id, d.motif_id, p.first_name, p.last_name, concat_ws(' ', g.first_name, g.last_name) AS guardian,
	m.label AS motif, d.comment, d.state, d.answer, d.on_date, ` + `(extract(epoch FROM d.starts_at) / 60)::int AS starts,
	(extract(epoch FROM d.ends_at) / 60)::int AS ends, d.created_at, d.answered_at,
	coalesce((SELECT concat_ws(' ', b.first_name, b.last_name) FROM people b WHERE b.id = d.answered_by), '') AS answered_by,
	coalesce((SELECT c.label FROM class_members cm JOIN classes c ON c.id = cm.class_id JOIN school_years y ON y.code = c.school_year AND y.current
		WHERE cm.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '') AS class_label`

// declarationsWhere reads the declarations matching where (on absence_declarations d,
// people p the pupil), with their documents, in order.
func (st store) declarationsWhere(order, where string, args ...any) ([]Declaration, error) {
	var rows []declarationRow
	if err := st.tx.Raw(`SELECT `+declarationCols+` FROM absence_declarations d JOIN people p ON p.id = d.pupil_id
		JOIN people g ON g.id = d.guardian_id JOIN absence_motifs m ON m.id = d.motif_id WHERE `+where+` ORDER BY `+order, args...).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: declarations: %w", err)
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	files, err := st.filesOf("declaration_id", ids)
	if err != nil {
		return nil, err
	}
	out := make([]Declaration, len(rows))
	for i, r := range rows {
		out[i] = Declaration{ID: r.ID, PupilID: r.PupilID, GuardianID: r.GuardianID, Pupil: r.LastName + " " + r.FirstName, ClassLabel: r.ClassLabel,
			Guardian: r.Guardian, Motif: r.Motif, Comment: r.Comment, State: r.State, Answer: r.Answer, AnsweredBy: r.AnsweredBy,
			Date: day(r.OnDate), Start: Clock(r.Starts), End: Clock(r.Ends), CreatedAt: r.CreatedAt, AnsweredAt: r.AnsweredAt, Files: files[r.ID]}
	}
	return out, nil
}

func (st store) insertDeclaration(d Declaration, motif uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	if err := st.tx.Raw(`INSERT INTO absence_declarations (pupil_id, guardian_id, on_date, starts_at, ends_at, motif_id, comment, created_at)
		VALUES (?, ?, ?::date, ?::time, ?::time, ?, ?, ?) RETURNING id`, d.PupilID, d.GuardianID, d.Date.Format(dateLayout), d.Start.String(), d.End.String(),
		motif, d.Comment, d.CreatedAt).Row().Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("attendance: declare an absence of %s: %w", d.PupilID, err)
	}
	return id, nil
}

var errNoDeclaration = fault.New(fault.ErrNotFound, "ce signalement d'absence n'existe pas")

// declarationRef is what deciding on a declaration needs, read locked.
type declarationRef struct {
	ID, PupilID, GuardianID, MotifID uuid.UUID
	State, Comment, Answer           string
	Justifies                        bool
	AnsweredBy                       *uuid.UUID
	AnsweredAt                       *time.Time
	CreatedAt                        time.Time
}

const declarationRefCols = `d.id, d.pupil_id, d.guardian_id, d.motif_id, d.state, d.comment, d.answer, m.justifies, d.answered_by, d.answered_at, d.created_at`

// declaration reads one declaration; lock takes it for its answer or its cancellation.
func (st store) declaration(id uuid.UUID, lock bool) (declarationRef, error) {
	q := `SELECT ` + declarationRefCols + ` FROM absence_declarations d JOIN absence_motifs m ON m.id = d.motif_id WHERE d.id = ?`
	if lock {
		q += ` FOR UPDATE OF d`
	}
	var rows []declarationRef
	if err := st.tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return declarationRef{}, fmt.Errorf("attendance: declaration %s: %w", id, err)
	}
	if len(rows) == 0 {
		return declarationRef{}, errNoDeclaration
	}
	return rows[0], nil
}

// covering reads the declaration, accepted or waiting, of pupil on d whose time overlaps
// start–end (an accepted one first, then the oldest); ok is false when there is none.
func (st store) covering(pupil uuid.UUID, d time.Time, start, end Clock) (declarationRef, bool, error) {
	var rows []declarationRef
	if err := st.tx.Raw(`SELECT `+declarationRefCols+` FROM absence_declarations d JOIN absence_motifs m ON m.id = d.motif_id
		WHERE d.pupil_id = ? AND d.on_date = ?::date AND d.state IN ('en_attente', 'acceptee') AND d.starts_at < ?::time AND d.ends_at > ?::time
		ORDER BY d.state = 'acceptee' DESC, d.created_at LIMIT 1`, pupil, d.Format(dateLayout), end.String(), start.String()).Scan(&rows).Error; err != nil {
		return declarationRef{}, false, fmt.Errorf("attendance: declarations of %s on %s: %w", pupil, d.Format(dateLayout), err)
	}
	if len(rows) == 0 {
		return declarationRef{}, false, nil
	}
	return rows[0], true, nil
}

// declaredPupils reads which of a register's pupils a declaration, accepted or waiting,
// covers.
func (st store) declaredPupils(r Register) (map[uuid.UUID]bool, error) {
	var ids []uuid.UUID
	if err := st.tx.Raw(`SELECT DISTINCT d.pupil_id FROM absence_declarations d JOIN register_entries e ON e.pupil_id = d.pupil_id AND e.register_id = ?
		WHERE d.on_date = ?::date AND d.state IN ('en_attente', 'acceptee') AND d.starts_at < ?::time AND d.ends_at > ?::time`,
		r.ID, r.OnDate.Format(dateLayout), r.End.String(), r.Start.String()).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("attendance: declarations of register %s: %w", r.ID, err)
	}
	out := map[uuid.UUID]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// insertDeclaredJustification records, for an absence the roll call just created, the
// justification its declaration makes: waiting, or accepted with the declaration's answer.
func (st store) insertDeclaredJustification(absence uuid.UUID, d declarationRef) error {
	if err := st.tx.Exec(`INSERT INTO justifications (absence_id, guardian_id, motif_id, comment, state, answer, answered_by, answered_at, created_at, declaration_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, absence, d.GuardianID, d.MotifID, d.Comment, d.State, d.Answer, d.AnsweredBy, d.AnsweredAt, d.CreatedAt, d.ID).Error; err != nil {
		return fmt.Errorf("attendance: justification of %s from declaration %s: %w", absence, d.ID, err)
	}
	return nil
}

// waitingOf reads the waiting justifications made from a declaration.
func (st store) waitingOf(declaration uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	if err := st.tx.Raw(`SELECT id FROM justifications WHERE declaration_id = ? AND state = 'en_attente' ORDER BY created_at`, declaration).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("attendance: justifications of declaration %s: %w", declaration, err)
	}
	return ids, nil
}

func (st store) answerDeclaration(id uuid.UUID, accept bool, answer string, by uuid.UUID, at time.Time) error {
	state := "refusee"
	if accept {
		state = "acceptee"
	}
	if err := st.tx.Exec(`UPDATE absence_declarations SET state = ?, answer = ?, answered_by = ?, answered_at = ? WHERE id = ?`,
		state, answer, nullID(by), at, id).Error; err != nil {
		return fmt.Errorf("attendance: answer declaration %s: %w", id, err)
	}
	return nil
}

// deleteDeclaration deletes a declaration and its documents' rows, returning their blob keys.
func (st store) deleteDeclaration(id uuid.UUID) ([]string, error) {
	var keys []string
	if err := st.tx.Raw(`SELECT blob_key FROM attendance_files WHERE declaration_id = ?`, id).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("attendance: documents of declaration %s: %w", id, err)
	}
	if err := st.tx.Exec(`DELETE FROM absence_declarations WHERE id = ?`, id).Error; err != nil {
		return nil, fmt.Errorf("attendance: cancel declaration %s: %w", id, err)
	}
	return keys, nil
}
