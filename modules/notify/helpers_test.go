package notify_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// env is a registry with two establishments, the notifications' service on a pinned clock
// and the real job queue (not started: tests run the mailer themselves).
type env struct {
	reg    *tenant.Registry
	clock  *testenv.Clock
	svc    *notify.Service
	queue  *jobs.Queue
	mailer *notify.Mailer // without a transport: tests needing one build their own
	a, b   *tenant.Tenant
}

// tenants finds establishments for the mailer, as cmd/cartable's lister does.
type tenants struct{ reg *tenant.Registry }

func (l tenants) Get(ctx context.Context, uai string) (*tenant.Tenant, error) {
	return l.reg.Get(ctx, uai)
}

func (l tenants) Live(ctx context.Context) ([]tenant.Tenant, error) {
	return l.reg.List(ctx, tenant.ListFilter{Status: tenant.StatusActive})
}

func siteURL(slug string) string { return "http://" + slug + ".cartable.test/" }

func newEnv(t testing.TB) *env {
	t.Helper()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	return newEnvOn(t, reg)
}

func newEnvOn(t testing.TB, reg *tenant.Registry) *env {
	t.Helper()
	sqlDB, err := reg.Platform().DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Migrate(context.Background(), sqlDB); err != nil {
		t.Fatalf("migrate the job queue: %v", err)
	}
	e := &env{reg: reg, clock: testenv.NewClock(testenv.SchoolDay)}
	e.svc = notify.NewService(reg.DB(), e.clock.Now)
	e.mailer = notify.NewMailer(e.svc, notify.MailerConfig{Tenants: tenants{reg}, SiteURL: siteURL, Domain: "cartable.test"})
	q, err := jobs.New(sqlDB, jobs.Duties{Modules: []jobs.Work{e.mailer}}, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.queue = q
	e.svc.SetQueue(q)
	e.a = tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	e.b = tenanttest.Provision(t, reg, tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	return e
}

// person adds an active person to tn (the directory's table, as an import would).
func (e *env) person(t testing.TB, tn *tenant.Tenant, category, first, email string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := e.reg.DB().Tx(context.Background(), tn, func(tx *gorm.DB) error {
		var mail any
		if email != "" {
			mail = email
		}
		return tx.Raw(`INSERT INTO people (category, last_name, first_name, email) VALUES (?, 'Test', ?, ?) RETURNING id`,
			category, first, mail).Row().Scan(&id)
	})
	if err != nil {
		t.Fatalf("add person: %v", err)
	}
	return id
}

// notify tells notices in a transaction of tn, as a module would in its own.
func (e *env) notify(t testing.TB, tn *tenant.Tenant, ns ...notify.Notice) {
	t.Helper()
	if err := e.reg.DB().Tx(context.Background(), tn, func(tx *gorm.DB) error { return e.svc.Notify(tx, tn, ns...) }); err != nil {
		t.Fatalf("notify: %v", err)
	}
}

// count runs a count query in tn.
func (e *env) count(t testing.TB, tn *tenant.Tenant, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.reg.DB().ReadTx(context.Background(), tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// riverJobs counts the queue's jobs of a kind.
func (e *env) riverJobs(t testing.TB, kind string) int {
	t.Helper()
	var n int
	if err := e.reg.Platform().Raw(`SELECT count(*) FROM river.river_job WHERE kind = ?`, kind).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
