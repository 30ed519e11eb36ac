package tenant_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// withExtra returns the embedded tenant migrations plus one more.
func withExtra(sql string) migrations.Set {
	base := migrations.Tenant()
	return append(append(migrations.Set{}, base...), migrations.Migration{Version: base.Latest() + 1, Name: "test_extra", SQL: sql})
}

func TestMigrateTenantsFailureIsolated(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 6})
	ctx := context.Background()
	old := tenanttest.RegistryOn(t, gdb, tenant.Options{})
	var uais []string
	for i := 0; i < 6; i++ {
		tn := tenanttest.Provision(t, old, tenanttest.UAI(33, 100+i), "Lycée numéro "+string(rune('A'+i)), "lycee")
		uais = append(uais, string(tn.UAI))
	}
	bad := strings.ToLower(uais[3])
	// Version N+1 fails on one schema only, after having created a table there.
	extra := withExtra(`CREATE TABLE rt_extra (id bigint PRIMARY KEY);
DO $$ BEGIN IF current_schema() = 't_` + bad + `' THEN RAISE EXCEPTION 'broken data in this establishment'; END IF; END $$;`)
	reg := tenanttest.RegistryOn(t, gdb, tenant.Options{TenantMigrations: extra})
	latest := extra.Latest()

	rep, err := reg.MigrateTenants(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || rep.Changed != 5 {
		t.Fatalf("report: %d failed, %d changed; want 1 and 5", rep.Failed, rep.Changed)
	}
	for _, r := range rep.Results {
		failed := strings.ToLower(string(r.UAI)) == bad
		if failed != (r.Err != nil) {
			t.Errorf("%s: err = %v", r.UAI, r.Err)
		}
		tn, err := reg.Get(ctx, string(r.UAI))
		if err != nil {
			t.Fatal(err)
		}
		var version, tables int
		err = reg.DB().ReadTx(ctx, tn, func(tx *gorm.DB) error {
			if err := tx.Raw(`SELECT max(version) FROM schema_migrations`).Scan(&version).Error; err != nil {
				return err
			}
			return tx.Raw(`SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'rt_extra'`).Scan(&tables).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		want, wantTables := latest, 1
		if failed {
			want, wantTables = latest-1, 0
			if tn.MigrationError == nil || !strings.Contains(*tn.MigrationError, "broken data") {
				t.Errorf("failed tenant's recorded error = %v", tn.MigrationError)
			}
		}
		if version != want || tn.SchemaVersion != want || tables != wantTables {
			t.Errorf("%s: schema at %d (registry %d, %d rt_extra tables), want %d and %d", tn.UAI, version, tn.SchemaVersion, tables, want, wantTables)
		}
	}
	behind, err := reg.Behind(ctx)
	if err != nil || len(behind) != 1 || strings.ToLower(string(behind[0].UAI)) != bad {
		t.Fatalf("Behind() = %v, %v; want only the failed tenant", behind, err)
	}

	// Rerun: the failing one fails again, the others are a no-op.
	rep, err = reg.MigrateTenants(ctx, 3)
	if err != nil || rep.Failed != 1 || rep.Changed != 0 {
		t.Fatalf("rerun: %+v %v", rep, err)
	}
	// Once the cause is fixed, the next run completes it and a further run is a no-op.
	fixed := withExtra(`CREATE TABLE rt_extra (id bigint PRIMARY KEY);`)
	reg = tenanttest.RegistryOn(t, gdb, tenant.Options{TenantMigrations: fixed})
	if rep, err = reg.MigrateTenants(ctx, 3); err != nil || rep.Failed != 0 || rep.Changed != 1 {
		t.Fatalf("after fix: %+v %v", rep, err)
	}
	runsBefore := countRows(t, reg, `SELECT count(*) FROM platform.tenant_migration_runs`)
	if rep, err = reg.MigrateTenants(ctx, 3); err != nil || rep.Failed != 0 || rep.Changed != 0 {
		t.Fatalf("no-op run: %+v %v", rep, err)
	}
	if n := countRows(t, reg, `SELECT count(*) FROM platform.tenant_migration_runs`); n != runsBefore {
		t.Fatalf("a no-op run recorded %d runs", n-runsBefore)
	}
	if behind, _ := reg.Behind(ctx); len(behind) != 0 {
		t.Fatalf("Behind() after fix = %v", behind)
	}
}

func TestMigratePlatformIsIdempotent(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	from, to, err := reg.MigratePlatform(context.Background())
	if err != nil || from != to || to != migrations.Platform().Latest() {
		t.Fatalf("second platform migration: %d → %d, %v", from, to, err)
	}
	ok, err := reg.PlatformCurrent(context.Background())
	if !ok || err != nil {
		t.Fatalf("PlatformCurrent = %v, %v", ok, err)
	}
}

func TestEmbeddedMigrationsLoad(t *testing.T) {
	for name, s := range map[string]migrations.Set{"platform": migrations.Platform(), "tenant": migrations.Tenant()} {
		if len(s) == 0 {
			t.Errorf("%s: no migrations", name)
		}
		for i, m := range s {
			if m.Version != i+1 {
				t.Errorf("%s: migration %d has version %d: versions must follow each other", name, i, m.Version)
			}
		}
	}
}
