// Package cahier is the cahier de textes of a class or group: what was done in each lesson
// (séances, filled from the timetable's lessons or exceptional), the work to do (travail à
// faire, for a date or for the next lesson), the class's daily workload with its warning,
// and each pupil's own « fait » ticks, which nobody else reads. Séances and work are shown
// to the class's pupils and their legal guardians once published and their publication
// time has come; teachers of the class, the direction and the vie scolaire read them too.
// Work may ask a submission (sub.go): pupils hand it in, the teacher returns it with a comment
// and a mark into the grades grid; what a pupil handed in is their portfolio's item.
package cahier

import (
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
)

// Permissions of the cahier de textes.
const (
	// PermRead: the cahier of one's classes (pupils), children (guardians), taught classes.
	PermRead identity.Permission = "cahier.read"
	// PermWrite: filling séances and setting work for the classes one teaches.
	PermWrite identity.Permission = "cahier.write"
	// PermBrowse: reading any class's cahier (direction, vie scolaire).
	PermBrowse identity.Permission = "cahier.browse"
	// PermManage: the establishment's work types and workload threshold (direction).
	PermManage identity.Permission = "cahier.manage"
	// PermTick: ticking one's own work as done (pupils).
	PermTick identity.Permission = "cahier.tick"
)

// State is where a séance is: a draft only its teacher sees, or published.
type State string

// The states of a séance.
const (
	Draft     State = "brouillon"
	Published State = "publie"
)

// Label is the state's French name.
func (s State) Label() string {
	if s == Draft {
		return "Brouillon"
	}
	return "Publiée"
}

// Link is a link of a séance (http or https only).
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Session is one séance as pages show it.
type Session struct {
	ID           uuid.UUID
	ClassID      uuid.UUID
	ClassLabel   string
	SubjectCode  string
	SubjectLabel string
	TeacherID    uuid.UUID
	Teacher      string
	SlotID       uuid.UUID // Nil: an exceptional séance
	OnDate       time.Time // the day it takes place (midnight UTC)
	LessonDate   time.Time // a lesson's: the occurrence's date as its slot gives it (OnDate unless moved)
	Starts, Ends string    // "08:00"
	Title        string
	Body         string // Markdown as written
	BodyHTML     string // rendered and sanitised when saved
	Links        []Link `gorm:"-"`
	LinksJSON    string `gorm:"column:links"`
	State        State
	PublishAt    time.Time
	Work         []Work `gorm:"-"`
	Files        []File `gorm:"-"` // the séance's page
}

// Date is the séance's date in French ("lundi 05/10/2026").
func (s Session) Date() string { return frDay(s.OnDate) }

// Shown tells whether pupils see it at now.
func (s Session) Shown(now time.Time) bool { return s.State == Published && !s.PublishAt.After(now) }

// Work is one piece of work to do.
type Work struct {
	ID              uuid.UUID
	SessionID       uuid.UUID // Nil: standalone
	ClassID         uuid.UUID
	ClassLabel      string
	SubjectCode     string
	SubjectLabel    string
	TeacherID       uuid.UUID
	Teacher         string
	Kind            string
	Description     string
	DescriptionHTML string
	DueOn           time.Time
	NextLesson      bool
	Minutes         int
	PublishAt       time.Time
	Submission      Expected // what the pupils hand in (sub.go)
	Done            bool     // the pupil's own tick: read for the pupil themself only (store.works)
	Files           []File   `gorm:"-"` // the work's page
}

// Due is the due date in French.
func (w Work) Due() string { return frDay(w.DueOn) }

// Estimate is the estimated time in French ("45 min", "1 h 30").
func (w Work) Estimate() string { return minutesText(w.Minutes) }

// Actor is who asks: their person and roles in the establishment.
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

func (a Actor) can(p identity.Permission) bool { return identity.Can(a.Roles, p) }

// Writes tells whether the actor fills séances (teachers).
func (a Actor) Writes() bool { return a.can(PermWrite) }

// Browses tells whether the actor reads every class's cahier.
func (a Actor) Browses() bool { return a.can(PermBrowse) }

// Manages tells whether the actor sets the establishment's list and threshold.
func (a Actor) Manages() bool { return a.can(PermManage) }

var frWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

func frDay(d time.Time) string { return frWeekdays[d.Weekday()] + " " + d.Format("02/01/2006") }

func minutesText(m int) string {
	switch {
	case m <= 0:
		return "—"
	case m < 60:
		return itoa(m) + " min"
	case m%60 == 0:
		return itoa(m/60) + " h"
	}
	return itoa(m/60) + " h " + pad2(m%60)
}

// day is a calendar date at midnight UTC, as PostgreSQL's dates come.
func day(t time.Time) time.Time {
	t = t.In(directory.SchoolZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// at is the instant of clock hh:mm on date d in Paris.
func at(d time.Time, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm[:min(5, len(hhmm))])
	if err != nil {
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, directory.SchoolZone)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, directory.SchoolZone)
}

const dateLayout = "2006-01-02"
