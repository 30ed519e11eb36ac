package portfolio_test

import (
	"context"
	"io/fs"
	"net/http"
	"syscall"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/portfolio"
)

// BenchmarkPortfolioPage: a pupil's « Mon portfolio » with 3 school years of 500 items in 12
// subjects (a file on every other one), in an establishment whose 40 other pupils have as
// many: the service alone (the page's read: this year's items and every year's count; then
// every year's items, as the API reads them), then the pages of this year and of a closed
// year through the router (the session check cached, as in production). The target is 20 ms
// of server time.
func BenchmarkPortfolioPage(b *testing.B) {
	s := moduletest.New(b, moduletest.Options{Templates: []fs.FS{portfolio.Templates}, SessionCache: time.Minute})
	tn := s.Establishment(95, "Lycée Benchmark")
	svc := portfolio.NewService(s.Reg.DB(), s.Clock.Now)
	svc.SetBucket(memblob.OpenBucket(nil))
	s.Mount(portfolio.NewHandler(svc).Module())
	pupil := s.Member(tn, identity.RoleEleve, "Alice", "Martin")
	s.Exec(tn, `INSERT INTO school_years (code, starts_on, ends_on) VALUES ('2024-2025', '2024-09-01', '2025-07-04'), ('2025-2026', '2025-09-01', '2026-07-04')`)
	s.Exec(tn, `INSERT INTO subjects (code, label) SELECT 'S' || i, 'Matière ' || i FROM generate_series(1, 12) i`)
	s.Exec(tn, `INSERT INTO people (category, roles, last_name, first_name) SELECT 'eleve', '{eleve}', 'Élève', 'N' || i FROM generate_series(1, 40) i`)
	s.Exec(tn, `INSERT INTO portfolio_items (pupil_id, school_year, kind, source, subject_code, subject_label, title, summary, visible_to_teachers, occurred_at, created_at, updated_at)
		SELECT p.id, (2024 + i % 3) || '-' || (2025 + i % 3), (ARRAY['submission', 'attempt', 'report_card', 'document'])[1 + i % 4], 'bench:' || i,
			CASE WHEN i % 13 = 0 THEN '' ELSE 'S' || (1 + i % 12) END, CASE WHEN i % 13 = 0 THEN '' ELSE 'Matière ' || (1 + i % 12) END,
			'Travail numéro ' || i, 'Rendu le ' || i || ', 15/20', i % 5 = 0, timestamptz '2024-09-02' + i * interval '2 days', now(), now()
		FROM people p, generate_series(1, 500) i WHERE p.category = 'eleve'`)
	s.Exec(tn, `INSERT INTO portfolio_files (item_id, blob_key, name, content_type, size, sha256, created_at)
		SELECT id, 'portfolio/' || id, 'travail.pdf', 'application/pdf', 123456, repeat('a', 64), now() FROM portfolio_items WHERE source ~ '[02468]$'`)
	s.Exec(tn, `ANALYZE`)
	ctx := context.Background()
	a := portfolio.Actor{PersonID: pupil.PersonID, Roles: []identity.Role{identity.RoleEleve}}
	if bk, err := svc.Portfolio(ctx, tn, a, pupil.PersonID, portfolio.AllYears); err != nil || bk.Count() != 500 || len(bk.Years) != 3 {
		b.Fatalf("the portfolio: %v", err)
	}
	if bk, err := svc.Portfolio(ctx, tn, a, pupil.PersonID, ""); err != nil || bk.Count() < 160 || bk.Shown != s.Year() {
		b.Fatalf("this year's page reads this year's items: %v", err)
	}
	for _, c := range []struct{ name, year string }{{"service", ""}, {"service_all_years", portfolio.AllYears}} {
		b.Run(c.name, func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, err := svc.Portfolio(ctx, tn, a, pupil.PersonID, c.year); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The page of this year, then of a closed year: each about a third of the items.
	for _, c := range []struct{ name, path string }{{"page", "/portfolio"}, {"page_closed_year", "/portfolio?annee=2024-2025"}} {
		b.Run(c.name, func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				if rec := s.Send(tn, pupil, http.MethodGet, c.path, nil); rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// cpuPerOp reports the process's CPU time per operation (cpu-ns/op: the server's own work,
// without PostgreSQL's nor the waiting), as wall time on a loaded machine says little.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
