package files

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/tenant"
)

// Establishments lists the establishments whose schema exists (the sweep walks them) and
// those purged for good (their blobs go with them).
type Establishments interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
	Purged(ctx context.Context) ([]tenant.Tenant, error)
}

// Sweeping is a module's side of the sweep: remove one live establishment's orphans
// (Store.Sweep with the keys its rows know), and everything of a purged one (Store.Drop).
type Sweeping interface {
	SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error)
	DropFiles(ctx context.Context, t *tenant.Tenant) (int, error)
}

// SweepEvery is how often a sweep runs: a deleted row's blob that its module could not
// remove at once leaves the store within OrphanAge plus this.
const SweepEvery = time.Hour

// Sweeper is a module's hourly orphan-blob sweep on the job queue (jobs.Work); A is the
// module's job (its Kind names it in River).
type Sweeper[A river.JobArgs] struct {
	label   string
	module  Sweeping
	tenants Establishments
}

// NewSweeper plans module's sweep as job A, named label in the console.
func NewSweeper[A river.JobArgs](label string, module Sweeping, tenants Establishments) *Sweeper[A] {
	return &Sweeper[A]{label: label, module: module, tenants: tenants}
}

// AddWorkers adds the sweep's worker (jobs.Work).
func (w *Sweeper[A]) AddWorkers(ws *river.Workers) { river.AddWorker(ws, &sweepWorker[A]{w: w}) }

// PeriodicJobs plans the sweep every hour (jobs.Work).
func (w *Sweeper[A]) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		var a A
		return a, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the job in the console (jobs.Labelled).
func (w *Sweeper[A]) JobLabels() map[string]string {
	var a A
	return map[string]string{a.Kind(): w.label}
}

// SweepAll sweeps every live establishment and removes what is left of the purged ones
// (cartable tenant purge drops the schema, not the blob store); one failing does not stop
// the others. It returns how many blobs it removed.
func (w *Sweeper[A]) SweepAll(ctx context.Context) (int, error) {
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
		k, err := w.module.SweepFiles(ctx, &live[i])
		n += k
		errs = append(errs, err)
	}
	for i := range purged {
		k, err := w.module.DropFiles(ctx, &purged[i])
		n += k
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

type sweepWorker[A river.JobArgs] struct {
	river.WorkerDefaults[A]
	w *Sweeper[A]
}

func (s *sweepWorker[A]) Work(ctx context.Context, _ *river.Job[A]) error {
	_, err := s.w.SweepAll(ctx)
	return err
}
