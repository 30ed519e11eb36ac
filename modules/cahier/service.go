package cahier

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Timetable is what the cahier asks the timetable: a person's lessons (the teacher's week
// to fill), one lesson (a séance's slot), a class's lessons (its next lesson of a subject)
// and the calendar (holidays, for the right to disconnect). timetable.Service is one.
type Timetable interface {
	LessonsOfPerson(ctx context.Context, t *tenant.Tenant, person uuid.UUID, from, to time.Time) ([]timetable.Lesson, error)
	LessonsOfGroup(ctx context.Context, t *tenant.Tenant, class uuid.UUID, from, to time.Time) ([]timetable.Lesson, error)
	LessonAt(ctx context.Context, t *tenant.Tenant, slotID uuid.UUID, date time.Time) (timetable.Lesson, error)
	Profile(ctx context.Context, t *tenant.Tenant) (timetable.Profile, error)
}

// Guardians is what the cahier asks the directory about families (directory.Guardianship).
type Guardians interface {
	IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error)
	LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]directory.Child, error)
}

// Service keeps the cahiers de textes of every establishment.
type Service struct {
	db        *tenant.DB
	lessons   Timetable
	guardians Guardians
	notifier  Notifier     // SetNotifier; nil: nobody is told
	files     *files.Store // SetBucket; nil: attachments are refused
	archives  *files.Store // SetBucket: the year-end archives' PDFs (archive.go)
	portfolio Portfolio    // SetPortfolio; nil: hand-ins are refused (sub.go)
	marks     Marks        // SetMarks; nil: returns carry no mark
	now       func() time.Time
}

// NewService wires the cahier on the tenants' database and the timetable. now is the clock
// (nil: time.Now).
func NewService(db *tenant.DB, lessons Timetable, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, lessons: lessons, guardians: directory.Guardianship{}, now: func() time.Time { return now().In(directory.SchoolZone) }}
}

type store struct{ tx *gorm.DB }

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return archivedRefusal(s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) }))
}

// Today is the establishment's date now.
func (s *Service) Today() time.Time { return day(s.now()) }

// FormErrors are a refused form's messages by field, in French.
type FormErrors map[string]string

func (e FormErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k+": "+e[k])
	}
	slices.Sort(keys)
	return "formulaire refusé: " + strings.Join(keys, "; ")
}

func notFound(what string) error { return fault.New(fault.ErrNotFound, "%s introuvable", what) }

// readsOf is the SQL of the classes and groups person @me reads: their own, their legal
// children's, and those they teach (a teaching or a timetable slot).
const readsOf = `SELECT m.class_id FROM class_members m WHERE m.person_id = @me
	UNION SELECT m.class_id FROM guardianships g JOIN class_members m ON m.person_id = g.pupil_id WHERE g.guardian_id = @me AND g.legal
	UNION SELECT te.class_id FROM teachings te WHERE te.teacher_id = @me
	UNION SELECT s.class_id FROM lesson_slots s JOIN lesson_slot_teachers lt ON lt.slot_id = s.id WHERE lt.teacher_id = @me`

// teachesOf is the SQL of the classes and groups @me teaches.
const teachesOf = `SELECT te.class_id FROM teachings te WHERE te.teacher_id = @me
	UNION SELECT s.class_id FROM lesson_slots s JOIN lesson_slot_teachers lt ON lt.slot_id = s.id WHERE lt.teacher_id = @me`

// mayRead refuses a class the actor may not read (not found: its existence is not told).
func (st store) mayRead(a Actor, class uuid.UUID) error {
	if a.Browses() {
		return nil
	}
	var n int
	if err := st.tx.Raw(`SELECT count(*) FROM (`+readsOf+`) r WHERE r.class_id = @class`, map[string]any{"me": a.PersonID, "class": class}).Scan(&n).Error; err != nil {
		return fmt.Errorf("cahier: may %s read %s: %w", a.PersonID, class, err)
	}
	if n == 0 {
		return notFound("classe")
	}
	return nil
}

// teaches tells whether the actor teaches class (the only ones who write its cahier).
func (st store) teaches(a Actor, class uuid.UUID) (bool, error) {
	if !a.Writes() {
		return false, nil
	}
	var n int
	if err := st.tx.Raw(`SELECT count(*) FROM (`+teachesOf+`) r WHERE r.class_id = @class`, map[string]any{"me": a.PersonID, "class": class}).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("cahier: does %s teach %s: %w", a.PersonID, class, err)
	}
	return n > 0, nil
}

// readableClass is the label of a class the actor may read (mayRead): not found otherwise.
func (st store) readableClass(a Actor, class uuid.UUID) (string, error) {
	if err := st.mayRead(a, class); err != nil {
		return "", err
	}
	var labels []string
	if err := st.tx.Raw(`SELECT label FROM classes WHERE id = ?`, class).Scan(&labels).Error; err != nil {
		return "", fmt.Errorf("cahier: class %s: %w", class, err)
	}
	if len(labels) == 0 {
		return "", notFound("classe")
	}
	return labels[0], nil
}

// mayWrite refuses, at the form's « classe », a class and subject the actor does not teach:
// writing needs a teaching or a slot of that very pair (the pairs the forms offer), so that a
// forged pair writes nothing in another subject's cahier; an unknown subject is refused so too.
func (st store) mayWrite(a Actor, class uuid.UUID, subject string) error {
	var r struct{ Class, Subject bool }
	if a.Writes() {
		if err := st.tx.Raw(`SELECT coalesce(bool_or(true), false) AS class, coalesce(bool_or(x.subject_code = @subject), false) AS subject
			FROM (SELECT te.class_id, te.subject_code FROM teachings te WHERE te.teacher_id = @me
			UNION SELECT s.class_id, s.subject_code FROM lesson_slots s JOIN lesson_slot_teachers lt ON lt.slot_id = s.id WHERE lt.teacher_id = @me) x
			WHERE x.class_id = @class`, map[string]any{"me": a.PersonID, "class": class, "subject": subject}).Scan(&r).Error; err != nil {
			return fmt.Errorf("cahier: does %s teach %s in %s: %w", a.PersonID, subject, class, err)
		}
	}
	switch {
	case !r.Class:
		return FormErrors{"classe": "Classe et matière : vous n'enseignez pas dans cette classe ou ce groupe."}
	case !r.Subject:
		return FormErrors{"classe": notTaught}
	}
	return nil
}

const notTaught = "Classe et matière : vous n'enseignez pas cette matière dans cette classe ou ce groupe ; choisissez une de vos classes et matières dans la liste."

// Choice is a class or group and a subject a teacher writes for.
type Choice struct {
	ClassID      uuid.UUID
	ClassLabel   string
	SubjectCode  string
	SubjectLabel string
}

// Value is the choice as a form sends it.
func (c Choice) Value() string { return c.ClassID.String() + "|" + c.SubjectCode }

// Label names it: « 2nde 1 – Mathématiques ».
func (c Choice) Label() string { return c.ClassLabel + " – " + c.SubjectLabel }

// Choices are the classes and subjects the actor teaches (their teachings and slots).
func (s *Service) Choices(ctx context.Context, t *tenant.Tenant, a Actor) ([]Choice, error) {
	var out []Choice
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.choices(a); return err })
	return out, err
}

func (st store) choices(a Actor) ([]Choice, error) {
	var out []Choice
	err := st.tx.Raw(`SELECT DISTINCT c.id AS class_id, c.label AS class_label, sub.code AS subject_code, sub.label AS subject_label FROM (
		SELECT te.class_id, te.subject_code FROM teachings te WHERE te.teacher_id = @me
		UNION SELECT s.class_id, s.subject_code FROM lesson_slots s JOIN lesson_slot_teachers lt ON lt.slot_id = s.id WHERE lt.teacher_id = @me) x
		JOIN classes c ON c.id = x.class_id JOIN subjects sub ON sub.code = x.subject_code ORDER BY c.label, sub.label`, map[string]any{"me": a.PersonID}).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cahier: choices of %s: %w", a.PersonID, err)
	}
	return out, nil
}

// Class is a class or group as the cahier lists it.
type Class struct {
	ID    uuid.UUID
	Kind  string
	Label string
}

// Classes are the classes and groups the actor reads: all for the direction and the vie
// scolaire, their own or taught ones otherwise.
func (s *Service) Classes(ctx context.Context, t *tenant.Tenant, a Actor) ([]Class, error) {
	var out []Class
	err := s.read(ctx, t, func(st store) error {
		// The person's own are named by @me; the direction's and vie scolaire's are all (@me
		// then unused: a condition that always holds keeps one query's shape).
		q := `SELECT c.id, c.kind, c.label FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE (@all OR c.id IN (` + readsOf + `)) ORDER BY c.kind, c.label`
		return st.tx.Raw(q, map[string]any{"me": a.PersonID, "all": a.Browses()}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("cahier: classes: %w", err)
	}
	return out, nil
}

// Settings are the establishment's work types and workload threshold.
type Settings struct {
	Threshold int      // minutes of work a day above which a teacher is warned
	Types     []string // the work types, in the form's order
}

// Settings reads the establishment's settings.
func (s *Service) Settings(ctx context.Context, t *tenant.Tenant) (Settings, error) {
	var out Settings
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.settings(); return err })
	return out, err
}

func (st store) settings() (Settings, error) {
	var out Settings
	if err := st.tx.Raw(`SELECT coalesce((SELECT workload_minutes FROM cahier_settings), 90)`).Scan(&out.Threshold).Error; err != nil {
		return out, fmt.Errorf("cahier: settings: %w", err)
	}
	if err := st.tx.Raw(`SELECT label FROM cahier_work_types ORDER BY position, label`).Scan(&out.Types).Error; err != nil {
		return out, fmt.Errorf("cahier: work types: %w", err)
	}
	return out, nil
}

// SettingsForm is the direction's form: the threshold and the types, one a line.
type SettingsForm struct {
	Threshold string
	Types     string
}

// SaveSettings replaces the threshold and the list of types (direction).
func (s *Service) SaveSettings(ctx context.Context, t *tenant.Tenant, a Actor, f SettingsForm) error {
	if !a.Manages() {
		return fault.New(fault.ErrForbidden, "seule la direction règle le cahier de textes")
	}
	errs := FormErrors{}
	n, ok := atoi(strings.TrimSpace(f.Threshold))
	if !ok || n < 10 || n > 600 {
		errs["seuil"] = "Seuil de charge : indiquez un nombre de minutes entre 10 et 600."
	}
	var types []string
	for _, line := range strings.Split(f.Types, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || slices.Contains(types, line):
		case utf8.RuneCountInString(line) > 40:
			errs["types"] = "Types de travail : « " + line + " » dépasse 40 caractères."
		default:
			types = append(types, line)
		}
	}
	if len(types) == 0 {
		errs["types"] = "Types de travail : indiquez au moins un type, un par ligne."
	}
	if len(errs) > 0 {
		return errs
	}
	return s.write(ctx, t, func(st store) error {
		if err := st.tx.Exec(`INSERT INTO cahier_settings (id, workload_minutes) VALUES (true, ?) ON CONFLICT (id) DO UPDATE SET workload_minutes = excluded.workload_minutes`, n).Error; err != nil {
			return fmt.Errorf("cahier: save threshold: %w", err)
		}
		if err := st.tx.Exec(`DELETE FROM cahier_work_types`).Error; err != nil {
			return fmt.Errorf("cahier: clear work types: %w", err)
		}
		for i, ty := range types {
			if err := st.tx.Exec(`INSERT INTO cahier_work_types (label, position) VALUES (?, ?)`, ty, i+1).Error; err != nil {
				return fmt.Errorf("cahier: save work type: %w", err)
			}
		}
		return nil
	})
}

func atoi(s string) (int, bool) {
	n := 0
	if s == "" || len(s) > 6 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// seesPupil checks the actor sees the pupil's cahier: themself, or a legal guardian of
// theirs; own tells whether the actor is the pupil.
func (s *Service) seesPupil(st store, a Actor, pupil uuid.UUID) (own bool, err error) {
	if a.PersonID == pupil {
		return true, nil
	}
	ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, pupil)
	if err == nil && !ok {
		err = notFound("élève")
	}
	return false, err
}

// pupilsClasses is the SQL of the classes and groups of pupil @pupil.
const pupilsClasses = `(SELECT m.class_id FROM class_members m WHERE m.person_id = @pupil)`

// pupilClasses are pupil's classes and groups, after checking the actor sees the pupil
// (seesPupil).
func (s *Service) pupilClasses(st store, a Actor, pupil uuid.UUID) (classes []uuid.UUID, own bool, err error) {
	if own, err = s.seesPupil(st, a, pupil); err != nil {
		return nil, false, err
	}
	if err := st.tx.Raw(`SELECT class_id FROM class_members WHERE person_id = ?`, pupil).Scan(&classes).Error; err != nil {
		return nil, false, fmt.Errorf("cahier: classes of %s: %w", pupil, err)
	}
	return classes, a.PersonID == pupil, nil
}

// Child is a guardian's child as the cahier lists them.
type Child = directory.Child

// Children are the actor's legal children (a guardian's cahier page).
func (s *Service) Children(ctx context.Context, t *tenant.Tenant, a Actor) ([]Child, error) {
	var out []Child
	err := s.read(ctx, t, func(st store) (err error) { out, err = s.guardians.LegalChildren(st.tx, a.PersonID); return err })
	return out, err
}

// PupilName is the pupil's name, for a guardian's page title.
func (s *Service) PupilName(ctx context.Context, t *tenant.Tenant, pupil uuid.UUID) (string, error) {
	var names []string
	err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT first_name || ' ' || last_name FROM people WHERE id = ?`, pupil).Scan(&names).Error
	})
	if err != nil || len(names) == 0 {
		return "", err
	}
	return names[0], nil
}

// mayWrite refuses a class the actor does not teach (not found: it is not told).
func (s *Service) mayWrite(ctx context.Context, t *tenant.Tenant, a Actor, class uuid.UUID) error {
	return s.read(ctx, t, func(st store) error {
		ok, err := st.teaches(a, class)
		if err == nil && !ok {
			err = notFound("classe")
		}
		return err
	})
}
