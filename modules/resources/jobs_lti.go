package resources

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/modules/jobs"
)

// ltiRotateEvery is how often the rotation looks at the keys: a key is replaced within
// this of its 90 days, and a retired one deleted within this of its 7 more days.
const ltiRotateEvery = 6 * time.Hour

// ltiRotateArgs is the rotation job of the LTI signing keys.
type ltiRotateArgs struct{}

func (ltiRotateArgs) Kind() string { return "resources.lti_keys_rotate" }

type ltiRotation struct {
	s   *Service
	log *slog.Logger
}

func (s *Service) ltiJobs(log *slog.Logger) []jobs.Work {
	return []jobs.Work{&ltiRotation{s: s, log: log}}
}

// AddWorkers adds the rotation's worker (jobs.Work).
func (r *ltiRotation) AddWorkers(w *river.Workers) { river.AddWorker(w, &ltiRotateWorker{r: r}) }

// PeriodicJobs plans the rotation every ltiRotateEvery, from the start (jobs.Work).
func (r *ltiRotation) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(ltiRotateEvery), func() (river.JobArgs, *river.InsertOpts) {
		return ltiRotateArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: ltiRotateEvery}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the job in the console (jobs.Labelled).
func (r *ltiRotation) JobLabels() map[string]string {
	return map[string]string{ltiRotateArgs{}.Kind(): "Ressources : rotation des clés de signature LTI"}
}

type ltiRotateWorker struct {
	river.WorkerDefaults[ltiRotateArgs]
	r *ltiRotation
}

func (w *ltiRotateWorker) Work(ctx context.Context, _ *river.Job[ltiRotateArgs]) error {
	kid, err := w.r.s.RotateLTIKeys(ctx)
	if err == nil && kid != "" && w.r.log != nil {
		w.r.log.Info("LTI signing key rotated", "kid", kid)
	}
	return err
}
