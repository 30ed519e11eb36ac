package resources

import (
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestSeedDemoCatalogue: an empty catalogue gets the demo's plain-link resources with their
// covers; the demo establishment is subscribed to them for everyone this school year; seeding
// again, or a second establishment, adds no catalogue entry.
func TestSeedDemoCatalogue(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	clock := testenv.NewClock(testenv.SchoolDay)
	svc := NewService(reg.DB(), NewCatalogue(reg.Platform()), clock.Now)
	a := tenanttest.Provision(t, reg, tenanttest.UAI(33, 501), "Lycée Démo", "lycee")
	b := tenanttest.Provision(t, reg, tenanttest.UAI(33, 502), "Lycée Démo 2", "lycee")
	count := func(tn *tenant.Tenant, q string) int {
		var n int
		var err error
		if tn == nil {
			err = reg.Platform().Raw(q).Scan(&n).Error
		} else {
			err = reg.DB().ReadTx(t.Context(), tn, func(tx *gorm.DB) error { return tx.Raw(q).Scan(&n).Error })
		}
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 2 {
		for _, tn := range []*tenant.Tenant{a, b} {
			if err := svc.seedDemoCatalogue(t.Context(), tn); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := count(nil, `SELECT count(*) FROM platform.resources WHERE cover_type = 'image/png' AND length(cover) > 0`); n != len(demoResources) {
		t.Errorf("%d demo resources with a cover, want %d", n, len(demoResources))
	}
	if n := count(nil, `SELECT count(*) FROM platform.resource_publishers`); n != 3 {
		t.Errorf("%d publishers, want 3", n)
	}
	for _, tn := range []*tenant.Tenant{a, b} {
		if n := count(tn, `SELECT count(*) FROM resource_subscriptions WHERE kind = 'etablissement' AND target = 'tous' AND licence_mode = 'illimite'
			AND starts_on = '2026-09-01' AND ends_on >= '2027-06-30'`); n != len(demoResources) {
			t.Errorf("%s: %d subscriptions, want %d", tn.Name, n, len(demoResources))
		}
	}
	snap, err := svc.Catalogue().Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Ordered) != len(demoResources) {
		t.Errorf("snapshot: %d resources", len(snap.Ordered))
	}
}
