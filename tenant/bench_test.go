package tenant_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// BenchmarkProvision provisions one new lycée per iteration (row, role, schema, migrations,
// one transaction) and reports the 95th percentile. Target: p95 ≤ 0.5 s.
func BenchmarkProvision(b *testing.B) {
	reg := tenanttest.NewRegistry(b, tenant.Options{}, tenant.PoolOptions{})
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now() // clock-ok: measures elapsed time
		_, _, err := reg.Provision(ctx, tenant.NewTenant{UAI: tenanttest.UAI(33, i%10000), Name: "Lycée de banc d'essai", Kind: "lycee", Slug: "banc-" + tenanttest.UAI(33, i%10000)[:7]}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkMigrateNothingToDo runs `cartable migrate`'s tenant pass over 1,000 tenants that
// are all current. Target: ≤ 5 s per run.
func BenchmarkMigrateNothingToDo(b *testing.B) {
	reg := tenanttest.NewRegistry(b, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		tenanttest.Provision(b, reg, tenanttest.UAI(33, i), "Lycée de banc d'essai", "lycee")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := reg.MigratePlatform(ctx); err != nil {
			b.Fatal(err)
		}
		rep, err := reg.MigrateTenants(ctx, 4)
		if err != nil || rep.Failed != 0 || rep.Changed != 0 || len(rep.Results) != 1000 {
			b.Fatalf("%+v %v", rep.Failed, err)
		}
	}
}

// BenchmarkTxOverhead compares the same one-row read in a bare transaction (schema-qualified
// query) and in tenant.DB.Tx. Target: the difference ≤ 0.3 ms per transaction.
func BenchmarkTxOverhead(b *testing.B) {
	gdb := tenanttest.Open(b, tenant.PoolOptions{MaxOpenConns: 1})
	reg := tenanttest.RegistryOn(b, gdb, tenant.Options{})
	tn := tenanttest.Provision(b, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	ctx := context.Background()
	if err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO settings (key, value) VALUES ('k', '1')`).Error
	}); err != nil {
		b.Fatal(err)
	}
	// The bare transaction reads as the login role, which the tenant role lets in for the test.
	if err := gdb.Exec(`GRANT USAGE ON SCHEMA ` + tn.SchemaName + ` TO CURRENT_USER`).Error; err != nil {
		b.Logf("grant (login role may already own access): %v", err)
	}
	var v string
	b.Run("bare", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				return tx.Raw(`SELECT value::text FROM ` + tn.SchemaName + `.settings WHERE key = 'k'`).Scan(&v).Error
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tenant.Tx", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error {
				return tx.Raw(`SELECT value::text FROM settings WHERE key = 'k'`).Scan(&v).Error
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
