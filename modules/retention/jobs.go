package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// WarnPortfolios is the daily job that tells the pupils who left, WarnBefore their
// portfolio's purge, in every establishment.
type WarnPortfolios struct{}

// Kind names the job in River.
func (WarnPortfolios) Kind() string { return "retention_warn_portfolios" }

// PurgeConnections is the daily job that deletes the connection logs older than
// ConnectionLogYears in every establishment, and the report's rows older than a year.
type PurgeConnections struct{}

// Kind names the job in River.
func (PurgeConnections) Kind() string { return "retention_purge_connections" }

// Tenants lists the establishments whose schema exists (cmd/cartable's lister).
type Tenants interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
}

// Jobs is the retention's work on the job queue (a jobs.Work).
type Jobs struct {
	svc     *Service
	tenants Tenants
	log     *slog.Logger
}

// Jobs returns the retention's periodic work over tenants.
func (s *Service) Jobs(tenants Tenants, log *slog.Logger) *Jobs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Jobs{svc: s, tenants: tenants, log: log}
}

// AddWorkers adds the retention's workers (jobs.Work).
func (j *Jobs) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &warnWorker{j: j})
	river.AddWorker(w, &connectionsWorker{j: j})
}

// PeriodicJobs plans both once a day (jobs.Work).
func (j *Jobs) PeriodicJobs() []*river.PeriodicJob {
	const every = 24 * time.Hour
	daily := func(args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{RunOnStart: true})
	}
	return []*river.PeriodicJob{daily(WarnPortfolios{}), daily(PurgeConnections{})}
}

// JobLabels names the jobs in the console (jobs.Labelled).
func (j *Jobs) JobLabels() map[string]string {
	return map[string]string{
		WarnPortfolios{}.Kind():   "Avertissement des élèves partis avant la suppression de leur portfolio",
		PurgeConnections{}.Kind(): "Purge des journaux de connexion de plus d'un an",
	}
}

// each runs fn on every live establishment; one failing does not stop the others.
func (j *Jobs) each(ctx context.Context, fn func(t *tenant.Tenant) error) error {
	ts, err := j.tenants.Live(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range ts {
		if err := fn(&ts[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Warn tells the pupils who left in every establishment (the job's run).
func (j *Jobs) Warn(ctx context.Context) error {
	now := j.svc.now()
	return j.each(ctx, func(t *tenant.Tenant) error {
		n, err := j.svc.WarnLeavers(ctx, t, now)
		if n > 0 {
			j.log.Info("pupils who left warned of their portfolio's purge", "tenant", t.UAI, "pupils", n)
		}
		return err
	})
}

// PurgeConnectionLogs deletes the old connection logs of every establishment, reporting each
// (the job's run), then forgets the report's old rows.
func (j *Jobs) PurgeConnectionLogs(ctx context.Context) error {
	now := j.svc.now()
	err := j.each(ctx, func(t *tenant.Tenant) error {
		n, err := j.svc.PurgeConnections(ctx, t, now)
		if err != nil {
			return err
		}
		return j.svc.report.Purged(ctx, t, KindConnections, n, 0)
	})
	// Those of establishments no longer live (deleted, purged) go too.
	rest, rerr := j.svc.purgeOtherConnections(ctx, now)
	err = errors.Join(err, rerr)
	for i := range rest {
		err = errors.Join(err, j.svc.report.Purged(ctx, &rest[i].t, KindConnections, rest[i].n, 0))
	}
	if _, ferr := j.svc.report.forget(ctx, now); ferr != nil {
		err = errors.Join(err, ferr)
	}
	return err
}

// PurgeConnections deletes t's connection logs (the sign-ins the metering keeps,
// platform.billing_signins, one row per person and day) older than ConnectionLogYears at now.
// The metering counted them long before (billing_usage_days keeps only counts).
func (s *Service) PurgeConnections(ctx context.Context, t *tenant.Tenant, now time.Time) (int64, error) {
	before := now.In(directory.SchoolZone).AddDate(-ConnectionLogYears, 0, 0).Format(time.DateOnly)
	res := s.report.db.WithContext(ctx).Exec(`DELETE FROM platform.billing_signins WHERE tenant_id = ? AND day < ?`, t.ID, before)
	if res.Error != nil {
		return 0, fmt.Errorf("retention: purge the connection logs of %s: %w", t.UAI, res.Error)
	}
	return res.RowsAffected, nil
}

// purged is what a purge removed in one establishment.
type purged struct {
	t tenant.Tenant
	n int64
}

// purgeOtherConnections deletes the connection logs older than ConnectionLogYears at now of
// every establishment (those the live ones' runs left: deleted or purged establishments).
func (s *Service) purgeOtherConnections(ctx context.Context, now time.Time) ([]purged, error) {
	before := now.In(directory.SchoolZone).AddDate(-ConnectionLogYears, 0, 0).Format(time.DateOnly)
	var rows []struct {
		ID  uuid.UUID
		UAI string
		N   int64
	}
	err := s.report.db.WithContext(ctx).Raw(`WITH d AS (DELETE FROM platform.billing_signins WHERE day < ? RETURNING tenant_id)
		SELECT t.id, t.uai, count(*) AS n FROM d JOIN platform.tenants t ON t.id = d.tenant_id GROUP BY t.id, t.uai ORDER BY t.uai`, before).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("retention: purge the connection logs of the other establishments: %w", err)
	}
	out := make([]purged, len(rows))
	for i, r := range rows {
		out[i] = purged{t: tenant.Tenant{ID: r.ID, UAI: tenant.UAI(r.UAI)}, n: r.N}
	}
	return out, nil
}

type warnWorker struct {
	river.WorkerDefaults[WarnPortfolios]
	j *Jobs
}

func (w *warnWorker) Work(ctx context.Context, _ *river.Job[WarnPortfolios]) error {
	return w.j.Warn(ctx)
}

type connectionsWorker struct {
	river.WorkerDefaults[PurgeConnections]
	j *Jobs
}

func (w *connectionsWorker) Work(ctx context.Context, _ *river.Job[PurgeConnections]) error {
	return w.j.PurgeConnectionLogs(ctx)
}

// LeaverPurger deletes the people of t whose keeping period ended at now (jobs.LeaverPurger,
// the directory's purge).
type LeaverPurger interface {
	PurgeLeavers(ctx context.Context, t *tenant.Tenant, now time.Time) (people, identities int, err error)
}

// Leavers wraps the directory's purge of leavers (jobs.LeaverPurger): the portfolios of the
// pupils concerned are deleted first, then the people; both are reported.
func (s *Service) Leavers(inner LeaverPurger) LeaverPurger { return leavers{s, inner} }

type leavers struct {
	s     *Service
	inner LeaverPurger
}

func (l leavers) PurgeLeavers(ctx context.Context, t *tenant.Tenant, now time.Time) (int, int, error) {
	items, bytes, err := l.s.PurgePortfolios(ctx, t, now)
	if rerr := l.s.report.Purged(ctx, t, KindPortfolio, items, bytes); err == nil {
		err = rerr
	}
	if err != nil {
		return 0, 0, err
	}
	people, ids, err := l.inner.PurgeLeavers(ctx, t, now)
	if rerr := l.s.report.Purged(ctx, t, KindAccounts, int64(people), 0); err == nil {
		err = rerr
	}
	return people, ids, err
}

// TenantPurger drops the deleted establishments whose retention ended at now
// (jobs.TenantPurger, the registry).
type TenantPurger interface {
	Purge(ctx context.Context, now time.Time, actor string) ([]tenant.Tenant, error)
}

// Establishments wraps the registry's purge of deleted establishments (jobs.TenantPurger):
// each establishment purged is reported.
func (s *Service) Establishments(inner TenantPurger) TenantPurger { return establishments{s, inner} }

type establishments struct {
	s     *Service
	inner TenantPurger
}

func (e establishments) Purge(ctx context.Context, now time.Time, actor string) ([]tenant.Tenant, error) {
	done, err := e.inner.Purge(ctx, now, actor)
	for i := range done {
		if rerr := e.s.report.Purged(ctx, &done[i], KindEstablishments, 1, 0); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return done, err
}
