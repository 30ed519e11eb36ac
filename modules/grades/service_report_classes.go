package grades

import (
	"context"
	"time"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
)

// errNotYourClass hides the classes an actor has nothing to do with as if they did not exist.
var errNotYourClass = fault.New(fault.ErrNotFound, "classe introuvable, ou vous n'y enseignez pas")

// reportClass is a class (or group) of the current year as the report card pages need
// it, with what the actor may do there for one period.
type reportClass struct {
	ID          uuid.UUID
	Code        string
	Label       string
	Kind        string
	Subjects    []taughtSubject // taught in the class, by label
	Principal   bool            // the actor is its professeur principal
	Oversees    bool            // the actor is direction (or an administrator)
	Published   bool            // its report cards of the period are published
	PublishedAt time.Time
}

// taughtSubject is a subject taught in a class.
type taughtSubject struct {
	Code  string
	Label string
	Mine  bool // the actor may write its appréciations in this class
}

// IsClass tells a class (division) from a group: report cards are per class.
func (bc *reportClass) IsClass() bool { return bc.Kind == "classe" }

// mayView tells whether the actor may see the class's report cards before publication.
func (bc *reportClass) mayView() bool {
	if bc.Oversees || bc.Principal {
		return true
	}
	for _, s := range bc.Subjects {
		if s.Mine {
			return true
		}
	}
	return false
}

// mayWriteCouncil tells whether the actor writes the conseil de classe's comments.
func (bc *reportClass) mayWriteCouncil() bool { return bc.Oversees || bc.Principal }

// reportClassOf loads a class if allow accepts the actor there (otherwise: not found).
func (s *Service) reportClassOf(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, allow func(*reportClass) bool) (*reportClass, error) {
	var bc *reportClass
	err := s.read(ctx, t, func(st store) error {
		var err error
		if bc, err = st.reportClass(a, classID, p.ID); err == nil && !allow(bc) {
			err = errNotYourClass
		}
		return err
	})
	return bc, err
}

// reportClassWithCards loads a class and its report cards of the period if allow accepts
// the actor there (otherwise: not found).
func (s *Service) reportClassWithCards(ctx context.Context, t *tenant.Tenant, a Actor, p *Period, classID uuid.UUID, allow func(*reportClass) bool) (*reportClass, []PupilReport, error) {
	var bc *reportClass
	var reports []PupilReport
	err := s.read(ctx, t, func(st store) error {
		var err error
		if bc, err = st.reportClass(a, classID, p.ID); err != nil {
			return err
		}
		if !allow(bc) {
			return errNotYourClass
		}
		reports, err = s.classReports(st, classID, *p)
		return err
	})
	return bc, reports, err
}

// reportBoard is what the report cards' home page lists for someone.
type reportBoard struct {
	Periods   []Period
	Pupils    []boardPupil // the pupil themself, or a guardian's legal children
	Classes   []boardClass // staff: the classes they teach or lead; direction: every class
	published map[[2]uuid.UUID]time.Time
}

type boardPupil struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	ClassID    *uuid.UUID
	ClassLabel *string
}

type boardClass struct {
	ID        uuid.UUID
	Code      string
	Label     string
	Kind      string
	Subjects  []taughtSubject // the actor's, for the appréciations
	Principal bool
}

func (b *reportBoard) isPublished(periodID, classID uuid.UUID) bool {
	_, ok := b.published[[2]uuid.UUID{periodID, classID}]
	return ok
}

// reportBoardOf loads the periods, the pupils whose report cards the actor reads as pupil
// or legal guardian, and (staff) the classes they work on.
func (s *Service) reportBoardOf(ctx context.Context, t *tenant.Tenant, a Actor, staff bool) (*reportBoard, error) {
	b := &reportBoard{}
	err := s.read(ctx, t, func(st store) error {
		var err error
		if b.Periods, err = st.periods(); err != nil {
			return err
		}
		self := uuid.Nil
		if hasRole(a, identity.RoleEleve) {
			self = a.PersonID
		}
		var children []uuid.UUID
		if hasRole(a, identity.RoleResponsable) {
			kids, err := s.guardians.LegalChildren(st.tx, a.PersonID)
			if err != nil {
				return err
			}
			for _, k := range kids {
				children = append(children, k.ID)
			}
		}
		if self != uuid.Nil || len(children) > 0 {
			if b.Pupils, err = st.boardPupils(self, children); err != nil {
				return err
			}
		}
		if staff {
			if err := st.boardClasses(a, b); err != nil {
				return err
			}
		}
		b.published, err = st.publications()
		return err
	})
	return b, err
}
