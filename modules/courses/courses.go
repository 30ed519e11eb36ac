// Package courses is the teachers' online courses (cours en ligne): a course is ordered
// sections of ordered pages, each page ordered blocks (Markdown text rendered and sanitised,
// images with their text alternative, documents, links, video links shown as links), written
// by its author and co-authors, published to classes or groups, copied to another class or
// the next school year. A pupil resumes where they stopped; that progress is theirs alone.
package courses

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Permissions of courses.
const (
	// PermRead: the courses shown to oneself (a pupil's classes, a guardian's children's,
	// one's own as a teacher, every course for the direction).
	PermRead identity.Permission = "courses.read"
	// PermWrite: writing courses (teachers).
	PermWrite identity.Permission = "courses.write"
	// PermReadAll: reading every course of the establishment (direction).
	PermReadAll identity.Permission = "courses.read_all"
)

// State is whether a course is shown to its classes.
type State string

// The states of a course.
const (
	Draft     State = "brouillon"
	Published State = "publie"
)

// Label is the state's French name.
func (s State) Label() string {
	if s == Published {
		return "Publié"
	}
	return "Brouillon"
}

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

// Writes tells whether the actor writes courses (teachers).
func (a Actor) Writes() bool { return identity.Can(a.Roles, PermWrite) }

// ReadsAll tells whether the actor reads every course (direction).
func (a Actor) ReadsAll() bool { return identity.Can(a.Roles, PermReadAll) }

// Pupil tells whether the actor is a pupil: only a pupil's opened pages are recorded.
func (a Actor) Pupil() bool { return slices.Contains(a.Roles, identity.RoleEleve) }

// Guardian tells whether the actor is a legal guardian (their children's courses, read-only).
func (a Actor) Guardian() bool { return slices.Contains(a.Roles, identity.RoleResponsable) }

// Course is a course as lists and its page show it.
type Course struct {
	ID           uuid.UUID
	AuthorID     uuid.UUID // Nil once the author's record is purged
	Author       string
	Title        string
	Description  string
	SubjectCode  string
	SubjectLabel string
	SchoolYear   string
	State        State
	PublishedAt  *time.Time
	UpdatedAt    time.Time
	Classes      string      // the classes and groups it is published to, "2nde 1, Latin"
	Children     string      // a guardian's list: their children it is shown to
	ResumePage   uuid.UUID   // the viewer's own last opened page (pupils), or Nil
	Edits        bool        // the viewer is its author or a co-author
	Sections     []Section   `gorm:"-"`
	Coauthors    []Person    `gorm:"-"`
	Audience     []uuid.UUID `gorm:"-"` // its classes and groups
}

// Section is a course's section with its pages.
type Section struct {
	ID       uuid.UUID
	CourseID uuid.UUID
	Position int
	Title    string
	Pages    []Page `gorm:"-"`
}

// Page is a page of a section; Seen is the viewer's own progress (pupils).
type Page struct {
	ID        uuid.UUID
	SectionID uuid.UUID
	Position  int
	Title     string
	Seen      bool `gorm:"-"`
}

// Person is a teacher a course names (co-authors, the choice of a colleague).
type Person struct {
	ID   uuid.UUID
	Name string
}

// Choice is a class or group a course may be published to.
type Choice struct {
	ID         uuid.UUID
	Kind       string // classe, groupe
	Label      string
	SchoolYear string
}

// Subject is a subject a course may be of.
type Subject struct {
	Code  string
	Label string
}
