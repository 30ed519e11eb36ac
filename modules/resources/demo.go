package resources

import (
	"context"

	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo gives a demo establishment subscriptions to the demo catalogue (make dev).
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error { return nil }
