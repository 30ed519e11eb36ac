package billing

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/web/fault"
)

// november2026 has 30 days: a département opting in on the 16th is billed 15 of them.
var november2026 = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// allocTariff is a tariff with round prices: 1 000,00 € of platform, 0,10 € per active
// pupil, 12,00 € per establishment, 0,50 € per GB-month, 20 % VAT.
func allocTariff() Tariff {
	return Tariff{PlatformMonth: 100000, PupilMonth: 10, SchoolMonth: 1200, GBMonth: 50, VATBasis: 2000, Key: KeyActivePupils}
}

func lycee(uai, name string, pupils int) Usage {
	return Usage{UAI: uai, Name: name, Kind: "lycee", Payer: RegionPayer, BilledDays: 30, DaysInMonth: 30, ActivePupils: pupils, Accounts: pupils + 100}
}

func college(uai, name, dept string, billed, pupils int) Usage {
	return Usage{UAI: uai, Name: name, Kind: "college", Payer: dept, BilledDays: billed, DaysInMonth: 30, ActivePupils: pupils, Accounts: pupils + 50}
}

func mustAllocate(t *testing.T, month time.Time, tariff Tariff, usage []Usage) []Statement {
	t.Helper()
	st, err := Allocate(month, tariff, usage)
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	return st
}

func statementOf(t *testing.T, sts []Statement, payer string) Statement {
	t.Helper()
	for _, s := range sts {
		if s.Payer == payer {
			return s
		}
	}
	t.Fatalf("no statement for payer %q in %v", payer, sts)
	return Statement{}
}

func lineOf(t *testing.T, s Statement, label string) Line {
	t.Helper()
	for _, l := range s.Lines {
		if l.Label == label {
			return l
		}
	}
	t.Fatalf("statement of %s has no line %q: %+v", s.Payer, label, s.Lines)
	return Line{}
}

// A département opting in on the 16th of a 30-day month pays 15/30 of its collèges' month.
func TestAllocateOptInMidMonth(t *testing.T) {
	tariff := allocTariff()
	tariff.PlatformMonth = 0
	sts := mustAllocate(t, november2026, tariff, []Usage{
		lycee("0330021U", "Lycée Montaigne", 1000),
		college("0331234A", "Collège Cheverus", "33", 15, 600),
	})
	if len(sts) != 2 || sts[0].Payer != RegionPayer || sts[1].Payer != "33" {
		t.Fatalf("statements: %+v, want the région's then the Gironde's", sts)
	}
	g := sts[1]
	if !g.Month.Equal(november2026) {
		t.Errorf("month = %v", g.Month)
	}
	for _, c := range []struct{ label, formula string }{
		{"Abonnement établissement — Collège Cheverus", "12,00\u00a0€ × 15/30 jours"},
		{"Élèves actifs — Collège Cheverus", "600 élèves actifs × 0,10\u00a0€ × 15/30 jours"},
		{"Stockage — Collège Cheverus", "0,00 Go-mois × 0,50\u00a0€"},
	} {
		if l := lineOf(t, g, c.label); l.Formula != c.formula || l.UAI != "0331234A" {
			t.Errorf("%s: formula %q (UAI %s), want %q", c.label, l.Formula, l.UAI, c.formula)
		}
	}
	// 15/30 of 12,00 € and of 600 × 0,10 €: 6,00 € + 30,00 €; the platform's 0,00 €.
	if got := lineOf(t, g, "Abonnement établissement — Collège Cheverus").Amount; got != 600 {
		t.Errorf("subscription = %s, want 6,00 €", FormatCents(got))
	}
	if got := lineOf(t, g, "Élèves actifs — Collège Cheverus").Amount; got != 3000 {
		t.Errorf("pupils = %s, want 30,00 €", FormatCents(got))
	}
	if g.Net != 3600 || g.VAT != 720 || g.Gross != 4320 {
		t.Errorf("Gironde: net %d, VAT %d, gross %d; want 3600, 720, 4320", g.Net, g.VAT, g.Gross)
	}
	r := sts[0]
	if l := lineOf(t, r, "Élèves actifs — Lycée Montaigne"); l.Formula != "1\u202f000 élèves actifs × 0,10\u00a0€" || l.Amount != 10000 {
		t.Errorf("région's pupils: %+v", l)
	}
	if r.Net != 11200 {
		t.Errorf("région's net = %s, want 112,00 €", FormatCents(r.Net))
	}
}

// Three payers sharing 100,00 € in thirds get 33,34 + 33,33 + 33,33: the extra cent goes
// to the first statement, the région's.
func TestAllocateThirds(t *testing.T) {
	tariff := Tariff{PlatformMonth: 10000, VATBasis: 2000, Key: KeyEstablishments}
	sts := mustAllocate(t, november2026, tariff, []Usage{
		college("0400001A", "Collège des Landes", "40", 30, 10),
		college("0330001A", "Collège de Gironde", "33", 30, 700),
		lycee("0330021U", "Lycée Montaigne", 300),
	})
	want := []struct {
		payer string
		cents Cents
	}{{RegionPayer, 3334}, {"33", 3333}, {"40", 3333}}
	if len(sts) != len(want) {
		t.Fatalf("%d statements, want 3", len(sts))
	}
	var total Cents
	for i, w := range want {
		s := sts[i]
		l := lineOf(t, s, "Coûts fixes de la plateforme")
		if s.Payer != w.payer || l.Amount != w.cents {
			t.Errorf("statement %d: %s pays %s, want %s pays %s", i, s.Payer, FormatCents(l.Amount), w.payer, FormatCents(w.cents))
		}
		if l.Formula != "33,33 % de 100,00\u00a0€ (établissements-mois)" {
			t.Errorf("%s: formula %q", s.Payer, l.Formula)
		}
		total += l.Amount
	}
	if total != 10000 {
		t.Errorf("the shares add up to %s", FormatCents(total))
	}
}

// The platform's share by active pupils, with the percentage in the formula.
func TestAllocatePlatformByPupils(t *testing.T) {
	for _, key := range []Key{"", KeyActivePupils} {
		tariff := allocTariff()
		tariff.Key = key
		sts := mustAllocate(t, november2026, tariff, []Usage{
			lycee("0330021U", "Lycée Montaigne", 4012),
			college("0640001A", "Collège Basque", "64", 30, 5988),
		})
		r, p := lineOf(t, sts[0], "Coûts fixes de la plateforme"), lineOf(t, sts[1], "Coûts fixes de la plateforme")
		if r.Formula != "40,12 % de 1\u202f000,00\u00a0€ (élèves actifs)" || r.Amount != 40120 {
			t.Errorf("key %q: région %+v", key, r)
		}
		if p.Formula != "59,88 % de 1\u202f000,00\u00a0€ (élèves actifs)" || p.Amount != 59880 {
			t.Errorf("key %q: Pyrénées-Atlantiques %+v", key, p)
		}
	}
}

// A collège billed half the month counts for half its pupils or accounts in the key.
func TestAllocatePlatformKeysProrated(t *testing.T) {
	usage := []Usage{
		{UAI: "0330021U", Payer: RegionPayer, BilledDays: 30, DaysInMonth: 30, ActivePupils: 100, Accounts: 300},
		{UAI: "0330001A", Payer: "33", BilledDays: 15, DaysInMonth: 30, ActivePupils: 200, Accounts: 600},
	}
	for _, c := range []struct {
		key    Key
		region Cents
	}{{KeyActivePupils, 5000}, {KeyAccounts, 5000}, {KeyEstablishments, 6667}} {
		sts := mustAllocate(t, november2026, Tariff{PlatformMonth: 10000, Key: c.key}, usage)
		r, g := lineOf(t, sts[0], "Coûts fixes de la plateforme"), lineOf(t, sts[1], "Coûts fixes de la plateforme")
		if r.Amount != c.region || r.Amount+g.Amount != 10000 {
			t.Errorf("key %s: région %s, Gironde %s; want the région %s", c.key, FormatCents(r.Amount), FormatCents(g.Amount), FormatCents(c.region))
		}
	}
}

// Nobody counted under the key: equal shares, said so.
func TestAllocateEqualSharesWhenKeyIsZero(t *testing.T) {
	sts := mustAllocate(t, november2026, Tariff{PlatformMonth: 100, Key: KeyActivePupils}, []Usage{
		college("0330001A", "A", "33", 30, 0), college("0240001A", "B", "24", 30, 0), lycee("0330021U", "C", 0),
	})
	for i, want := range []Cents{34, 33, 33} {
		l := lineOf(t, sts[i], "Coûts fixes de la plateforme")
		if l.Amount != want || l.Formula != "1/3 de 1,00\u00a0€ (parts égales : aucun élève actif ce mois-ci)" {
			t.Errorf("%s: %+v, want %d", sts[i].Payer, l, want)
		}
	}
}

// The région always has its statement; a payer billed no day has none.
func TestAllocateWhoGetsAStatement(t *testing.T) {
	sts := mustAllocate(t, november2026, allocTariff(), nil)
	if len(sts) != 1 || sts[0].Payer != RegionPayer || sts[0].Net != 100000 || sts[0].VAT != 20000 || sts[0].Gross != 120000 {
		t.Fatalf("no usage: %+v, want the région alone paying the platform", sts)
	}
	if l := lineOf(t, sts[0], "Coûts fixes de la plateforme"); l.Formula != "1/1 de 1\u202f000,00\u00a0€ (parts égales : aucun élève actif ce mois-ci)" {
		t.Errorf("formula %q", l.Formula)
	}
	sts = mustAllocate(t, november2026, allocTariff(), []Usage{
		college("0470001A", "Collège d'Agen", "47", 0, 0),
		college("0330001A", "Collège de Gironde", "33", 1, 10),
	})
	if len(sts) != 2 || sts[0].Payer != RegionPayer || sts[1].Payer != "33" {
		t.Errorf("payers %v, want the région and the Gironde only", payersOf(sts))
	}
	if len(sts[0].Lines) != 1 {
		t.Errorf("the région without establishments has lines %+v, want its platform share only", sts[0].Lines)
	}
}

func payersOf(sts []Statement) []string {
	var p []string
	for _, s := range sts {
		p = append(p, s.Payer)
	}
	return p
}

// Each component's total is rounded once and apportioned: three thirds of a euro make a
// euro (rounding each line would give 0,99 €).
func TestAllocateLargestRemainder(t *testing.T) {
	tariff := Tariff{SchoolMonth: 300, GBMonth: 0, Key: KeyEstablishments}
	usage := []Usage{
		college("0330003A", "C", "33", 10, 0), college("0330001A", "A", "33", 10, 0), college("0330002A", "B", "33", 10, 0),
	}
	sts := mustAllocate(t, november2026, tariff, usage)
	g := statementOf(t, sts, "33")
	var got []Cents
	for _, l := range g.Lines {
		if strings.HasPrefix(l.Label, "Abonnement") {
			got = append(got, l.Amount)
		}
	}
	// 3,00 € × 10/30 = 1,00 € each: exact. Now 1,00 € × 10/30 each: 0,333… → 34 + 33 + 33.
	if fmt.Sprint(got) != "[100 100 100]" {
		t.Errorf("exact thirds: %v", got)
	}
	tariff.SchoolMonth = 100
	g = statementOf(t, mustAllocate(t, november2026, tariff, usage), "33")
	got = got[:0]
	for _, l := range g.Lines {
		if strings.HasPrefix(l.Label, "Abonnement") {
			got = append(got, l.Amount)
		}
	}
	if fmt.Sprint(got) != "[34 33 33]" || g.Lines[0].UAI != "0330001A" {
		t.Errorf("thirds of 1,00 €: %v (first %s), want [34 33 33] with 0330001A first", got, g.Lines[0].UAI)
	}
}

func TestApportion(t *testing.T) {
	r := func(ns ...int64) []*big.Rat {
		out := make([]*big.Rat, len(ns))
		for i, n := range ns {
			out[i] = big.NewRat(n, 1)
		}
		return out
	}
	for _, c := range []struct {
		total   Cents
		weights []*big.Rat
		want    string
	}{
		{10000, r(1, 1, 1), "[3334 3333 3333]"},
		{100, r(0, 0), "[50 50]"},
		{101, r(0, 0), "[51 50]"},
		{0, r(5, 7), "[0 0]"},
		{7, r(1, 2, 4), "[1 2 4]"},
		{10, r(1, 1, 1, 1, 1, 1), "[2 2 2 2 1 1]"},
		{1, r(1, 2), "[0 1]"},          // the larger remainder wins, not the first
		{100, r(0, 3, 0), "[0 100 0]"}, // a zero weight gets nothing
		{5, nil, "[]"},
	} {
		if got := fmt.Sprint(apportion(c.total, c.weights)); got != c.want {
			t.Errorf("apportion(%d, %v) = %s, want %s", c.total, c.weights, got, c.want)
		}
	}
}

func TestVAT(t *testing.T) {
	for _, c := range []struct {
		net   Cents
		basis int64
		want  Cents
	}{{10, 500, 1}, {30, 500, 2}, {1, 2000, 0}, {3, 2000, 1}, {2, 2000, 0}, {100000, 2000, 20000}, {0, 2000, 0}, {12345, 550, 679}} {
		if got := vatOf(c.net, c.basis); got != c.want {
			t.Errorf("vatOf(%d, %d) = %d, want %d", c.net, c.basis, got, c.want)
		}
	}
}

func TestFormatCents(t *testing.T) {
	for _, c := range []struct {
		c    Cents
		want string
	}{
		{0, "0,00 €"}, {5, "0,05 €"}, {100, "1,00 €"}, {99999, "999,99 €"}, {123456, "1 234,56 €"},
		{100000000, "1 000 000,00 €"}, {-123456, "-1 234,56 €"},
	} {
		want := strings.ReplaceAll(strings.Replace(c.want, " €", "\u00a0€", 1), " ", "\u202f")
		if got := FormatCents(c.c); got != want {
			t.Errorf("FormatCents(%d) = %q, want %q", c.c, got, want)
		}
	}
	if got := csvAmount(123456); got != "1234,56" {
		t.Errorf("csvAmount = %q", got)
	}
	if got := formatCount(2500); got != "2\u202f500" {
		t.Errorf("formatCount = %q", got)
	}
	if got := formatBasis(550) + "/" + formatBasis(2000); got != "5,5/20" {
		t.Errorf("formatBasis = %q", got)
	}
}

func TestAllocateStorage(t *testing.T) {
	u := lycee("0330021U", "Lycée Montaigne", 0)
	u.ByteDays = 30 * 1_230_000_000 // 1,23 GB every day of the month
	sts := mustAllocate(t, november2026, Tariff{GBMonth: 50}, []Usage{u})
	l := lineOf(t, sts[0], "Stockage — Lycée Montaigne")
	if l.Formula != "1,23 Go-mois × 0,50\u00a0€" || l.Amount != 62 { // 61,5 cents, half up
		t.Errorf("storage line %+v", l)
	}
}

func TestAllocateRefusesBadInput(t *testing.T) {
	good := func() []Usage { return []Usage{lycee("0330021U", "Lycée Montaigne", 10)} }
	for _, c := range []struct {
		name  string
		edit  func(*Tariff, []Usage) []Usage
		field string
		says  string
	}{
		{"month length", func(_ *Tariff, u []Usage) []Usage { u[0].DaysInMonth = 31; return u }, "0330021U",
			"Établissement 0330021U (Lycée Montaigne) : le mois de novembre 2026 compte 30 jours, pas 31."},
		{"billed days", func(_ *Tariff, u []Usage) []Usage { u[0].BilledDays = 31; u[0].DaysInMonth = 30; return u }, "0330021U",
			"31 jours facturés, il en faut entre 0 et 30"},
		{"negative pupils", func(_ *Tariff, u []Usage) []Usage { u[0].ActivePupils = -1; return u }, "0330021U", "élèves actifs ne peut pas être négatif"},
		{"negative accounts", func(_ *Tariff, u []Usage) []Usage { u[0].Accounts = -1; return u }, "0330021U", "comptes ne peut pas être négatif"},
		{"negative storage", func(_ *Tariff, u []Usage) []Usage { u[0].ByteDays = -1; return u }, "0330021U", "stockage ne peut pas être négatif"},
		{"no payer", func(_ *Tariff, u []Usage) []Usage { u[0].Payer = ""; return u }, "0330021U", "aucun payeur"},
		{"no UAI", func(_ *Tariff, u []Usage) []Usage { u[0].UAI = " "; return u }, "usage[0]", "n° 1 n'a pas d'UAI"},
		{"twice", func(_ *Tariff, u []Usage) []Usage { return append(u, u[0]) }, "0330021U", "donné deux fois"},
		{"negative price", func(t *Tariff, u []Usage) []Usage { t.PupilMonth = -10; return u }, "PupilMonth",
			"Le prix par élève actif et par mois ne peut pas être négatif (-0,10\u00a0€)."},
		{"VAT", func(t *Tariff, u []Usage) []Usage { t.VATBasis = 12000; return u }, "VATBasis", "entre 0 % et 100 % (120 %)"},
		{"key", func(t *Tariff, u []Usage) []Usage { t.Key = "habitants"; return u }, "Key", "« habitants » est inconnue"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tariff := allocTariff()
			usage := c.edit(&tariff, good())
			sts, err := Allocate(november2026, tariff, usage)
			var invalid *fault.Invalid
			if !errors.As(err, &invalid) {
				t.Fatalf("err = %v, want a *fault.Invalid", err)
			}
			if invalid.Field != c.field || !strings.Contains(invalid.Message, c.says) {
				t.Errorf("error %q on %q, want %q on %q", invalid.Message, invalid.Field, c.says, c.field)
			}
			if sts != nil {
				t.Errorf("statements returned with the error: %+v", sts)
			}
		})
	}
}

// The month need not be given as its first day; the month's length comes from it.
func TestAllocateMonthNormalised(t *testing.T) {
	feb := time.Date(2028, time.February, 17, 15, 4, 0, 0, time.UTC) // a leap year: 29 days
	u := Usage{UAI: "0330021U", Payer: RegionPayer, BilledDays: 29, DaysInMonth: 29}
	sts := mustAllocate(t, feb, Tariff{SchoolMonth: 2900}, []Usage{u})
	if !sts[0].Month.Equal(time.Date(2028, time.February, 1, 0, 0, 0, 0, time.UTC)) || sts[0].Net != 2900 {
		t.Errorf("statement %+v", sts[0])
	}
}

// exactAllocation is the month's total computed independently of Allocate: each component
// summed exactly and rounded once, plus the platform's cost. exact holds each line's exact
// amount by UAI and component label.
func exactAllocation(tariff Tariff, usage []Usage) (total Cents, exact map[string]*big.Rat) {
	exact = map[string]*big.Rat{}
	sums := map[string]*big.Rat{"Abonnement établissement": new(big.Rat), "Élèves actifs": new(big.Rat), "Stockage": new(big.Rat)}
	for _, u := range usage {
		if u.BilledDays == 0 {
			continue
		}
		f := big.NewRat(int64(u.BilledDays), int64(u.DaysInMonth))
		for label, v := range map[string]*big.Rat{
			"Abonnement établissement": new(big.Rat).Mul(big.NewRat(int64(tariff.SchoolMonth), 1), f),
			"Élèves actifs":            new(big.Rat).Mul(big.NewRat(int64(tariff.PupilMonth)*int64(u.ActivePupils), 1), f),
			"Stockage":                 new(big.Rat).Mul(big.NewRat(int64(tariff.GBMonth), 1), new(big.Rat).SetFrac64(u.ByteDays, int64(u.DaysInMonth)*1e9)),
		} {
			exact[u.UAI+"|"+label] = v
			sums[label].Add(sums[label], v)
		}
	}
	total = tariff.PlatformMonth
	for _, s := range sums {
		half := new(big.Rat).Add(s, big.NewRat(1, 2)) // round half up: floor(s + 1/2)
		total += Cents(new(big.Int).Quo(half.Num(), half.Denom()).Int64())
	}
	return total, exact
}

func randomMonth(rng *rand.Rand) (time.Time, Tariff, []Usage) {
	month := time.Date(2025+rng.IntN(4), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
	days := daysIn(month)
	keys := []Key{KeyActivePupils, KeyEstablishments, KeyAccounts, ""}
	tariff := Tariff{
		PlatformMonth: Cents(rng.Int64N(5_000_000)), PupilMonth: Cents(rng.Int64N(200)), SchoolMonth: Cents(rng.Int64N(10_000)),
		GBMonth: Cents(rng.Int64N(300)), VATBasis: []int64{0, 550, 1000, 2000}[rng.IntN(4)], Key: keys[rng.IntN(len(keys))],
	}
	payers := []string{RegionPayer, "24", "33", "40", "47", "64"}
	usage := make([]Usage, rng.IntN(40))
	for i := range usage {
		billed := days
		if rng.IntN(3) == 0 {
			billed = rng.IntN(days + 1)
		}
		pupils := rng.IntN(3000)
		if rng.IntN(5) == 0 {
			pupils = 0
		}
		usage[i] = Usage{
			UAI: fmt.Sprintf("%07d%c", rng.IntN(10_000_000), 'A'+rune(i%26)), Payer: payers[rng.IntN(len(payers))],
			BilledDays: billed, DaysInMonth: days, ActivePupils: pupils, Accounts: pupils + rng.IntN(500),
			ByteDays: rng.Int64N(int64(billed)*200_000_000_000 + 1),
		}
	}
	return month, tariff, usage
}

// For random months: the statements add up to the month's total to the cent, every line
// is within a cent of its exact amount, nothing is negative, and every statement's figures
// hold together.
func TestAllocateAddsUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2026))
	for run := range 500 {
		month, tariff, usage := randomMonth(rng)
		sts, err := Allocate(month, tariff, usage)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		total, exact := exactAllocation(tariff, usage)
		var net Cents
		seen := map[string]bool{}
		for i, s := range sts {
			if i > 0 && comparePayers(sts[i-1].Payer, s.Payer) >= 0 {
				t.Fatalf("run %d: statements out of order: %v", run, payersOf(sts))
			}
			seen[s.Payer] = true
			var lines Cents
			for _, l := range s.Lines {
				if l.Amount < 0 {
					t.Fatalf("run %d: negative line %+v", run, l)
				}
				if l.UAI != "" {
					label, _, _ := strings.Cut(l.Label, " — ")
					e := exact[l.UAI+"|"+label]
					diff := new(big.Rat).Sub(big.NewRat(int64(l.Amount), 1), e)
					if diff.Abs(diff).Cmp(big.NewRat(1, 1)) >= 0 {
						t.Fatalf("run %d: line %+v is a cent or more from its exact %s", run, l, e.FloatString(3))
					}
				}
				lines += l.Amount
			}
			if s.Net < 0 || lines != s.Net || s.Gross != s.Net+s.VAT || s.VAT != vatOf(s.Net, tariff.VATBasis) {
				t.Fatalf("run %d: %s: lines %d, net %d, VAT %d, gross %d", run, s.Payer, lines, s.Net, s.VAT, s.Gross)
			}
			net += s.Net
		}
		if net != total {
			t.Fatalf("run %d: the statements add up to %d, the month's total is %d", run, net, total)
		}
		if !seen[RegionPayer] {
			t.Fatalf("run %d: no statement for the région", run)
		}
		for _, u := range usage {
			if u.BilledDays > 0 && !seen[u.Payer] {
				t.Fatalf("run %d: %s billed %d days has no statement", run, u.Payer, u.BilledDays)
			}
		}
	}
}

// BenchmarkAllocate allocates a month of 1,000 establishments between six payers (the
// région and five départements).
func BenchmarkAllocate(b *testing.B) {
	payers := []string{RegionPayer, "24", "33", "40", "47", "64"}
	usage := make([]Usage, 1000)
	for i := range usage {
		billed := 30
		if i%7 == 0 {
			billed = 15
		}
		usage[i] = Usage{
			UAI: fmt.Sprintf("%07dA", i), Name: fmt.Sprintf("Établissement %d", i), Payer: payers[i%len(payers)],
			BilledDays: billed, DaysInMonth: 30, ActivePupils: 300 + i%900, Accounts: 400 + i%1000, ByteDays: int64(i) * 30 * 123_456_789,
		}
	}
	tariff := allocTariff()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Allocate(november2026, tariff, usage); err != nil {
			b.Fatal(err)
		}
	}
}
