package tenant_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
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
