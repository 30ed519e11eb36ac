package grades

import (
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
)

// enrolment is a pupil with their class (division) this year.
type enrolment struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	Active     bool
	Category   string
	ClassID    uuid.UUID
	ClassLabel string
}

// enrolment returns the pupil and their class this year (ClassID nil: none).
func (st store) enrolment(pupilID uuid.UUID) (enrolment, error) {
	var e enrolment
	err := st.tx.Raw(`SELECT p.id, p.first_name, p.last_name, p.active, p.category, c.id AS class_id, coalesce(c.label, '') AS class_label FROM people p
		LEFT JOIN LATERAL (SELECT c.id, c.label FROM classes c JOIN class_members m ON m.class_id = c.id
			JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1) c ON true
		WHERE p.id = ?`, pupilID).Scan(&e).Error
	if err != nil {
		return e, fmt.Errorf("grades: class of %s: %w", pupilID, err)
	}
	return e, nil
}

func (e enrolment) pupil() pupilRow {
	return pupilRow{ID: e.ID, FirstName: e.FirstName, LastName: e.LastName}
}

// pupilEvaluations lists the evaluations of the period in the pupil's classes and groups
// (published only, if asked), with the class figures of each, computed by PostgreSQL.
func (st store) pupilEvaluations(pupilID uuid.UUID, p Period, publishedOnly bool) ([]Evaluation, map[uuid.UUID]Stats, error) {
	where := `e.class_id IN (SELECT class_id FROM class_members WHERE person_id = ?) AND e.on_date BETWEEN ? AND ?`
	if publishedOnly {
		where += ` AND e.published`
	}
	evs, err := st.evaluations(where, pupilID, p.StartsOn, p.EndsOn)
	if err != nil {
		return nil, nil, fmt.Errorf("grades: evaluations of %s: %w", pupilID, err)
	}
	ids := make([]uuid.UUID, len(evs))
	for i := range evs {
		ids[i] = evs[i].ID
	}
	stats, err := st.evaluationStats(ids)
	return evs, stats, err
}

// evaluationStats are the class figures of each evaluation on its scale, over the counted
// marks of the pupils of its class or group (as store.marks counts them), as the triggers of
// evaluation_stats keep them.
func (st store) evaluationStats(ids []uuid.UUID) (map[uuid.UUID]Stats, error) {
	out := make(map[uuid.UUID]Stats, len(ids))
	for _, id := range ids {
		out[id] = Stats{} // no counted mark yet
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		EvaluationID      uuid.UUID
		N, Sum, Low, High int64
	}
	if err := st.tx.Raw(`SELECT evaluation_id, n, (sum * 100)::bigint AS sum, (low * 100)::bigint AS low, (high * 100)::bigint AS high
		FROM evaluation_stats WHERE evaluation_id = ANY(?::uuid[])`, uuidArray(ids)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("grades: class figures of evaluations: %w", err)
	}
	for _, r := range rows {
		out[r.EvaluationID] = Stats{Count: int(r.N), Avg: big.NewRat(r.Sum, r.N*100), Min: big.NewRat(r.Low, 100), Max: big.NewRat(r.High, 100)}
	}
	return out, nil
}

// subjectMarks is what one pupil's marks in one subject bring to their average: the sums
// per scale of the ordinary marks, and the bonus marks one by one.
type subjectMarks struct {
	sums  []scaleSum
	bonus []Mark
}

// classSums returns, for every active pupil of the class, per subject, the sums their
// counted marks of the period make (published evaluations only, if asked): PostgreSQL adds
// up the marks, so that the class figures of one pupil's page need no mark of the others.
// The evaluations are those of the class and of its pupils' groups; a mark counts only if
// its pupil belongs to the evaluation's class or group.
func (st store) classSums(classID uuid.UUID, p Period, publishedOnly bool) (map[uuid.UUID]map[string]*subjectMarks, error) {
	published := ``
	if publishedOnly {
		published = ` AND e.published`
	}
	var rows []struct {
		PupilID     uuid.UUID
		SubjectCode string
		Scale       int64
		Bonus       bool
		Sum, Coefs  int64
		Value, Coef int64 // a bonus mark's own value and coefficient
		OnDate      time.Time
	}
	// Ordinary marks are summed per pupil × subject × scale; bonus marks (rare) come one per
	// row, in date order, since whether they count depends on the average before them.
	if err := st.tx.Raw(`SELECT mk.pupil_id, e.subject_code, (e.scale * 100)::bigint AS scale, e.bonus,
			(sum(mk.value * e.coefficient) * 10000)::bigint AS sum, (sum(e.coefficient) * 100)::bigint AS coefs,
			(max(mk.value) * 100)::bigint AS value, (max(e.coefficient) * 100)::bigint AS coef, min(e.on_date) AS on_date
		FROM marks mk JOIN evaluations e ON e.id = mk.evaluation_id
		JOIN class_members cm ON cm.class_id = e.class_id AND cm.person_id = mk.pupil_id
		JOIN class_members mine ON mine.person_id = mk.pupil_id AND mine.class_id = ?
		JOIN people pe ON pe.id = mk.pupil_id AND pe.active AND pe.category = 'eleve'
		WHERE mk.value IS NOT NULL AND e.coefficient > 0 AND e.on_date BETWEEN ? AND ?`+published+`
		GROUP BY mk.pupil_id, e.subject_code, e.scale, e.bonus, CASE WHEN e.bonus THEN e.id END
		ORDER BY min(e.on_date), min(e.created_at)`, classID, p.StartsOn, p.EndsOn).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("grades: sums of class %s: %w", classID, err)
	}
	out := map[uuid.UUID]map[string]*subjectMarks{}
	for _, r := range rows {
		if out[r.PupilID] == nil {
			out[r.PupilID] = map[string]*subjectMarks{}
		}
		sm := out[r.PupilID][r.SubjectCode]
		if sm == nil {
			sm = &subjectMarks{}
			out[r.PupilID][r.SubjectCode] = sm
		}
		if r.Bonus {
			sm.bonus = append(sm.bonus, Mark{Value: Hundredths(r.Value), Scale: Hundredths(r.Scale), Coef: Hundredths(r.Coef), Bonus: true, Date: r.OnDate})
			continue
		}
		sm.sums = append(sm.sums, scaleSum{Scale: Hundredths(r.Scale), Sum: r.Sum, Coefs: r.Coefs})
	}
	return out, nil
}

// gradesVersion is the version of the establishment's grades data (grades_version).
func (st store) gradesVersion() (int64, error) {
	var v int64
	if err := st.tx.Raw(`SELECT coalesce((SELECT v FROM grades_version), 0)`).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("grades: version of the data: %w", err)
	}
	return v, nil
}
