package grades

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// evalColumns reads evaluations with their scale and coefficient as hundredths.
const evalColumns = `e.id, e.class_id, e.subject_code, e.teacher_id, e.title, e.on_date, e.bonus, e.published, e.published_at,
	e.created_at, e.updated_at, (e.scale * 100)::bigint AS scale, (e.coefficient * 100)::bigint AS coefficient,
	c.label AS class_label, coalesce(s.label, e.subject_code) AS subject_label`

type evalRow struct {
	Evaluation
	Scale        Hundredths
	Coefficient  Hundredths
	ClassLabel   string
	SubjectLabel string
}

// evaluations reads the evaluations matching where, by date.
func (st store) evaluations(where string, args ...any) ([]Evaluation, error) {
	var rows []evalRow
	err := st.tx.Raw(`SELECT `+evalColumns+` FROM evaluations e JOIN classes c ON c.id = e.class_id LEFT JOIN subjects s ON s.code = e.subject_code WHERE `+where+` ORDER BY e.on_date, e.created_at`, args...).Scan(&rows).Error
	out := make([]Evaluation, len(rows))
	for i, r := range rows {
		out[i] = r.Evaluation
		out[i].Scale, out[i].Coefficient = r.Scale, r.Coefficient
		out[i].ClassLabel, out[i].SubjectLabel = r.ClassLabel, subjectName(r.SubjectCode, r.SubjectLabel)
	}
	return out, err
}

// dateInClassYear tells whether day falls in the school year of the class.
func (st store) dateInClassYear(classID uuid.UUID, day time.Time) (bool, error) {
	var n int
	err := st.tx.Raw(`SELECT count(*) FROM classes c JOIN school_years y ON y.code = c.school_year WHERE c.id = ? AND ? BETWEEN y.starts_on AND (y.starts_on + interval '1 year' - interval '1 day')`, classID, day).Scan(&n).Error
	return n > 0, err
}

// insertEvaluation records a new evaluation (teacher nil: direction's).
func (st store) insertEvaluation(id, classID uuid.UUID, subject string, teacher any, f EvaluationForm, v evalValues, pubAt any, now time.Time) error {
	return st.tx.Exec(`INSERT INTO evaluations (id, class_id, subject_code, teacher_id, title, on_date, scale, coefficient, bonus, published, published_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?::numeric / 100, ?::numeric / 100, ?, ?, ?, ?, ?)`,
		id, classID, subject, teacher, f.Title, v.date, int64(v.scale), int64(v.coef), f.Bonus, f.Published, pubAt, now, now).Error
}

// updateEvaluation changes an evaluation; its first publication date is kept.
func (st store) updateEvaluation(id uuid.UUID, f EvaluationForm, v evalValues, now time.Time) error {
	return st.tx.Exec(`UPDATE evaluations SET class_id = ?, subject_code = ?, title = ?, on_date = ?, scale = ?::numeric / 100, coefficient = ?::numeric / 100,
		bonus = ?, published = ?, published_at = CASE WHEN ? THEN coalesce(published_at, ?) END, updated_at = ? WHERE id = ?`,
		v.classID, f.Subject, f.Title, v.date, int64(v.scale), int64(v.coef), f.Bonus, f.Published, f.Published, now, now, id).Error
}

// marksAbove counts the evaluation's marks above scale.
func (st store) marksAbove(id uuid.UUID, scale Hundredths) (int, error) {
	var n int
	err := st.tx.Raw(`SELECT count(*) FROM marks WHERE evaluation_id = ? AND value * 100 > ?`, id, int64(scale)).Scan(&n).Error
	return n, err
}

// deleteEvaluation removes an evaluation and its marks.
func (st store) deleteEvaluation(id uuid.UUID) error {
	return st.tx.Exec(`DELETE FROM evaluations WHERE id = ?`, id).Error
}

type markRow struct {
	EvaluationID uuid.UUID
	MarkEntry
}

// marks reads the marks of the evaluations. Only the marks of pupils who belong to the
// evaluation's class or group count: an evaluation moved to another class, or a pupil who
// left, leaves marks that count nowhere. pupil, when not nil, keeps that pupil's only.
func (st store) marks(evalIDs []uuid.UUID, pupil uuid.UUID) ([]markRow, error) {
	if len(evalIDs) == 0 {
		return nil, nil
	}
	q := `SELECT mk.evaluation_id, mk.pupil_id, (mk.value * 100)::bigint, mk.code, mk.comment, mk.updated_at
		FROM marks mk JOIN evaluations e ON e.id = mk.evaluation_id
		JOIN class_members cm ON cm.class_id = e.class_id AND cm.person_id = mk.pupil_id
		WHERE mk.evaluation_id = ANY(?::uuid[])`
	args := []any{uuidArray(evalIDs)}
	if pupil != uuid.Nil {
		q += ` AND mk.pupil_id = ?`
		args = append(args, pupil)
	}
	// Scanned by hand: a class page reads thousands of marks, and reflection would cost
	// more than the query.
	rows, err := st.tx.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []markRow
	for rows.Next() {
		var r markRow
		var value *int64
		var code *string
		if err := rows.Scan(&r.EvaluationID, &r.PupilID, &value, &code, &r.Comment, &r.UpdatedAt); err != nil {
			return nil, err
		}
		if value != nil {
			v := Hundredths(*value)
			r.Value = &v
		}
		if code != nil {
			r.Code = *code
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// markInput is a pupil's mark as a grid saves it: a value in hundredths or a code, or
// neither (cleared).
type markInput struct {
	Pupil   uuid.UUID   `json:"pupil_id"`
	Value   *Hundredths `json:"value"`
	Code    *string     `json:"code"`
	Comment string      `json:"comment"`
}

// saveMarks records the marks of one evaluation in two statements, whatever their number:
// the cleared ones deleted, the others upserted (an unchanged mark keeps its date, so that it
// is not "Nouveau" again). One statement each, so that the triggers that follow marks
// (grades_version, evaluation_stats) run once per save, not once per pupil.
func (st store) saveMarks(evalID uuid.UUID, marks []markInput, now time.Time) error {
	var cleared []uuid.UUID
	var kept []markInput
	for _, m := range marks {
		if m.Value == nil && m.Code == nil {
			cleared = append(cleared, m.Pupil)
		} else {
			kept = append(kept, m)
		}
	}
	if len(cleared) > 0 {
		if err := st.tx.Exec(`DELETE FROM marks WHERE evaluation_id = ? AND pupil_id = ANY(?::uuid[])`, evalID, uuidArray(cleared)).Error; err != nil {
			return fmt.Errorf("grades: clear marks: %w", err)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	rows, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	if err := st.tx.Exec(`INSERT INTO marks (evaluation_id, pupil_id, value, code, comment, updated_at)
		SELECT ?, x.pupil_id, x.value::numeric / 100, x.code, x.comment, ?
		FROM jsonb_to_recordset(?::jsonb) AS x(pupil_id uuid, value bigint, code text, comment text)
		ON CONFLICT (evaluation_id, pupil_id) DO UPDATE SET value = EXCLUDED.value, code = EXCLUDED.code, comment = EXCLUDED.comment,
			updated_at = EXCLUDED.updated_at
		WHERE (marks.value, marks.code, marks.comment) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.code, EXCLUDED.comment)`,
		evalID, now, string(rows)).Error; err != nil {
		return fmt.Errorf("grades: save marks: %w", err)
	}
	return nil
}

// pageState is what a pupil's marks page is shown from before any mark is read: the version
// of the grades data and the viewer's last visits of the pupil's marks, per period (one
// statement).
func (st store) pageState(viewer, pupil uuid.UUID) (pageState, error) {
	var rows []struct {
		Version  int64
		PeriodID *uuid.UUID
		SeenAt   *time.Time
	}
	if err := st.tx.Raw(`SELECT coalesce((SELECT v FROM grades_version), 0) AS version, mv.period_id, mv.seen_at
		FROM (VALUES (1)) one LEFT JOIN mark_views mv ON mv.viewer_id = ? AND mv.pupil_id = ?`, viewer, pupil).Scan(&rows).Error; err != nil {
		return pageState{}, fmt.Errorf("grades: last visits of %s: %w", pupil, err)
	}
	ps := pageState{visits: map[uuid.UUID]time.Time{}}
	for _, r := range rows {
		ps.version = r.Version
		if r.PeriodID != nil && r.SeenAt != nil {
			ps.visits[*r.PeriodID] = *r.SeenAt
		}
	}
	return ps, nil
}

// pageState: see store.pageState.
type pageState struct {
	version int64
	visits  map[uuid.UUID]time.Time // by period
}

// since is when a viewer of kind view last looked at the period's marks: the time after which
// marks are "Nouveau" (zero: never, or a viewer for whom nothing is new).
func (ps pageState) since(view viewKind, period uuid.UUID) time.Time {
	if view != viewFamily {
		return time.Time{}
	}
	return ps.visits[period]
}

// recordVisit notes that viewer opened the pupil's marks of the period at now.
func (st store) recordVisit(viewer, pupil, period uuid.UUID, now time.Time) error {
	if err := st.tx.Exec(`INSERT INTO mark_views (viewer_id, pupil_id, period_id, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (viewer_id, pupil_id, period_id) DO UPDATE SET seen_at = EXCLUDED.seen_at`,
		viewer, pupil, period, now).Error; err != nil {
		return fmt.Errorf("grades: record the visit of %s: %w", pupil, err)
	}
	return nil
}
