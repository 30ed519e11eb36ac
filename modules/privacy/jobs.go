package privacy

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// BuildJob makes one export.
type BuildJob struct {
	Export uuid.UUID `json:"export"`
}

// Kind names the job in River.
func (BuildJob) Kind() string { return "privacy_export_build" }

// SweepJob deletes the exports whose seven days are over.
type SweepJob struct{}

// Kind names the job in River.
func (SweepJob) Kind() string { return "privacy_export_sweep" }

// sweepEvery is how often expired exports are deleted.
const sweepEvery = time.Hour

// Work is the module's jobs on the queue (jobs.Work): the making of exports and their
// hourly sweep.
type Work struct {
	svc *Service
	log *slog.Logger
}

// Jobs returns the service's work for the queue (cmd/cartable passes it to queueOf).
func (s *Service) Jobs(log *slog.Logger) *Work {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Work{svc: s, log: log}
}

// AddWorkers registers the workers.
func (w *Work) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &buildWorker{w: w})
	river.AddWorker(ws, &sweepWorker{w: w})
}

// PeriodicJobs is the hourly sweep.
func (w *Work) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(sweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return SweepJob{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: sweepEvery}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the jobs in the console.
func (w *Work) JobLabels() map[string]string {
	return map[string]string{
		BuildJob{}.Kind(): "Export de données personnelles (RGPD)",
		SweepJob{}.Kind(): "Suppression des exports de données personnelles expirés",
	}
}

type buildWorker struct {
	river.WorkerDefaults[BuildJob]
	w *Work
}

// Work makes the export; River retries a failure (a job killed mid-way is rescued and
// retried too: the blob is rewritten whole); the last attempt's failure is recorded, so that
// the requester sees « Échec » and may ask again.
func (x *buildWorker) Work(ctx context.Context, job *river.Job[BuildJob]) error {
	err := x.w.svc.Build(ctx, job.Args.Export)
	if err != nil && job.Attempt >= job.MaxAttempts {
		x.w.log.Error("personal data export failed", "export", job.Args.Export, "error", err)
		if ferr := x.w.svc.fail(context.WithoutCancel(ctx), job.Args.Export); ferr != nil {
			x.w.log.Error("record the export's failure", "export", job.Args.Export, "error", ferr)
		}
	}
	return err
}

// Timeout: 200 MB of files and thousands of rows take well under a minute; a stuck store
// gets ten.
func (x *buildWorker) Timeout(*river.Job[BuildJob]) time.Duration { return 10 * time.Minute }

type sweepWorker struct {
	river.WorkerDefaults[SweepJob]
	w *Work
}

func (x *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepJob]) error {
	_, err := x.w.svc.Sweep(ctx)
	return err
}
