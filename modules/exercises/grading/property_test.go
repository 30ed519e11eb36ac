package grading

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	q "github.com/cartable-ent/cartable/modules/exercises/question"
)

// gen builds random questions whose right answers are marked « SOLn » (a text nothing else
// holds) and random responses to them.
type gen struct {
	rnd *rand.Rand
	n   int
}

func (g *gen) sol() string { g.n++; return fmt.Sprintf("SOL%d", g.n) }

var weights = []q.Fraction{q.FullMark, q.FullMark / 2, 3_333_333, 0, -q.FullMark / 2, -q.FullMark, q.FullMark / 4}

func (g *gen) fraction() q.Fraction { return weights[g.rnd.IntN(len(weights))] }

func (g *gen) answers(kind q.Type) []q.Answer {
	n := 1 + g.rnd.IntN(5)
	out := make([]q.Answer, n)
	for i := range out {
		a := q.Answer{Fraction: g.fraction(), Feedback: txt(fmt.Sprintf("retour %d", i))}
		switch kind {
		case q.Numerical:
			if g.rnd.IntN(6) == 0 {
				a.Value = "*"
			} else {
				a.Value = q.Decimal(fmt.Sprintf("%d.%04d", 9000+g.rnd.IntN(1000), g.rnd.IntN(10000)))
				a.Tolerance = q.Decimal(fmt.Sprintf("0.%03d", g.rnd.IntN(1000)))
			}
		case q.ShortAnswer:
			s := g.sol()
			switch g.rnd.IntN(4) {
			case 0:
				s += "*"
			case 1:
				s = "*" + s + " * fin"
			}
			a.Text = txt(s)
		default:
			a.Text = txt(g.sol())
		}
		out[i] = a
	}
	if i := g.rnd.IntN(n); g.rnd.IntN(4) != 0 {
		out[i].Fraction = q.FullMark
	}
	return out
}

func (g *gen) question() q.Question {
	t := q.Types[g.rnd.IntN(len(q.Types))]
	qu := q.Question{Type: t, Text: txt("énoncé"), CaseSensitive: g.rnd.IntN(2) == 0}
	if g.rnd.IntN(2) == 0 {
		qu.GeneralFeedback = txt("retour général")
	}
	switch t {
	case q.SingleChoice, q.MultipleChoice, q.ShortAnswer, q.Numerical:
		qu.Answers = g.answers(t)
	case q.TrueFalse:
		qu.Correct = g.rnd.IntN(2) == 0
		qu.TrueFeedback, qu.FalseFeedback = txt("si vrai"), txt("si faux")
	case q.Matching:
		for i := 0; i < 2+g.rnd.IntN(4); i++ {
			p := q.Pair{Question: txt(fmt.Sprintf("question %d", i)), Answer: g.sol()}
			if g.rnd.IntN(5) == 0 {
				p.Question = q.Text{}
			}
			qu.Pairs = append(qu.Pairs, p)
		}
	case q.Ordering:
		for i := 0; i < 2+g.rnd.IntN(5); i++ {
			qu.Items = append(qu.Items, txt(g.sol()))
		}
	case q.Blanks:
		kinds := []q.Type{q.ShortAnswer, q.Numerical, q.SingleChoice}
		for i := 0; i < 1+g.rnd.IntN(4); i++ {
			k := kinds[g.rnd.IntN(len(kinds))]
			qu.Blanks = append(qu.Blanks, q.Blank{Kind: k, Points: g.rnd.IntN(4), Answers: g.answers(k), CaseSensitive: g.rnd.IntN(2) == 0})
		}
	}
	return qu
}

// text is a typed text: often one of the answers (changed a little), sometimes garbage.
func (g *gen) text(answers []q.Answer) string {
	if len(answers) > 0 && g.rnd.IntN(3) != 0 {
		a := answers[g.rnd.IntN(len(answers))]
		s := a.Text.Text
		if a.Value != "" {
			s = strings.ReplaceAll(string(a.Value), ".", ",")
		}
		switch g.rnd.IntN(4) {
		case 0:
			s = strings.ToLower(s)
		case 1:
			s = "  " + strings.ReplaceAll(s, "*", "xyz") + " "
		}
		return s
	}
	return []string{"", "rien", "9500,5", "9 500", "-1", "1e2", "zzz"}[g.rnd.IntN(7)]
}

func (g *gen) response(qu q.Question) q.Response {
	var r q.Response
	switch qu.Type {
	case q.SingleChoice, q.MultipleChoice:
		for i := 0; i < g.rnd.IntN(len(qu.Answers)+2); i++ {
			r.Choices = append(r.Choices, g.rnd.IntN(len(qu.Answers)+2)-1)
		}
	case q.TrueFalse:
		if g.rnd.IntN(3) != 0 {
			r.Bool = ptr(g.rnd.IntN(2) == 0)
		}
	case q.ShortAnswer, q.Numerical, q.Essay:
		r.Text = g.text(qu.Answers)
	case q.Matching:
		for range g.rnd.IntN(len(qu.Pairs) + 2) {
			r.Matches = append(r.Matches, qu.Pairs[g.rnd.IntN(len(qu.Pairs))].Answer)
		}
	case q.Ordering:
		r.Order = g.rnd.Perm(len(qu.Items))
		if g.rnd.IntN(4) == 0 {
			r.Order = append(r.Order[:g.rnd.IntN(len(r.Order))], 99)
		}
	case q.Blanks:
		for _, b := range qu.Blanks[:g.rnd.IntN(len(qu.Blanks)+1)] {
			r.Blanks = append(r.Blanks, g.text(b.Answers))
		}
	}
	return r
}

var solMarker = regexp.MustCompile(`(?i)SOL\d+`)

// TestGradeProperties grades thousands of random responses to random questions: the score
// is always in [0, 1]; the result never holds a right answer the pupil did not give; the
// answer key's response scores at least as much as any other, and full marks when the
// question has a full-mark answer everywhere.
func TestGradeProperties(t *testing.T) {
	g := &gen{rnd: rand.New(rand.NewPCG(13, 5))}
	for i := 0; i < 3000; i++ {
		qu := g.question()
		key := Solution(qu)
		best := Grade(qu, key.Response)
		for j := 0; j < 5; j++ {
			r := g.response(qu)
			res := Grade(qu, r)
			where := func() string {
				qj, _ := json.Marshal(qu)
				rj, _ := json.Marshal(r)
				return fmt.Sprintf("question %s\nresponse %s", qj, rj)
			}
			if res.Graded != (qu.Type != q.Essay) {
				t.Fatalf("graded = %v for %s", res.Graded, qu.Type)
			}
			if res.Graded && (res.Score == nil || res.Score.Sign() < 0 || res.Score.Cmp(one) > 0) {
				t.Fatalf("score %v out of [0, 1]\n%s", res.Score, where())
			}
			if res.Graded && best.Score.Cmp(res.Score) < 0 {
				t.Fatalf("the answer key scores %s, less than %s\n%s", best.Score.RatString(), res.Score.RatString(), where())
			}
			shown, _ := json.Marshal(res)
			given, _ := json.Marshal(r)
			gave := map[string]bool{}
			for _, m := range solMarker.FindAllString(string(given), -1) {
				gave[strings.ToUpper(m)] = true
			}
			for _, m := range solMarker.FindAllString(string(shown), -1) {
				if !gave[strings.ToUpper(m)] {
					t.Fatalf("the result shows %s, a right answer the pupil did not give: %s\n%s", m, shown, where())
				}
			}
		}
		if fullMarks(qu) && best.Score.Cmp(one) != 0 {
			kj, _ := json.Marshal(key)
			qj, _ := json.Marshal(qu)
			t.Fatalf("the answer key scores %s, want 1\nquestion %s\nkey %s", best.Score.RatString(), qj, kj)
		}
	}
}

// fullMarks tells whether the best response to qu earns full marks.
func fullMarks(qu q.Question) bool {
	has := func(as []q.Answer) bool {
		for _, a := range as {
			if a.Fraction == q.FullMark {
				return true
			}
		}
		return false
	}
	switch qu.Type {
	case q.SingleChoice, q.ShortAnswer, q.Numerical:
		return has(qu.Answers)
	case q.MultipleChoice:
		var sum q.Fraction
		for _, a := range qu.Answers {
			if a.Fraction > 0 {
				sum += a.Fraction
			}
		}
		return sum >= q.FullMark
	case q.TrueFalse, q.Ordering:
		return true
	case q.Matching:
		for _, p := range qu.Pairs {
			if !p.Question.IsZero() {
				return true
			}
		}
		return false
	case q.Blanks:
		for _, b := range qu.Blanks {
			if !has(b.Answers) {
				return false
			}
		}
		return true
	}
	return false
}

func TestSolution(t *testing.T) {
	qu := q.Question{Type: q.ShortAnswer, Answers: []q.Answer{
		{Text: txt("a * b"), Fraction: pct(50)},
		{Text: txt(`* 2\*3 *`), Fraction: q.FullMark},
		{Text: txt("faux")},
	}}
	key := Solution(qu)
	if key.Response.Text != "… 2*3 …" || len(key.Accepted) != 2 || key.Accepted[0].Fraction != q.FullMark {
		t.Fatalf("key = %+v", key)
	}
	check(t, Grade(qu, key.Response), "1", Right)
	num := q.Question{Type: q.Numerical, Answers: []q.Answer{{Value: "*", Fraction: pct(10)}, {Value: "1.5", Tolerance: "0.5", Fraction: q.FullMark}, {Value: "oops", Fraction: q.FullMark}}}
	key = Solution(num)
	if key.Response.Text != "1.5" || len(key.Accepted) != 2 {
		t.Fatalf("numerical key = %+v", key)
	}
	mc := Solution(q.Question{Type: q.MultipleChoice, Answers: []q.Answer{{Fraction: pct(50)}, {Fraction: -q.FullMark}, {Fraction: pct(50)}}})
	if fmt.Sprint(mc.Response.Choices) != "[0 2]" {
		t.Fatalf("multiple choice key = %+v", mc)
	}
}

// BenchmarkGrade35x20 grades a class's attempts: 35 pupils, 20 questions of mixed types
// (the speed target of issue 13: under 50 ms).
func BenchmarkGrade35x20(b *testing.B) {
	g := &gen{rnd: rand.New(rand.NewPCG(35, 20))}
	qs := make([]q.Question, 20)
	points := make([]*big.Rat, 20)
	auto := []q.Type{q.SingleChoice, q.MultipleChoice, q.TrueFalse, q.ShortAnswer, q.Numerical, q.Matching, q.Ordering, q.Blanks}
	for i := range qs {
		qu := g.question()
		for qu.Type != auto[i%len(auto)] { // every automatically graded type, in turn
			qu = g.question()
		}
		qs[i], points[i] = qu, big.NewRat(int64(1+i%4), 1)
	}
	attempts := make([][]q.Response, 35)
	for p := range attempts {
		attempts[p] = make([]q.Response, len(qs))
		for i, qu := range qs {
			attempts[p][i] = g.response(qu)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, rs := range attempts {
			GradeAttempt(qs, points, rs)
		}
	}
}

// FuzzParseNumber: any text is read or refused with the French message, never a panic; a
// number read with a comma is the same read with a point.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"3,14", "-2", "1 000,5", "1,5e3", "2E-4", "−7", "abc", ",", "9e400", "1\u00a0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseNumber(s)
		if err != nil {
			if !strings.Contains(err.Error(), "ce n'est pas un nombre") {
				t.Fatalf("ParseNumber(%q): %v", s, err)
			}
			return
		}
		if !strings.Contains(s, ".") {
			r2, err := ParseNumber(strings.ReplaceAll(s, ",", "."))
			if err != nil || r2.Cmp(r) != 0 {
				t.Fatalf("ParseNumber(%q) = %s, with a point: %v %v", s, r.RatString(), r2, err)
			}
		}
	})
}

// FuzzShortAnswer: any accepted answer and typed text are compared without a panic, and
// the answer key's text of an accepted answer matches it, case kept or not.
func FuzzShortAnswer(f *testing.F) {
	f.Add("Par*s", "paris", false)
	f.Add(`* 2\*3 **`, "x 2*3 y", true)
	f.Add("  élève ", "E\u0301le\u0300ve", false)
	f.Fuzz(func(t *testing.T, answer, typed string, caseSensitive bool) {
		qu := q.Question{Type: q.ShortAnswer, CaseSensitive: caseSensitive, Answers: []q.Answer{{Text: txt(answer), Fraction: q.FullMark}}}
		Grade(qu, q.Response{Text: typed})
		key := Solution(qu)
		if normalize(key.Response.Text) == "" {
			return // an answer of spaces and stars: nothing typed matches it
		}
		if res := Grade(qu, key.Response); res.Score.Cmp(one) != 0 {
			t.Fatalf("answer %q: the key's text %q scores %s", answer, key.Response.Text, res.Score.RatString())
		}
	})
}
