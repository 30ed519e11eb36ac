package timetable

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Zone is the establishments' time zone: lessons' times are Paris times.
var Zone = directory.SchoolZone

// Guardians is what the timetable asks the directory about families: only legal guardians
// see a pupil's week (directory.Guardianship is the rule's one place). Both run in the
// caller's tenant transaction.
type Guardians interface {
	IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error)
	LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]directory.Child, error)
}

// Service runs the timetables of every establishment.
type Service struct {
	db        *tenant.DB
	now       func() time.Time
	guardians Guardians
}

// NewService wires the timetable. now is the clock (nil: time.Now), read in Paris.
func NewService(db *tenant.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: func() time.Time { return now().In(Zone) }, guardians: directory.Guardianship{}}
}

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

// Today is the establishments' current date.
func (s *Service) Today() time.Time { return day(s.now()) }

// Actor is who asks: their person in the establishment and their roles.
type Actor struct {
	PersonID uuid.UUID
	Roles    []identity.Role
}

// ActorOf turns the request's viewer into an Actor.
func ActorOf(v *identity.Viewer) Actor {
	if v == nil {
		return Actor{}
	}
	return Actor{PersonID: v.PersonID, Roles: v.Roles}
}

// Browses tells whether the actor may see any class's, teacher's or room's week (staff).
func (a Actor) Browses() bool { return identity.Can(a.Roles, PermBrowse) }

// Manages tells whether the actor enters the timetable (direction, administrators).
func (a Actor) Manages() bool { return identity.Can(a.Roles, PermManage) }

// LessonsOn returns every lesson of the establishment on day (Paris date), cancelled ones
// included with status annule, in order of start then class: what the roll call creates one
// register for (each Lesson whose Taught() is true, identified by Key()).
func (s *Service) LessonsOn(ctx context.Context, t *tenant.Tenant, day time.Time) ([]Lesson, error) {
	var out []Lesson
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.lessons(filter{all: true}, day, day)
		return err
	})
	return out, err
}

// LessonsOfPerson returns the lessons of a pupil (their classes' and groups') or of a teacher
// (those they teach or replace in) from from to to, as LessonsOn does for the whole school.
func (s *Service) LessonsOfPerson(ctx context.Context, t *tenant.Tenant, person uuid.UUID, from, to time.Time) ([]Lesson, error) {
	var out []Lesson
	err := s.read(ctx, t, func(st store) error {
		p, err := st.person(person)
		if err != nil {
			return err
		}
		out, err = st.personLessons(p, from, to)
		return err
	})
	return out, err
}

// LessonsOfGroup returns the lessons of one class or group from from to to, as LessonsOn
// does for the whole school (the cahier de textes finds a class's next lesson with it).
func (s *Service) LessonsOfGroup(ctx context.Context, t *tenant.Tenant, class uuid.UUID, from, to time.Time) ([]Lesson, error) {
	var out []Lesson
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.lessons(filter{classIDs: []uuid.UUID{class}}, from, to)
		return err
	})
	return out, err
}

// LessonAt returns the occurrence of a slot the slot gives on date (its Key()), with its
// exception applied, wherever it was moved: how the roll call finds the lesson of a register
// again. A date the slot does not give is not found.
func (s *Service) LessonAt(ctx context.Context, t *tenant.Tenant, slotID uuid.UUID, date time.Time) (Lesson, error) {
	var out Lesson
	err := s.read(ctx, t, func(st store) error {
		sl, err := st.slot(slotID)
		if err != nil {
			return err
		}
		prof, err := st.profile()
		if err != nil {
			return err
		}
		d := day(date)
		if !sl.heldOn(d, prof.Calendar) {
			return fault.New(fault.ErrNotFound, "ce cours n'a pas lieu le %s", frDate(d))
		}
		exc, err := st.exceptions([]Slot{sl}, d, d)
		if err != nil {
			return err
		}
		out = sl.occurrence(d)
		for _, e := range exc {
			if e.Date.Equal(d) {
				out = e.apply(out)
			}
		}
		return nil
	})
	return out, err
}

// lessons expands the slots of f from from to to with the day profile's A/B weeks.
func (st store) lessons(f filter, from, to time.Time) ([]Lesson, error) {
	prof, err := st.profile()
	if err != nil {
		return nil, err
	}
	return st.lessonsWith(prof, f, from, to)
}

// lessonsWith is lessons with the day profile already read.
func (st store) lessonsWith(prof Profile, f filter, from, to time.Time) ([]Lesson, error) {
	from, to = day(from), day(to)
	if prof.allOff(from, to) { // a holiday: no slot to read
		return nil, nil
	}
	slots, err := st.slots(f, from, to)
	if err != nil {
		return nil, err
	}
	exc, err := st.exceptions(slots, from, to)
	if err != nil {
		return nil, err
	}
	out := Expand(slots, exc, from, to, prof.Calendar)
	switch {
	case f.teacher != uuid.Nil: // the slots of a replaced lesson's others are not theirs
		out = slices.DeleteFunc(out, func(l Lesson) bool { return !l.HasTeacher(f.teacher) })
	case f.room != "": // a lesson moved out of the room is not in it
		out = slices.DeleteFunc(out, func(l Lesson) bool { return !sameRoom(l.Room, f.room) })
	}
	return out, nil
}

// personLessons are the lessons of a pupil or teacher p; others have none.
func (st store) personLessons(p personRef, from, to time.Time) ([]Lesson, error) {
	switch p.Category {
	case directory.CategoryEleve:
		classes, err := st.classesOf(p.ID)
		if err != nil {
			return nil, err
		}
		return st.lessons(filter{classIDs: classes}, from, to)
	case directory.CategoryPersonnel:
		return st.lessons(filter{teacher: p.ID}, from, to)
	}
	return nil, nil
}

// Week is a week of lessons, Monday to Saturday, as the week views show it.
type Week struct {
	Title   string // whose week: "Alice Martin – 2nde 1", "Salle B12"
	Kind    string // eleve, enseignant, classe, salle
	Monday  time.Time
	AB      Weeks // A or B
	Days    []Day
	Profile Profile
}

// Day is a day of a week with its lessons.
type Day struct {
	Date    time.Time
	Lessons []Lesson
	Holiday string // the holiday period's label, on a holiday (no lessons then)
}

// newWeek spreads lessons over the week of monday: Monday to Friday always, Saturday when it
// has lessons.
func newWeek(title, kind string, monday time.Time, prof Profile, lessons []Lesson) *Week {
	w := &Week{Title: title, Kind: kind, Monday: monday, AB: prof.WeekOf(monday), Profile: prof}
	for i := range 6 {
		d := Day{Date: monday.AddDate(0, 0, i)}
		if h, ok := prof.HolidayOn(d.Date); ok {
			d.Holiday = h.Label
		}
		for _, l := range lessons {
			if l.On.Equal(d.Date) {
				d.Lessons = append(d.Lessons, l)
			}
		}
		if i < 5 || len(d.Lessons) > 0 {
			w.Days = append(w.Days, d)
		}
	}
	return w
}

// errNoWeek is what someone who may not see a week gets: the same answer as for a week that
// does not exist, so that nobody learns who is enrolled.
var errNoWeek = fault.New(fault.ErrNotFound, "emploi du temps introuvable")

// PupilWeek is a pupil's week: for the pupil, their legal guardians and staff.
func (s *Service) PupilWeek(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID, monday time.Time) (*Week, error) {
	var w *Week
	err := s.read(ctx, t, func(st store) error {
		p, err := st.person(pupil)
		if err != nil || p.Category != directory.CategoryEleve {
			return errNoWeek
		}
		if ok, err := s.seesPupil(st, a, pupil); err != nil || !ok {
			return cmpErr(err, errNoWeek)
		}
		classes, err := st.classesOf(pupil)
		if err != nil {
			return err
		}
		w, err = st.week(p.title(), "eleve", filter{classIDs: append([]uuid.UUID{}, classes...)}, monday)
		return err
	})
	return w, err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// seesPupil tells whether a may see the pupil's timetable.
func (s *Service) seesPupil(st store, a Actor, pupil uuid.UUID) (bool, error) {
	if a.PersonID == pupil && a.PersonID != uuid.Nil || a.Browses() {
		return true, nil
	}
	if a.PersonID == uuid.Nil {
		return false, nil
	}
	return s.guardians.IsLegalGuardian(st.tx, a.PersonID, pupil)
}

// TeacherWeek is a teacher's week: for the teacher and staff.
func (s *Service) TeacherWeek(ctx context.Context, t *tenant.Tenant, a Actor, teacher uuid.UUID, monday time.Time) (*Week, error) {
	var w *Week
	err := s.read(ctx, t, func(st store) error {
		p, err := st.person(teacher)
		if err != nil || p.Category != directory.CategoryPersonnel || (a.PersonID != teacher && !a.Browses()) {
			return errNoWeek
		}
		w, err = st.week(p.title(), "enseignant", filter{teacher: teacher}, monday)
		return err
	})
	return w, err
}

// ClassWeek is a class's or group's week, for staff.
func (s *Service) ClassWeek(ctx context.Context, t *tenant.Tenant, a Actor, class uuid.UUID, monday time.Time) (*Week, error) {
	if !a.Browses() {
		return nil, errNoWeek
	}
	var w *Week
	err := s.read(ctx, t, func(st store) error {
		g, err := st.group(class)
		if err != nil {
			return err
		}
		w, err = st.week(g.Label, "classe", filter{classIDs: []uuid.UUID{class}}, monday)
		return err
	})
	return w, err
}

// RoomWeek is a room's week, for staff.
func (s *Service) RoomWeek(ctx context.Context, t *tenant.Tenant, a Actor, room string, monday time.Time) (*Week, error) {
	if !a.Browses() || room == "" {
		return nil, errNoWeek
	}
	var w *Week
	err := s.read(ctx, t, func(st store) error {
		var err error
		w, err = st.week("Salle "+room, "salle", filter{room: room}, monday)
		return err
	})
	return w, err
}

// week reads the week of monday of the slots of f.
func (st store) week(title, kind string, f filter, monday time.Time) (*Week, error) {
	monday = Monday(monday)
	prof, err := st.profile()
	if err != nil {
		return nil, err
	}
	lessons, err := st.lessonsWith(prof, f, monday, monday.AddDate(0, 0, 5))
	if err != nil {
		return nil, err
	}
	return newWeek(title, kind, monday, prof, lessons), nil
}

// Home is what "Emploi du temps" opens on for a person: their own week when they have
// lessons (pupil, teacher), their legal children for a parent.
type Home struct {
	Self     *personRef
	Children []directory.Child
}

// HomeOf tells whose weeks the actor's "Emploi du temps" page offers.
func (s *Service) HomeOf(ctx context.Context, t *tenant.Tenant, a Actor) (Home, error) {
	var h Home
	if a.PersonID == uuid.Nil {
		return h, nil
	}
	err := s.read(ctx, t, func(st store) error {
		p, err := st.person(a.PersonID)
		if err != nil {
			return err
		}
		if p.Category != directory.CategoryResponsable {
			h.Self = &p
		}
		if slices.Contains(a.Roles, identity.RoleResponsable) {
			h.Children, err = s.guardians.LegalChildren(st.tx, a.PersonID)
		}
		return err
	})
	return h, err
}

// personRef is a person of the directory as the timetable names them.
type personRef struct {
	ID         uuid.UUID
	Category   string
	Name       string
	ClassLabel string
}

func (p personRef) title() string {
	if p.ClassLabel != "" {
		return p.Name + " – " + p.ClassLabel
	}
	return p.Name
}

// person reads an active person of the establishment, with a pupil's class this year.
func (st store) person(id uuid.UUID) (personRef, error) {
	var p personRef
	if err := st.tx.Raw(`SELECT p.id, p.category, concat_ws(' ', p.first_name, p.last_name) AS name,
			coalesce((SELECT c.label FROM class_members m JOIN classes c ON c.id = m.class_id JOIN school_years y ON y.code = c.school_year AND y.current
				WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '') AS class_label
		FROM people p WHERE p.id = ? AND p.active`, id).Scan(&p).Error; err != nil {
		return p, fmt.Errorf("timetable: person %s: %w", id, err)
	}
	if p.ID == uuid.Nil {
		return p, errNoWeek
	}
	return p, nil
}

// classesOf lists the classes and groups of the current year a pupil belongs to.
func (st store) classesOf(pupil uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	if err := st.tx.Raw(`SELECT m.class_id FROM class_members m JOIN classes c ON c.id = m.class_id
		JOIN school_years y ON y.code = c.school_year AND y.current WHERE m.person_id = ?`, pupil).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("timetable: classes of %s: %w", pupil, err)
	}
	return ids, nil
}

// group reads a class or group of the current year.
func (st store) group(id uuid.UUID) (Group, error) {
	var g Group
	if err := st.tx.Raw(`SELECT c.id, c.kind, c.code, c.label FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
		WHERE c.id = ?`, id).Scan(&g).Error; err != nil {
		return g, fmt.Errorf("timetable: class %s: %w", id, err)
	}
	if g.ID == uuid.Nil {
		return g, fault.New(fault.ErrNotFound, "cette classe ou ce groupe n'existe pas cette année")
	}
	return g, nil
}

func sameRoom(a, b string) bool { return a != "" && strings.EqualFold(a, b) }
