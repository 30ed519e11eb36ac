package grading

import (
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// maxNumberLen bounds what ParseNumber reads: a longer text is not a pupil's number (and
// a million digits would cost time to read).
const maxNumberLen = 100

// maxExponent bounds a number's power of ten (1e400 is already beyond any float).
const maxExponent = 400

// ParseNumber reads a number typed by a pupil, exactly. It accepts a sign (« - », « + » or
// the minus sign « − »), a decimal comma or point (« 3,14 », « 3.14 », « ,5 », « 5. »),
// thousands separated by spaces (« 1 000 000,5 », ordinary or non-breaking spaces,
// groups of three digits), and a power of ten (« 1,5e3 », « 2E-4 », Moodle accepts them).
// A comma is always the decimal separator (« 1,000 » is one), so a text holding both a
// comma and a point is refused, like anything else that is not a number.
func ParseNumber(s string) (*big.Rat, error) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	if t == "" || len(t) > maxNumberLen {
		return nil, notNumber(s)
	}
	neg := false
	switch {
	case strings.HasPrefix(t, "-"), strings.HasPrefix(t, "+"):
		neg = t[0] == '-'
		t = t[1:]
	case strings.HasPrefix(t, "−"): // U+2212, what some keyboards type
		neg = true
		t = t[len("−"):]
	}
	mant, e := t, 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		var ok bool
		if e, ok = exponent(t[i+1:]); !ok {
			return nil, notNumber(s)
		}
		mant = t[:i]
	}
	intPart, fracPart := mant, ""
	if i := strings.IndexAny(mant, ".,"); i >= 0 {
		intPart, fracPart = mant[:i], mant[i+1:]
	}
	intDigits, ok := groupedDigits(intPart)
	if !ok || !allDigits(fracPart) || intDigits+fracPart == "" {
		return nil, notNumber(s)
	}
	num, ok := new(big.Int).SetString("0"+intDigits+fracPart, 10)
	if !ok {
		return nil, notNumber(s)
	}
	if neg {
		num.Neg(num)
	}
	e -= len(fracPart)
	r := new(big.Rat).SetInt(num)
	if e != 0 {
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(e))), nil)
		if e > 0 {
			r.Mul(r, new(big.Rat).SetInt(p))
		} else {
			r.Quo(r, new(big.Rat).SetInt(p))
		}
	}
	return r, nil
}

// notNumber is the error of a text that is not a number, in French for the pupil.
func notNumber(s string) error {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		s = string([]rune(s)[:min(len([]rune(s)), 40)]) + "…"
	}
	return fmt.Errorf("« %s » : ce n'est pas un nombre ; écrivez par exemple 3,14 ou -2", s)
}

// groupedDigits is the digits of an integer part, written plainly (« 1000 ») or in groups
// of three separated by one space (« 1 000 »); an empty part is allowed (« ,5 »).
func groupedDigits(s string) (string, bool) {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s, allDigits(s)
	}
	groups := strings.FieldsFunc(s, unicode.IsSpace)
	var b strings.Builder
	for i, g := range groups {
		if !allDigits(g) || g == "" || (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
			return "", false
		}
		b.WriteString(g)
	}
	// exactly one space between groups, none before or after (FieldsFunc skips those)
	spaces := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			spaces++
		}
	}
	if spaces != len(groups)-1 {
		return "", false
	}
	return b.String(), true
}

// allDigits tells whether s holds ASCII digits only (the empty string does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// exponent reads a power of ten: an optional sign and digits, at most maxExponent.
func exponent(s string) (int, bool) {
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || !allDigits(s) || len(s) > 3 {
		return 0, false
	}
	e := 0
	for i := 0; i < len(s); i++ {
		e = e*10 + int(s[i]-'0')
	}
	if e > maxExponent {
		return 0, false
	}
	if neg {
		e = -e
	}
	return e, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// interval is a numerical answer's accepted interval; any is an answer « * ».
type interval struct {
	lo, hi *big.Rat
	any    bool
}

// answerInterval reads a numerical answer's interval [Value − |Tolerance|, Value +
// |Tolerance|]; ok is false when the answer's numbers cannot be read (a broken bank: that
// answer accepts nothing).
func answerInterval(a question.Answer) (interval, bool) {
	if strings.TrimSpace(string(a.Value)) == "*" {
		return interval{any: true}, true
	}
	v, err := a.Value.Rat()
	if err != nil {
		return interval{}, false
	}
	tol := new(big.Rat)
	if strings.TrimSpace(string(a.Tolerance)) != "" {
		if tol, err = a.Tolerance.Rat(); err != nil {
			return interval{}, false
		}
		tol.Abs(tol)
	}
	return interval{lo: new(big.Rat).Sub(v, tol), hi: new(big.Rat).Add(v, tol)}, true
}

func (iv interval) holds(x *big.Rat) bool {
	return iv.any || (iv.lo.Cmp(x) <= 0 && x.Cmp(iv.hi) <= 0)
}

// bestNumerical is the answer with the best fraction whose interval holds the typed
// number; note is the pupil's note when the text is not a number.
func bestNumerical(answers []question.Answer, typed string) (a question.Answer, ok bool, note question.Text) {
	x, err := ParseNumber(typed)
	if err != nil {
		return question.Answer{}, false, question.Text{Text: err.Error(), Format: question.Plain}
	}
	best, found := 0, false
	for i, a := range answers {
		if found && a.Fraction <= answers[best].Fraction {
			continue
		}
		if iv, ok := answerInterval(a); ok && iv.holds(x) {
			best, found = i, true
		}
	}
	if !found {
		return question.Answer{}, false, question.Text{}
	}
	return answers[best], true, question.Text{}
}
