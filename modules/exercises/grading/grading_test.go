package grading

import (
	"math/big"
	"strings"
	"testing"

	q "github.com/cartable-ent/cartable/modules/exercises/question"
)

func pct(p int64) q.Fraction { return q.Fraction(p * 100_000) }

func txt(s string) q.Text { return q.Text{Text: s} }

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rat " + s)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

// check asserts a result's score (a big.Rat string such as "1/2"; "" for nil) and mark.
func check(t *testing.T, res Result, score string, mark Mark) {
	t.Helper()
	switch {
	case score == "" && res.Score != nil:
		t.Fatalf("score = %s, want nil", res.Score.RatString())
	case score != "" && res.Score == nil:
		t.Fatalf("score = nil, want %s", score)
	case score != "" && res.Score.Cmp(rat(score)) != 0:
		t.Fatalf("score = %s, want %s", res.Score.RatString(), score)
	}
	if res.Mark != mark {
		t.Fatalf("mark = %q, want %q", res.Mark, mark)
	}
}

func feedbackTexts(res Result) []string {
	var out []string
	for _, f := range res.Feedback {
		out = append(out, f.Text)
	}
	return out
}

func TestGradeSingleChoice(t *testing.T) {
	qu := q.Question{Type: q.SingleChoice, GeneralFeedback: txt("Bordeaux est la préfecture."),
		Answers: []q.Answer{
			{Text: txt("Bordeaux"), Fraction: q.FullMark, Feedback: txt("Oui.")},
			{Text: txt("Arcachon"), Fraction: pct(50), Feedback: txt("Presque.")},
			{Text: txt("Paris"), Fraction: pct(-50), Feedback: txt("Non.")},
			{Text: txt("Lyon")},
		}}
	tests := []struct {
		name     string
		choices  []int
		score    string
		mark     Mark
		feedback []string
	}{
		{"right", []int{0}, "1", Right, []string{"Oui.", "Bordeaux est la préfecture."}},
		{"partial", []int{1}, "1/2", Partial, []string{"Presque.", "Bordeaux est la préfecture."}},
		{"negative counts 0", []int{2}, "0", Wrong, []string{"Non.", "Bordeaux est la préfecture."}},
		{"wrong", []int{3}, "0", Wrong, []string{"Bordeaux est la préfecture."}},
		{"none", nil, "0", Wrong, []string{"Bordeaux est la préfecture."}},
		{"out of range", []int{9}, "0", Wrong, []string{"Bordeaux est la préfecture."}},
		{"same twice is one", []int{0, 0}, "1", Right, []string{"Oui.", "Bordeaux est la préfecture."}},
		{"two choices score 0", []int{0, 1}, "0", Wrong, []string{onlyOneChoice.Text, "Bordeaux est la préfecture."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Grade(qu, q.Response{Choices: tt.choices})
			check(t, res, tt.score, tt.mark)
			if got := strings.Join(feedbackTexts(res), "|"); got != strings.Join(tt.feedback, "|") {
				t.Fatalf("feedback = %q, want %q", got, strings.Join(tt.feedback, "|"))
			}
		})
	}
	res := Grade(qu, q.Response{Choices: []int{1}})
	if len(res.Parts) != 1 || res.Parts[0].Index != 1 || res.Parts[0].Mark != Partial || res.Parts[0].Feedback.Text != "Presque." {
		t.Fatalf("parts = %+v, want the chosen answer 1, partial", res.Parts)
	}
}

func TestGradeMultipleChoice(t *testing.T) {
	// Which are prime? 2, 3, 5 are (1/3 each); 4 and 9 take back half.
	third := q.Fraction(3_333_333)
	qu := q.Question{Type: q.MultipleChoice, Answers: []q.Answer{
		{Text: txt("2"), Fraction: third},
		{Text: txt("3"), Fraction: third},
		{Text: txt("4"), Fraction: pct(-50), Feedback: txt("4 = 2 × 2.")},
		{Text: txt("5"), Fraction: third + 1}, // Moodle writes 33.33334 for the last third
		{Text: txt("9"), Fraction: pct(-50)},
	}}
	// GIFT's %33.33333% three times: 99.99999 %, which means 100 %.
	thirds := q.Question{Type: q.MultipleChoice, Answers: []q.Answer{{Fraction: third}, {Fraction: third}, {Fraction: third}, {Fraction: -q.FullMark}}}
	weights := q.Question{Type: q.MultipleChoice, Answers: []q.Answer{
		{Text: txt("a"), Fraction: pct(60)},
		{Text: txt("b"), Fraction: pct(60)},
		{Text: txt("c"), Fraction: pct(-100)},
	}}
	tests := []struct {
		name    string
		qu      q.Question
		choices []int
		score   string
		mark    Mark
	}{
		{"all right", qu, []int{0, 1, 3}, "1", Right},
		{"two of three", qu, []int{0, 1}, "6666666/10000000", Partial},
		{"one right, one wrong: floored at 0", qu, []int{0, 2}, "0", Wrong},
		{"all right and a wrong one", qu, []int{0, 1, 3, 2}, "1/2", Partial},
		{"thirds of 33.33333 %: all right", thirds, []int{0, 1, 2}, "1", Right},
		{"thirds of 33.33333 %: two", thirds, []int{0, 2}, "2/3", Partial},
		{"every answer", qu, []int{0, 1, 2, 3, 4}, "0", Wrong},
		{"only wrong", qu, []int{2, 4}, "0", Wrong},
		{"none", qu, nil, "0", Wrong},
		{"repeated index counts once", qu, []int{0, 0, 0}, "3333333/10000000", Partial},
		{"capped at 100 %", weights, []int{0, 1}, "1", Right},
		{"capped then taken back", weights, []int{0, 1, 2}, "1/5", Partial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, Grade(tt.qu, q.Response{Choices: tt.choices}), tt.score, tt.mark)
		})
	}
	res := Grade(qu, q.Response{Choices: []int{3, 2}})
	want := []Part{{Index: 2, Mark: Wrong, Feedback: txt("4 = 2 × 2.")}, {Index: 3, Mark: Right}}
	if len(res.Parts) != 2 || res.Parts[0] != want[0] || res.Parts[1] != want[1] {
		t.Fatalf("parts = %+v, want %+v", res.Parts, want)
	}
}

func TestGradeTrueFalse(t *testing.T) {
	qu := q.Question{Type: q.TrueFalse, Correct: false, TrueFeedback: txt("Non : la Terre tourne."), FalseFeedback: txt("Exact.")}
	check(t, Grade(qu, q.Response{Bool: ptr(false)}), "1", Right)
	res := Grade(qu, q.Response{Bool: ptr(true)})
	check(t, res, "0", Wrong)
	if got := feedbackTexts(res); len(got) != 1 || got[0] != "Non : la Terre tourne." {
		t.Fatalf("feedback = %q", got)
	}
	res = Grade(qu, q.Response{})
	check(t, res, "0", Wrong)
	if res.Answered || len(res.Feedback) != 0 {
		t.Fatalf("no answer: %+v", res)
	}
}

func TestGradeShortAnswer(t *testing.T) {
	capital := q.Question{Type: q.ShortAnswer, Answers: []q.Answer{
		{Text: txt("Paris"), Fraction: q.FullMark, Feedback: txt("Bien.")},
		{Text: txt("Par*"), Fraction: pct(50), Feedback: txt("Orthographe ?")},
		{Text: txt("*lutèce*"), Fraction: pct(25)},
		{Text: txt("*"), Fraction: 0, Feedback: txt("Relisez le cours.")},
	}}
	cased := capital
	cased.CaseSensitive = true
	accents := q.Question{Type: q.ShortAnswer, Answers: []q.Answer{{Text: txt("élève"), Fraction: q.FullMark}}}
	star := q.Question{Type: q.ShortAnswer, Answers: []q.Answer{{Text: txt(`2\*3`), Fraction: q.FullMark}, {Text: txt("a**b"), Fraction: pct(50)}}}
	tests := []struct {
		name, qu, typed string
		score           string
		feedback        string
	}{
		{"exact", "capital", "Paris", "1", "Bien."},
		{"case ignored", "capital", "PARIS", "1", "Bien."},
		{"spaces trimmed", "capital", "  Paris\t\n", "1", "Bien."},
		{"best match wins over wildcard", "capital", "paris", "1", "Bien."},
		{"wildcard at the end", "capital", "Parisss", "1/2", "Orthographe ?"},
		{"wildcard matches empty", "capital", "Par", "1/2", "Orthographe ?"},
		{"wildcards on both sides", "capital", "Ce fut Lutèce jadis", "1/4", ""},
		{"catch-all", "capital", "Marseille", "0", "Relisez le cours."},
		{"empty matches nothing", "capital", "   ", "0", ""},
		{"case kept: right", "cased", "Paris", "1", "Bien."},
		{"case kept: lower is the catch-all", "cased", "paris", "0", "Relisez le cours."},
		{"case kept: wildcard", "cased", "Parisienne", "1/2", "Orthographe ?"},
		{"accents significant", "accents", "eleve", "0", ""},
		{"accent case ignored", "accents", "ÉLÈVE", "1", ""},
		{"decomposed accents equal", "accents", "e\u0301le\u0300ve", "1", ""},
		{"inner spaces collapsed", "spaces", "le   petit\u00a0chat", "1", ""},
		{"escaped star is literal", "star", "2*3", "1", ""},
		{"escaped star is not a wildcard", "star", "2x3", "0", ""},
		{"double star is one wildcard", "star", "aXYZb", "1/2", ""},
	}
	qs := map[string]q.Question{"capital": capital, "cased": cased, "accents": accents, "star": star,
		"spaces": {Type: q.ShortAnswer, Answers: []q.Answer{{Text: txt(" le petit  chat "), Fraction: q.FullMark}}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Grade(qs[tt.qu], q.Response{Text: tt.typed})
			check(t, res, tt.score, markOf(rat(tt.score)))
			if got := strings.Join(feedbackTexts(res), "|"); got != tt.feedback {
				t.Fatalf("feedback = %q, want %q", got, tt.feedback)
			}
		})
	}
}

func TestGradeNumerical(t *testing.T) {
	pi := q.Question{Type: q.Numerical, GeneralFeedback: txt("π ≈ 3,14159."), Answers: []q.Answer{
		{Value: "3.14", Tolerance: "0.01", Fraction: q.FullMark, Feedback: txt("Bien.")},
		{Value: "3", Tolerance: "0.5", Fraction: pct(50), Feedback: txt("Trop approximatif.")},
	}}
	// GIFT {#1..5}: Value 3, Tolerance 2.
	rangeQ := q.Question{Type: q.Numerical, Answers: []q.Answer{{Value: "3", Tolerance: "2", Fraction: q.FullMark}}}
	anyQ := q.Question{Type: q.Numerical, Answers: []q.Answer{{Value: "42", Fraction: q.FullMark}, {Value: "*", Fraction: pct(10), Feedback: txt("Au moins un nombre.")}}}
	qs := map[string]q.Question{"pi": pi, "range": rangeQ, "any": anyQ}
	tests := []struct {
		name, qu, typed, score string
		feedback               []string
	}{
		{"exact, point", "pi", "3.14", "1", []string{"Bien.", "π ≈ 3,14159."}},
		{"exact, comma", "pi", "3,14", "1", []string{"Bien.", "π ≈ 3,14159."}},
		{"upper edge included", "pi", "3,15", "1", []string{"Bien.", "π ≈ 3,14159."}},
		{"lower edge included", "pi", "3.13", "1", []string{"Bien.", "π ≈ 3,14159."}},
		{"one more decimal outside", "pi", "3,1501", "1/2", []string{"Trop approximatif.", "π ≈ 3,14159."}},
		{"one more decimal below", "pi", "3.1299", "1/2", []string{"Trop approximatif.", "π ≈ 3,14159."}},
		{"second answer edge", "pi", "3.5", "1/2", []string{"Trop approximatif.", "π ≈ 3,14159."}},
		{"outside all", "pi", "3.5000001", "0", []string{"π ≈ 3,14159."}},
		{"garbage", "pi", "trois", "0", []string{"« trois » : ce n'est pas un nombre ; écrivez par exemple 3,14 ou -2", "π ≈ 3,14159."}},
		{"both separators refused", "pi", "3.1,4", "0", []string{"« 3.1,4 » : ce n'est pas un nombre ; écrivez par exemple 3,14 ou -2", "π ≈ 3,14159."}},
		{"no answer", "pi", "", "0", []string{"π ≈ 3,14159."}},
		{"range low edge", "range", "1", "1", nil},
		{"range high edge", "range", "5", "1", nil},
		{"range below", "range", "0,99999", "0", nil},
		{"range above", "range", "5.00001", "0", nil},
		{"range exponent", "range", "4e0", "1", nil},
		{"star accepts any number", "any", "-12,5", "1/10", []string{"Au moins un nombre."}},
		{"star prefers the best", "any", "42", "1", nil},
		{"star refuses garbage", "any", "beaucoup", "0", []string{"« beaucoup » : ce n'est pas un nombre ; écrivez par exemple 3,14 ou -2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Grade(qs[tt.qu], q.Response{Text: tt.typed})
			check(t, res, tt.score, markOf(rat(tt.score)))
			if got, want := strings.Join(feedbackTexts(res), "|"), strings.Join(tt.feedback, "|"); got != want {
				t.Fatalf("feedback = %q, want %q", got, want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	ok := map[string]string{
		"3,14": "157/50", "3.14": "157/50", "-2": "-2", "+2": "2", "−2,5": "-5/2", ",5": "1/2", "5.": "5",
		"1 000": "1000", "1\u00a0000\u202f000,25": "4000001/4", "1,5e3": "1500", "2E-4": "1/5000",
		" 0,1 ": "1/10", "0.30000000000000004": "30000000000000004/100000000000000000",
	}
	for in, want := range ok {
		got, err := ParseNumber(in)
		if err != nil {
			t.Errorf("ParseNumber(%q): %v", in, err)
			continue
		}
		if got.Cmp(rat(want)) != 0 {
			t.Errorf("ParseNumber(%q) = %s, want %s", in, got.RatString(), want)
		}
	}
	for _, in := range []string{"", " ", "abc", "3,1,4", "3.1,4", "1,000.5", "1 00", "10 0000", "1  000", "- 3", "e3", "3e", "3e1000", "1/2", "0x10", "∞", "NaN", "3,14 m", ".", ",", "--3", strings.Repeat("9", 101)} {
		if r, err := ParseNumber(in); err == nil {
			t.Errorf("ParseNumber(%q) = %s, want an error", in, r.RatString())
		} else if !strings.Contains(err.Error(), "ce n'est pas un nombre") {
			t.Errorf("ParseNumber(%q): error %q does not say « ce n'est pas un nombre »", in, err)
		}
	}
}

func TestGradeMatching(t *testing.T) {
	qu := q.Question{Type: q.Matching, Pairs: []q.Pair{
		{Question: txt("France"), Answer: "Paris"},
		{Question: txt("Italie"), Answer: "Rome"},
		{Question: txt("Espagne"), Answer: "Madrid"},
		{Question: txt("Portugal"), Answer: "Lisbonne"},
		{Answer: "Berlin"}, // a distractor
	}}
	res := Grade(qu, q.Response{Matches: []string{"Paris", "Madrid", " Madrid ", "", "Berlin"}})
	check(t, res, "1/2", Partial)
	want := []Part{{Index: 0, Mark: Right}, {Index: 1, Mark: Wrong}, {Index: 2, Mark: Right}, {Index: 3, Mark: Wrong}}
	if len(res.Parts) != len(want) {
		t.Fatalf("parts = %+v, want %+v", res.Parts, want)
	}
	for i := range want {
		if res.Parts[i] != want[i] {
			t.Fatalf("parts = %+v, want %+v", res.Parts, want)
		}
	}
	check(t, Grade(qu, q.Response{Matches: []string{"Paris", "Rome", "Madrid", "Lisbonne"}}), "1", Right)
	check(t, Grade(qu, q.Response{Matches: []string{"Paris"}}), "1/4", Partial)
	res = Grade(qu, q.Response{})
	check(t, res, "0", Wrong)
	if res.Answered || res.Parts != nil {
		t.Fatalf("no answer: %+v", res)
	}
}

func TestGradeOrdering(t *testing.T) {
	qu := q.Question{Type: q.Ordering, Items: []q.Text{txt("Mérovingiens"), txt("Carolingiens"), txt("Capétiens"), txt("Valois"), txt("Bourbons")}}
	tests := []struct {
		name  string
		order []int
		score string
	}{
		{"in order", []int{0, 1, 2, 3, 4}, "1"},
		// absolute position: one swap puts two items out of place
		{"one swap", []int{0, 2, 1, 3, 4}, "3/5"},
		// shifted by one: every item is out of its place though the sequence is almost right
		{"shifted", []int{4, 0, 1, 2, 3}, "0"},
		{"reversed: the middle stays", []int{4, 3, 2, 1, 0}, "1/5"},
		{"short order", []int{0, 1}, "2/5"},
		{"repeated item counts once", []int{0, 0, 0, 0, 0}, "1/5"},
		{"out of range", []int{-1, 7, 2, 3, 4}, "3/5"},
		{"none", nil, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, Grade(qu, q.Response{Order: tt.order}), tt.score, markOf(rat(tt.score)))
		})
	}
	res := Grade(qu, q.Response{Order: []int{0, 2, 1, 3, 4}})
	if len(res.Parts) != 5 || res.Parts[1].Mark != Wrong || res.Parts[3].Mark != Right {
		t.Fatalf("parts = %+v", res.Parts)
	}
}

func TestGradeBlanks(t *testing.T) {
	// « La {{1}} est la capitale de la {{2}}, qui compte {{3}} millions d'habitants en {{4}}. »
	qu := q.Question{Type: q.Blanks, Blanks: []q.Blank{
		{Kind: q.ShortAnswer, Points: 2, Answers: []q.Answer{{Text: txt("ville de Paris"), Fraction: q.FullMark}, {Text: txt("Paris"), Fraction: pct(50), Feedback: txt("Presque.")}}},
		{Kind: q.SingleChoice, Answers: []q.Answer{{Text: txt("France"), Fraction: q.FullMark}, {Text: txt("Belgique"), Feedback: txt("Non.")}}},
		{Kind: q.Numerical, Answers: []q.Answer{{Value: "68", Tolerance: "1", Fraction: q.FullMark}}},
		{Kind: q.ShortAnswer, CaseSensitive: true, Answers: []q.Answer{{Text: txt("Janvier 2024"), Fraction: q.FullMark}}},
	}}
	// weights 2, 1, 1, 1: total 5
	tests := []struct {
		name   string
		blanks []string
		score  string
		marks  []Mark
	}{
		{"all right", []string{"Ville de Paris", "France", "68,5", "Janvier 2024"}, "1", []Mark{Right, Right, Right, Right}},
		{"partial blank, weighted", []string{"paris", "France", "68", "Janvier 2024"}, "4/5", []Mark{Partial, Right, Right, Right}},
		{"choice wrong, case kept", []string{"ville de paris", "Belgique", "67", "janvier 2024"}, "3/5", []Mark{Right, Wrong, Right, Wrong}},
		{"number garbage", []string{"", "", "soixante-huit", ""}, "0", []Mark{Wrong, Wrong, Wrong, Wrong}},
		{"missing blanks", []string{"Ville de Paris"}, "2/5", []Mark{Right, Wrong, Wrong, Wrong}},
		{"nothing", nil, "0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Grade(qu, q.Response{Blanks: tt.blanks})
			check(t, res, tt.score, markOf(rat(tt.score)))
			if len(res.Parts) != len(tt.marks) {
				t.Fatalf("parts = %+v, want marks %v", res.Parts, tt.marks)
			}
			for i, m := range tt.marks {
				if res.Parts[i].Index != i || res.Parts[i].Mark != m {
					t.Fatalf("parts = %+v, want marks %v", res.Parts, tt.marks)
				}
			}
		})
	}
	res := Grade(qu, q.Response{Blanks: []string{"Paris", "Belgique", "soixante-huit"}})
	want := "Presque.|Non.|« soixante-huit » : ce n'est pas un nombre ; écrivez par exemple 3,14 ou -2"
	if got := strings.Join(feedbackTexts(res), "|"); got != want {
		t.Fatalf("feedback = %q, want %q", got, want)
	}
}

func TestGradeEssayAndDescription(t *testing.T) {
	essay := q.Question{Type: q.Essay, GeneralFeedback: txt("Le professeur corrigera.")}
	res := Grade(essay, q.Response{Text: "Mon texte."})
	check(t, res, "", "")
	if res.Graded || !res.Answered || len(res.Feedback) != 1 {
		t.Fatalf("essay: %+v", res)
	}
	if Points(essay, big.NewRat(4, 1), q.Response{Text: "x"}) != nil {
		t.Fatal("essay points should be nil until the teacher grades it")
	}
	desc := q.Question{Type: q.Description, Text: txt("Lisez le texte suivant.")}
	res = Grade(desc, q.Response{})
	check(t, res, "0", "")
	if !res.Graded {
		t.Fatalf("description: %+v", res)
	}
	if p := Points(desc, big.NewRat(3, 1), q.Response{}); p == nil || p.Sign() != 0 {
		t.Fatalf("description points = %v, want 0", p)
	}
	unknown := Grade(q.Question{Type: "inconnu"}, q.Response{})
	if unknown.Graded || unknown.Score != nil {
		t.Fatalf("unknown type should wait for the teacher: %+v", unknown)
	}
}

func TestPoints(t *testing.T) {
	qu := q.Question{Type: q.MultipleChoice, Answers: []q.Answer{{Fraction: pct(50)}, {Fraction: pct(50)}, {Fraction: pct(-25)}}}
	tests := []struct {
		points  string
		choices []int
		want    string
	}{
		{"3", []int{0}, "3/2"},
		{"3", []int{0, 2}, "3/4"},
		{"5/2", []int{0, 1}, "5/2"},
		{"0", []int{0, 1}, "0"},
	}
	for _, tt := range tests {
		if got := Points(qu, rat(tt.points), q.Response{Choices: tt.choices}); got.Cmp(rat(tt.want)) != 0 {
			t.Errorf("Points(%s, %v) = %s, want %s", tt.points, tt.choices, got.RatString(), tt.want)
		}
	}
}

func TestGradeAttempt(t *testing.T) {
	qs := []q.Question{
		{Type: q.Description, Text: txt("Partie 1")},
		{Type: q.TrueFalse, Correct: true},
		{Type: q.SingleChoice, Answers: []q.Answer{{Fraction: q.FullMark}, {}}},
		{Type: q.Numerical, Answers: []q.Answer{{Value: "2", Fraction: q.FullMark}}},
		{Type: q.Essay},
		{Type: q.Ordering, Items: []q.Text{txt("a"), txt("b"), txt("c")}},
	}
	points := []*big.Rat{rat("5"), rat("2"), rat("3/2"), nil, rat("4"), rat("3")}
	rs := []q.Response{{}, {Bool: ptr(true)}, {Choices: []int{1}}, {Text: "2,0"}, {Text: "Dissertation"}, {Order: []int{0, 2, 1}}}
	a := GradeAttempt(qs, points, rs)
	// earned: 0 (description) + 2 + 0 + 1 (default point) + pending + 1 (1/3 of 3)
	if a.Total.Cmp(rat("4")) != 0 || a.Max.Cmp(rat("23/2")) != 0 || a.Pending != 1 {
		t.Fatalf("total %s / max %s, pending %d; want 4 / 23/2, pending 1", a.Total.RatString(), a.Max.RatString(), a.Pending)
	}
	if f := a.Fraction(); f.Cmp(rat("8/23")) != 0 {
		t.Fatalf("fraction = %s, want 8/23", f.RatString())
	}
	if a.Questions[4].Earned != nil || a.Questions[0].Points.Sign() != 0 || a.Questions[3].Points.Cmp(rat("1")) != 0 {
		t.Fatalf("questions = %+v", a.Questions)
	}
	// fewer responses than questions: no answer
	a = GradeAttempt(qs[1:3], []*big.Rat{rat("1"), rat("1")}, nil)
	if a.Total.Sign() != 0 || a.Max.Cmp(rat("2")) != 0 {
		t.Fatalf("no responses: total %s max %s", a.Total.RatString(), a.Max.RatString())
	}
	if a := GradeAttempt(nil, nil, nil); a.Fraction() != nil {
		t.Fatal("an empty attempt has no fraction")
	}
}
