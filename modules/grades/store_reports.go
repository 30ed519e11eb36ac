package grades

import (
	"fmt"
	"time"

	"github.com/cartable-ent/cartable/web/frsort"
	"github.com/google/uuid"
)

func (st store) reportClass(a Actor, classID, periodID uuid.UUID) (*reportClass, error) {
	var row struct {
		ID                uuid.UUID
		Code, Label, Kind string
	}
	if err := st.tx.Raw(`SELECT c.id, c.code, c.label, c.kind FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
		WHERE c.id = ?`, classID).Scan(&row).Error; err != nil {
		return nil, fmt.Errorf("grades: load class %s: %w", classID, err)
	}
	if row.ID == uuid.Nil {
		return nil, errNotYourClass
	}
	bc := &reportClass{ID: row.ID, Code: row.Code, Label: row.Label, Kind: row.Kind, Oversees: a.Oversees()}
	if err := st.tx.Raw(`SELECT s.code, s.label, bool_or(te.teacher_id = ?) AS mine FROM teachings te JOIN subjects s ON s.code = te.subject_code
		WHERE te.class_id = ? GROUP BY s.code, s.label ORDER BY s.label, s.code`, a.PersonID, classID).Scan(&bc.Subjects).Error; err != nil {
		return nil, fmt.Errorf("grades: subjects of class %s: %w", classID, err)
	}
	for i := range bc.Subjects {
		bc.Subjects[i].Mine = bc.Subjects[i].Mine || bc.Oversees
		bc.Subjects[i].Label = subjectName(bc.Subjects[i].Code, bc.Subjects[i].Label)
	}
	sortSubjects(bc.Subjects, func(s taughtSubject) string { return s.Label })
	var n int
	if err := st.tx.Raw(`SELECT count(*) FROM principal_teachers WHERE teacher_id = ? AND class_id = ?`, a.PersonID, classID).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("grades: principal of class %s: %w", classID, err)
	}
	bc.Principal = n > 0
	var pubs []struct{ PublishedAt time.Time }
	if err := st.tx.Raw(`SELECT published_at FROM report_publications WHERE period_id = ? AND class_id = ?`, periodID, classID).Scan(&pubs).Error; err != nil {
		return nil, fmt.Errorf("grades: publication of class %s: %w", classID, err)
	}
	if len(pubs) > 0 {
		bc.Published, bc.PublishedAt = true, pubs[0].PublishedAt
	}
	return bc, nil
}

func (st store) boardClasses(a Actor, b *reportBoard) error {
	var rows []struct {
		ID                uuid.UUID
		Code, Label, Kind string
	}
	current := `SELECT c.id, c.code, c.label, c.kind FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current`
	if a.Oversees() {
		if err := st.tx.Raw(current + ` WHERE c.kind = 'classe' ORDER BY c.code`).Scan(&rows).Error; err != nil {
			return fmt.Errorf("grades: classes: %w", err)
		}
	} else if err := st.tx.Raw(current+`
		WHERE c.id IN (SELECT class_id FROM teachings WHERE teacher_id = ?) OR c.id IN (SELECT class_id FROM principal_teachers WHERE teacher_id = ?)
		ORDER BY c.kind, c.code`, a.PersonID, a.PersonID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("grades: classes of %s: %w", a.PersonID, err)
	}
	var subjects []struct {
		ClassID     uuid.UUID
		Code, Label string
	}
	if err := st.tx.Raw(`SELECT te.class_id, s.code, s.label FROM teachings te JOIN subjects s ON s.code = te.subject_code
		WHERE te.teacher_id = ? ORDER BY s.label`, a.PersonID).Scan(&subjects).Error; err != nil {
		return fmt.Errorf("grades: teachings of %s: %w", a.PersonID, err)
	}
	var principal []uuid.UUID
	if err := st.tx.Raw(`SELECT class_id FROM principal_teachers WHERE teacher_id = ?`, a.PersonID).Scan(&principal).Error; err != nil {
		return fmt.Errorf("grades: principal classes of %s: %w", a.PersonID, err)
	}
	for _, r := range rows {
		c := boardClass{ID: r.ID, Code: r.Code, Label: r.Label, Kind: r.Kind}
		for _, s := range subjects {
			if s.ClassID == c.ID {
				c.Subjects = append(c.Subjects, taughtSubject{Code: s.Code, Label: subjectName(s.Code, s.Label), Mine: true})
			}
		}
		for _, id := range principal {
			c.Principal = c.Principal || id == c.ID
		}
		b.Classes = append(b.Classes, c)
	}
	return nil
}

// memberships lists, for every pupil of the class, each class and group they belong to.
func (st store) memberships(classID uuid.UUID) ([]struct{ ClassID, PersonID uuid.UUID }, error) {
	var out []struct{ ClassID, PersonID uuid.UUID }
	err := st.tx.Raw(`SELECT m2.class_id, m2.person_id FROM class_members m1 JOIN class_members m2 ON m2.person_id = m1.person_id
		WHERE m1.class_id = ?`, classID).Scan(&out).Error
	return out, err
}

// pupilMemberships lists the classes and groups of one pupil.
func (st store) pupilMemberships(pupilID uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := st.tx.Raw(`SELECT class_id FROM class_members WHERE person_id = ?`, pupilID).Scan(&out).Error
	return out, err
}

// coefficients are the subjects' weights in the class's general average (missing: 1).
func (st store) coefficients(classID uuid.UUID) (map[string]Hundredths, error) {
	var rows []struct {
		SubjectCode string
		Coef        int64
	}
	if err := st.tx.Raw(`SELECT subject_code, (coefficient * 100)::bigint AS coef FROM subject_coefficients WHERE class_id = ?`, classID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]Hundredths, len(rows))
	for _, r := range rows {
		out[r.SubjectCode] = Hundredths(r.Coef)
	}
	return out, nil
}

// classLabel is the class's label.
func (st store) classLabel(classID uuid.UUID) (string, error) {
	var class struct{ Label string }
	err := st.tx.Raw(`SELECT label FROM classes WHERE id = ?`, classID).Scan(&class).Error
	return class.Label, err
}

// appreciations returns the period's appréciations: pupil → subject → text (pupil nil:
// every pupil's).
func (st store) appreciations(periodID, pupil uuid.UUID) (map[uuid.UUID]map[string]string, error) {
	var rows []struct {
		PupilID     uuid.UUID
		SubjectCode string
		Text        string
	}
	q, args := `SELECT pupil_id, subject_code, text FROM appreciations WHERE period_id = ?`, []any{periodID}
	if pupil != uuid.Nil {
		q, args = q+` AND pupil_id = ?`, append(args, pupil)
	}
	if err := st.tx.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[uuid.UUID]map[string]string{}
	for _, a := range rows {
		if out[a.PupilID] == nil {
			out[a.PupilID] = map[string]string{}
		}
		out[a.PupilID][a.SubjectCode] = a.Text
	}
	return out, nil
}

// councilComments returns the period's conseil comments by pupil (pupil nil: every pupil's).
func (st store) councilComments(periodID, pupil uuid.UUID) (map[uuid.UUID]string, error) {
	var rows []struct {
		PupilID uuid.UUID
		Text    string
	}
	q, args := `SELECT pupil_id, text FROM council_comments WHERE period_id = ?`, []any{periodID}
	if pupil != uuid.Nil {
		q, args = q+` AND pupil_id = ?`, append(args, pupil)
	}
	if err := st.tx.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, c := range rows {
		out[c.PupilID] = c.Text
	}
	return out, nil
}

// published tells whether the class's report cards of the period are published.
func (st store) published(periodID, classID uuid.UUID) (bool, error) {
	var n int
	err := st.tx.Raw(`SELECT count(*) FROM report_publications WHERE period_id = ? AND class_id = ?`, periodID, classID).Scan(&n).Error
	return n > 0, err
}

// principals names the class's professeurs principaux: "M. Martin, Mme Durand".
func (st store) principals(classID uuid.UUID) (string, error) {
	var s string
	err := st.tx.Raw(`SELECT coalesce(string_agg(trim(pe.title || ' ' || pe.last_name), ', '), '') FROM principal_teachers pt JOIN people pe ON pe.id = pt.teacher_id WHERE pt.class_id = ?`, classID).Scan(&s).Error
	return s, err
}

// publishedForTexts counts publications of the period for the class or for the class of
// any of the pupils (a group's pupils come from several classes).
func (st store) publishedForTexts(periodID, classID uuid.UUID, pupils []uuid.UUID) (int, error) {
	var pub int
	q := `SELECT count(*) FROM report_publications r WHERE r.period_id = ? AND (r.class_id = ?`
	args := []any{periodID, classID}
	if len(pupils) > 0 {
		q += ` OR r.class_id IN (SELECT class_id FROM class_members WHERE person_id IN ?)`
		args = append(args, pupils)
	}
	err := st.tx.Raw(q+`)`, args...).Scan(&pub).Error
	return pub, err
}

// classPupils is the set of the class's active pupils.
func (st store) classPupils(classID uuid.UUID) (map[uuid.UUID]bool, error) {
	var ids []uuid.UUID
	if err := st.tx.Raw(`SELECT m.person_id FROM class_members m JOIN people p ON p.id = m.person_id WHERE m.class_id = ? AND p.active AND p.category = 'eleve'`, classID).Scan(&ids).Error; err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// saveAppreciation writes (or, for an empty text, removes) an appréciation.
func (st store) saveAppreciation(periodID, pupil uuid.UUID, subject string, author any, text string, now time.Time) error {
	if text == "" {
		return st.tx.Exec(`DELETE FROM appreciations WHERE period_id = ? AND pupil_id = ? AND subject_code = ?`, periodID, pupil, subject).Error
	}
	return st.tx.Exec(`INSERT INTO appreciations (period_id, pupil_id, subject_code, author_id, text, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (period_id, pupil_id, subject_code) DO UPDATE SET text = EXCLUDED.text, author_id = EXCLUDED.author_id, updated_at = EXCLUDED.updated_at`,
		periodID, pupil, subject, author, text, now).Error
}

// saveCouncilComment writes (or, for an empty text, removes) a conseil comment.
func (st store) saveCouncilComment(periodID, pupil uuid.UUID, author any, text string, now time.Time) error {
	if text == "" {
		return st.tx.Exec(`DELETE FROM council_comments WHERE period_id = ? AND pupil_id = ?`, periodID, pupil).Error
	}
	return st.tx.Exec(`INSERT INTO council_comments (period_id, pupil_id, author_id, text, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (period_id, pupil_id) DO UPDATE SET text = EXCLUDED.text, author_id = EXCLUDED.author_id, updated_at = EXCLUDED.updated_at`,
		periodID, pupil, author, text, now).Error
}

// setPublished publishes (or withdraws) the class's report cards of the period.
func (st store) setPublished(periodID, classID uuid.UUID, by any, publish bool) error {
	if !publish {
		return st.tx.Exec(`DELETE FROM report_publications WHERE period_id = ? AND class_id = ?`, periodID, classID).Error
	}
	return st.tx.Exec(`INSERT INTO report_publications (period_id, class_id, published_by) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		periodID, classID, by).Error
}

// publications lists every published class × period with its date.
func (st store) publications() (map[[2]uuid.UUID]time.Time, error) {
	var rows []struct {
		PeriodID, ClassID uuid.UUID
		PublishedAt       time.Time
	}
	if err := st.tx.Raw(`SELECT period_id, class_id, published_at FROM report_publications`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("grades: publications: %w", err)
	}
	out := make(map[[2]uuid.UUID]time.Time, len(rows))
	for _, p := range rows {
		out[[2]uuid.UUID{p.PeriodID, p.ClassID}] = p.PublishedAt
	}
	return out, nil
}

// boardPupils lists self (uuid.Nil: nobody) and the given pupils, active, with their class.
func (st store) boardPupils(self uuid.UUID, children []uuid.UUID) ([]boardPupil, error) {
	var out []boardPupil
	ids := append([]uuid.UUID{self}, children...)
	if err := st.tx.Raw(`SELECT p.id, p.first_name, p.last_name, c.id AS class_id, c.label AS class_label FROM people p
		LEFT JOIN LATERAL (SELECT c.id, c.label FROM classes c JOIN class_members m ON m.class_id = c.id
			JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1) c ON true
		WHERE p.active AND p.category = 'eleve' AND p.id IN ?
		`, ids).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("grades: pupils of the board: %w", err)
	}
	frsort.Slice(out, func(p boardPupil) []string { return []string{p.LastName, p.FirstName} })
	return out, nil
}
