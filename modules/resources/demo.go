package resources

import (
	"context"

	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo gives a demo establishment subscriptions to the demo catalogue (make dev): the
// plain-link resources and the catalogue (demo_media.go), the demo LTI tool (demo_lti.go).
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	if err := s.seedDemoCatalogue(ctx, t); err != nil {
		return err
	}
	return s.seedDemoLTI(ctx, t)
}
