// Package news is the establishment's actualités: posts written in Markdown (rendered and
// sanitised), addressed to the whole establishment, a class, a group, its staff or its
// guardians (optionally those of one class), published by the direction directly or after
// validating a contributor's draft, shown between a publication and an expiry date, with
// headlines on everyone's home page and read counts for the author and the direction.
package news

import (
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
)

// State is where a post is in its workflow.
type State string

// The states of a post: a draft, waiting for the direction's validation, or published.
const (
	Draft     State = "brouillon"
	Pending   State = "a_valider"
	Published State = "publie"
)

// Label is the state's French name.
func (s State) Label() string {
	switch s {
	case Draft:
		return "Brouillon"
	case Pending:
		return "À valider"
	case Published:
		return "Publiée"
	}
	return string(s)
}

// Post is one actualité as pages show it.
type Post struct {
	ID          uuid.UUID
	AuthorID    uuid.UUID // Nil once the author's record is purged
	Author      string
	Title       string
	Body        string // Markdown, as written
	BodyHTML    string // rendered and sanitised when saved
	Audience    Audience
	ClassID     uuid.UUID // the class or group, or Nil
	ClassLabel  string
	State       State
	Headline    bool
	PublishAt   *time.Time // shown from (nil: from its publication)
	ExpiresAt   *time.Time // shown until (nil: always)
	PublishedAt *time.Time
	UpdatedAt   time.Time
	Read        bool   // by the viewer (lists)
	Files       []File `gorm:"-"` // post and edit pages
}

// Target names the post's audience: « Les parents de 2nde 1 ».
func (p Post) Target() string { return Target(p.Audience, p.ClassLabel) }

// ShownFrom is when the post is first shown: its publication date, or its publication.
func (p Post) ShownFrom() *time.Time {
	if p.PublishAt != nil {
		return p.PublishAt
	}
	return p.PublishedAt
}

// Date is the post's date as lists show it ("02/12/2026").
func (p Post) Date() string {
	d := p.ShownFrom()
	if d == nil {
		return p.UpdatedAt.In(directory.SchoolZone).Format("02/01/2006")
	}
	return d.In(directory.SchoolZone).Format("02/01/2006")
}

// Managed is a post in the author's or direction's list, with its read count.
type Managed struct {
	Post
	Readers, Audience int // who read it, out of how many it is addressed to now
	Current           bool
}

// Permissions of news.
const (
	// PermRead: the posts addressed to oneself (everyone in the establishment).
	PermRead identity.Permission = "news.read"
	// PermWrite: writing posts; a contributor's go to the direction's validation.
	PermWrite identity.Permission = "news.write"
	// PermPublish: publishing without validation, validating and managing every post.
	PermPublish identity.Permission = "news.publish"
)

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

// Publishes tells whether the actor publishes and validates (direction).
func (a Actor) Publishes() bool { return identity.Can(a.Roles, PermPublish) }

// Writes tells whether the actor writes posts (contributors and direction).
func (a Actor) Writes() bool { return identity.Can(a.Roles, PermWrite) }
