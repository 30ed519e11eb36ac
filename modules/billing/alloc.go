package billing

// The monthly allocation: what each payer owes for a month, line by line, from the month's
// usage and the tariff in force.
//
// Every amount is computed exactly (math/big.Rat) and rounded in two steps, so that the
// statements add up to the month's total to the cent:
//
//  1. each cost component's total for the month is rounded once (half up): the
//     subscriptions (SchoolMonth × f), the active pupils (PupilMonth × pupils × f), the
//     storage (GBMonth × GB-months); the platform's fixed cost is already in cents;
//  2. that total is apportioned to its parts (an establishment's line, a payer's share of
//     the platform) by largest remainder: each part gets its exact share rounded down, and
//     the cents left go one by one to the parts with the largest remainders.
//
// Ties are broken by the order of the statements: the région first, then the départements
// by their number, and inside a payer by UAI. So three payers sharing 100,00 € in thirds
// get 33,34 € (the région) + 33,33 € + 33,33 €: the région, which is not invoiced, takes
// the cent nobody else must pay.

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/web/fault"
)

// The cost components of a month, in the order their lines appear for an establishment.
const (
	componentSchool = iota
	componentPupils
	componentStorage
	components
)

// bytesPerGB is the GB of GBMonth: 10^9 bytes.
const bytesPerGB = 1_000_000_000

// Allocate shares the month's costs between their payers under tariff t: one Statement per
// payer with at least one billed establishment-day, and always one for the région, in that
// order (the région first, then the départements by number). Each billed establishment
// gets three lines (subscription, active pupils, storage) prorated by its billed days; each
// payer one line for its share of the platform's fixed cost, split by t.Key (weighted, like
// the other lines, by the part of the month each establishment is billed), or in equal
// shares when nobody has any of what the key counts.
//
// Input that cannot be right (a month of 30 days with 31 billed, a negative count, a
// duplicated establishment, an unknown key) is refused with a *fault.Invalid saying what
// and where; nothing is computed then.
func Allocate(month time.Time, t Tariff, usage []Usage) ([]Statement, error) {
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, month.Location())
	days := daysIn(month)
	key, err := checkTariff(t)
	if err != nil {
		return nil, err
	}
	if err := checkUsage(month, days, usage); err != nil {
		return nil, err
	}

	billed := make([]Usage, 0, len(usage))
	for _, u := range usage {
		if u.BilledDays > 0 {
			billed = append(billed, u)
		}
	}
	slices.SortFunc(billed, func(a, b Usage) int {
		return cmp.Or(comparePayers(a.Payer, b.Payer), cmp.Compare(a.UAI, b.UAI))
	})

	// The establishments' lines: each component's total rounded once, then apportioned.
	amounts := make([][]Cents, components)
	for c := range components {
		exact := make([]*big.Rat, len(billed))
		for i, u := range billed {
			exact[i] = componentExact(c, t, u)
		}
		total := sum(exact)
		if total.Cmp(maxTotal) > 0 {
			return nil, fault.Invalidf("usage", "Le total « %s » de %s dépasse %s : l'usage ou le tarif ne peut pas être juste ; rien n'a été calculé, vérifiez le tarif (Facturation › Tarifs).",
				componentLabel(c), formatMonth(month), FormatCents(Cents(1e16)))
		}
		amounts[c] = apportion(roundHalfUp(total), exact)
	}

	// The payers, and their weights for the platform's share.
	payers := []string{RegionPayer}
	weights := map[string]*big.Rat{RegionPayer: new(big.Rat)}
	for _, u := range billed {
		w, ok := weights[u.Payer]
		if !ok {
			w = new(big.Rat)
			weights[u.Payer] = w
			payers = append(payers, u.Payer)
		}
		w.Add(w, keyWeight(key, u))
	}
	payerWeights := make([]*big.Rat, len(payers))
	for i, p := range payers {
		payerWeights[i] = weights[p]
	}
	totalWeight := sum(payerWeights)
	platform := apportion(t.PlatformMonth, payerWeights)

	statements := make([]Statement, len(payers))
	index := make(map[string]int, len(payers))
	for i, p := range payers {
		statements[i] = Statement{Payer: p, Month: month}
		index[p] = i
	}
	for i, u := range billed {
		s := &statements[index[u.Payer]]
		for c := range components {
			s.Lines = append(s.Lines, Line{
				Component: componentKeys[c],
				UAI:       u.UAI,
				Label:     componentLabel(c) + " — " + cmp.Or(u.Name, u.UAI),
				Formula:   componentFormula(c, t, u),
				Amount:    amounts[c][i],
			})
		}
	}
	for i := range statements {
		s := &statements[i]
		s.Lines = append(s.Lines, Line{
			Component: ComponentPlatform,
			Label:     "Coûts fixes de la plateforme",
			Formula:   platformFormula(key, t.PlatformMonth, payerWeights[i], totalWeight, len(payers)),
			Amount:    platform[i],
		})
		for _, l := range s.Lines {
			s.Net += l.Amount
		}
		s.VAT = vatOf(s.Net, t.VATBasis)
		s.Gross = s.Net + s.VAT
	}
	return statements, nil
}

// comparePayers orders payers as their statements come: the région first, then the others
// by code ("24" before "33").
func comparePayers(a, b string) int {
	if a == b {
		return 0
	}
	if a == RegionPayer {
		return -1
	}
	if b == RegionPayer {
		return 1
	}
	return cmp.Compare(a, b)
}

// daysIn is the number of days of month's month.
func daysIn(month time.Time) int {
	return time.Date(month.Year(), month.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// checkTariff refuses a tariff that cannot be applied and returns its key (the active
// pupils when none is set).
// MaxPrice is the largest price of a tariff (10 000 000,00 €): far above any real one, and
// low enough that a région's usage times it stays within the cents' int64.
const MaxPrice Cents = 1_000_000_000

// maxTotal bounds a component's total for a month (10^16 cents): beyond it, the amounts
// would no longer fit in int64 once summed and taxed.
var maxTotal = big.NewRat(1e16, 1)

func checkTariff(t Tariff) (Key, error) {
	for _, p := range []struct {
		field, label string
		c            Cents
	}{
		{"PlatformMonth", "Le coût fixe mensuel de la plateforme", t.PlatformMonth},
		{"PupilMonth", "Le prix par élève actif et par mois", t.PupilMonth},
		{"SchoolMonth", "Le prix par établissement et par mois", t.SchoolMonth},
		{"GBMonth", "Le prix par Go-mois de stockage", t.GBMonth},
	} {
		if p.c < 0 {
			return "", fault.Invalidf(p.field, "%s ne peut pas être négatif (%s).", p.label, FormatCents(p.c))
		}
		if p.c > MaxPrice {
			return "", fault.Invalidf(p.field, "%s (%s) dépasse le plafond de %s : vérifiez le montant saisi.", p.label, FormatCents(p.c), FormatCents(MaxPrice))
		}
	}
	if t.VATBasis < 0 || t.VATBasis > 10000 {
		return "", fault.Invalidf("VATBasis", "Le taux de TVA doit être compris entre 0 %% et 100 %% (%s %%).", formatBasis(t.VATBasis))
	}
	switch t.Key {
	case "":
		return KeyActivePupils, nil
	case KeyActivePupils, KeyEstablishments, KeyAccounts:
		return t.Key, nil
	}
	return "", fault.Invalidf("Key", "La clé de répartition « %s » est inconnue : elle doit être « %s », « %s » ou « %s ».",
		t.Key, KeyActivePupils, KeyEstablishments, KeyAccounts)
}

// checkUsage refuses usage that does not fit the month or contradicts itself, naming the
// establishment.
func checkUsage(month time.Time, days int, usage []Usage) error {
	seen := make(map[[2]string]bool, len(usage))
	for i, u := range usage {
		where := "Établissement " + u.UAI
		if u.Name != "" {
			where += " (" + u.Name + ")"
		}
		switch {
		case strings.TrimSpace(u.UAI) == "":
			return fault.Invalidf(fmt.Sprintf("usage[%d]", i), "La ligne d'usage n° %d n'a pas d'UAI.", i+1)
		case strings.TrimSpace(u.Payer) == "":
			return fault.Invalidf(u.UAI, "%s : aucun payeur n'est indiqué.", where)
		case u.DaysInMonth != days:
			return fault.Invalidf(u.UAI, "%s : le mois de %s compte %d jours, pas %d.", where, formatMonth(month), days, u.DaysInMonth)
		case u.BilledDays < 0 || u.BilledDays > days:
			return fault.Invalidf(u.UAI, "%s : %d jours facturés, il en faut entre 0 et %d.", where, u.BilledDays, days)
		case u.ActivePupils < 0:
			return fault.Invalidf(u.UAI, "%s : le nombre d'élèves actifs ne peut pas être négatif (%d).", where, u.ActivePupils)
		case u.Accounts < 0:
			return fault.Invalidf(u.UAI, "%s : le nombre de comptes ne peut pas être négatif (%d).", where, u.Accounts)
		case u.ByteDays < 0:
			return fault.Invalidf(u.UAI, "%s : le stockage ne peut pas être négatif (%d octets-jours).", where, u.ByteDays)
		}
		k := [2]string{u.UAI, u.Payer}
		if seen[k] {
			return fault.Invalidf(u.UAI, "%s : l'usage du mois est donné deux fois pour le payeur %s.", where, u.Payer)
		}
		seen[k] = true
	}
	return nil
}

// fraction is f = BilledDays / DaysInMonth.
func fraction(u Usage) *big.Rat {
	return big.NewRat(int64(u.BilledDays), int64(u.DaysInMonth))
}

// componentExact is the exact amount, in cents, of component c for u.
func componentExact(c int, t Tariff, u Usage) *big.Rat {
	switch c {
	case componentSchool:
		return new(big.Rat).Mul(ratInt(int64(t.SchoolMonth)), fraction(u))
	case componentPupils:
		r := new(big.Rat).Mul(ratInt(int64(t.PupilMonth)), ratInt(int64(u.ActivePupils)))
		return r.Mul(r, fraction(u))
	default:
		return new(big.Rat).Mul(ratInt(int64(t.GBMonth)), gbMonths(u))
	}
}

// gbMonths is u's storage in GB-months: its byte-days over the month's days and 10^9.
func gbMonths(u Usage) *big.Rat {
	den := new(big.Int).Mul(big.NewInt(int64(u.DaysInMonth)), big.NewInt(bytesPerGB))
	return new(big.Rat).SetFrac(big.NewInt(u.ByteDays), den)
}

// keyWeight is what u counts for in the platform's split under key: its active pupils,
// its establishment-month or its accounts, times the part of the month it is billed.
func keyWeight(key Key, u Usage) *big.Rat {
	switch key {
	case KeyEstablishments:
		return fraction(u)
	case KeyAccounts:
		return new(big.Rat).Mul(ratInt(int64(u.Accounts)), fraction(u))
	default:
		return new(big.Rat).Mul(ratInt(int64(u.ActivePupils)), fraction(u))
	}
}

// componentKeys name the components in the statements' lines.
var componentKeys = [components]string{componentSchool: ComponentSchool, componentPupils: ComponentPupils, componentStorage: ComponentStorage}

func componentLabel(c int) string {
	switch c {
	case componentSchool:
		return "Abonnement établissement"
	case componentPupils:
		return "Élèves actifs"
	default:
		return "Stockage"
	}
}

// componentFormula says in French how component c of u was computed.
func componentFormula(c int, t Tariff, u Usage) string {
	prorata := fmt.Sprintf(" × %d/%d jours", u.BilledDays, u.DaysInMonth)
	switch c {
	case componentSchool:
		return FormatCents(t.SchoolMonth) + prorata
	case componentPupils:
		noun := "élèves actifs"
		if u.ActivePupils <= 1 {
			noun = "élève actif"
		}
		s := formatCount(int64(u.ActivePupils)) + " " + noun + " × " + FormatCents(t.PupilMonth)
		if u.BilledDays != u.DaysInMonth {
			s += prorata
		}
		return s
	default:
		return formatDecimal(gbMonths(u), 2) + " Go-mois × " + FormatCents(t.GBMonth)
	}
}

// keyLabel names what key counts, for the platform line's formula.
func keyLabel(key Key) string {
	switch key {
	case KeyEstablishments:
		return "établissements-mois"
	case KeyAccounts:
		return "comptes"
	default:
		return "élèves actifs"
	}
}

// keyNone says that nobody counted anything under key.
func keyNone(key Key) string {
	switch key {
	case KeyEstablishments:
		return "aucun établissement facturé"
	case KeyAccounts:
		return "aucun compte"
	default:
		return "aucun élève actif"
	}
}

// platformFormula says how a payer's share of the platform's cost was computed: its
// percentage of what the key counts, or an equal share when nobody counts anything.
func platformFormula(key Key, platform Cents, w, total *big.Rat, payers int) string {
	if total.Sign() == 0 {
		return fmt.Sprintf("1/%d de %s (parts égales : %s ce mois-ci)", payers, FormatCents(platform), keyNone(key))
	}
	pct := new(big.Rat).Mul(w, big.NewRat(100, 1))
	pct.Quo(pct, total)
	return formatDecimal(pct, 2) + " % de " + FormatCents(platform) + " (" + keyLabel(key) + ")"
}

// apportion splits total between parts in proportion to weights by largest remainder:
// each part gets its exact share rounded down, then the cents left go one each to the
// parts with the largest remainders, the earlier part first on a tie. Equal weights when
// they are all zero. The parts add up to total.
func apportion(total Cents, weights []*big.Rat) []Cents {
	n := len(weights)
	out := make([]Cents, n)
	if n == 0 {
		return out
	}
	w := sum(weights)
	if w.Sign() == 0 {
		weights = make([]*big.Rat, n)
		for i := range weights {
			weights[i] = big.NewRat(1, 1)
		}
		w = big.NewRat(int64(n), 1)
	}
	rems := make([]*big.Rat, n)
	left := total
	for i, wi := range weights {
		q := new(big.Rat).Mul(ratInt(int64(total)), wi)
		q.Quo(q, w)
		floor := new(big.Int).Quo(q.Num(), q.Denom()) // q ≥ 0: truncation is the floor
		out[i] = Cents(floor.Int64())
		rems[i] = q.Sub(q, new(big.Rat).SetInt(floor))
		left -= out[i]
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:left] {
		out[i]++
	}
	return out
}

// vatOf is the VAT on net at basis points rate, rounded half up to the cent.
func vatOf(net Cents, basis int64) Cents {
	v := new(big.Rat).Mul(ratInt(int64(net)), big.NewRat(basis, 10000))
	return roundHalfUp(v)
}

// roundHalfUp rounds r to the nearest cent, halves up (r ≥ 0).
func roundHalfUp(r *big.Rat) Cents {
	num := new(big.Int).Lsh(r.Num(), 1)
	num.Add(num, r.Denom())
	den := new(big.Int).Lsh(r.Denom(), 1)
	return Cents(num.Div(num, den).Int64())
}

func sum(rs []*big.Rat) *big.Rat {
	s := new(big.Rat)
	for _, r := range rs {
		s.Add(s, r)
	}
	return s
}

func ratInt(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }

// French number formatting: digits grouped by three with a narrow no-break space (U+202F),
// a decimal comma, and a no-break space (U+00A0) before the euro sign, as CLDR's fr locale
// (and so browsers' Intl.NumberFormat) writes « 1 234,56 € ».
const (
	groupSep = "\u202f"
	unitSep  = "\u00a0"
)

// FormatCents writes c the French way: « 1 234,56 € ».
func FormatCents(c Cents) string {
	sign, u := "", uint64(c)
	if c < 0 {
		sign, u = "-", uint64(-c)
	}
	return fmt.Sprintf("%s%s,%02d%s€", sign, groupDigits(strconv.FormatUint(u/100, 10)), u%100, unitSep)
}

// csvAmount writes c for a French spreadsheet: « 1234,56 », no grouping, no unit.
func csvAmount(c Cents) string {
	sign, u := "", uint64(c)
	if c < 0 {
		sign, u = "-", uint64(-c)
	}
	return fmt.Sprintf("%s%d,%02d", sign, u/100, u%100)
}

// formatCount writes a count with its digits grouped: « 2 500 ».
func formatCount(n int64) string {
	if n < 0 {
		return "-" + groupDigits(strconv.FormatInt(-n, 10))
	}
	return groupDigits(strconv.FormatInt(n, 10))
}

// formatDecimal writes r ≥ 0 with decimals digits after the comma (rounded half up) and
// its integer part grouped: « 1 234,57 ».
func formatDecimal(r *big.Rat, decimals int) string {
	s := r.FloatString(decimals)
	whole, frac, _ := strings.Cut(s, ".")
	if frac == "" {
		return groupDigits(whole)
	}
	return groupDigits(whole) + "," + frac
}

// formatBasis writes basis points as a percentage: 2000 → « 20 », 550 → « 5,5 ».
func formatBasis(b int64) string {
	s := strings.TrimRight(formatDecimal(big.NewRat(b, 100), 2), "0")
	return strings.TrimSuffix(s, ",")
}

// groupDigits groups a string of digits by three from the right.
func groupDigits(d string) string {
	if len(d) <= 3 {
		return d
	}
	var b strings.Builder
	head := len(d) % 3
	if head > 0 {
		b.WriteString(d[:head])
	}
	for i := head; i < len(d); i += 3 {
		if b.Len() > 0 {
			b.WriteString(groupSep)
		}
		b.WriteString(d[i : i+3])
	}
	return b.String()
}

var monthNames = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// formatMonth writes a month the French way: « novembre 2026 ».
func formatMonth(m time.Time) string {
	return monthNames[m.Month()-1] + " " + strconv.Itoa(m.Year())
}
