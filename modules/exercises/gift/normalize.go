package gift

import (
	"math/big"
	"strings"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

var ratTwo = big.NewRat(2, 1)

// decimals counts the digits after the decimal point of a decimal string.
func decimals(s string) int {
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// decimalString writes r (a decimal with at most places decimals) without trailing zeros.
func decimalString(r *big.Rat, places int) string {
	s := r.FloatString(places)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// CleanCategory is a category as Cartable keeps it: Moodle's context prefix (« $course$/ »,
// « $system$/ »…) and its root « top/ » removed, spaces around it trimmed. « $course$/top/
// Algèbre/Équations » is « Algèbre/Équations ».
func CleanCategory(c string) string {
	c = strings.TrimSpace(c)
	if strings.HasPrefix(c, "$") {
		if i := strings.Index(c[1:], "$/"); i >= 0 && !strings.ContainsAny(c[1:1+i], "/$") {
			c = c[i+3:]
		}
	}
	if c == "top" {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(c, "top/"))
}

// Normalize is q as Parse returns it, which is what a round trip through Export and Parse
// keeps:
//   - texts trimmed, line ends LF; the format « moodle » (GIFT's default) is written "";
//     an empty text has no format;
//   - short answers are plain text (no format), numerical answers have no text;
//   - the category is cleaned (CleanCategory), the name trimmed;
//   - a true/false question has no answers; CaseSensitive only on a short answer or a
//     fill-in-the-blanks question with a typed blank;
//   - a question with a single blank gives it 1 point (its share is the whole question);
//   - empty lists are nil.
func Normalize(q question.Question) question.Question {
	q.Name = strings.TrimSpace(q.Name)
	q.Category = CleanCategory(q.Category)
	q.Text = normText(q.Text)
	q.GeneralFeedback = normText(q.GeneralFeedback)
	q.TrueFeedback = normText(q.TrueFeedback)
	q.FalseFeedback = normText(q.FalseFeedback)
	q.Answers = normAnswers(q.Type, q.Answers)
	if len(q.Pairs) == 0 {
		q.Pairs = nil
	} else {
		pairs := make([]question.Pair, len(q.Pairs))
		for i, p := range q.Pairs {
			pairs[i] = question.Pair{Question: normText(p.Question), Answer: strings.TrimSpace(normLines(p.Answer))}
		}
		q.Pairs = pairs
	}
	if len(q.Items) == 0 {
		q.Items = nil
	} else {
		items := make([]question.Text, len(q.Items))
		for i, t := range q.Items {
			items[i] = normText(t)
		}
		q.Items = items
	}
	if len(q.Blanks) == 0 {
		q.Blanks = nil
	} else {
		blanks := make([]question.Blank, len(q.Blanks))
		for i, b := range q.Blanks {
			b.Answers = normAnswers(b.Kind, b.Answers)
			if len(q.Blanks) == 1 {
				b.Points = 1
			}
			blanks[i] = b
		}
		q.Blanks = blanks
	}
	if q.Type == question.TrueFalse {
		q.Answers = nil
	}
	typed := q.Type == question.ShortAnswer
	for _, b := range q.Blanks {
		typed = typed || (q.Type == question.Blanks && b.Kind == question.ShortAnswer)
	}
	q.CaseSensitive = q.CaseSensitive && typed
	return q
}

func normLines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func normText(t question.Text) question.Text {
	t.Text = strings.TrimSpace(normLines(t.Text))
	if t.Text == "" || t.Format == question.Moodle {
		t.Format = ""
	}
	return t
}

func normAnswers(kind question.Type, as []question.Answer) []question.Answer {
	if len(as) == 0 {
		return nil
	}
	out := make([]question.Answer, len(as))
	for i, a := range as {
		a.Text = normText(a.Text)
		a.Feedback = normText(a.Feedback)
		a.Value = question.Decimal(strings.TrimSpace(string(a.Value)))
		a.Tolerance = question.Decimal(strings.TrimSpace(string(a.Tolerance)))
		switch kind {
		case question.ShortAnswer:
			a.Text.Format = ""
		case question.Numerical:
			a.Text = question.Text{}
		}
		out[i] = a
	}
	return out
}
