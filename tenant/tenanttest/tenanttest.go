// Package tenanttest gives tests a real, migrated platform registry on a fresh database of
// the test cluster (see ops/testenv).
package tenanttest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// NewRegistry opens a fresh database, migrates the platform schema and returns a registry
// on it. The database is dropped when the test ends. Pool size defaults to 4.
func NewRegistry(t testing.TB, opts tenant.Options, pool tenant.PoolOptions) *tenant.Registry {
	t.Helper()
	return RegistryOn(t, Open(t, pool), opts)
}

// Open opens a pool on a fresh test database, closed when the test ends.
func Open(t testing.TB, pool tenant.PoolOptions) *gorm.DB {
	t.Helper()
	return OpenDSN(t, testenv.NewDatabase(t), pool)
}

// OpenDSN opens a pool on dsn the way the application does, closed when the test ends.
func OpenDSN(t testing.TB, dsn string, pool tenant.PoolOptions) *gorm.DB {
	t.Helper()
	if pool.MaxOpenConns == 0 {
		pool.MaxOpenConns = 4
	}
	if pool.AcquireTimeout == 0 {
		// A test's wait for a pooled connection is not what it tests (those that test the
		// bound set their own): on a loaded machine it may pass the application's 2 s.
		pool.AcquireTimeout = 30 * time.Second
	}
	gdb, err := tenant.Open(context.Background(), dsn, pool)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	sqlDB, _ := gdb.DB()
	t.Cleanup(func() { sqlDB.Close() })
	return gdb
}

// RegistryOn binds a registry to gdb and migrates the platform schema.
func RegistryOn(t testing.TB, gdb *gorm.DB, opts tenant.Options) *tenant.Registry {
	t.Helper()
	ctx := context.Background()
	if opts.CacheTTL == 0 {
		opts.CacheTTL = time.Millisecond // tests see changes made behind the cache at once
	}
	reg, err := tenant.NewRegistry(ctx, gdb, opts)
	if err != nil {
		t.Fatalf("new registry: %v", err)
	}
	if _, _, err := reg.MigratePlatform(ctx); err != nil {
		t.Fatalf("migrate platform: %v", err)
	}
	return reg
}

// Provision opens an establishment or fails the test.
func Provision(t testing.TB, reg *tenant.Registry, uai, name, kind string) *tenant.Tenant {
	t.Helper()
	tn, _, err := reg.Provision(context.Background(), tenant.NewTenant{UAI: uai, Name: name, Kind: kind}, "test")
	if err != nil {
		t.Fatalf("provision %s: %v", uai, err)
	}
	return tn
}

// OptIn makes a département opted in since 2020, or fails the test.
func OptIn(t testing.TB, reg *tenant.Registry, code string) {
	t.Helper()
	if _, err := reg.OptIn(context.Background(), code, time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatalf("opt-in %s: %v", code, err)
	}
}

// UAI returns a valid UAI of département dep (e.g. 33) with serial number n (0–9999).
func UAI(dep, n int) string {
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
	num := dep*10000 + n
	return fmt.Sprintf("%07d%c", num, letters[num%23])
}
