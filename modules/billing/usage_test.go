package billing

import (
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/tenant"
)

func usageOf(t *testing.T, us []Usage, uai tenant.UAI) Usage {
	t.Helper()
	for _, u := range us {
		if u.UAI == string(uai) {
			return u
		}
	}
	t.Fatalf("no usage for %s in %+v", uai, us)
	return Usage{}
}

// TestMonthUsageOptInMidMonth: the worked example through the metering. Gironde opts in on
// 16 November (30 days): its collège is billed 15 days, and the allocation charges it
// 15/30 of its month; its pupils are counted over the whole month (the allocation
// prorates them), its storage over the billed days only.
func TestMonthUsageOptInMidMonth(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 1), tenant.Options{})
	lycee := e.establishment(33, 21, "Lycée Montaigne", "lycee")
	college := e.establishment(33, 22, "Collège Cheverus", "college")
	if _, err := e.reg.OptIn(e.ctx, "33", time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatal(err)
	}
	p1, p2 := e.member(college, "eleve"), e.member(college, "eleve")
	e.member(college, "enseignant")
	lp := e.member(lycee, "eleve")
	e.member(lycee, "responsable")
	e.files(college, 1_000_000_000)
	e.files(lycee, 2_000_000_000)
	for d := 1; d <= 30; d++ {
		at := parisAt(time.November, d)
		e.clock.Set(at)
		switch d {
		case 3:
			e.signIn(college, p1, at, "eleve")
		case 20:
			e.signIn(college, p1, at, "eleve")
			e.signIn(college, p2, at, "eleve")
			e.signIn(lycee, lp, at, "eleve")
		case 30:
			e.member(college, "eleve") // the month's last day: 4 accounts
		}
		if err := e.store.MeterDay(e.ctx, DayOf(at)); err != nil {
			t.Fatalf("MeterDay %d: %v", d, err)
		}
	}

	us, err := e.store.MonthUsage(e.ctx, november2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 2 || us[0].UAI != string(lycee.UAI) || us[1].UAI != string(college.UAI) {
		t.Fatalf("usage = %+v, want the lycée (région) then the collège (33)", us)
	}
	want := Usage{UAI: string(college.UAI), Name: "Collège Cheverus", Kind: "college", Payer: "33",
		BilledDays: 15, DaysInMonth: 30, ActivePupils: 2, Accounts: 4, ByteDays: 15 * 1_000_000_000}
	if got := usageOf(t, us, college.UAI); got != want {
		t.Errorf("collège's usage:\n got %+v\nwant %+v", got, want)
	}
	wantL := Usage{UAI: string(lycee.UAI), Name: "Lycée Montaigne", Kind: "lycee", Payer: RegionPayer,
		BilledDays: 30, DaysInMonth: 30, ActivePupils: 1, Accounts: 2, ByteDays: 30 * 2_000_000_000}
	if got := usageOf(t, us, lycee.UAI); got != wantL {
		t.Errorf("lycée's usage:\n got %+v\nwant %+v", got, wantL)
	}

	sts := mustAllocate(t, november2026, allocTariff(), us)
	dept := statementOf(t, sts, "33")
	if l := lineOf(t, dept, "Abonnement établissement — Collège Cheverus"); l.Amount != 600 {
		t.Errorf("collège's subscription = %d cents (%s), want 600 (12,00 € × 15/30)", l.Amount, l.Formula)
	}
	if l := lineOf(t, dept, "Élèves actifs — Collège Cheverus"); l.Amount != 10 {
		t.Errorf("collège's pupils = %d cents (%s), want 10 (0,10 € × 2 × 15/30)", l.Amount, l.Formula)
	}
	if l := lineOf(t, dept, "Stockage — Collège Cheverus"); l.Amount != 25 {
		t.Errorf("collège's storage = %d cents (%s), want 25 (0,50 € × 0,5 Go-mois)", l.Amount, l.Formula)
	}
	if l := lineOf(t, statementOf(t, sts, RegionPayer), "Abonnement établissement — Lycée Montaigne"); l.Amount != 1200 {
		t.Errorf("lycée's subscription = %d cents, want 1200", l.Amount)
	}
}

// TestMonthUsageOptOut: Gironde leaves on 21 November: its collège is billed the 1st to the
// 20th; a lycée deleted on the 11th is billed 10 days, one opened on the 5th 26 days; an
// establishment deleted before the month or opened after it is not there.
func TestMonthUsageOptOut(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 1), tenant.Options{})
	college := e.establishment(33, 22, "Collège Cheverus", "college")
	closed := e.establishment(33, 23, "Lycée fermé", "lycee")
	opened := e.establishment(33, 24, "Lycée ouvert", "lycee")
	e.createdOn(opened, parisAt(time.November, 5).Add(-9*time.Hour)) // 01:00, Paris
	future := e.establishment(33, 25, "Lycée de décembre", "lycee")
	e.createdOn(future, parisAt(time.December, 1))
	old := e.establishment(33, 26, "Lycée d'avant", "lycee")
	e.clock.Set(parisAt(time.October, 20))
	if _, err := e.reg.Delete(e.ctx, string(old.UAI), "test"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(parisAt(time.November, 10))
	if err := e.store.OptOut(e.ctx, "33", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatal(err)
	}
	// Storage of 1 GB every day of the month for each: only billed days count.
	for _, tn := range []*tenant.Tenant{college, closed, opened} {
		e.exec(`INSERT INTO platform.billing_storage_days (tenant_id, day, bytes)
			SELECT ?, d, 1000000000 FROM generate_series('2026-11-01'::date, '2026-11-30', '1 day') d`, tn.ID)
	}
	e.clock.Set(parisAt(time.November, 11))
	if _, err := e.reg.Delete(e.ctx, string(closed.UAI), "test"); err != nil {
		t.Fatal(err)
	}

	us, err := e.store.MonthUsage(e.ctx, november2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 3 {
		t.Fatalf("usage = %+v, want 3 establishments", us)
	}
	for _, c := range []struct {
		tn     *tenant.Tenant
		payer  string
		billed int
	}{{closed, RegionPayer, 10}, {opened, RegionPayer, 26}, {college, "33", 20}} {
		u := usageOf(t, us, c.tn.UAI)
		if u.Payer != c.payer || u.BilledDays != c.billed || u.ByteDays != int64(c.billed)*1_000_000_000 {
			t.Errorf("%s: payer %s, %d days billed, %d byte-days; want %s, %d, %d GB-days", c.tn.Name, u.Payer, u.BilledDays, u.ByteDays, c.payer, c.billed, c.billed)
		}
	}
	if us[0].UAI != string(closed.UAI) || us[2].UAI != string(college.UAI) {
		t.Errorf("order: %s, %s, %s; want the région's by UAI, then 33's", us[0].UAI, us[1].UAI, us[2].UAI)
	}

	// December: the collège is no longer billed at all.
	dec, err := e.store.MonthUsage(e.ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if u := usageOf(t, dec, college.UAI); u.BilledDays != 0 || u.DaysInMonth != 31 {
		t.Errorf("December's collège: %d of %d days billed, want 0 of 31", u.BilledDays, u.DaysInMonth)
	}
	if u := usageOf(t, dec, future.UAI); u.BilledDays != 31 {
		t.Errorf("December's new lycée: %d days billed, want 31", u.BilledDays)
	}
}

// TestCloseFromMetering: the whole chain on real metering. November is metered day by day,
// closed on 1 December with the store's own MonthUsage: the frozen statements hold the
// metered figures (Gironde's collège billed 15 of 30 days), and a late metering of
// November afterwards changes neither the metering nor the statements.
func TestCloseFromMetering(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 1), tenant.Options{})
	lycee := e.establishment(33, 31, "Lycée Camille Jullian", "lycee")
	college := e.establishment(33, 32, "Collège Jacques Ellul", "college")
	if _, err := e.reg.OptIn(e.ctx, "33", time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetTariff(e.ctx, "test", Tariff{EffectiveFrom: november2026, PlatformMonth: 100_00,
		PupilMonth: 1_00, SchoolMonth: 30_00, GBMonth: 10, VATBasis: 2000}); err != nil {
		t.Fatal(err)
	}
	cp, lp := e.member(college, "eleve"), e.member(lycee, "eleve")
	for d := 1; d <= 30; d++ {
		at := parisAt(time.November, d)
		e.clock.Set(at)
		if d == 20 {
			e.signIn(college, cp, at, "eleve")
			e.signIn(lycee, lp, at, "eleve")
		}
		if err := e.store.MeterDay(e.ctx, DayOf(at)); err != nil {
			t.Fatalf("MeterDay %d: %v", d, err)
		}
	}
	e.clock.Set(parisAt(time.December, 1))
	closer := NewCloser(e.store, e.store.MonthUsage, nil)
	if err := closer.Close(e.ctx, november2026, "admin-region"); err != nil {
		t.Fatalf("close November: %v", err)
	}
	var frozen []struct {
		Payer string
		Net   int64
		Usage string
	}
	if err := e.reg.Platform().Raw(`SELECT payer, net, usage::text AS usage FROM platform.billing_statements WHERE month = ? ORDER BY payer DESC`, november2026).Scan(&frozen).Error; err != nil {
		t.Fatal(err)
	}
	if len(frozen) != 2 || frozen[0].Payer != RegionPayer || frozen[1].Payer != "33" {
		t.Fatalf("statements %+v, want the région's then Gironde's", frozen)
	}
	for _, want := range []string{`"uai":"` + string(college.UAI) + `"`, `"billed_days":15`, `"days_in_month":30`, `"active_pupils":1`} {
		if !strings.Contains(strings.ReplaceAll(frozen[1].Usage, " ", ""), want) {
			t.Errorf("Gironde's frozen usage %s lacks %s", frozen[1].Usage, want)
		}
	}
	// Gironde: 30,00 € × 15/30 + 1,00 € × 1 × 15/30 + its share of the platform (its pupil
	// counts half, the lycée's whole: 100 × 0,5/1,5) + storage 0.
	if frozen[1].Net != 15_00+50+33_33 {
		t.Errorf("Gironde's net %d cents, want %d", frozen[1].Net, 15_00+50+33_33)
	}
	before := e.count(`SELECT count(*) FROM platform.billing_usage_days WHERE day BETWEEN '2026-11-01' AND '2026-11-30'`)
	e.signIn(college, e.member(college, "eleve"), parisAt(time.November, 30), "eleve")
	if err := e.store.MeterDay(e.ctx, DayOf(parisAt(time.November, 30))); err != nil {
		t.Fatalf("a late metering of a closed month must be skipped, not fail: %v", err)
	}
	if after := e.count(`SELECT count(*) FROM platform.billing_usage_days WHERE day BETWEEN '2026-11-01' AND '2026-11-30'`); after != before {
		t.Errorf("a closed month's metering moved: %d rows, then %d", before, after)
	}
	if n := e.count(`SELECT net FROM platform.billing_statements WHERE month = ? AND payer = '33'`, november2026); int64(n) != frozen[1].Net {
		t.Errorf("Gironde's frozen statement changed: %d then %d", frozen[1].Net, n)
	}
}

// TestUsageCache: the console's live figures are read once per month and kept; the close
// reads the metering itself.
func TestUsageCache(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 10), tenant.Options{})
	lycee := e.establishment(33, 41, "Lycée Grand Air", "lycee")
	cached := NewUsageCache(e.store, time.Hour)
	first, err := cached(e.ctx, november2026)
	if err != nil || len(first) != 1 || first[0].ActivePupils != 0 {
		t.Fatalf("first read %+v, %v", first, err)
	}
	e.signIn(lycee, e.member(lycee, "eleve"), parisAt(time.November, 10), "eleve")
	if again, _ := cached(e.ctx, november2026); again[0].ActivePupils != 0 {
		t.Errorf("the cache read the metering again: %+v", again)
	}
	if live, _ := e.store.MonthUsage(e.ctx, november2026); live[0].ActivePupils != 1 {
		t.Errorf("MonthUsage %+v, want the new pupil", live)
	}
}
