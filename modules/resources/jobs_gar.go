package resources

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
)

// GarNightly is the nightly job that makes the export of each establishment using an
// external access manager.
type GarNightly struct{}

// Kind names the job in River.
func (GarNightly) Kind() string { return "resources_gar_nightly" }

// garJobs: the exports asked for by the managers, and the nightly ones.
func (s *Service) garJobs(tenants jobs.TenantLister, log *slog.Logger) []jobs.Work {
	return []jobs.Work{
		&garExportWork{svc: s, tenants: tenants, log: log},
		jobs.NewEachEstablishment[GarNightly]("Export GAR de l'annuaire (établissements avec un gestionnaire d'accès externe)", 24*time.Hour, tenants, s.nightlyExport),
	}
}

type garExportWork struct {
	svc     *Service
	tenants jobs.TenantLister
	log     *slog.Logger
}

func (w *garExportWork) AddWorkers(ws *river.Workers) { river.AddWorker(ws, &garExportWorker{w: w}) }

func (w *garExportWork) PeriodicJobs() []*river.PeriodicJob { return nil }

// JobLabels names the job in the console.
func (w *garExportWork) JobLabels() map[string]string {
	return map[string]string{GarExportJob{}.Kind(): "Export GAR de l'annuaire demandé par l'établissement"}
}

type garExportWorker struct {
	river.WorkerDefaults[GarExportJob]
	w *garExportWork
}

// Work makes the export; a failure is recorded on it (the managers see « Échec ») and not
// retried: they ask again.
func (x *garExportWorker) Work(ctx context.Context, job *river.Job[GarExportJob]) error {
	t, err := liveTenant(ctx, x.w.tenants, job.Args.TenantUAI)
	if err != nil {
		return err
	}
	if err := x.w.svc.RunExport(ctx, t, job.Args.Export); err != nil {
		if x.w.log != nil {
			x.w.log.Error("GAR export failed", "tenant", t.UAI, "export", job.Args.Export, "error", err)
		}
		return river.JobCancel(err)
	}
	return nil
}

// RunGarExport runs a GarExportJob as the queue's worker does (tests, the console).
func (s *Service) RunGarExport(ctx context.Context, tenants jobs.TenantLister, job GarExportJob) error {
	t, err := liveTenant(ctx, tenants, job.TenantUAI)
	if err != nil {
		return err
	}
	return s.RunExport(ctx, t, job.Export)
}

func liveTenant(ctx context.Context, tenants jobs.TenantLister, uai string) (*tenant.Tenant, error) {
	ts, err := tenants.Live(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if string(ts[i].UAI) == uai {
			return &ts[i], nil
		}
	}
	return nil, fmt.Errorf("resources: establishment %s is gone", uai)
}
