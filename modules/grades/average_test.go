package grades

import (
	"math/big"
	"strings"
	"testing"
	"time"
)

// The expected values below are worked by hand in the comments; they are written as exact
// fractions ("41/4") so that no float can hide a rounding.

// rat reads "13", "10.25" or "31/3" exactly.
func avgRat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad rational %q in the test", s)
	}
	return r
}

// day is the n-th day of September 2026 (bonus marks are taken in date order).
func avgDay(n int) time.Time { return time.Date(2026, time.September, n, 0, 0, 0, 0, time.UTC) }

// val is a mark value on scale with coefficient coef (all in hundredths).
func avgMark(v, scale, coef Hundredths) Mark { return Mark{Value: v, Scale: scale, Coef: coef} }

func avgBonus(v Hundredths, d int) Mark {
	return Mark{Value: v, Scale: 2000, Coef: 100, Bonus: true, Date: avgDay(d)}
}

func avgCode(c string) Mark { return Mark{Code: c, Scale: 2000, Coef: 100} }

func TestSubjectAverage(t *testing.T) {
	tests := []struct {
		name  string
		marks []Mark
		want  string // exact average; "" when the subject has no average
	}{
		// (12×2 + 15×1) / (2+1) = 39/3 = 13
		{"coefficients", []Mark{avgMark(1200, 2000, 200), avgMark(1500, 2000, 100)}, "13"},
		// 7/10 → 14/20 and 30/40 → 15/20: (14 + 15) / 2 = 14.5
		{"scales /10 and /40 normalised to /20", []Mark{avgMark(700, 1000, 100), avgMark(3000, 4000, 100)}, "29/2"},
		// 12,5/12,5 → 20/20
		{"decimal scale", []Mark{avgMark(1250, 1250, 100)}, "20"},
		// 10×0.5 + 16×1 = 21, / 1.5 = 14
		{"decimal coefficient", []Mark{avgMark(1000, 2000, 50), avgMark(1600, 2000, 100)}, "14"},
		// 10, 10, 11 → 31/3 = 10.333…
		{"thirds stay exact", []Mark{avgMark(1000, 2000, 100), avgMark(1000, 2000, 100), avgMark(1100, 2000, 100)}, "31/3"},
		// 0/20 is a mark: (0 + 10) / 2 = 5
		{"zero is a mark", []Mark{avgMark(0, 2000, 100), avgMark(1000, 2000, 100)}, "5"},
		// base 10 and 12 → 11; bonus 15 → (10+12+15)/3 = 37/3 > 11: taken
		{"bonus that raises the average", []Mark{avgMark(1000, 2000, 100), avgMark(1200, 2000, 100), avgBonus(1500, 3)}, "37/3"},
		// base 10 and 12 → 11; bonus 8 → 30/3 = 10 < 11: ignored
		{"bonus lower than the average is ignored", []Mark{avgMark(1000, 2000, 100), avgMark(1200, 2000, 100), avgBonus(800, 3)}, "11"},
		// base 11; bonus 11 → 11, does not raise: ignored (same result either way)
		{"bonus equal to the average", []Mark{avgMark(1100, 2000, 100), avgBonus(1100, 3)}, "11"},
		// a bonus alone has no average to raise
		{"bonus alone does not count", []Mark{avgBonus(1800, 3)}, ""},
		{"bonus with only Abs does not count", []Mark{avgCode(CodeAbsent), avgBonus(1800, 3)}, ""},
		// base 10; in date order: bonus 14 (day 2) → 24/2 = 12 > 10 taken; bonus 11 (day 5) →
		// 35/3 = 11.67 < 12 ignored: 12. Given out of order, they must still be taken by date.
		{"bonuses in date order", []Mark{avgBonus(1100, 5), avgMark(1000, 2000, 100), avgBonus(1400, 2)}, "12"},
		// base 10; bonus 11 (day 2) → 21/2 = 10.5 > 10 taken; bonus 14 (day 5) → 35/3 > 10.5 taken
		{"bonuses in date order, other order", []Mark{avgBonus(1400, 5), avgMark(1000, 2000, 100), avgBonus(1100, 2)}, "35/3"},
		{"all Abs: no average, not 0", []Mark{avgCode(CodeAbsent), avgCode(CodeAbsent)}, ""},
		// Abs, Disp and NN count in nothing: 12 alone
		{"Abs Disp NN count in nothing", []Mark{avgMark(1200, 2000, 100), avgCode(CodeAbsent), avgCode(CodeDispensed), avgCode(CodeNotMarked)}, "12"},
		// a code with a stray value still counts in nothing
		{"code wins over a value", []Mark{avgMark(1200, 2000, 100), {Value: 0, Code: CodeAbsent, Scale: 2000, Coef: 100}}, "12"},
		// 12 coef 1 + 4 coef 0: the coef-0 mark counts in nothing → 12
		{"coefficient 0 counts in nothing", []Mark{avgMark(1200, 2000, 100), avgMark(400, 2000, 0)}, "12"},
		{"all coefficients 0: no average", []Mark{avgMark(1200, 2000, 0), avgMark(400, 2000, 0)}, ""},
		{"no marks", nil, ""},
		// 1.00 and 1.01 → 1.005 exactly (as a float 1.005 is 1.00499…)
		{"no float drift on halves", []Mark{avgMark(100, 2000, 100), avgMark(101, 2000, 100)}, "201/200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := SubjectAverage(tt.marks)
			if tt.want == "" {
				if ok || got != nil {
					t.Fatalf("SubjectAverage = %v, %v; want no average", got, ok)
				}
				return
			}
			if !ok || got == nil {
				t.Fatalf("SubjectAverage: no average; want %s", tt.want)
			}
			if got.Cmp(avgRat(t, tt.want)) != 0 {
				t.Fatalf("SubjectAverage = %s; want %s", got.RatString(), tt.want)
			}
		})
	}
}

// TestSubjectAverageManyTenths sums a thousand marks 0.10, 0.20, 0.30 (…) exactly: as floats
// their sum drifts, here the mean is exactly 0.2.
func TestSubjectAverageManyTenths(t *testing.T) {
	var marks []Mark
	for i := 0; i < 999; i++ {
		marks = append(marks, avgMark(Hundredths(10*(i%3+1)), 2000, 10)) // coefficient 0.1 too
	}
	got, ok := SubjectAverage(marks)
	if !ok || got.Cmp(big.NewRat(1, 5)) != 0 {
		t.Fatalf("mean of 333 × (0.1, 0.2, 0.3) = %v; want exactly 1/5", got)
	}
	if s := French(got); s != "0,20" {
		t.Fatalf("French = %q; want 0,20", s)
	}
}

func TestSubjectAverageDoesNotChangeItsInput(t *testing.T) {
	marks := []Mark{avgBonus(1400, 5), avgMark(1000, 2000, 100), avgBonus(1100, 2)}
	before := append([]Mark(nil), marks...)
	SubjectAverage(marks)
	for i := range marks {
		if marks[i] != before[i] {
			t.Fatalf("mark %d changed: %+v, was %+v", i, marks[i], before[i])
		}
	}
}

func TestGeneralAverage(t *testing.T) {
	tests := []struct {
		name     string
		subjects []Weighted
		want     string
	}{
		// (12×3 + 15×1) / 4 = 51/4 = 12.75
		{"weighted by subject coefficients", []Weighted{{avgRat(t, "12"), 300}, {avgRat(t, "15"), 100}}, "51/4"},
		// the coefficient-0 subject (2) is excluded: (12 + 15) / 2
		{"coefficient 0 subject excluded", []Weighted{{avgRat(t, "12"), 100}, {avgRat(t, "15"), 100}, {avgRat(t, "2"), 0}}, "27/2"},
		// a subject without average is excluded even with a coefficient
		{"subject without average excluded", []Weighted{{avgRat(t, "12"), 100}, {nil, 500}}, "12"},
		// 13 coef 1 and 14.5 coef 1 → 13.75
		{"equal coefficients", []Weighted{{avgRat(t, "13"), 100}, {avgRat(t, "29/2"), 100}}, "55/4"},
		// 31/3 coef 0.5 and 12 coef 1: (31/6 + 12) / 1.5 = (103/6) / (3/2) = 103/9
		{"exact thirds and half coefficient", []Weighted{{avgRat(t, "31/3"), 50}, {avgRat(t, "12"), 100}}, "103/9"},
		{"no subject", nil, ""},
		{"only subjects without average", []Weighted{{nil, 100}}, ""},
		{"only coefficient 0", []Weighted{{avgRat(t, "12"), 0}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := GeneralAverage(tt.subjects)
			if tt.want == "" {
				if ok || got != nil {
					t.Fatalf("GeneralAverage = %v, %v; want none", got, ok)
				}
				return
			}
			if !ok || got.Cmp(avgRat(t, tt.want)) != 0 {
				t.Fatalf("GeneralAverage = %v, %v; want %s", got, ok, tt.want)
			}
		})
	}
}

func TestGeneralAverageDoesNotChangeSubjectAverages(t *testing.T) {
	a, b := avgRat(t, "12"), avgRat(t, "15")
	GeneralAverage([]Weighted{{a, 300}, {b, 100}})
	if a.Cmp(avgRat(t, "12")) != 0 || b.Cmp(avgRat(t, "15")) != 0 {
		t.Fatalf("subject averages changed: %s, %s", a.RatString(), b.RatString())
	}
}

func TestStatsOf(t *testing.T) {
	// 12, 8, (nil), 15.5: mean 35.5/3 = 71/6 = 11.8333…, min 8, max 15.5, 3 values
	vals := []*big.Rat{avgRat(t, "12"), avgRat(t, "8"), nil, avgRat(t, "31/2")}
	s := StatsOf(vals)
	if s.Count != 3 || s.Avg.Cmp(avgRat(t, "71/6")) != 0 || s.Min.Cmp(avgRat(t, "8")) != 0 || s.Max.Cmp(avgRat(t, "31/2")) != 0 {
		t.Fatalf("StatsOf = count %d avg %v min %v max %v; want 3, 71/6, 8, 31/2", s.Count, s.Avg, s.Min, s.Max)
	}
	if French(s.Avg) != "11,83" {
		t.Fatalf("French(avg) = %q; want 11,83", French(s.Avg))
	}
	if vals[0].Cmp(avgRat(t, "12")) != 0 || vals[1].Cmp(avgRat(t, "8")) != 0 || vals[3].Cmp(avgRat(t, "31/2")) != 0 {
		t.Fatal("StatsOf changed its input")
	}

	// one value: it is the mean, the min and the max
	one := StatsOf([]*big.Rat{avgRat(t, "31/3")})
	if one.Count != 1 || one.Avg.Cmp(avgRat(t, "31/3")) != 0 || one.Min.Cmp(one.Max) != 0 {
		t.Fatalf("StatsOf(one) = %+v", one)
	}

	for name, in := range map[string][]*big.Rat{"empty": nil, "only nil": {nil, nil}} {
		s := StatsOf(in)
		if s.Count != 0 || s.Avg != nil || s.Min != nil || s.Max != nil {
			t.Fatalf("StatsOf(%s) = %+v; want zero stats with nil figures", name, s)
		}
	}
}

func TestRound2(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12.345", "12,35"}, // half-up
		{"12.344", "12,34"},
		{"12.3449999", "12,34"},
		{"13.335", "13,34"}, // a float would say 13.334999…
		{"1.005", "1,01"},   // a float would say 1.00499…
		{"2/3", "0,67"},
		{"1/3", "0,33"},
		{"31/3", "10,33"},
		{"1/200", "0,01"},   // 0.005 → 0.01
		{"1/201", "0,00"},   // just under 0.005
		{"99/8", "12,38"},   // 12.375
		{"277/24", "11,54"}, // 11.541666…
		{"0", "0,00"},
		{"20", "20,00"},
		{"25/2", "12,50"},
		{"1999/100", "19,99"},
		{"39999/2000", "20,00"}, // 19.9995 rounds up to 20.00
	}
	for _, tt := range tests {
		if got := Round2(avgRat(t, tt.in)).String(); got != tt.want {
			t.Errorf("Round2(%s) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestFrench(t *testing.T) {
	tests := []struct {
		in   *big.Rat
		want string
	}{
		{nil, "–"},
		{avgRat(t, "31/3"), "10,33"},
		{avgRat(t, "12.345"), "12,35"},
		{avgRat(t, "2/3"), "0,67"},
		{avgRat(t, "13.335"), "13,34"},
		{avgRat(t, "12.5"), "12,50"},
		{avgRat(t, "7"), "7,00"},
		{avgRat(t, "0.05"), "0,05"},
	}
	for _, tt := range tests {
		if got := French(tt.in); got != tt.want {
			t.Errorf("French(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFrenchHundredthsStringAndShort(t *testing.T) {
	tests := []struct {
		h          Hundredths
		str, short string
	}{
		{1250, "12,50", "12,5"},
		{1225, "12,25", "12,25"},
		{2000, "20,00", "20"},
		{1000, "10,00", "10"},
		{5, "0,05", "0,05"},
		{50, "0,50", "0,5"},
		{0, "0,00", "0"},
		{100000, "1000,00", "1000"},
		{-150, "-1,50", "-1,5"},
	}
	for _, tt := range tests {
		if got := tt.h.String(); got != tt.str {
			t.Errorf("Hundredths(%d).String() = %q; want %q", int64(tt.h), got, tt.str)
		}
		if got := tt.h.Short(); got != tt.short {
			t.Errorf("Hundredths(%d).Short() = %q; want %q", int64(tt.h), got, tt.short)
		}
	}
}

func TestParseHundredths(t *testing.T) {
	good := []struct {
		in   string
		want Hundredths
	}{
		{"12", 1200},
		{"12,5", 1250},
		{"12.25", 1225},
		{",5", 50},
		{".5", 50},
		{"0", 0},
		{"0,05", 5},
		{"20,00", 2000},
		{" 12,5 ", 1250},
		{"9999,99", 999999},
		{"007", 700},
	}
	for _, tt := range good {
		got, ok := ParseHundredths(tt.in)
		if !ok || got != tt.want {
			t.Errorf("ParseHundredths(%q) = %d, %v; want %d, true", tt.in, int64(got), ok, int64(tt.want))
		}
	}
	bad := []string{
		"12,5,3", "12.5.3", "12,5.3", "1e3", "12.345", "12,345", "-1", "-0,5", "+1", "abc", "",
		"   ", "12 5", "1 2,5", "10000", "0x10", "½", "12,5a", "١٢", // Arabic-Indic digits
		".", ",", // no digit at all is not a number
	}
	for _, in := range bad {
		if got, ok := ParseHundredths(in); ok {
			t.Errorf("ParseHundredths(%q) = %d, true; want refused", in, int64(got))
		}
	}
}

func TestParseMark(t *testing.T) {
	type want struct {
		value *Hundredths
		code  string
		msg   []string // parts the message must contain; nil: accepted
	}
	h := func(v Hundredths) *Hundredths { return &v }
	tests := []struct {
		in    string
		scale Hundredths
		want  want
	}{
		{"20", 2000, want{value: h(2000)}},
		{"0", 2000, want{value: h(0)}},
		{"12,5", 2000, want{value: h(1250)}},
		{"12.25", 2000, want{value: h(1225)}},
		{" 14 ", 2000, want{value: h(1400)}},
		{"21", 2000, want{msg: []string{"21", "barème", "/20"}}},
		{"20,01", 2000, want{msg: []string{"20,01", "barème", "/20"}}},
		{"11", 1000, want{msg: []string{"11", "/10"}}},
		{"7,5", 1000, want{value: h(750)}},
		{"40", 4000, want{value: h(4000)}},
		{"13", 1250, want{msg: []string{"/12,5"}}},
		{"12,5,3", 2000, want{msg: []string{"« 12,5,3 »", "n'est pas une note"}}},
		{"abc", 2000, want{msg: []string{"« abc »", "Abs, Disp ou NN"}}},
		{"-1", 2000, want{msg: []string{"n'est pas une note"}}},
		{"abs", 2000, want{code: CodeAbsent}},
		{"Abs", 2000, want{code: CodeAbsent}},
		{"ABS", 2000, want{code: CodeAbsent}},
		{"a", 2000, want{code: CodeAbsent}},
		{"disp", 2000, want{code: CodeDispensed}},
		{"Disp", 2000, want{code: CodeDispensed}},
		{"NN", 2000, want{code: CodeNotMarked}},
		{"nn", 2000, want{code: CodeNotMarked}},
		{"", 2000, want{}},   // clears the cell
		{"  ", 2000, want{}}, // clears the cell
	}
	for _, tt := range tests {
		v, c, msg := ParseMark(tt.in, tt.scale)
		if tt.want.msg != nil {
			if msg == "" || v != nil || c != "" {
				t.Errorf("ParseMark(%q, /%s) = %v, %q, %q; want refused", tt.in, tt.scale.Short(), v, c, msg)
			}
			for _, part := range tt.want.msg {
				if !strings.Contains(msg, part) {
					t.Errorf("ParseMark(%q, /%s) message %q lacks %q", tt.in, tt.scale.Short(), msg, part)
				}
			}
			continue
		}
		if msg != "" || c != tt.want.code || (v == nil) != (tt.want.value == nil) || (v != nil && *v != *tt.want.value) {
			t.Errorf("ParseMark(%q, /%s) = %v, %q, %q; want %v, %q", tt.in, tt.scale.Short(), v, c, msg, tt.want.value, tt.want.code)
		}
	}
}

func TestMarkCountsAndOn20(t *testing.T) {
	if (Mark{Value: 1000, Scale: 0, Coef: 100}).Counts() {
		t.Error("a mark on a zero scale must not count (it would divide by zero)")
	}
	// 30/40 → 15/20 exactly; 7/12.5 → 11.2/20
	if got := (Mark{Value: 3000, Scale: 4000, Coef: 100}).On20(); got.Cmp(avgRat(t, "15")) != 0 {
		t.Errorf("30/40 on 20 = %s; want 15", got.RatString())
	}
	if got := (Mark{Value: 700, Scale: 1250, Coef: 100}).On20(); got.Cmp(avgRat(t, "56/5")) != 0 {
		t.Errorf("7/12.5 on 20 = %s; want 56/5", got.RatString())
	}
}

func TestAveragePeriodLabelAndContains(t *testing.T) {
	p := Period{Kind: KindTrimestre, Number: 1, StartsOn: avgDay(1), EndsOn: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	if p.Label() != "1er trimestre" {
		t.Errorf("Label = %q", p.Label())
	}
	if (Period{Kind: KindSemestre, Number: 2}).Label() != "2e semestre" {
		t.Errorf("Label of the 2nd semestre = %q", (Period{Kind: KindSemestre, Number: 2}).Label())
	}
	for d, want := range map[time.Time]bool{
		avgDay(1): true, time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC): true,
		time.Date(2026, 8, 31, 23, 0, 0, 0, time.UTC): false, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC): false,
	} {
		if p.Contains(d) != want {
			t.Errorf("Contains(%s) = %v; want %v", d, !want, want)
		}
	}
}
