package courses

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// A legal guardian follows each child's courses: the chooser of their children, then a
// child's courses (those published to the child's classes and groups), whose outline,
// pages and files they read as the child does, read-only. The child's progress (pages
// seen, « Reprendre ») stays the child's own: it is neither read nor shown for them.

// Guardians is what courses ask the directory about families (directory.Guardianship).
type Guardians interface {
	LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]directory.Child, error)
}

// Child is a guardian's child as the chooser lists them.
type Child = directory.Child

// Children are the actor's legal children in the establishment (the guardian's chooser).
func (s *Service) Children(ctx context.Context, t *tenant.Tenant, a Actor) ([]Child, error) {
	var out []Child
	err := s.read(ctx, t, func(st store) (err error) { out, err = s.guardians.LegalChildren(st.tx, a.PersonID); return err })
	return out, err
}

// ChildCourses returns a legal child of the actor and the courses published to the child's
// classes and groups, without the child's progress; anyone else's child does not exist.
func (s *Service) ChildCourses(ctx context.Context, t *tenant.Tenant, a Actor, child uuid.UUID) (Child, []Course, error) {
	var kid Child
	var out []Course
	err := s.read(ctx, t, func(st store) error {
		kids, err := s.guardians.LegalChildren(st.tx, a.PersonID)
		if err != nil {
			return err
		}
		found := false
		for _, k := range kids {
			if k.ID == child {
				kid, found = k, true
			}
		}
		if !found {
			return fault.New(fault.ErrNotFound, "élève introuvable")
		}
		out, err = st.list(scope{Me: child, Pupil: true}, listLimit)
		return err
	})
	return kid, out, err
}
