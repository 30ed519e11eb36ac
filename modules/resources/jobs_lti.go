package resources

import (
	"log/slog"

	"github.com/cartable-ent/cartable/modules/jobs"
)

func (s *Service) ltiJobs(log *slog.Logger) []jobs.Work { return nil }
