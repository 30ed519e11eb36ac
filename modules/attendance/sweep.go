package attendance

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/tenant"
)

// SweepDocuments is the hourly job that removes the documents' blobs no row knows any more
// (Service.SweepFiles) in every establishment.
type SweepDocuments struct{}

// Kind names the job in River.
func (SweepDocuments) Kind() string { return "sweep_attendance_documents" }

// sweepEvery is how often the sweep runs: a purged leaver's documents leave the store within
// OrphanAge plus this.
const sweepEvery = time.Hour

// Establishments lists the establishments whose schema exists (the sweep walks them) and
// those purged for good (their documents go with them).
type Establishments interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
	Purged(ctx context.Context) ([]tenant.Tenant, error)
}

// Sweeper is attendance's work on the job queue (jobs.Work).
type Sweeper struct {
	svc     *Service
	tenants Establishments
}

// NewSweeper wires the documents' sweep on the queue.
func NewSweeper(svc *Service, tenants Establishments) *Sweeper {
	return &Sweeper{svc: svc, tenants: tenants}
}

// AddWorkers adds the sweep's worker (jobs.Work).
func (w *Sweeper) AddWorkers(ws *river.Workers) { river.AddWorker(ws, &sweepWorker{w: w}) }

// PeriodicJobs plans the sweep every hour (jobs.Work).
func (w *Sweeper) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(sweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return SweepDocuments{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: sweepEvery}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the job in the console (jobs.Labelled).
func (w *Sweeper) JobLabels() map[string]string {
	return map[string]string{SweepDocuments{}.Kind(): "Nettoyage des justificatifs d'absence supprimés"}
}

// SweepAll sweeps every live establishment and removes what is left of the purged ones'
// documents (cartable tenant purge drops the schema, not the blob store); one failing does not
// stop the others. It returns how many blobs it removed.
func (w *Sweeper) SweepAll(ctx context.Context) (int, error) {
	live, err := w.tenants.Live(ctx)
	if err != nil {
		return 0, err
	}
	purged, err := w.tenants.Purged(ctx)
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for i := range live {
		k, err := w.svc.SweepFiles(ctx, &live[i])
		n += k
		errs = append(errs, err)
	}
	for i := range purged {
		k, err := w.svc.DropFiles(ctx, &purged[i])
		n += k
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

type sweepWorker struct {
	river.WorkerDefaults[SweepDocuments]
	w *Sweeper
}

func (s *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepDocuments]) error {
	_, err := s.w.SweepAll(ctx)
	return err
}
