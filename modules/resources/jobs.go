package resources

import (
	"log/slog"
	"maps"
	"slices"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/modules/jobs"
)

// Jobs are the resources' background work: the nightly licences of newcomers and the
// sweep of launches older than a year (jobs_manage.go), the rotation of the LTI keys
// (jobs_lti.go), the GAR-style exports (jobs_gar.go).
func (s *Service) Jobs(tenants jobs.TenantLister, log *slog.Logger) []jobs.Work {
	return slices.Concat(s.manageJobs(tenants, log), s.ltiJobs(log), s.garJobs(tenants, log))
}

// Work gathers works as one (the queue takes one argument per module).
func Work(works []jobs.Work) jobs.Work { return allWork(works) }

type allWork []jobs.Work

func (a allWork) AddWorkers(w *river.Workers) {
	for _, x := range a {
		x.AddWorkers(w)
	}
}

func (a allWork) PeriodicJobs() []*river.PeriodicJob {
	var out []*river.PeriodicJob
	for _, x := range a {
		out = append(out, x.PeriodicJobs()...)
	}
	return out
}

// JobLabels names the works' jobs in the console (jobs.Labelled), those that have a name.
func (a allWork) JobLabels() map[string]string {
	out := map[string]string{}
	for _, x := range a {
		if l, ok := x.(jobs.Labelled); ok {
			maps.Copy(out, l.JobLabels())
		}
	}
	return out
}
