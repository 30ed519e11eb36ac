package portfolio_test

import "testing"

// TestSeedDemo: the demo pupils get this year's documents (one shown to their teachers, its
// PDF stored), an exercise, last year's closed items, one carried from a collège; seeding
// again adds nothing.
func TestSeedDemo(t *testing.T) {
	s := newSite(t)
	for range 2 {
		if err := s.svc.SeedDemo(t.Context(), s.alpha); err != nil {
			t.Fatal(err)
		}
	}
	pupils := s.Count(s.alpha, `SELECT count(DISTINCT pupil_id) FROM portfolio_items`)
	if pupils != 3 || s.Count(s.alpha, `SELECT count(*) FROM portfolio_items`) != 5*pupils {
		t.Errorf("%d pupils with %d items", pupils, s.Count(s.alpha, `SELECT count(*) FROM portfolio_items`))
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_items WHERE school_year = ? AND origin_name <> ''`, lastYear); n != pupils {
		t.Errorf("%d carried items of last year", n)
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM portfolio_files`); n != 3*pupils {
		t.Errorf("%d files", n)
	}
	wantIn(t, s.Get(s.alice, "/portfolio"), "the demo portfolio", "Fractions et proportions", "?annee="+lastYear)
	wantIn(t, s.Get(s.alice, "/portfolio?annee="+lastYear), "the demo portfolio's last year", "année close", "Apporté de Collège Jean-Moulin")
}
