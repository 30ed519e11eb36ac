package grading

import (
	"math/big"

	"github.com/cartable-ent/cartable/modules/exercises/question"
)

// QuestionResult is one question of a graded attempt.
type QuestionResult struct {
	Result
	// Points is what the question is worth in the exercise (zero for a description).
	Points *big.Rat `json:"points"`
	// Earned is Score × Points, exactly; nil while the question waits for the teacher.
	Earned *big.Rat `json:"earned"`
}

// AttemptResult is a graded attempt.
type AttemptResult struct {
	Questions []QuestionResult `json:"questions"` // in the exercise's order
	// Total is the points earned on the graded questions, exactly.
	Total *big.Rat `json:"total"`
	// Max is what the attempt is worth: every question's points, essays waiting for the
	// teacher included, descriptions left out.
	Max *big.Rat `json:"max"`
	// Pending counts the questions waiting for the teacher (essays): while it is not
	// zero, Total is what the automatic grading gave so far.
	Pending int `json:"pending"`
}

// Fraction is Total over Max, exactly; nil when the attempt is worth nothing.
func (a AttemptResult) Fraction() *big.Rat {
	if a.Max == nil || a.Max.Sign() == 0 {
		return nil
	}
	return new(big.Rat).Quo(a.Total, a.Max)
}

// defaultPoints is a question's points when the exercise gives none: Moodle's default mark.
var defaultPoints = big.NewRat(1, 1)

// GradeAttempt grades an attempt: rs[i] is the response to qs[i], worth points[i]. A
// missing response (rs shorter than qs) is no answer; missing or nil points are 1 point,
// Moodle's default mark; negative points count 0. A description is worth nothing whatever
// its points.
func GradeAttempt(qs []question.Question, points []*big.Rat, rs []question.Response) AttemptResult {
	out := AttemptResult{
		Questions: make([]QuestionResult, len(qs)),
		Total:     new(big.Rat),
		Max:       new(big.Rat),
	}
	for i, q := range qs {
		var r question.Response
		if i < len(rs) {
			r = rs[i]
		}
		p := defaultPoints
		if i < len(points) && points[i] != nil {
			p = points[i]
		}
		if p.Sign() < 0 || q.Type == question.Description {
			p = zero
		}
		res := Grade(q, r)
		qr := QuestionResult{Result: res, Points: new(big.Rat).Set(p), Earned: earned(res, p)}
		out.Max.Add(out.Max, p)
		if qr.Earned == nil {
			out.Pending++
		} else {
			out.Total.Add(out.Total, qr.Earned)
		}
		out.Questions[i] = qr
	}
	return out
}
