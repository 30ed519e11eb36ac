package grades

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/frsort"
)

// store is the grades' SQL, bound to one tenant transaction: the service opens the
// transaction (tenant.DB.Tx or ReadTx, one per page) and asks the store. Nothing else in the
// package writes SQL. The tables of the directory (people, classes, class_members,
// teachings, subjects) are read here as the school's structure; who is whose legal
// guardian is asked of the directory (Guardians, with the same transaction), never read here.
type store struct{ tx *gorm.DB }

// currentYear returns the current school year's code. The directory opens school years; the
// grades only read them.
func (st store) currentYear() (string, error) {
	var code string
	if err := st.tx.Raw(`SELECT code FROM school_years WHERE current`).Scan(&code).Error; err != nil {
		return "", fmt.Errorf("grades: current school year: %w", err)
	}
	if code == "" {
		return "", fault.New(fault.ErrNotFound, "aucune année scolaire n'est ouverte dans cet établissement : importez l'annuaire de l'année pour l'ouvrir")
	}
	return code, nil
}

// periods returns the current year's periods, in order.
func (st store) periods() ([]Period, error) {
	var rows []periodRow
	// One query for the year and its periods: every page reads them.
	if err := st.tx.Raw(`SELECT y.code AS year, p.* FROM school_years y LEFT JOIN periods p ON p.school_year = y.code
		WHERE y.current ORDER BY p.starts_on`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("grades: periods: %w", err)
	}
	return periodsOf(rows)
}

// periodsSeen is periods with what a pupil's marks page is shown from before any mark is
// read (pageState): the version of the grades data and the viewer's last visits of the
// pupil's marks in each period. One statement.
func (st store) periodsSeen(viewer, pupil uuid.UUID) ([]Period, pageState, error) {
	// Scanned by hand: the most viewed page reads it on every view, and GORM's reflection
	// cost more than the query.
	rows, err := st.tx.Raw(`SELECT y.code, coalesce(p.id, '00000000-0000-0000-0000-000000000000'), coalesce(p.school_year, ''),
			coalesce(p.kind, ''), coalesce(p.number, 0), coalesce(p.starts_on, '0001-01-01'), coalesce(p.ends_on, '0001-01-01'),
			coalesce((SELECT v FROM grades_version), 0), mv.seen_at
		FROM school_years y LEFT JOIN periods p ON p.school_year = y.code
		LEFT JOIN mark_views mv ON mv.period_id = p.id AND mv.viewer_id = ? AND mv.pupil_id = ?
		WHERE y.current ORDER BY p.starts_on`, viewer, pupil).Rows()
	if err != nil {
		return nil, pageState{}, fmt.Errorf("grades: periods and last visits: %w", err)
	}
	defer rows.Close()
	var out []periodRow
	ps := pageState{visits: map[uuid.UUID]time.Time{}}
	for rows.Next() {
		var r periodRow
		if err := rows.Scan(&r.Year, &r.ID, &r.SchoolYear, &r.Kind, &r.Number, &r.StartsOn, &r.EndsOn, &ps.version, &r.SeenAt); err != nil {
			return nil, pageState{}, fmt.Errorf("grades: periods and last visits: %w", err)
		}
		if r.SeenAt != nil {
			ps.visits[r.ID] = *r.SeenAt
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, pageState{}, fmt.Errorf("grades: periods and last visits: %w", err)
	}
	periods, err := periodsOf(out)
	return periods, ps, err
}

// periodRow is a row of the periods queries: the current year and one of its periods (none:
// the year has no period yet).
type periodRow struct {
	Period
	Year   string
	SeenAt *time.Time // periodsSeen only
}

// periodsOf checks that a year is open and has periods, and returns them.
func periodsOf(rows []periodRow) ([]Period, error) {
	if len(rows) == 0 {
		return nil, fault.New(fault.ErrNotFound, "aucune année scolaire n'est ouverte dans cet établissement : importez l'annuaire de l'année pour l'ouvrir")
	}
	if rows[0].ID == uuid.Nil {
		return nil, fault.New(fault.ErrNotFound, "l'année %s n'a aucune période : la direction doit choisir trimestres ou semestres", rows[0].Year)
	}
	out := make([]Period, len(rows))
	for i, r := range rows {
		out[i] = r.Period
	}
	return out, nil
}

// yearBounds is a school year's first and last day as the directory recorded them.
func (st store) yearBounds(year string) (start, end time.Time, err error) {
	var ys struct{ StartsOn, EndsOn time.Time }
	err = st.tx.Raw(`SELECT starts_on, ends_on FROM school_years WHERE code = ?`, year).Scan(&ys).Error
	return ys.StartsOn, ys.EndsOn, err
}

// yearPublications counts the report cards of the year already published.
func (st store) yearPublications(year string) (int, error) {
	var n int
	err := st.tx.Raw(`SELECT count(*) FROM report_publications r JOIN periods p ON p.id = r.period_id WHERE p.school_year = ?`, year).Scan(&n).Error
	return n, err
}

// yearTexts counts the appréciations and conseil comments written in the year.
func (st store) yearTexts(year string) (int, error) {
	var n int
	err := st.tx.Raw(`SELECT (SELECT count(*) FROM appreciations a JOIN periods p ON p.id = a.period_id WHERE p.school_year = ?)
		+ (SELECT count(*) FROM council_comments c JOIN periods p ON p.id = c.period_id WHERE p.school_year = ?)`, year, year).Scan(&n).Error
	return n, err
}

// replacePeriods swaps the year's periods for ps.
func (st store) replacePeriods(year string, ps []Period) error {
	if err := st.tx.Exec(`DELETE FROM periods WHERE school_year = ?`, year).Error; err != nil {
		return err
	}
	return st.tx.Create(&ps).Error
}

// classes lists the current year's classes (kind "classe" or "groupe"; "" for both).
func (st store) classes(kind string) ([]classRef, error) {
	var out []classRef
	q := `SELECT c.id, c.code, c.label, c.kind FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current`
	args := []any{}
	if kind != "" {
		q += ` WHERE c.kind = ?`
		args = append(args, kind)
	}
	if err := st.tx.Raw(q+` ORDER BY c.kind, c.code`, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("grades: classes: %w", err)
	}
	return out, nil
}

// pupils lists the active pupils of a class or group.
func (st store) pupils(classID uuid.UUID) ([]pupilRow, error) {
	var out []pupilRow
	if err := st.tx.Raw(`SELECT p.id, p.first_name, p.last_name FROM people p JOIN class_members m ON m.person_id = p.id
		WHERE m.class_id = ? AND p.active AND p.category = 'eleve'`, classID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("grades: pupils of %s: %w", classID, err)
	}
	sortPupils(out)
	return out, nil
}

// classOf returns the pupil's class (division) this year.
func (st store) classOf(pupilID uuid.UUID) (id uuid.UUID, label string, err error) {
	var row struct {
		ID    uuid.UUID
		Label string
	}
	err = st.tx.Raw(`SELECT c.id, c.label FROM classes c JOIN class_members m ON m.class_id = c.id JOIN school_years y ON y.code = c.school_year AND y.current
		WHERE m.person_id = ? AND c.kind = 'classe' ORDER BY c.code LIMIT 1`, pupilID).Scan(&row).Error
	if err == nil && row.ID == uuid.Nil {
		err = fault.New(fault.ErrNotFound, "cet élève n'est dans aucune classe cette année")
	}
	return row.ID, row.Label, err
}

// subjectLabels returns the label of a subject (none: it does not exist).
func (st store) subjectLabels(code string) ([]string, error) {
	var labels []string
	err := st.tx.Raw(`SELECT label FROM subjects WHERE code = ?`, code).Scan(&labels).Error
	for i := range labels {
		labels[i] = subjectName(code, labels[i])
	}
	return labels, err
}

// subjectCoefficients lists the subjects of a class for its coefficients: those taught there
// and those with a coefficient set, each with its coefficient (default 1).
func (st store) subjectCoefficients(classID uuid.UUID) ([]SubjectHead, error) {
	var rows []struct {
		Code  string
		Label string
		Coef  *int64
	}
	if err := st.tx.Raw(`SELECT s.code, s.label, (sc.coefficient * 100)::bigint AS coef FROM subjects s
		LEFT JOIN subject_coefficients sc ON sc.subject_code = s.code AND sc.class_id = ?
		WHERE sc.class_id IS NOT NULL OR EXISTS (SELECT 1 FROM teachings te WHERE te.class_id = ? AND te.subject_code = s.code)
		ORDER BY s.label`, classID, classID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("grades: coefficients of %s: %w", classID, err)
	}
	out := make([]SubjectHead, len(rows))
	for i, r := range rows {
		out[i] = SubjectHead{Code: r.Code, Label: subjectName(r.Code, r.Label), Coef: 100}
		if r.Coef != nil {
			out[i].Coef = Hundredths(*r.Coef)
		}
	}
	sortSubjects(out, func(s SubjectHead) string { return s.Label })
	return out, nil
}

// classSubjectExists tells whether both the class and the subject exist.
func (st store) classSubjectExists(classID uuid.UUID, subject string) (bool, error) {
	var n int
	err := st.tx.Raw(`SELECT (SELECT count(*) FROM classes WHERE id = ?) * (SELECT count(*) FROM subjects WHERE code = ?)`, classID, subject).Scan(&n).Error
	return n > 0, err
}

// setSubjectCoefficient records a subject's weight in a class's general average.
func (st store) setSubjectCoefficient(classID uuid.UUID, subject string, c Hundredths) error {
	return st.tx.Exec(`INSERT INTO subject_coefficients (class_id, subject_code, coefficient) VALUES (?, ?, ?::numeric / 100)
		ON CONFLICT (class_id, subject_code) DO UPDATE SET coefficient = EXCLUDED.coefficient`, classID, subject, int64(c)).Error
}

// teachings lists the class × subject pairs taught by teacher (uuid.Nil: by anyone).
func (st store) teachings(teacher uuid.UUID) ([]Teaching, error) {
	var out []Teaching
	q := `SELECT DISTINCT c.id AS class_id, c.code AS class_code, c.label AS class_label, c.kind AS class_kind,
			s.code AS subject_code, s.label AS subject_label
		FROM teachings te JOIN classes c ON c.id = te.class_id JOIN subjects s ON s.code = te.subject_code
		JOIN school_years y ON y.code = c.school_year AND y.current`
	args := []any{}
	if teacher != uuid.Nil {
		q += ` WHERE te.teacher_id = ?`
		args = append(args, teacher)
	}
	err := st.tx.Raw(q+` ORDER BY c.kind, c.code, s.label`, args...).Scan(&out).Error
	for i := range out {
		out[i].SubjectLabel = subjectName(out[i].SubjectCode, out[i].SubjectLabel)
	}
	return out, err
}

// teaches tells whether teacher teaches subject in the class or group.
func (st store) teaches(teacher, classID uuid.UUID, subject string) (bool, error) {
	var n int
	err := st.tx.Raw(`SELECT count(*) FROM teachings WHERE teacher_id = ? AND class_id = ? AND subject_code = ?`, teacher, classID, subject).Scan(&n).Error
	return n > 0, err
}

// teaching returns a class and a subject (ClassID nil: one of them does not exist).
func (st store) teaching(classID uuid.UUID, subject string) (Teaching, error) {
	var te Teaching
	err := st.tx.Raw(`SELECT c.id AS class_id, c.code AS class_code, c.label AS class_label, c.kind AS class_kind,
			s.code AS subject_code, s.label AS subject_label
		FROM classes c CROSS JOIN subjects s WHERE c.id = ? AND s.code = ?`, classID, subject).Scan(&te).Error
	te.SubjectLabel = subjectName(te.SubjectCode, te.SubjectLabel)
	return te, err
}

// teachesPupil tells whether teacher teaches one of the pupil's classes or groups, or is
// professeur principal of one.
func (st store) teachesPupil(teacher, pupilID uuid.UUID) (bool, error) {
	var n int
	err := st.tx.Raw(`SELECT (SELECT count(*) FROM class_members m JOIN teachings t ON t.class_id = m.class_id WHERE m.person_id = ? AND t.teacher_id = ?)
		+ (SELECT count(*) FROM class_members m JOIN principal_teachers p ON p.class_id = m.class_id WHERE m.person_id = ? AND p.teacher_id = ?)`,
		pupilID, teacher, pupilID, teacher).Scan(&n).Error
	return n > 0, err
}

// isPrincipal tells whether teacher is professeur principal of the class.
func (st store) isPrincipal(teacher, classID uuid.UUID) (bool, error) {
	var n int
	err := st.tx.Raw(`SELECT count(*) FROM principal_teachers WHERE teacher_id = ? AND class_id = ?`, teacher, classID).Scan(&n).Error
	return n > 0, err
}

// sortPupils puts pupils in French order of last name, then first name (Gâtineau before
// Girard), as every list of names is shown.
func sortPupils(ps []pupilRow) {
	frsort.Slice(ps, func(p pupilRow) []string { return []string{p.LastName, p.FirstName} })
}

// sortSubjects puts subjects in French order of their names as shown.
func sortSubjects[T any](s []T, name func(T) string) {
	frsort.Slice(s, func(x T) []string { return []string{name(x)} })
}

// uuidArray writes ids as one uuid[] literal, for "= ANY(?::uuid[])": PostgreSQL plans a
// query with one array parameter much faster than an IN list of sixty (planning, not running,
// was most of the time of a pupil's marks queries).
func uuidArray(ids []uuid.UUID) string {
	var b strings.Builder
	b.Grow(2 + 37*len(ids))
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}
