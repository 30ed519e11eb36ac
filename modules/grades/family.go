package grades

import (
	"context"
	"fmt"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/google/uuid"
)

// Child is a pupil of whom the guardian is legal guardian, as the child chooser lists them.
type Child struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	ClassLabel string
}

// LegalChildren lists the active pupils of whom guardianID is a legal guardian, with their
// class this year (empty when none). Only legal guardians see marks and report cards.
func (s *Service) LegalChildren(ctx context.Context, t *tenant.Tenant, guardianID uuid.UUID) ([]Child, error) {
	var out []Child
	err := s.read(ctx, t, func(st store) error {
		var err error
		out, err = st.legalChildren(guardianID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("grades: children of %s: %w", guardianID, err)
	}
	return out, nil
}
