package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestPoolWhenSchemasDiffer alternates the same query, with an argument, between two tenants
// whose tables differ (one is mid-migration) on one pooled connection. A per-connection
// statement cache would reuse A's prepared statement on B and fail with "cached plan must not
// change result type".
func TestPoolWhenSchemasDiffer(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 1})
	reg, a, b := twoTenants(t, gdb)
	ctx := context.Background()
	err := reg.DB().Tx(ctx, b, func(tx *gorm.DB) error {
		return tx.Exec(`ALTER TABLE sentinel ADD COLUMN added_by_migration int NOT NULL DEFAULT 7`).Error
	})
	if err != nil {
		t.Fatalf("migrate B's sentinel: %v", err)
	}
	for i := 0; i < 6; i++ {
		for _, tn := range []*tenant.Tenant{a, b} {
			var rows []map[string]any
			err := reg.DB().ReadTx(ctx, tn, func(tx *gorm.DB) error {
				return tx.Raw(`SELECT * FROM sentinel WHERE v <> ?`, fmt.Sprintf("nothing %d", i)).Scan(&rows).Error
			})
			if err != nil {
				t.Fatalf("round %d, %s: %v", i, tn.UAI, err)
			}
			wantCols := 1
			if tn == b {
				wantCols = 2
			}
			if len(rows) != 1 || len(rows[0]) != wantCols || rows[0]["v"] != "row of "+string(tn.UAI) {
				t.Fatalf("round %d, %s read %v, want its own row with %d columns", i, tn.UAI, rows, wantCols)
			}
		}
	}
}

func TestConnectionTimeouts(t *testing.T) {
	cases := []struct {
		name string
		opts tenant.PoolOptions
		want string
	}{
		{"defaults", tenant.PoolOptions{}, "15s 5s 30s"},
		{"configured", tenant.PoolOptions{StatementTimeout: 2 * time.Second, LockTimeout: 250 * time.Millisecond, IdleInTxTimeout: time.Minute}, "2s 250ms 1min"},
		{"disabled", tenant.PoolOptions{StatementTimeout: -1, LockTimeout: -1, IdleInTxTimeout: -1}, "0 0 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gdb := tenanttest.Open(t, c.opts)
			var got string
			err := gdb.Raw(`SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' ' ||
				current_setting('idle_in_transaction_session_timeout')`).Scan(&got).Error
			if err != nil || got != c.want {
				t.Fatalf("timeouts = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// holdTx runs a transaction of tn that stays open until release is closed.
func holdTx(t *testing.T, db *tenant.DB, tn *tenant.Tenant, release <-chan struct{}) {
	t.Helper()
	started := make(chan error, 1)
	go func() {
		err := db.Tx(context.Background(), tn, func(tx *gorm.DB) error {
			started <- nil
			<-release
			return nil
		})
		if err != nil {
			started <- err
		}
	}()
	if err := <-started; err != nil {
		t.Fatalf("hold a transaction of %s: %v", tn.UAI, err)
	}
}

// TestPoolShares: one tenant holds at most its share, all tenants together leave the
// platform's reserve, and a wait past AcquireTimeout is a fault.Busy.
func TestPoolShares(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 4, TenantShare: 2, AcquireTimeout: 300 * time.Millisecond})
	reg, a, b := twoTenants(t, gdb)
	ctx := context.Background()
	release := make(chan struct{})
	defer close(release)
	holdTx(t, reg.DB(), a, release)
	holdTx(t, reg.DB(), a, release)

	if _, err := readSentinel(ctx, reg, a); !errors.Is(err, fault.ErrBusy) {
		t.Fatalf("A beyond its share of 2: %v, want fault.ErrBusy", err)
	}
	if got, err := readSentinel(ctx, reg, b); err != nil || got != "row of 0332194F" {
		t.Fatalf("B while A holds its share: %q, %v", got, err)
	}
	holdTx(t, reg.DB(), b, release) // 3 of 4 connections: the tenants' part is full
	if _, err := readSentinel(ctx, reg, b); !errors.Is(err, fault.ErrBusy) {
		t.Fatalf("B beyond the tenants' part of the pool: %v, want fault.ErrBusy", err)
	}
	var n int
	if err := gdb.WithContext(ctx).Raw(`SELECT count(*) FROM platform.tenants`).Scan(&n).Error; err != nil || n != 2 {
		t.Fatalf("platform query with the tenants' part full: %d, %v", n, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := readSentinel(cctx, reg, a); !errors.Is(err, context.Canceled) || errors.Is(err, fault.ErrBusy) {
		t.Fatalf("a request that ended while waiting: %v, want context.Canceled, not busy", err)
	}
}

// TestLockWaitIsBusy: a transaction stuck behind another's lock ends at lock_timeout with a
// fault.Busy the user may retry.
func TestLockWaitIsBusy(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 4, LockTimeout: 200 * time.Millisecond})
	reg, a, b := twoTenants(t, gdb)
	release := make(chan struct{})
	locked := make(chan error, 1)
	go func() {
		_ = reg.DB().Tx(context.Background(), a, func(tx *gorm.DB) error {
			locked <- tx.Exec(`LOCK TABLE sentinel IN ACCESS EXCLUSIVE MODE`).Error
			<-release
			return nil
		})
	}()
	if err := <-locked; err != nil {
		t.Fatalf("lock A's sentinel: %v", err)
	}
	defer close(release)
	var busy *fault.Busy
	if _, err := readSentinel(context.Background(), reg, a); !errors.As(err, &busy) || busy.RetryAfter <= 0 ||
		!strings.Contains(err.Error(), "lock timeout") {
		t.Fatalf("read behind the lock: %v, want a fault.Busy caused by the lock timeout", err)
	}
	if _, err := readSentinel(context.Background(), reg, b); err != nil {
		t.Fatalf("B meanwhile: %v", err)
	}
}

// TestLockWaitEndsAtLockTimeout: waiting for a tenant's advisory lock (an import running)
// ends at lock_timeout with a fault.Busy instead of holding a connection for minutes.
func TestLockWaitEndsAtLockTimeout(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 4, LockTimeout: 200 * time.Millisecond})
	reg, a, _ := twoTenants(t, gdb)
	ctx := context.Background()
	release, err := reg.DB().Lock(ctx, a, "directory-import", false)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	defer release()
	if _, err := reg.DB().Lock(ctx, a, "directory-import", true); !errors.Is(err, fault.ErrBusy) {
		t.Fatalf("second lock, waiting: %v, want fault.ErrBusy", err)
	}
}
