package billing

// The metering's jobs on the queue (River): billing_meter_day every 3 hours, which meters
// yesterday and today (Paris), and billing_suspend_opted_out daily.

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// MeterDayJob meters yesterday and today (Europe/Paris) in every live establishment.
type MeterDayJob struct{}

// Kind names the job in River.
func (MeterDayJob) Kind() string { return "billing_meter_day" }

// SuspendOptedOutJob suspends the collèges of the départements whose opt-out date came.
type SuspendOptedOutJob struct{}

// Kind names the job in River.
func (SuspendOptedOutJob) Kind() string { return "billing_suspend_opted_out" }

// The jobs' periods.
const (
	meterEvery   = 3 * time.Hour
	suspendEvery = 24 * time.Hour
)

// MeterJobs is the metering's work on the job queue (a jobs.Work and jobs.Labelled).
type MeterJobs struct {
	store *Store
	reg   Suspender
	log   *slog.Logger
}

// RegisterMeterJobs makes the metering's jobs, for the queue (jobs.Duties.Modules): they
// take their clock from store and suspend establishments with reg (tenant.Registry).
func RegisterMeterJobs(store *Store, reg Suspender, log *slog.Logger) *MeterJobs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &MeterJobs{store: store, reg: reg, log: log}
}

// AddWorkers adds the jobs' workers (jobs.Work).
func (j *MeterJobs) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &meterWorker{j: j})
	river.AddWorker(w, &suspendWorker{j: j})
}

// PeriodicJobs plans the metering every 3 hours and the suspensions daily (jobs.Work).
func (j *MeterJobs) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(meterEvery), func() (river.JobArgs, *river.InsertOpts) {
			return MeterDayJob{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: meterEvery}}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(suspendEvery), func() (river.JobArgs, *river.InsertOpts) {
			return SuspendOptedOutJob{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: suspendEvery}}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// JobLabels names the jobs in the console (jobs.Labelled).
func (j *MeterJobs) JobLabels() map[string]string {
	return map[string]string{
		MeterDayJob{}.Kind():        "Facturation : relevé de l'usage du jour et de la veille",
		SuspendOptedOutJob{}.Kind(): "Facturation : suspension des collèges des départements sortis",
	}
}

// MeterRecent meters yesterday and today (Paris) by the store's clock; a day of a closed
// month is skipped (logged), not an error.
func (j *MeterJobs) MeterRecent(ctx context.Context) error {
	today := DayOf(j.store.now())
	var errs []error
	for _, day := range []time.Time{today.AddDate(0, 0, -1), today} {
		frozen, err := j.store.meterDay(ctx, day)
		if frozen {
			j.log.Info("billing: metering skipped, the month is closed", "day", day.Format("2006-01-02"))
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SuspendOptedOut suspends the collèges of départements that left, what the daily job does.
func (j *MeterJobs) SuspendOptedOut(ctx context.Context) error {
	done, err := j.store.SuspendOptedOut(ctx, j.reg, "job:"+SuspendOptedOutJob{}.Kind())
	for _, uai := range done {
		j.log.Info("billing: collège suspended, its département left Cartable", "uai", uai)
	}
	return err
}

type meterWorker struct {
	river.WorkerDefaults[MeterDayJob]
	j *MeterJobs
}

func (w *meterWorker) Work(ctx context.Context, _ *river.Job[MeterDayJob]) error {
	return w.j.MeterRecent(ctx)
}

type suspendWorker struct {
	river.WorkerDefaults[SuspendOptedOutJob]
	j *MeterJobs
}

func (w *suspendWorker) Work(ctx context.Context, _ *river.Job[SuspendOptedOutJob]) error {
	return w.j.SuspendOptedOut(ctx)
}
