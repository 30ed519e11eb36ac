package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// twoTenants provisions two lycées holding the same table with different sentinel rows.
func twoTenants(t *testing.T, gdb *gorm.DB) (*tenant.Registry, *tenant.Tenant, *tenant.Tenant) {
	t.Helper()
	reg := tenanttest.RegistryOn(t, gdb, tenant.Options{})
	a := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	b := tenanttest.Provision(t, reg, "0332194F", "Lycée professionnel des Chartrons", "lycee-pro")
	for _, tn := range []*tenant.Tenant{a, b} {
		err := reg.DB().Tx(context.Background(), tn, func(tx *gorm.DB) error {
			if err := tx.Exec(`CREATE TABLE sentinel (v text NOT NULL)`).Error; err != nil {
				return err
			}
			return tx.Exec(`INSERT INTO sentinel VALUES (?)`, "row of "+string(tn.UAI)).Error
		})
		if err != nil {
			t.Fatalf("sentinel for %s: %v", tn.UAI, err)
		}
	}
	return reg, a, b
}

func readSentinel(ctx context.Context, reg *tenant.Registry, tn *tenant.Tenant) (string, error) {
	var v string
	err := reg.DB().ReadTx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT v FROM sentinel`).Scan(&v).Error
	})
	return v, err
}

// TestPoolSafety alternates many goroutines between two tenants on a pool of two
// connections: every read must return its own tenant's row. Their wait for the one tenant
// connection is not what it tests (TestPoolShares does): it may last, on a busy machine,
// longer than the default 2 s.
func TestPoolSafety(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 2, AcquireTimeout: time.Minute})
	reg, a, b := twoTenants(t, gdb)
	const workers, rounds = 16, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				tn := a
				if (w+i)%2 == 1 {
					tn = b
				}
				got, err := readSentinel(context.Background(), reg, tn)
				if err != nil {
					errs <- err
					return
				}
				if want := "row of " + string(tn.UAI); got != want {
					errs <- fmt.Errorf("worker %d round %d: read %q in %s, want %q", w, i, got, tn.UAI, want)
					return
				}
				if i%10 == 0 { // a failing transaction now and then must not leak its settings
					_ = reg.DB().Tx(context.Background(), tn, func(tx *gorm.DB) error {
						return errors.New("rollback on purpose")
					})
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// sessionState reads, outside any tenant transaction, who the connection is and where it looks.
func sessionState(t *testing.T, gdb *gorm.DB) string {
	t.Helper()
	var s string
	if err := gdb.Raw(`SELECT current_user || ' ' || current_setting('search_path')`).Scan(&s).Error; err != nil {
		t.Fatalf("read session state: %v", err)
	}
	return s
}

func TestConnectionComesBackClean(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 1})
	reg, a, b := twoTenants(t, gdb)
	clean := sessionState(t, gdb)
	if strings.Contains(clean, "t_0") || !strings.HasSuffix(clean, tenant.NoTenantSchema) {
		t.Fatalf("fresh connection state = %q, want the login role on %s", clean, tenant.NoTenantSchema)
	}
	ctx := context.Background()
	cases := []struct {
		name string
		run  func() error
	}{
		{"error", func() error {
			return reg.DB().Tx(ctx, a, func(tx *gorm.DB) error { return errors.New("boom") })
		}},
		{"sql error", func() error {
			return reg.DB().Tx(ctx, a, func(tx *gorm.DB) error { return tx.Exec(`SELECT * FROM no_such_table`).Error })
		}},
		{"panic", func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("recovered: %v", r)
				}
			}()
			return reg.DB().Tx(ctx, a, func(tx *gorm.DB) error { panic("handler bug") })
		}},
		{"cancelled context", func() error {
			cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			return reg.DB().Tx(cctx, a, func(tx *gorm.DB) error { return tx.Exec(`SELECT pg_sleep(5)`).Error })
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(); err == nil {
				t.Fatal("the failing transaction reported no error")
			}
			if got := sessionState(t, gdb); got != clean {
				t.Fatalf("after %s the connection is %q, want %q", c.name, got, clean)
			}
			got, err := readSentinel(ctx, reg, b)
			if err != nil || got != "row of 0332194F" {
				t.Fatalf("next tenant read %q, %v; want its own row", got, err)
			}
		})
	}
}

func TestQueryOutsideHelperFails(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 1})
	_, _, _ = twoTenants(t, gdb)
	for _, q := range []string{`SELECT v FROM sentinel`, `SELECT * FROM settings`, `SELECT * FROM audit_log`} {
		var out []map[string]any
		err := gdb.Raw(q).Scan(&out).Error
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s outside Tx: err = %v, want relation does not exist", q, err)
		}
	}
	if err := tenant.NewDB(gdb).Tx(context.Background(), nil, func(*gorm.DB) error { return nil }); !errors.Is(err, tenant.ErrNoTenant) {
		t.Errorf("Tx(nil tenant) = %v, want ErrNoTenant", err)
	}
	forged := &tenant.Tenant{SchemaName: "platform", RoleName: "x"}
	if err := tenant.NewDB(gdb).Tx(context.Background(), forged, func(*gorm.DB) error { return nil }); !errors.Is(err, tenant.ErrNoTenant) {
		t.Errorf("Tx(schema platform) = %v, want ErrNoTenant", err)
	}
}

// TestTenantRoleCannotReachOthers: even a hand-written schema-qualified query run inside
// tenant A's transaction cannot read tenant B or the platform registry. (SET ROLE is checked
// against the login role, so the role is a guard against mistakes, not against injected SQL:
// queries stay parameterised.)
func TestTenantRoleCannotReachOthers(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 2})
	reg, a, b := twoTenants(t, gdb)
	for _, q := range []string{
		`SELECT v FROM ` + b.SchemaName + `.sentinel`,
		`SELECT key FROM "` + b.SchemaName + `".settings`,
		`SELECT uai FROM platform.tenants`,
		`SELECT code FROM platform.organisations`,
		`CREATE TABLE ` + b.SchemaName + `.intrusion (x int)`,
	} {
		t.Run(q, func(t *testing.T) {
			err := reg.DB().Tx(context.Background(), a, func(tx *gorm.DB) error {
				var out []map[string]any
				return tx.Raw(q).Scan(&out).Error
			})
			if err == nil || !strings.Contains(err.Error(), "permission denied") {
				t.Fatalf("err = %v, want permission denied", err)
			}
		})
	}
	// And the tenant's own data stays readable with a qualified name.
	err := reg.DB().ReadTx(context.Background(), a, func(tx *gorm.DB) error {
		var v string
		return tx.Raw(`SELECT v FROM ` + a.SchemaName + `.sentinel`).Scan(&v).Error
	})
	if err != nil {
		t.Fatalf("own qualified read: %v", err)
	}
}

func TestReadTxIsReadOnly(t *testing.T) {
	gdb := tenanttest.Open(t, tenant.PoolOptions{})
	reg, a, _ := twoTenants(t, gdb)
	err := reg.DB().ReadTx(context.Background(), a, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO sentinel VALUES ('x')`).Error
	})
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write in ReadTx: %v, want read-only transaction error", err)
	}
}
