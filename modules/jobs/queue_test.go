package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

type expirer struct{ calls chan string }

func (e expirer) ExpireCredentials(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error) {
	e.calls <- string(t.UAI) + " " + now.Format(time.RFC3339)
	return 1, nil
}

type oneTenant struct{ t *tenant.Tenant }

func (o oneTenant) Live(context.Context) ([]tenant.Tenant, error) { return []tenant.Tenant{*o.t}, nil }

// TestInsertTxFollowsTheTransaction: a job enqueued in a tenant transaction that rolls back
// does not exist; one enqueued in a committed transaction is worked, with the injected clock,
// and shows as completed in the administrators' list.
func TestInsertTxFollowsTheTransaction(t *testing.T) {
	ctx := context.Background()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	sqlDB, _ := reg.Platform().DB()
	if _, err := jobs.Migrate(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	if n, err := jobs.Migrate(ctx, sqlDB); err != nil || n != 0 {
		t.Fatalf("second migration applied %d, err %v; want a no-op", n, err)
	}
	tn := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	calls := make(chan string, 4)
	q, err := jobs.New(sqlDB, jobs.Duties{Tenants: oneTenant{tn}, Passwords: expirer{calls}},
		jobs.Config{Poll: 200 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("rolled back")
	err = reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error {
		if err := q.ExpireCredentialsAt(tx, tn, now); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx = %v", err)
	}
	if js, err := q.List(ctx, "", 10); err != nil || len(js) != 0 {
		t.Fatalf("after a rollback: %d jobs, %v; want none", len(js), err)
	}
	if err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error { return q.ExpireCredentialsAt(tx, tn, now) }); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(context.Background())
	seen := map[string]bool{}
	deadline := time.After(time.Minute)
	for len(seen) == 0 {
		select {
		case c := <-calls:
			seen[c] = true
		case <-deadline:
			t.Fatal("no worker ran the job within a minute")
		}
	}
	if !seen["0330021U 2026-12-01T09:00:00Z"] {
		t.Errorf("worker called with %v; want the tenant and the injected time", seen)
	}
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) { // clock-ok: a wait's deadline
		js, err := q.List(ctx, "completed", 10)
		if err == nil && len(js) > 0 && js[0].Label != "" {
			break
		}
		if time.Now().After(end) { // clock-ok: a wait's deadline
			t.Fatalf("no completed job listed: %v %v", js, err)
		}
	}
}
