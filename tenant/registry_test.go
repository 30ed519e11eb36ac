package tenant_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestProvisionRules(t *testing.T) {
	today := time.Date(2026, time.October, 5, 10, 0, 0, 0, time.UTC)
	reg := tenanttest.NewRegistry(t, tenant.Options{Now: func() time.Time { return today }}, tenant.PoolOptions{})
	ctx := context.Background()
	college := tenant.NewTenant{UAI: "0331444R", Name: "Collège Jules-Verne", Kind: "college"}

	_, _, err := reg.Provision(ctx, college, "test")
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "Gironde") {
		t.Fatalf("collège before opt-in: %v, want a conflict naming Gironde", err)
	}
	if n := countTenants(t, reg); n != 0 {
		t.Fatalf("refused provisioning left %d tenants", n)
	}
	if _, err := reg.OptIn(ctx, "33", today.AddDate(1, 0, 0), "test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err = reg.Provision(ctx, college, "test"); !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "à partir du") {
		t.Fatalf("collège before the opt-in date: %v, want a refusal giving the date", err)
	}
	tenanttest.OptIn(t, reg, "033")
	c, created, err := reg.Provision(ctx, college, "test")
	if err != nil || !created || c.OrganisationCode != "33" || c.Slug != "college-jules-verne" {
		t.Fatalf("collège after opt-in: %+v, created=%v, err=%v", c, created, err)
	}
	if _, err := reg.Organisation(ctx, "40"); err != nil {
		t.Fatal(err)
	}
	// Landes has not opted in: its collèges stay refused.
	if _, _, err := reg.Provision(ctx, tenant.NewTenant{UAI: "0400020E", Name: "Collège des Landes", Kind: "college"}, "test"); !strings.Contains(errText(err), "Landes") {
		t.Fatalf("collège of Landes: %v", err)
	}

	tests := []struct {
		name  string
		req   tenant.NewTenant
		field string
		kind  error
	}{
		{"bad check letter", tenant.NewTenant{UAI: "0330021A", Name: "Lycée X", Kind: "lycee"}, "uai", nil},
		{"outside the region", tenant.NewTenant{UAI: "0750654D", Name: "Lycée Henri-IV", Kind: "lycee"}, "uai", nil},
		{"unknown kind", tenant.NewTenant{UAI: "0330021U", Name: "Lycée X", Kind: "lycée"}, "kind", nil},
		{"name too short", tenant.NewTenant{UAI: "0330021U", Name: " L ", Kind: "lycee"}, "name", nil},
		{"reserved slug", tenant.NewTenant{UAI: "0330021U", Name: "Lycée X", Kind: "lycee", Slug: "admin"}, "slug", nil},
		{"bad slug", tenant.NewTenant{UAI: "0330021U", Name: "Lycée X", Kind: "lycee", Slug: "Lycée"}, "slug", nil},
		{"slug taken", tenant.NewTenant{UAI: "0330021U", Name: "Lycée X", Kind: "lycee", Slug: "college-jules-verne"}, "slug", fault.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := reg.Provision(ctx, tt.req, "test")
			var inv *fault.Invalid
			var msg *fault.Message
			switch {
			case tt.kind == nil && errors.As(err, &inv):
				if inv.Field != tt.field {
					t.Fatalf("field = %q, want %q (%v)", inv.Field, tt.field, err)
				}
			case tt.kind != nil && errors.As(err, &msg):
				if !errors.Is(err, tt.kind) || msg.Field != tt.field {
					t.Fatalf("err = %v (field %q), want %v on %q", err, msg.Field, tt.kind, tt.field)
				}
			default:
				t.Fatalf("err = %v", err)
			}
		})
	}
	if n := countTenants(t, reg); n != 1 {
		t.Fatalf("refused requests left %d tenants, want 1", n)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func countTenants(t *testing.T, reg *tenant.Registry) int {
	t.Helper()
	ts, err := reg.List(context.Background(), tenant.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ts)
}

func TestProvisionIsIdempotent(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	ctx := context.Background()
	req := tenant.NewTenant{UAI: "0330021u", Name: "Lycée  Michel-Montaigne", Kind: "lycee"}

	// Concurrent identical requests: one creates, the others get the same tenant.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids, createdCount := map[string]bool{}, 0
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tn, created, err := reg.Provision(ctx, req, "test")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[tn.ID.String()] = true
			if created {
				createdCount++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(ids) != 1 || createdCount != 1 {
		t.Fatalf("concurrent provisioning: %d ids, %d created; want 1 and 1", len(ids), createdCount)
	}
	tn, err := reg.Get(ctx, "0330021U")
	if err != nil || tn.Name != "Lycée Michel-Montaigne" || tn.UAI != "0330021U" || tn.SchemaVersion != reg.LatestTenantVersion() {
		t.Fatalf("stored tenant %+v, %v", tn, err)
	}
	_, _, err = reg.Provision(ctx, tenant.NewTenant{UAI: "0330021U", Name: "Autre nom", Kind: "lycee"}, "test")
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("same UAI, other name: %v, want conflict", err)
	}
	// The same name again derives a slug made unique with the UAI.
	other := tenanttest.Provision(t, reg, "0332194F", "Lycée Michel-Montaigne", "lycee")
	if other.Slug != "lycee-michel-montaigne-0332194f" {
		t.Fatalf("second slug = %q", other.Slug)
	}
}

func TestLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	reg := tenanttest.NewRegistry(t, tenant.Options{Now: clock, Retention: 24 * time.Hour}, tenant.PoolOptions{})
	ctx := context.Background()
	tn := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	if err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO settings (key, value) VALUES ('periodes', '"trimestres"')`).Error
	}); err != nil {
		t.Fatal(err)
	}

	s, err := reg.Suspend(ctx, "0330021U", "test")
	if err != nil || s.Status != tenant.StatusSuspended {
		t.Fatalf("suspend: %+v %v", s, err)
	}
	if got, _ := reg.BySlug(ctx, tn.Slug); got == nil || got.Status != tenant.StatusSuspended {
		t.Fatalf("BySlug after suspend = %+v", got)
	}
	if s, err = reg.Resume(ctx, "0330021U", "test"); err != nil || s.Status != tenant.StatusActive {
		t.Fatalf("resume: %+v %v", s, err)
	}

	// Two people: one only here, one also in another establishment.
	elsewhere := tenanttest.Provision(t, reg, tenanttest.UAI(33, 77), "Lycée voisin", "lycee")
	only, shared := "11111111-0000-0000-0000-000000000001", "11111111-0000-0000-0000-000000000002"
	for _, q := range []string{
		`INSERT INTO platform.accounts (identity_id, login) VALUES ('` + only + `', 'seule.ici'), ('` + shared + `', 'aussi.ailleurs')`,
		`INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles) VALUES
			('` + only + `', '` + tn.ID.String() + `', gen_random_uuid(), '{eleve}'),
			('` + shared + `', '` + tn.ID.String() + `', gen_random_uuid(), '{responsable}'),
			('` + shared + `', '` + elsewhere.ID.String() + `', gen_random_uuid(), '{responsable}')`,
	} {
		if err := reg.Platform().Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}

	d, err := reg.Delete(ctx, "0330021U", "test")
	if err != nil || d.Status != tenant.StatusDeleted || !strings.HasPrefix(d.SchemaName, "t_0330021u_d") {
		t.Fatalf("delete: %+v %v", d, err)
	}
	if _, err := reg.Get(ctx, "0330021U"); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
	if _, err := reg.BySlug(ctx, tn.Slug); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("BySlug after delete: %v", err)
	}
	if err := reg.DB().Tx(ctx, d, func(*gorm.DB) error { return nil }); !errors.Is(err, tenant.ErrNoTenant) {
		t.Fatalf("Tx on a deleted tenant: %v", err)
	}
	// The data is kept during retention.
	if n := countRows(t, reg, `SELECT count(*) FROM pg_namespace WHERE nspname = ?`, d.SchemaName); n != 1 {
		t.Fatalf("deleted schema kept: %d", n)
	}
	// The UAI and slug can be provisioned anew.
	again := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	if again.ID == tn.ID || again.Slug != tn.Slug {
		t.Fatalf("reprovisioned %+v", again)
	}

	if purged, err := reg.Purge(ctx, now.Add(time.Hour), "test"); err != nil || len(purged) != 0 {
		t.Fatalf("purge before retention end: %v %v", purged, err)
	}
	purged, err := reg.Purge(ctx, now.Add(25*time.Hour), "test")
	if err != nil || len(purged) != 1 {
		t.Fatalf("purge after retention: %v %v", purged, err)
	}
	if n := countRows(t, reg, `SELECT count(*) FROM pg_namespace WHERE nspname = ?`, d.SchemaName); n != 0 {
		t.Fatal("purged schema still there")
	}
	if n := countRows(t, reg, `SELECT count(*) FROM pg_roles WHERE rolname = ?`, d.RoleName); n != 0 {
		t.Fatal("purged role still there")
	}
	// Its people's memberships go with it, and the account that belonged nowhere else.
	if n := countRows(t, reg, `SELECT count(*) FROM platform.memberships WHERE tenant_id = ?`, d.ID); n != 0 {
		t.Errorf("%d memberships of the purged establishment remain", n)
	}
	if n := countRows(t, reg, `SELECT count(*) FROM platform.accounts WHERE identity_id = ?`, only); n != 0 {
		t.Error("the account that belonged only to the purged establishment remains")
	}
	if n := countRows(t, reg, `SELECT count(*) FROM platform.accounts WHERE identity_id = ?`, shared); n != 1 {
		t.Error("the account that also belongs elsewhere was removed")
	}
	if n := countRows(t, reg, `SELECT count(*) FROM platform.audit_log WHERE subject = '0330021U'`); n < 5 {
		t.Fatalf("audit log has %d entries for the tenant", n)
	}
	// The live tenant is untouched by the purge.
	if _, err := reg.Get(ctx, "0330021U"); err != nil {
		t.Fatal(err)
	}
}

// countRows runs a count through a throwaway tenant-less query on the registry's pool.
func countRows(t *testing.T, reg *tenant.Registry, q string, args ...any) int {
	t.Helper()
	n, err := reg.Count(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestProvisionFailureLeavesNothing: a provisioning that fails half-way (here, in a tenant
// migration) leaves no registry row, schema or role behind.
func TestProvisionFailureLeavesNothing(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{TenantMigrations: withExtra(`SELECT 1/0;`)}, tenant.PoolOptions{})
	_, _, err := reg.Provision(context.Background(), tenant.NewTenant{UAI: "0330021U", Name: "Lycée Michel-Montaigne", Kind: "lycee"}, "test")
	if err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("err = %v, want the migration's error", err)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM platform.tenants`:                                             0,
		`SELECT count(*) FROM pg_namespace WHERE nspname = 't_0330021u'`:                    0,
		`SELECT count(*) FROM pg_roles WHERE rolname = current_database() || '_t_0330021u'`: 0,
		`SELECT count(*) FROM platform.audit_log WHERE action = 'tenant.provision'`:         0,
	} {
		if n := countRows(t, reg, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
}
