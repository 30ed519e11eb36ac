// Package grading scores a pupil's response to a question of the exercises' banks
// (package question) automatically, with Moodle's rules and exact arithmetic (math/big.Rat,
// like the grades module's averages): no float ever touches a score.
//
// Grade gives a Result: the score as a fraction of the question's points (0 to 1), whether
// the question is graded (an essay waits for the teacher), what the pupil may be shown
// (the feedback of the answers they gave, then the general feedback) and, part by part, how
// their response fared. A Result never holds a right answer the pupil did not give: the
// parts are named by index, never by the right answer's text. Solution gives the right
// answers, for the moment the teacher allows it. GradeAttempt grades a whole attempt.
//
// The rules, type by type:
//   - single choice: the chosen answer's fraction, a negative one counts 0; no choice, or
//     more than one, scores 0.
//   - multiple choice: the sum of the chosen answers' fractions (each counted once),
//     floored at 0 and capped at 1: negative weights take back what right answers gave.
//   - true/false: 1 if the answer equals Correct, else 0.
//   - short answer: the best fraction among the accepted answers the response matches.
//     Both are compared after Unicode normalisation (NFC), trimming, and collapsing runs of
//     spaces into one; case is ignored unless CaseSensitive; accents are always significant
//     (« eleve » does not match « élève »). A `*` in an accepted answer matches any run of
//     characters, empty included, and `\*` is a literal star (Moodle's wildcard). Moodle
//     keeps the first matching answer; we keep the best one, so the teacher's order does
//     not matter.
//   - numerical: the response is read exactly (see ParseNumber: « 3,14 » and « 3.14 »);
//     anything else scores 0 with the feedback « ce n'est pas un nombre ». The best answer
//     whose interval [Value − Tolerance, Value + Tolerance] holds it, edges included,
//     gives its fraction; an answer whose Value is « * » accepts any number.
//   - matching: the pairs matched right over the pairs that have a question (distractor
//     answers count for nothing).
//   - ordering: Moodle's « absolute position » grading: the items in their right place
//     over the number of items.
//   - fill-in-the-blanks: each blank graded by its kind (short answer, numerical, or a
//     choice whose chosen text is compared with the answers' texts), weighted by its
//     Points (1 when unset), averaged.
//   - essay: not graded (Graded false, Score nil): the teacher grades it.
//   - description: no answer and no points: Graded true with a zero Score (never nil, so
//     callers may add it), and GradeAttempt does not count it in the attempt's maximum.
//   - an unknown type is left to the teacher like an essay.
package grading

import (
	"math/big"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// Mark says how a response, or one part of it, fared.
type Mark string

// The marks.
const (
	Right   Mark = "juste"   // full marks
	Partial Mark = "partiel" // some credit
	Wrong   Mark = "faux"    // no credit
)

// markOf is the mark of a score between 0 and 1.
func markOf(score *big.Rat) Mark {
	switch {
	case score.Cmp(one) >= 0:
		return Right
	case score.Sign() > 0:
		return Partial
	}
	return Wrong
}

// Part is how one part of a response fared. It names the part by its index, never by a
// right answer's text:
//   - single and multiple choice: a chosen answer, Index in Question.Answers (only the
//     answers the pupil chose have a part); for multiple choice an answer worth something
//     is Right, one worth nothing or less is Wrong;
//   - matching: a pair that has a question, Index in Question.Pairs;
//   - ordering: a position of the pupil's order, Index from 0;
//   - fill-in-the-blanks: a blank, Index in Question.Blanks.
//
// True/false, short answer and numerical questions have no parts: Result.Mark says it all.
type Part struct {
	Index    int           `json:"index"`
	Mark     Mark          `json:"mark"`
	Feedback question.Text `json:"feedback,omitempty"` // the feedback of the answer given here
}

// Result is the grading of one response: what the pupil may be shown once the teacher
// allows feedback. It holds no right answer the pupil did not give (see Solution). Note that
// the score alone already tells a true/false question's answer.
type Result struct {
	// Score is the share of the question's points earned, exactly, from 0 to 1; nil when
	// the question is not graded (Graded false).
	Score *big.Rat `json:"score"`
	// Graded is false for an essay: it waits for the teacher.
	Graded bool `json:"graded"`
	// Answered tells whether the response holds anything for this question.
	Answered bool `json:"answered"`
	// Mark is the score as a mark; empty when not graded and for a description.
	Mark  Mark   `json:"mark,omitempty"`
	Parts []Part `json:"parts,omitempty"`
	// Feedback is what the pupil may read: the feedback of the answers given (in the
	// order of Parts when there are parts), a note when the response could not be read
	// (« ce n'est pas un nombre »), then the question's general feedback.
	Feedback []question.Text `json:"feedback,omitempty"`
}

var (
	zero = new(big.Rat)
	one  = big.NewRat(1, 1)
)

// Grade grades the response r to the question q.
func Grade(q question.Question, r question.Response) Result {
	var res Result
	switch q.Type {
	case question.SingleChoice:
		res = gradeSingleChoice(q, r)
	case question.MultipleChoice:
		res = gradeMultipleChoice(q, r)
	case question.TrueFalse:
		res = gradeTrueFalse(q, r)
	case question.ShortAnswer:
		res = gradeShortAnswer(q, r)
	case question.Numerical:
		res = gradeNumerical(q, r)
	case question.Matching:
		res = gradeMatching(q, r)
	case question.Ordering:
		res = gradeOrdering(q, r)
	case question.Blanks:
		res = gradeBlanks(q, r)
	case question.Description:
		res = Result{Score: new(big.Rat), Graded: true}
	default: // essay, and any type this package does not know: the teacher grades it
		res = Result{Answered: normalize(r.Text) != ""}
	}
	if res.Graded && q.Type != question.Description {
		res.Score = clamp01(res.Score)
		res.Mark = markOf(res.Score)
	}
	if !q.GeneralFeedback.IsZero() {
		res.Feedback = append(res.Feedback, q.GeneralFeedback)
	}
	return res
}

// Points is the response's score in the question's points: Score × points, exactly; nil
// when the question is not graded (an essay), zero for a description.
func Points(q question.Question, points *big.Rat, r question.Response) *big.Rat {
	res := Grade(q, r)
	return earned(res, points)
}

// earned is a result's score in points; nil when not graded.
func earned(res Result, points *big.Rat) *big.Rat {
	if !res.Graded {
		return nil
	}
	if points == nil || points.Sign() <= 0 {
		return new(big.Rat)
	}
	return new(big.Rat).Mul(res.Score, points)
}

// clamp01 is r between 0 and 1 (a nil r is 0); it returns a fresh value.
func clamp01(r *big.Rat) *big.Rat {
	switch {
	case r == nil || r.Sign() < 0:
		return new(big.Rat)
	case r.Cmp(one) > 0:
		return new(big.Rat).Set(one)
	}
	return new(big.Rat).Set(r)
}

// fractionRat is f as a score, a negative one counting 0.
func fractionRat(f question.Fraction) *big.Rat {
	if f <= 0 {
		return new(big.Rat)
	}
	return f.Rat()
}

// feedbacks lists the parts' non-empty feedback, in order.
func feedbacks(parts []Part) []question.Text {
	var out []question.Text
	for _, p := range parts {
		if !p.Feedback.IsZero() {
			out = append(out, p.Feedback)
		}
	}
	return out
}
