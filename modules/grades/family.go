package grades

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// Guardians is what the grades ask the directory about families: only legal guardians see a
// pupil's marks and report cards. The rule lives in the directory (directory.Guardianship);
// the grades keep no copy of it. Both methods run in the caller's tenant transaction.
type Guardians interface {
	IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error)
	LegalChildren(tx *gorm.DB, guardian uuid.UUID) ([]directory.Child, error)
	LegalGuardians(tx *gorm.DB, pupils []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error)
}

// Child is a pupil of whom the guardian is legal guardian, as the child chooser lists them.
type Child = directory.Child

// LegalChildren lists the active pupils of whom guardianID is a legal guardian, with their
// class this year (empty when none).
func (s *Service) LegalChildren(ctx context.Context, t *tenant.Tenant, guardianID uuid.UUID) ([]Child, error) {
	var out []Child
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = s.guardians.LegalChildren(st.tx, guardianID)
		return err
	})
	return out, err
}
