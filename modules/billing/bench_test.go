package billing

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCloseMonthMetered closes a month for 1,000 establishments (600 lycées of the
// région, 400 collèges of 5 départements opted in) from real metering: 30 metered days per
// establishment and profile, the stored bytes of each day, and 3 million sign-ins (200
// pupils per establishment signing in on 15 school days). One operation is the close as the
// console's button runs it: the usage read in its transaction (MonthUsage: distinct pupils,
// billed days, byte-days), the allocation, the frozen statements and the invoices to make;
// Stripe's calls come after, in the invoicing job (issue 12 §10: under 10 s).
func BenchmarkCloseMonthMetered(b *testing.B) {
	ctx := context.Background()
	db := billingDB(b)
	store := newTestStore(b, db, time.Date(2026, time.December, 1, 10, 0, 0, 0, Paris))
	exec := func(q string, args ...any) {
		b.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(`UPDATE platform.organisations SET opt_in_date = '2026-09-01' WHERE kind = 'departement'`)
	exec(`INSERT INTO platform.tenants (uai, name, kind, organisation_code, slug, schema_name, role_name, created_at)
		SELECT lpad(i::text, 7, '0') || 'B', 'Établissement n° ' || i,
			CASE WHEN i <= 600 THEN 'lycee' ELSE 'college' END,
			CASE WHEN i <= 600 THEN 'region' ELSE (ARRAY['24', '33', '40', '47', '64'])[1 + i % 5] END,
			'etab-' || i, 'tenant_bench_' || i, 'tenant_bench_role_' || i, '2026-09-01 08:00+02'
		FROM generate_series(1, 1000) i`)
	exec(`INSERT INTO platform.billing_usage_days (tenant_id, day, profile, active, accounts)
		SELECT t.id, d::date, p, 50, 300 FROM platform.tenants t, generate_series('2026-11-01'::date, '2026-11-30'::date, interval '1 day') d,
			unnest(ARRAY['eleve', 'enseignant', 'personnel', 'responsable']) p`)
	exec(`INSERT INTO platform.billing_storage_days (tenant_id, day, bytes)
		SELECT t.id, d::date, 5e9::bigint FROM platform.tenants t, generate_series('2026-11-01'::date, '2026-11-30'::date, interval '1 day') d`)
	// The same 200 pupils of each establishment on 15 weekdays, 100 establishments a statement
	// (one would outlast the pool's statement timeout).
	for from := 1; from <= 1000; from += 100 {
		exec(`INSERT INTO platform.billing_signins (tenant_id, day, identity_id, profile)
			SELECT t.id, '2026-11-02'::date + (d + d / 5 * 2), md5(t.id::text || p)::uuid, 'eleve'
			FROM platform.tenants t, generate_series(1, 200) p, generate_series(0, 14) d
			WHERE t.slug IN (SELECT 'etab-' || i FROM generate_series(?::int, ?::int) i)`, from, from+99)
	}
	exec(`ANALYZE platform.billing_signins`)
	exec(`ANALYZE platform.billing_usage_days`)
	exec(`ANALYZE platform.billing_storage_days`)
	closer := NewCloser(store, store.MonthUsage, nil)
	for b.Loop() {
		if err := closer.Close(ctx, november2026, "bench"); err != nil {
			b.Fatalf("Close: %v", err)
		}
		b.StopTimer()
		exec(`DELETE FROM platform.billing_invoices`)
		exec(`DELETE FROM platform.billing_statements`)
		exec(`DELETE FROM platform.billing_months`)
		b.StartTimer()
	}
}
