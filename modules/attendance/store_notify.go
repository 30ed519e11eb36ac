package attendance

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The SQL of the families' notifications (notify.go).

// untoldAbsences lists the absences of pupils on d that are not justified and whose family
// was not told yet.
func (st store) untoldAbsences(pupils []uuid.UUID, d time.Time) ([]uuid.UUID, error) {
	var rows []struct{ ID uuid.UUID }
	if err := st.tx.Raw(`SELECT a.id FROM absences a WHERE a.pupil_id IN ? AND a.on_date = ? AND a.kind = 'absence' AND a.state <> 'justifiee'
		AND NOT EXISTS (SELECT 1 FROM absence_notices n WHERE n.absence_id = a.id) ORDER BY a.id`, pupils, d.Format(dateLayout)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: untold absences of %d pupils: %w", len(pupils), err)
	}
	out := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out, nil
}

// pupilsOfEvents lists the pupils of events, in lockPupilDays' order.
func (st store) pupilsOfEvents(ids []uuid.UUID) ([]uuid.UUID, error) {
	var rows []struct{ PupilID uuid.UUID }
	if err := st.tx.Raw(`SELECT DISTINCT pupil_id FROM absences WHERE id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("attendance: pupils of %d events: %w", len(ids), err)
	}
	out := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i] = r.PupilID
	}
	return sortIDs(out), nil
}

// absencesToTell claims, among ids, the absences still there, not justified, not declared
// or justified by the family (a justification not refused) and never told
// (absence_notices), and reads them for their notification.
func (st store) absencesToTell(ids []uuid.UUID, now time.Time) ([]absenceToTell, error) {
	var out []absenceToTell
	if err := st.tx.Raw(`WITH due AS (
			SELECT id FROM absences a WHERE id IN ? AND kind = 'absence' AND state <> 'justifiee'
				-- the family declared it or justified it already: they know
				AND NOT EXISTS (SELECT 1 FROM justifications j WHERE j.absence_id = a.id AND j.state <> 'refusee')
		), claimed AS (
			INSERT INTO absence_notices (absence_id, notified_at) SELECT id, ? FROM due ON CONFLICT DO NOTHING RETURNING absence_id
		)
		SELECT a.id, a.pupil_id, p.first_name, a.on_date, `+minutes("a.starts_at")+` AS starts, `+minutes("a.ends_at")+` AS ends,
			coalesce((SELECT string_agg(x.subject, ', ' ORDER BY x.first) FROM (
				SELECT coalesce(nullif(r.subject_label, ''), r.label) AS subject, min(r.starts_at) AS first
				FROM register_entries e JOIN registers r ON r.id = e.register_id WHERE e.absence_id = a.id GROUP BY 1) x
				WHERE x.subject <> ''), '') AS subjects
		FROM claimed c JOIN absences a ON a.id = c.absence_id JOIN people p ON p.id = a.pupil_id
		ORDER BY a.pupil_id, a.starts_at`, ids, now).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: claim %d absences to tell: %w", len(ids), err)
	}
	return out, nil
}

// answered reads an answered justification for its notification.
func (st store) answered(id uuid.UUID) (answeredJustification, error) {
	var rows []answeredJustification
	if err := st.tx.Raw(`SELECT j.guardian_id, a.pupil_id, p.first_name, m.label AS motif, j.state, j.answer, a.kind, a.on_date,
			`+minutes("a.starts_at")+` AS starts, `+minutes("a.ends_at")+` AS ends
		FROM justifications j JOIN absences a ON a.id = j.absence_id JOIN people p ON p.id = a.pupil_id JOIN absence_motifs m ON m.id = j.motif_id
		WHERE j.id = ?`, id).Scan(&rows).Error; err != nil {
		return answeredJustification{}, fmt.Errorf("attendance: answered justification %s: %w", id, err)
	}
	if len(rows) == 0 {
		return answeredJustification{}, fmt.Errorf("attendance: answered justification %s not found", id)
	}
	return rows[0], nil
}
