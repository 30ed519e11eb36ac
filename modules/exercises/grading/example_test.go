package grading_test

import (
	"fmt"
	"math/big"

	"github.com/cartable-ent/cartable/modules/exercises/grading"
	"github.com/cartable-ent/cartable/modules/exercises/question"
)

func ExampleGrade() {
	// GIFT: Quelle valeur pour π ? {#3.14:0.01 =%50%3:0.5#Trop approximatif.}
	pi := question.Question{Type: question.Numerical, Answers: []question.Answer{
		{Value: "3.14", Tolerance: "0.01", Fraction: question.FullMark},
		{Value: "3", Tolerance: "0.5", Fraction: question.FullMark / 2, Feedback: question.Text{Text: "Trop approximatif."}},
	}}
	for _, typed := range []string{"3,15", "3,1501", "trois"} {
		res := grading.Grade(pi, question.Response{Text: typed})
		fmt.Println(typed, res.Score.RatString(), res.Mark, res.Feedback)
	}
	fmt.Println(grading.Points(pi, big.NewRat(4, 1), question.Response{Text: "3"}).RatString(), "points sur 4")
	// Output:
	// 3,15 1 juste []
	// 3,1501 1/2 partiel [{Trop approximatif. }]
	// trois 0 faux [{« trois » : ce n'est pas un nombre ; écrivez par exemple 3,14 ou -2 plain}]
	// 2 points sur 4
}
