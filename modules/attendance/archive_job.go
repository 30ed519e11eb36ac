package attendance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/tenant"
)

// ArchiveRegisters is the daily job that closes the ended school years' registre d'appel
// and deletes those kept their ten years, in every establishment.
type ArchiveRegisters struct{}

// Kind names the job in River.
func (ArchiveRegisters) Kind() string { return "archive_registers" }

// Tenants lists the establishments whose schema exists (cmd/cartable's lister).
type Tenants interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
}

// Archiver is the registre's archival on the job queue (jobs.Work).
type Archiver struct {
	svc     *Service
	tenants Tenants
	log     *slog.Logger
	report  PurgeReport // SetReport; nil: the purges are only logged
}

// PurgeReport records what a retention purge removed in an establishment (the région's
// report of the retention, wired by cmd/cartable).
type PurgeReport interface {
	Purged(ctx context.Context, t *tenant.Tenant, kind string, count, bytes int64) error
}

// ReportKind is the kind of data the registre's purge reports (retention.Kinds); its count
// is the archived registers (one per lesson's roll call) deleted.
const ReportKind = "registre"

// SetReport makes every run write, per establishment, what the registre's purge removed.
func (a *Archiver) SetReport(r PurgeReport) *Archiver { a.report = r; return a }

// NewArchiver binds the archival to the service and the establishments.
func NewArchiver(svc *Service, tenants Tenants, log *slog.Logger) *Archiver {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Archiver{svc: svc, tenants: tenants, log: log}
}

// AddWorkers adds the archival's worker (jobs.Work).
func (a *Archiver) AddWorkers(w *river.Workers) { river.AddWorker(w, &archiveWorker{a: a}) }

// PeriodicJobs plans the archival once a day (jobs.Work).
func (a *Archiver) PeriodicJobs() []*river.PeriodicJob {
	const every = 24 * time.Hour
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return ArchiveRegisters{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the job in the console (jobs.Labelled).
func (a *Archiver) JobLabels() map[string]string {
	return map[string]string{ArchiveRegisters{}.Kind(): "Archivage du registre d'appel (conservé 10 ans)"}
}

// Run archives every establishment; one failing does not stop the others.
func (a *Archiver) Run(ctx context.Context) error {
	ts, err := a.tenants.Live(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range ts {
		res, err := a.svc.ArchiveYears(ctx, &ts[i], a.svc.now())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if a.report != nil {
			if err := a.report.Purged(ctx, &ts[i], ReportKind, int64(res.PurgedRegisters), 0); err != nil {
				errs = append(errs, err)
			}
		}
		if len(res.Closed)+len(res.Purged) > 0 {
			a.log.Info("registers archived", "tenant", ts[i].UAI, "closed", res.Closed, "purged", res.Purged)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("attendance: archival: %w", errors.Join(errs...))
	}
	return nil
}

type archiveWorker struct {
	river.WorkerDefaults[ArchiveRegisters]
	a *Archiver
}

func (w *archiveWorker) Work(ctx context.Context, _ *river.Job[ArchiveRegisters]) error {
	return w.a.Run(ctx)
}
