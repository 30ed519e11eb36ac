package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76/client"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/modules/retention"
	"github.com/cartable-ent/cartable/tenant"
)

// liveTenants lists the establishments whose schema exists, for the jobs.
type liveTenants struct{ reg *tenant.Registry }

func (l liveTenants) Live(ctx context.Context) ([]tenant.Tenant, error) {
	var out []tenant.Tenant
	for _, s := range []tenant.Status{tenant.StatusActive, tenant.StatusSuspended} {
		ts, err := l.reg.List(ctx, tenant.ListFilter{Status: s})
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// Purged lists the establishments purged for good (attendance's sweep removes their
// documents).
func (l liveTenants) Purged(ctx context.Context) ([]tenant.Tenant, error) {
	ts, err := l.reg.List(ctx, tenant.ListFilter{Status: tenant.StatusDeleted})
	return slices.DeleteFunc(ts, func(t tenant.Tenant) bool { return t.PurgedAt == nil }), err
}

// Get finds an establishment by UAI (the notifications' jobs).
func (l liveTenants) Get(ctx context.Context, uai string) (*tenant.Tenant, error) {
	return l.reg.Get(ctx, uai)
}

// mailerOf wires the notifications' e-mails: SMTP from the configuration (none: they wait),
// and mailpit's API as the check after a crash mid-send when a development mailbox is set.
func mailerOf(cfg config, reg *tenant.Registry, svc *notify.Service, siteURL func(string) string, log *slog.Logger) (*notify.Mailer, error) {
	mc := notify.MailerConfig{Tenants: liveTenants{reg}, SiteURL: siteURL, Domain: cfg.BaseDomain, Logger: log}
	if cfg.SMTP.Host != "" {
		tr, err := notify.NewSMTP(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		mc.Transport = tr
	}
	if cfg.MailpitURL != "" {
		mc.Arrivals = notify.MailpitArrivals{BaseURL: cfg.MailpitURL}
	}
	return notify.NewMailer(svc, mc), nil
}

// leavers adapts the directory's purge to the queue.
type leavers struct{ dir *directory.Service }

func (l leavers) PurgeLeavers(ctx context.Context, t *tenant.Tenant, now time.Time) (int, int, error) {
	r, err := l.dir.PurgeLeavers(ctx, t, now, identity.Records{})
	return r.People, r.Identities, err
}

// queueOf wires the job queue on the registry's pool. keep, when set, reports the purges of
// leavers and deleted establishments and purges the leavers' portfolios first (retention).
func queueOf(cfg config, reg *tenant.Registry, k *identity.Kratos, dir *directory.Service, keep *retention.Service, log *slog.Logger, more ...jobs.Work) (*jobs.Queue, error) {
	sqlDB, err := reg.Platform().DB()
	if err != nil {
		return nil, err
	}
	// Billing's metering (billing_meter_day, billing_suspend_opted_out).
	more = append(more, billing.RegisterMeterJobs(billing.NewStore(reg.Platform(), nil), reg, log))
	var gone jobs.LeaverPurger = leavers{dir}
	var retired jobs.TenantPurger = reg
	if keep != nil {
		gone, retired = keep.Leavers(gone), keep.Establishments(retired)
		more = append(more, keep.Jobs(liveTenants{reg}, log))
	}
	return jobs.New(sqlDB, jobs.Duties{
		Tenants:   liveTenants{reg},
		Orphans:   identity.Orphans{Kratos: k, DB: reg.Platform()},
		Leavers:   gone,
		Retired:   retired,
		Passwords: dir,
		Modules:   more,
	}, jobs.Config{Workers: cfg.JobWorkers, OrphanGrace: time.Duration(cfg.OrphanGraceHours) * time.Hour, Logger: log})
}

// secretKey decodes CARTABLE_SECRET_KEY: 32 bytes, in hex (64 digits) or base64.
func secretKey(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, fmt.Errorf("CARTABLE_SECRET_KEY: 32 bytes are expected, in hex (64 digits) or base64 (e.g. openssl rand -hex 32)")
}

// closerOf builds the monthly close on Stripe from the configuration. Without a key the
// months still close and their statements are frozen; the invoices wait (the hourly
// billing_resume_invoices retries them) until a key is configured, which the log says.
func closerOf(cfg config, store *billing.Store, log *slog.Logger) (*billing.Closer, error) {
	var api *client.API
	if cfg.Stripe.Key != "" {
		var err error
		if api, err = billing.NewStripe(cfg.Stripe); err != nil {
			return nil, err
		}
	} else {
		log.Warn("CARTABLE_STRIPE_KEY is not set: months close, but the départements' invoices wait for a Stripe key")
	}
	return billing.NewCloser(store, store.MonthUsage, api), nil
}

// laterQueue is the job queue the close enqueues on, set once the queue is built (the queue
// is built from the modules' work, billing's among them).
type laterQueue struct{ q *jobs.Queue }

// InsertTx enqueues on the queue (billing.Queue).
func (l *laterQueue) InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error {
	if l.q == nil {
		return errors.New("billing: the job queue is not built yet")
	}
	return l.q.InsertTx(tx, t, args, at)
}

// retentionOf wires the retention: its report on the platform's pool, the warnings through
// the notifications, the portfolio's blobs, and the portal's account page the warnings link to.
func retentionOf(reg *tenant.Registry, n *notify.Service, folio *portfolio.Service, portalURL string) *retention.Service {
	cfg := retention.Config{DB: reg.DB(), Report: retention.NewReport(reg.Platform(), nil), Notifier: n, Portfolios: folio, Account: portalURL + "compte"}
	if f := folio.Files(); f != nil { // a nil *files.Store in the interface would not be nil
		cfg.Blobs = f
	}
	return retention.NewService(cfg)
}
