package transfer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/modules/transfer"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// BenchmarkArrivals: a lycée's September AAF import brings 1,500 pupils who all come from one
// collège where each has a portfolio of 10 items: the questions it asks, after the import.
//
//	./.bin/pgrun -- go test -run '^$' -bench Arrivals -benchtime 3x ./modules/transfer/
func BenchmarkArrivals(b *testing.B) {
	const pupils = 1500
	ctx := context.Background()
	reg := tenanttest.NewRegistry(b, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	tenanttest.OptIn(b, reg, "33")
	college := tenanttest.Provision(b, reg, tenanttest.UAI(33, 60), "Collège Jean-Moulin", "college")
	lycee := tenanttest.Provision(b, reg, tenanttest.UAI(33, 61), "Lycée de Bordeaux-Lac", "lycee")
	clock := testenv.NewClock(testenv.SchoolDay)
	svc := transfer.NewService(reg.DB(), reg.Platform(), portfolio.NewService(reg.DB(), clock.Now), nil, clock.Now)

	arrivals := make([]directory.Arrival, pupils)
	exec := func(tn *tenant.Tenant, q string, args ...any) {
		if err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
			b.Fatal(err)
		}
	}
	for i := range arrivals {
		key, account, inCollege, inLycee := fmt.Sprintf("1990%04d", i), uuid.New(), uuid.New(), uuid.New()
		arrivals[i] = directory.Arrival{PersonID: inLycee, AAFID: key, IdentityID: &account}
		if err := reg.Platform().Exec(`INSERT INTO platform.accounts (identity_id, login, aaf_id) VALUES (?, ?, ?)`, account, "eleve"+key, key).Error; err != nil {
			b.Fatal(err)
		}
		if err := reg.Platform().Exec(`INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles) VALUES (?, ?, ?, '{eleve}'), (?, ?, ?, '{eleve}')`,
			account, college.ID, inCollege, account, lycee.ID, inLycee).Error; err != nil {
			b.Fatal(err)
		}
		exec(college, `INSERT INTO people (id, aaf_id, category, roles, last_name, first_name) VALUES (?, ?, 'eleve', '{eleve}', 'Élève', ?)`, inCollege, key, key)
		exec(college, `INSERT INTO portfolio_items (pupil_id, school_year, kind, source, title, occurred_at, created_at, updated_at)
			SELECT ?, '2025-2026', 'attempt', 'exercises:' || n, 'Exercice ' || n, now(), now(), now() FROM generate_series(1, 10) n`, inCollege)
		exec(lycee, `INSERT INTO people (id, aaf_id, category, roles, last_name, first_name) VALUES (?, ?, 'eleve', '{eleve}', 'Élève', ?)`, inLycee, key, key)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := reg.Platform().Exec(`DELETE FROM platform.portfolio_transfers`).Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := svc.Arrivals(ctx, lycee, arrivals); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var n int
	if err := reg.Platform().Raw(`SELECT count(*) FROM platform.portfolio_transfers WHERE items = 10`).Scan(&n).Error; err != nil || n != pupils {
		b.Fatalf("%d questions asked, want %d (%v)", n, pupils, err)
	}
}
