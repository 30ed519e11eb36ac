package grades

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"
)

// Hundredths is an exact decimal with two places: 1250 is 12.50. Marks, scales and
// coefficients are stored and computed as such, never as floats.
type Hundredths int64

// Codes of a mark that is not a value; none of them counts in any average.
const (
	CodeAbsent    = "Abs"
	CodeDispensed = "Disp"
	CodeNotMarked = "NN"
)

// Mark is one pupil's result in one evaluation, as averages need it.
type Mark struct {
	Value Hundredths // meaningful when Code == ""
	Code  string     // Abs, Disp, NN or ""
	Scale Hundredths // the evaluation's scale (2000 for /20)
	Coef  Hundredths // the evaluation's coefficient (100 for 1)
	Bonus bool       // counts only if it raises the average
	Date  time.Time
}

// Counts tells whether the mark can enter an average at all.
func (m Mark) Counts() bool { return m.Code == "" && m.Scale > 0 && m.Coef > 0 }

// On20 is the mark normalised to /20, exactly.
func (m Mark) On20() *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(int64(m.Value)*20), big.NewInt(int64(m.Scale)))
}

// SubjectAverage is Σ(mark on 20 × coef) / Σ coef over the marks that count, as DOMAIN.md
// states. A bonus mark is taken, in date order, only if it raises the average so far; with
// no other mark there is no average to raise, so it does not count. ok is false when no mark
// counts: the subject then has no average (never 0).
func SubjectAverage(marks []Mark) (avg *big.Rat, ok bool) {
	// Σ(v/scale × 20 × coef) is kept exactly as, per scale, an integer Σ(v × coef): the few
	// distinct scales become fractions only once (a class page computes thousands of these).
	var sums []scaleSum
	var bonus []Mark
	for _, m := range marks {
		if !m.Counts() {
			continue
		}
		if m.Bonus {
			bonus = append(bonus, m)
			continue
		}
		i := 0
		for i < len(sums) && sums[i].Scale != m.Scale {
			i++
		}
		if i == len(sums) {
			sums = append(sums, scaleSum{Scale: m.Scale})
		}
		sums[i].Sum += int64(m.Value) * int64(m.Coef)
		sums[i].Coefs += int64(m.Coef)
	}
	return averageOfSums(sums, bonus)
}

// scaleSum is what the counted, non-bonus marks of one scale bring to a subject average:
// Σ value × coef and Σ coef, in hundredths. PostgreSQL computes them for a whole class
// (store.classSums) so that a pupil's page needs not load every mark of the class.
type scaleSum struct {
	Scale Hundredths
	Sum   int64
	Coefs int64
}

// averageOfSums is SubjectAverage from the sums per scale and the bonus marks (which count
// only if they raise the average, in date order).
func averageOfSums(sums []scaleSum, bonus []Mark) (*big.Rat, bool) {
	var coefs int64
	num := new(big.Rat)
	for _, ps := range sums {
		if ps.Scale <= 0 || ps.Coefs <= 0 {
			continue
		}
		num.Add(num, new(big.Rat).SetFrac64(ps.Sum*20, int64(ps.Scale)*100))
		coefs += ps.Coefs
	}
	if coefs == 0 {
		return nil, false
	}
	den := new(big.Rat).SetFrac64(coefs, 100)
	if len(bonus) > 0 {
		bonus = slices.Clone(bonus)
		sort.SliceStable(bonus, func(i, j int) bool { return bonus[i].Date.Before(bonus[j].Date) })
		for _, m := range bonus {
			cur := new(big.Rat).Quo(num, den)
			n2, d2 := new(big.Rat).Set(num), new(big.Rat).Set(den)
			add(n2, d2, m)
			if new(big.Rat).Quo(n2, d2).Cmp(cur) > 0 {
				num, den = n2, d2
			}
		}
	}
	return num.Quo(num, den), true
}

func add(num, den *big.Rat, m Mark) {
	coef := new(big.Rat).SetFrac64(int64(m.Coef), 100)
	num.Add(num, new(big.Rat).Mul(m.On20(), coef))
	den.Add(den, coef)
}

// Weighted is an average with the coefficient it weighs in a general average.
type Weighted struct {
	Avg  *big.Rat // nil: no average
	Coef Hundredths
}

// GeneralAverage weighs subject averages by their coefficients; subjects without an
// average, or with coefficient 0, count in nothing.
func GeneralAverage(subjects []Weighted) (*big.Rat, bool) {
	num, den := new(big.Rat), new(big.Rat)
	for _, s := range subjects {
		if s.Avg == nil || s.Coef <= 0 {
			continue
		}
		coef := new(big.Rat).SetFrac64(int64(s.Coef), 100)
		num.Add(num, new(big.Rat).Mul(s.Avg, coef))
		den.Add(den, coef)
	}
	if den.Sign() == 0 {
		return nil, false
	}
	return num.Quo(num, den), true
}

// Stats are a class's figures over some values (marks on 20, or pupils' averages).
type Stats struct {
	Avg, Min, Max *big.Rat // nil when Count is 0
	Count         int
}

// StatsOf computes the mean, minimum and maximum of values (nil values are skipped).
func StatsOf(values []*big.Rat) Stats {
	var s Stats
	sum := new(big.Rat)
	for _, v := range values {
		if v == nil {
			continue
		}
		if s.Count == 0 || v.Cmp(s.Min) < 0 {
			s.Min = v
		}
		if s.Count == 0 || v.Cmp(s.Max) > 0 {
			s.Max = v
		}
		sum.Add(sum, v)
		s.Count++
	}
	if s.Count > 0 {
		s.Avg = sum.Quo(sum, new(big.Rat).SetInt64(int64(s.Count)))
	}
	return s
}

// Round2 rounds half-up at the second decimal (display only): 12.345 → 12.35.
func Round2(r *big.Rat) Hundredths {
	x := new(big.Rat).Mul(r, big.NewRat(100, 1))
	n, d := x.Num(), x.Denom()
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	// half-up for positives: add one when the remainder is at least half the denominator
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(d) >= 0 {
		if n.Sign() >= 0 {
			q.Add(q, big.NewInt(1))
		} else {
			q.Sub(q, big.NewInt(1))
		}
	}
	return Hundredths(q.Int64())
}

// French writes an exact value with two decimals and a decimal comma: 12,50.
func French(r *big.Rat) string {
	if r == nil {
		return "–"
	}
	return Round2(r).String()
}

// String is the value with two decimals and a comma: 1250 → "12,50".
func (h Hundredths) String() string {
	sign := ""
	if h < 0 {
		sign, h = "-", -h
	}
	return fmt.Sprintf("%s%d,%02d", sign, h/100, h%100)
}

// Short drops useless decimals: 2000 → "20", 1250 → "12,5", 1225 → "12,25".
func (h Hundredths) Short() string {
	s := h.String()
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ",")
}

// ParseHundredths reads "12", "12,5", "12.25" (two decimals at most).
func ParseHundredths(s string) (Hundredths, bool) {
	s = strings.TrimSpace(strings.Replace(s, ",", ".", 1))
	if s == "" || strings.Count(s, ".") > 1 {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, false // "." alone is not a number
	}
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || len(whole) > 4 {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var v int64
	for _, c := range whole + frac {
		v = v*10 + int64(c-'0')
	}
	return Hundredths(v), true
}
