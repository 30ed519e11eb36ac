package resources

import (
	"log/slog"

	"github.com/cartable-ent/cartable/modules/jobs"
)

func (s *Service) manageJobs(tenants jobs.TenantLister, log *slog.Logger) []jobs.Work { return nil }
