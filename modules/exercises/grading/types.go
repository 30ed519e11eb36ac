package grading

import (
	"math/big"
	"sort"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// chosen is the distinct valid indexes of r.Choices, in increasing order: a repeated or
// out-of-range index counts for nothing.
func chosen(q question.Question, r question.Response) []int {
	seen := make(map[int]bool, len(r.Choices))
	var out []int
	for _, i := range r.Choices {
		if i < 0 || i >= len(q.Answers) || seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// onlyOneChoice is the note when a single-choice response holds several choices (a page
// never sends that; a forged request does).
var onlyOneChoice = question.Text{Text: "Une seule réponse est attendue : vous en avez donné plusieurs, la question compte 0.", Format: question.Plain}

func gradeSingleChoice(q question.Question, r question.Response) Result {
	idx := chosen(q, r)
	res := Result{Score: new(big.Rat), Graded: true, Answered: len(idx) > 0}
	switch len(idx) {
	case 0:
		return res
	case 1:
	default:
		res.Feedback = []question.Text{onlyOneChoice}
		return res
	}
	a := q.Answers[idx[0]]
	res.Score = fractionRat(a.Fraction)
	res.Parts = []Part{{Index: idx[0], Mark: markOf(res.Score), Feedback: a.Feedback}}
	res.Feedback = feedbacks(res.Parts)
	return res
}

func gradeMultipleChoice(q question.Question, r question.Response) Result {
	idx := chosen(q, r)
	res := Result{Graded: true, Answered: len(idx) > 0}
	var sum question.Fraction // at most len(Answers) × 100 %: no overflow
	for _, i := range idx {
		a := q.Answers[i]
		sum += a.Fraction
		m := Wrong
		if a.Fraction > 0 {
			m = Right
		}
		res.Parts = append(res.Parts, Part{Index: i, Mark: m, Feedback: a.Feedback})
	}
	res.Score = fractionRat(sum) // clamped to [0, 1] by Grade
	// Weights written with 5 decimals (3 × 33.33333 %, Moodle's and GIFT's thirds) add up
	// to a little less or more than 100 %: within one ten-millionth per right answer they
	// mean 100 %, so the score is taken over their total (all the right answers: 1; two of
	// three: exactly 2/3).
	var positive, rights question.Fraction
	for _, a := range q.Answers {
		if a.Fraction > 0 {
			positive += a.Fraction
			rights++
		}
	}
	if d := positive - question.FullMark; d != 0 && d >= -rights && d <= rights {
		res.Score = new(big.Rat).Quo(res.Score, fractionRat(positive))
	}
	res.Feedback = feedbacks(res.Parts)
	return res
}

func gradeTrueFalse(q question.Question, r question.Response) Result {
	res := Result{Score: new(big.Rat), Graded: true}
	if r.Bool == nil {
		return res
	}
	res.Answered = true
	if *r.Bool == q.Correct {
		res.Score = new(big.Rat).Set(one)
	}
	fb := q.FalseFeedback
	if *r.Bool {
		fb = q.TrueFeedback
	}
	if !fb.IsZero() {
		res.Feedback = []question.Text{fb}
	}
	return res
}

func gradeShortAnswer(q question.Question, r question.Response) Result {
	res := Result{Graded: true, Answered: normalize(r.Text) != ""}
	a, ok := bestShortAnswer(q.Answers, r.Text, q.CaseSensitive)
	res.Score = new(big.Rat)
	if ok {
		res.Score = fractionRat(a.Fraction)
		if !a.Feedback.IsZero() {
			res.Feedback = []question.Text{a.Feedback}
		}
	}
	return res
}

func gradeNumerical(q question.Question, r question.Response) Result {
	res := Result{Score: new(big.Rat), Graded: true, Answered: normalize(r.Text) != ""}
	if !res.Answered {
		return res
	}
	a, ok, note := bestNumerical(q.Answers, r.Text)
	if !note.IsZero() {
		res.Feedback = []question.Text{note}
		return res
	}
	if ok {
		res.Score = fractionRat(a.Fraction)
		if !a.Feedback.IsZero() {
			res.Feedback = []question.Text{a.Feedback}
		}
	}
	return res
}

func gradeMatching(q question.Question, r question.Response) Result {
	res := Result{Graded: true}
	var asked, right int64
	for i, p := range q.Pairs {
		if p.Question.IsZero() {
			continue // a distractor answer
		}
		asked++
		given := ""
		if i < len(r.Matches) {
			given = normalize(r.Matches[i])
		}
		if given != "" {
			res.Answered = true
		}
		m := Wrong
		if given != "" && given == normalize(p.Answer) {
			right++
			m = Right
		}
		res.Parts = append(res.Parts, Part{Index: i, Mark: m})
	}
	res.Score = new(big.Rat)
	if asked > 0 {
		res.Score.SetFrac64(right, asked)
	}
	if !res.Answered {
		res.Parts = nil // nothing given: nothing to mark
	}
	return res
}

func gradeOrdering(q question.Question, r question.Response) Result {
	n := len(q.Items)
	res := Result{Score: new(big.Rat), Graded: true, Answered: len(r.Order) > 0}
	if n == 0 || !res.Answered {
		return res
	}
	var right int64
	for p := 0; p < n; p++ {
		m := Wrong
		if p < len(r.Order) && r.Order[p] == p {
			right++
			m = Right
		}
		res.Parts = append(res.Parts, Part{Index: p, Mark: m})
	}
	res.Score.SetFrac64(right, int64(n))
	return res
}

func gradeBlanks(q question.Question, r question.Response) Result {
	res := Result{Graded: true}
	num, den := new(big.Rat), new(big.Rat)
	var notes []question.Text
	for i, b := range q.Blanks {
		given := ""
		if i < len(r.Blanks) {
			given = r.Blanks[i]
		}
		if normalize(given) != "" {
			res.Answered = true
		}
		score, fb, note := gradeBlank(b, given)
		w := big.NewRat(int64(blankPoints(b)), 1)
		num.Add(num, new(big.Rat).Mul(score, w))
		den.Add(den, w)
		res.Parts = append(res.Parts, Part{Index: i, Mark: markOf(score), Feedback: fb})
		if !note.IsZero() {
			notes = append(notes, note)
		}
	}
	res.Score = new(big.Rat)
	if den.Sign() > 0 {
		res.Score.Quo(num, den)
	}
	if !res.Answered {
		res.Parts = nil
	}
	res.Feedback = append(feedbacks(res.Parts), notes...)
	return res
}

// blankPoints is a blank's weight: its Points, 1 when unset (or not positive).
func blankPoints(b question.Blank) int {
	if b.Points <= 0 {
		return 1
	}
	return b.Points
}

// gradeBlank grades one blank by its kind: its score (0 to 1), the feedback of the answer
// given, and a note when the response could not be read. An unknown kind scores 0.
func gradeBlank(b question.Blank, given string) (score *big.Rat, feedback, note question.Text) {
	var (
		a  question.Answer
		ok bool
	)
	switch b.Kind {
	case question.ShortAnswer:
		a, ok = bestShortAnswer(b.Answers, given, b.CaseSensitive)
	case question.Numerical:
		if normalize(given) != "" {
			a, ok, note = bestNumerical(b.Answers, given)
		}
	case question.SingleChoice:
		a, ok = bestChoiceText(b.Answers, given)
	}
	if !ok {
		return new(big.Rat), question.Text{}, note
	}
	return clamp01(fractionRat(a.Fraction)), a.Feedback, note
}

// bestChoiceText is the best answer whose text is the chosen text (a drop-down list sends
// the text shown), compared after normalisation, case included.
func bestChoiceText(answers []question.Answer, given string) (question.Answer, bool) {
	g := normalize(given)
	if g == "" {
		return question.Answer{}, false
	}
	best, found := -1, false
	for i, a := range answers {
		if normalize(a.Text.Text) != g {
			continue
		}
		if !found || a.Fraction > answers[best].Fraction {
			best, found = i, true
		}
	}
	if !found {
		return question.Answer{}, false
	}
	return answers[best], true
}
