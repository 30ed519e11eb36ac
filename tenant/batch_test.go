package tenant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestReadBatch: the queries of a batch see their own tenant's tables and no other's, cannot
// write, and leave the pooled connection as they found it (one connection: the next use of
// the pool gets the very same one).
func TestReadBatch(t *testing.T) {
	ctx := context.Background()
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 1})
	reg, a, b := twoTenants(t, gdb)

	read := func(tn *tenant.Tenant) (string, error) { return batchSentinel(ctx, reg, tn) }
	for i := 0; i < 3; i++ {
		for _, tn := range []*tenant.Tenant{a, b} {
			v, err := read(tn)
			if err != nil || v != "row of "+string(tn.UAI) {
				t.Fatalf("batch of %s read %q, %v", tn.UAI, v, err)
			}
		}
	}

	other := &pgx.Batch{}
	other.Queue(`SELECT v FROM ` + pgx.Identifier{b.SchemaName}.Sanitize() + `.sentinel`).Exec(func(pgconn.CommandTag) error { return nil })
	if err := reg.DB().ReadBatch(ctx, a, other); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a batch of %s read %s's table: %v; want permission denied", a.UAI, b.UAI, err)
	}

	write := &pgx.Batch{}
	write.Queue(`INSERT INTO {t}.sentinel VALUES ('intrus')`)
	if err := reg.DB().ReadBatch(ctx, a, write); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a batch wrote: %v; want a read-only transaction's refusal", err)
	}
	if v, err := read(a); err != nil || v != "row of "+string(a.UAI) {
		t.Errorf("after the refused write: %q, %v", v, err)
	}

	// The connection comes back unscoped: the platform's own statements run as before.
	var path, role string
	if err := gdb.Raw(`SELECT current_setting('search_path'), current_user::text`).Row().Scan(&path, &role); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(path, a.SchemaName) || strings.Contains(path, b.SchemaName) || role == a.RoleName || role == b.RoleName {
		t.Errorf("after the batches the pooled connection is still scoped: search_path %q, role %q", path, role)
	}
	if err := reg.DB().ReadBatch(ctx, nil, &pgx.Batch{}); err != tenant.ErrNoTenant {
		t.Errorf("batch without a tenant: %v", err)
	}
}

// TestReadBatchPrepared: statements are kept prepared per connection under their schema's
// name, and stay right when a migration changes a table under them.
func TestReadBatchPrepared(t *testing.T) {
	ctx := context.Background()
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 2})
	reg, a, b := twoTenants(t, gdb)
	read := func(tn *tenant.Tenant) (string, error) { return batchSentinel(ctx, reg, tn) }
	for i := 0; i < 10; i++ {
		for _, tn := range []*tenant.Tenant{a, b} {
			if v, err := read(tn); err != nil || v != "row of "+string(tn.UAI) {
				t.Fatalf("round %d, %s: %q, %v", i, tn.UAI, v, err)
			}
		}
	}
	// The table changes under the prepared statement: its next run is planned anew.
	if err := reg.DB().Tx(ctx, a, func(tx *gorm.DB) error {
		return tx.Exec(`ALTER TABLE sentinel ALTER COLUMN v TYPE varchar(200)`).Error
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if v, err := read(a); err != nil || v != "row of "+string(a.UAI) {
			t.Fatalf("after the migration: %q, %v", v, err)
		}
	}
}

// batchSentinel reads the sentinel of tn through ReadBatch.
func batchSentinel(ctx context.Context, reg *tenant.Registry, tn *tenant.Tenant) (string, error) {
	var v string
	batch := &pgx.Batch{}
	batch.Queue(`SELECT v FROM {t}.sentinel`).QueryRow(func(r pgx.Row) error { return r.Scan(&v) })
	return v, reg.DB().ReadBatch(ctx, tn, batch)
}
