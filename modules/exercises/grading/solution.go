package grading

import (
	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// AnswerKey is the right answers of a question, for the pages to show when the teacher
// allows it (never before: a Result alone holds none).
type AnswerKey struct {
	// Response is a response that earns the best score the question allows (full marks
	// for a well-made question): the right choice(s), true or false, an accepted text
	// (a short answer's wildcards left out), a number in the best interval, the right
	// pairs, the items in order, each blank's best answer. Empty for an essay and a
	// description.
	Response question.Response `json:"response"`
	// Accepted is, for a short answer or numerical question, every answer worth
	// something, best first (a question accepting several texts or intervals).
	Accepted []question.Answer `json:"accepted,omitempty"`
	// Blanks is the same per blank of a fill-in-the-blanks question.
	Blanks [][]question.Answer `json:"blanks,omitempty"`
}

// Solution gives the right answers of q.
func Solution(q question.Question) AnswerKey {
	var s AnswerKey
	switch q.Type {
	case question.SingleChoice:
		if i, ok := bestIndex(q.Answers); ok {
			s.Response.Choices = []int{i}
		}
	case question.MultipleChoice:
		for i, a := range q.Answers {
			if a.Fraction > 0 {
				s.Response.Choices = append(s.Response.Choices, i)
			}
		}
	case question.TrueFalse:
		c := q.Correct
		s.Response.Bool = &c
	case question.ShortAnswer, question.Numerical:
		s.Accepted = accepted(q.Type, q.Answers)
		if len(s.Accepted) > 0 {
			s.Response.Text = literalAnswer(q.Type, s.Accepted[0])
		}
	case question.Matching:
		s.Response.Matches = make([]string, len(q.Pairs))
		for i, p := range q.Pairs {
			if !p.Question.IsZero() {
				s.Response.Matches[i] = p.Answer
			}
		}
	case question.Ordering:
		s.Response.Order = make([]int, len(q.Items))
		for i := range s.Response.Order {
			s.Response.Order[i] = i
		}
	case question.Blanks:
		s.Response.Blanks = make([]string, len(q.Blanks))
		s.Blanks = make([][]question.Answer, len(q.Blanks))
		for i, b := range q.Blanks {
			s.Blanks[i] = accepted(b.Kind, b.Answers)
			if len(s.Blanks[i]) > 0 {
				s.Response.Blanks[i] = literalAnswer(b.Kind, s.Blanks[i][0])
			}
		}
	}
	return s
}

// bestIndex is the index of the answer with the best positive fraction (the first of
// equals).
func bestIndex(answers []question.Answer) (int, bool) {
	best, found := 0, false
	for i, a := range answers {
		if a.Fraction > 0 && (!found || a.Fraction > answers[best].Fraction) {
			best, found = i, true
		}
	}
	return best, found
}

// accepted is the answers worth something, best first (stable among equals); a numerical
// answer whose numbers cannot be read is left out, as grading ignores it.
func accepted(kind question.Type, answers []question.Answer) []question.Answer {
	var out []question.Answer
	for _, a := range answers {
		if a.Fraction <= 0 {
			continue
		}
		if _, ok := answerInterval(a); kind == question.Numerical && !ok {
			continue
		}
		out = append(out, a)
	}
	// insertion sort: a handful of answers, stable
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Fraction > out[j-1].Fraction; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// literalAnswer is a text that a's kind of question accepts as a: a short answer without its
// wildcards, a number in a numerical answer's interval, a choice's text.
func literalAnswer(kind question.Type, a question.Answer) string {
	switch kind {
	case question.Numerical:
		iv, ok := answerInterval(a)
		switch {
		case !ok || iv.any:
			return "0"
		case holdsText(iv, string(a.Value)):
			return string(a.Value)
		}
		return iv.lo.FloatString(30) // a Value ParseNumber does not read (« 0x10 »)
	case question.ShortAnswer:
		return compilePattern(a.Text.Text, true).literal()
	}
	return a.Text.Text
}

// holdsText tells whether s, read as a pupil's number, is in iv.
func holdsText(iv interval, s string) bool {
	x, err := ParseNumber(s)
	return err == nil && iv.holds(x)
}
