package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/tenant"
)

// ReconcileOrphans removes the Kratos identities no account row knows (an import or a
// person's creation that crashed between Kratos and PostgreSQL).
type ReconcileOrphans struct{}

// Kind names the job in River.
func (ReconcileOrphans) Kind() string { return "reconcile_orphan_identities" }

// PurgeLeavers deletes the people past their purge_after (three months after they left),
// in one establishment or, when TenantUAI is empty, in every one.
type PurgeLeavers struct {
	TenantUAI string `json:"tenant_uai,omitempty"`
}

// Kind names the job in River.
func (PurgeLeavers) Kind() string { return "purge_leavers" }

// PurgeTenants drops the deleted establishments past their retention (`cartable tenant purge`).
type PurgeTenants struct{}

// Kind names the job in River.
func (PurgeTenants) Kind() string { return "purge_deleted_tenants" }

// ExpireCredentials erases the initial passwords past credentials_expire_at, in one
// establishment or, when TenantUAI is empty, in every one.
type ExpireCredentials struct {
	TenantUAI string `json:"tenant_uai,omitempty"`
}

// Kind names the job in River.
func (ExpireCredentials) Kind() string { return "expire_initial_passwords" }

// labels are the French names of the jobs in the console.
var labels = map[string]string{
	ReconcileOrphans{}.Kind():  "Identités orphelines (serveur d'identité)",
	PurgeLeavers{}.Kind():      "Purge des personnes parties depuis 3 mois",
	PurgeTenants{}.Kind():      "Purge des établissements supprimés",
	ExpireCredentials{}.Kind(): "Effacement des mots de passe initiaux expirés",
}

type orphansWorker struct {
	river.WorkerDefaults[ReconcileOrphans]
	d   Duties
	cfg Config
}

func (w *orphansWorker) Work(ctx context.Context, job *river.Job[ReconcileOrphans]) error {
	if w.d.Orphans == nil {
		return river.JobCancel(errors.New("jobs: no orphan reconciler wired"))
	}
	seen, removed, err := w.d.Orphans.ReconcileOrphans(ctx, w.cfg.Now().Add(-w.cfg.OrphanGrace))
	if err != nil {
		return err
	}
	w.cfg.Logger.Info("orphan identities reconciled", "job", job.ID, "identities", seen, "removed", removed)
	return nil
}

type leaversWorker struct {
	river.WorkerDefaults[PurgeLeavers]
	d   Duties
	cfg Config
}

func (w *leaversWorker) Work(ctx context.Context, job *river.Job[PurgeLeavers]) error {
	if w.d.Leavers == nil {
		return river.JobCancel(errors.New("jobs: no leaver purger wired"))
	}
	return eachTenant(ctx, w.d.Tenants, job.Args.TenantUAI, func(t *tenant.Tenant) error {
		people, ids, err := w.d.Leavers.PurgeLeavers(ctx, t, w.cfg.Now())
		if people > 0 {
			w.cfg.Logger.Info("leavers purged", "job", job.ID, "tenant", t.UAI, "people", people, "identities", ids)
		}
		return err
	})
}

type tenantsWorker struct {
	river.WorkerDefaults[PurgeTenants]
	d   Duties
	cfg Config
}

func (w *tenantsWorker) Work(ctx context.Context, job *river.Job[PurgeTenants]) error {
	if w.d.Retired == nil {
		return river.JobCancel(errors.New("jobs: no tenant purger wired"))
	}
	done, err := w.d.Retired.Purge(ctx, w.cfg.Now(), "jobs")
	for _, t := range done {
		w.cfg.Logger.Info("deleted establishment purged", "job", job.ID, "tenant", t.UAI)
	}
	return err
}

type credentialsWorker struct {
	river.WorkerDefaults[ExpireCredentials]
	d   Duties
	cfg Config
}

func (w *credentialsWorker) Work(ctx context.Context, job *river.Job[ExpireCredentials]) error {
	if w.d.Passwords == nil {
		return river.JobCancel(errors.New("jobs: no credential expirer wired"))
	}
	return eachTenant(ctx, w.d.Tenants, job.Args.TenantUAI, func(t *tenant.Tenant) error {
		n, err := w.d.Passwords.ExpireCredentials(ctx, t, w.cfg.Now())
		if n > 0 {
			w.cfg.Logger.Info("initial passwords erased", "job", job.ID, "tenant", t.UAI, "imports", n)
		}
		return err
	})
}

// eachTenant runs fn on the establishment uai, or on every live one when uai is empty; one
// failing establishment does not stop the others (the job fails and is retried).
func eachTenant(ctx context.Context, l TenantLister, uai string, fn func(*tenant.Tenant) error) error {
	ts, err := l.Live(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range ts {
		t := &ts[i]
		if uai != "" && string(t.UAI) != uai {
			continue
		}
		if err := fn(t); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.UAI, err))
		}
	}
	return errors.Join(errs...)
}
