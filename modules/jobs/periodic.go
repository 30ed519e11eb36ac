package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/tenant"
)

// EachEstablishment is a module's periodic duty on the queue (Work, Labelled): job A, every
// period, runs do in every live establishment; one failing does not stop the others.
type EachEstablishment[A river.JobArgs] struct {
	label   string
	every   time.Duration
	tenants TenantLister
	do      func(ctx context.Context, t *tenant.Tenant) error
}

// NewEachEstablishment plans job A every period over the establishments tenants lists,
// named label in the console.
func NewEachEstablishment[A river.JobArgs](label string, every time.Duration, tenants TenantLister,
	do func(ctx context.Context, t *tenant.Tenant) error) *EachEstablishment[A] {
	return &EachEstablishment[A]{label: label, every: every, tenants: tenants, do: do}
}

// AddWorkers adds the job's worker (Work).
func (p *EachEstablishment[A]) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &eachWorker[A]{p: p})
}

// PeriodicJobs plans the job once per period, from the start (Work).
func (p *EachEstablishment[A]) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(p.every), func() (river.JobArgs, *river.InsertOpts) {
		var a A
		return a, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: p.every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the job in the console (Labelled).
func (p *EachEstablishment[A]) JobLabels() map[string]string {
	var a A
	return map[string]string{a.Kind(): p.label}
}

// RunAll runs the duty in every live establishment, what the job does.
func (p *EachEstablishment[A]) RunAll(ctx context.Context) error {
	ts, err := p.tenants.Live(ctx)
	if err != nil {
		return err
	}
	var a A
	var errs []error
	for i := range ts {
		if err := p.do(ctx, &ts[i]); err != nil {
			errs = append(errs, fmt.Errorf("%s in %s: %w", a.Kind(), ts[i].UAI, err))
		}
	}
	return errors.Join(errs...)
}

type eachWorker[A river.JobArgs] struct {
	river.WorkerDefaults[A]
	p *EachEstablishment[A]
}

func (w *eachWorker[A]) Work(ctx context.Context, _ *river.Job[A]) error { return w.p.RunAll(ctx) }
