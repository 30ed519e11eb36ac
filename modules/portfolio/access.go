package portfolio

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/fault"
)

// Permissions of the portfolio.
const (
	// PermOwn: one's own portfolio (pupils): read it, add and delete documents, choose what
	// one's teachers see.
	PermOwn identity.Permission = "portfolio.own"
	// PermRead: reading another pupil's portfolio as the rules allow (guardians of a minor:
	// all of it; the pupil's teachers of the current year: what the pupil made visible).
	PermRead identity.Permission = "portfolio.read"
	// PermTeach: the « Portfolios » page of one's classes' pupils (teachers).
	PermTeach identity.Permission = "portfolio.teach"
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

func (a Actor) has(r identity.Role) bool { return slices.Contains(a.Roles, r) }

// Reach is how much of a pupil's portfolio someone reads.
type Reach int

// The reaches, from nothing to everything.
const (
	NoReach       Reach = iota // nothing: the portfolio does not exist for them (404)
	TeacherReach               // a teacher of the pupil this year: the items the pupil made visible
	GuardianReach              // a legal guardian of a minor: everything, read-only
	OwnerReach                 // the pupil: everything, theirs to change
)

// AdultAge is the age from which a pupil's portfolio is theirs alone: their guardians no
// longer read it (the pupil may still show items to their teachers).
const AdultAge = 18

// Adult tells whether someone born on birth (nil: unknown, taken as a minor) is of age on day.
func Adult(birth *time.Time, day time.Time) bool {
	if birth == nil {
		return false
	}
	b := *birth
	y, m, d := day.Date()
	return !time.Date(b.Year()+AdultAge, b.Month(), b.Day(), 0, 0, 0, 0, time.UTC).After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// reach is what a reads of pupil's portfolio within tx; the one place the rule is written.
// Only pupils have a portfolio; a guardian reads a minor's only if legal guardian (per
// directory.Guardianship); a teacher, if they teach one of the pupil's classes or groups of
// the current year (or are its professeur principal).
func (s *Service) reach(tx *gorm.DB, a Actor, pupil uuid.UUID) (Reach, error) {
	var p []struct {
		BirthDate *time.Time
	}
	if err := tx.Raw(`SELECT birth_date FROM people WHERE id = ? AND category = 'eleve'`, pupil).Scan(&p).Error; err != nil {
		return NoReach, fmt.Errorf("portfolio: pupil %s: %w", pupil, err)
	}
	if len(p) == 0 || a.PersonID == uuid.Nil {
		return NoReach, nil
	}
	if a.PersonID == pupil && a.has(identity.RoleEleve) {
		return OwnerReach, nil
	}
	if a.has(identity.RoleResponsable) && !Adult(p[0].BirthDate, s.now()) {
		ok, err := s.guardians.IsLegalGuardian(tx, a.PersonID, pupil)
		if err != nil {
			return NoReach, err
		}
		if ok {
			return GuardianReach, nil
		}
	}
	if a.has(identity.RoleEnseignant) {
		var n int
		if err := tx.Raw(`SELECT count(*) FROM class_members m JOIN classes c ON c.id = m.class_id JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE m.person_id = ? AND (EXISTS (SELECT 1 FROM teachings te WHERE te.class_id = c.id AND te.teacher_id = ?)
				OR EXISTS (SELECT 1 FROM principal_teachers pt WHERE pt.class_id = c.id AND pt.teacher_id = ?))`, pupil, a.PersonID, a.PersonID).Scan(&n).Error; err != nil {
			return NoReach, fmt.Errorf("portfolio: teachers of %s: %w", pupil, err)
		}
		if n > 0 {
			return TeacherReach, nil
		}
	}
	return NoReach, nil
}

// mustReach is reach refusing, as not found, whoever reads nothing.
func (s *Service) mustReach(tx *gorm.DB, a Actor, pupil uuid.UUID) (Reach, error) {
	r, err := s.reach(tx, a, pupil)
	if err == nil && r == NoReach {
		err = notFound("portfolio")
	}
	return r, err
}

func notFound(what string) error {
	return fault.New(fault.ErrNotFound, "%s introuvable", what)
}

// Guardians is what the portfolio asks the directory about families (directory.Guardianship).
type Guardians interface {
	IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error)
	LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]directory.Child, error)
}
