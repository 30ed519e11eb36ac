package exercises

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo writes a demo establishment's exercise through the service, as a teacher would:
// a small bank in « Calcul », an exercise of it, given to a class they teach for a week with
// two attempts and feedback after each answer. An establishment without a teacher who
// teaches a class gets none; seeding twice adds nothing.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	var pick []struct{ Teacher, Class uuid.UUID }
	var existing int
	err := s.read(ctx, t, func(st store) error {
		if err := st.scan("demo", &existing, `SELECT count(*) FROM exercises`); err != nil {
			return err
		}
		return st.scan("demo teacher", &pick, `SELECT te.teacher_id AS teacher, te.class_id AS class FROM teachings te JOIN classes c ON c.id = te.class_id
			JOIN people p ON p.id = te.teacher_id WHERE p.active AND c.school_year IN (SELECT code FROM school_years WHERE current)
			ORDER BY c.kind, c.label, p.last_name, p.id LIMIT 1`)
	})
	if err != nil || existing > 0 || len(pick) == 0 {
		return err
	}
	a := Actor{PersonID: pick[0].Teacher, Roles: []identity.Role{identity.RoleEnseignant}}
	right, wrong := question.FullMark, question.Fraction(0)
	txt := func(s string) question.Text { return question.Text{Text: s} }
	qs := []question.Question{
		{Type: question.SingleChoice, Name: "Double de 7", Text: txt("Combien font 2 × 7 ?"), Answers: []question.Answer{
			{Text: txt("14"), Fraction: right, Feedback: txt("Oui.")}, {Text: txt("9"), Fraction: wrong, Feedback: txt("C'est 2 + 7.")}, {Text: txt("27"), Fraction: wrong}}},
		{Type: question.TrueFalse, Name: "Nombre premier", Text: txt("9 est un nombre premier."), Correct: false, TrueFeedback: txt("9 = 3 × 3.")},
		{Type: question.MultipleChoice, Name: "Nombres pairs", Text: txt("Lesquels sont pairs ?"), Answers: []question.Answer{
			{Text: txt("4"), Fraction: question.FullMark / 2}, {Text: txt("10"), Fraction: question.FullMark / 2}, {Text: txt("7"), Fraction: -question.FullMark / 2}}},
		{Type: question.Essay, Name: "Méthode", Text: txt("Expliquez comment vous calculez 25 × 4 de tête.")},
	}
	ids, err := s.ImportQuestions(ctx, t, a, "Calcul", qs, ImportInto)
	if err != nil {
		return fmt.Errorf("exercises: demo bank: %w", err)
	}
	f := ExerciseForm{Title: "Calcul mental", Instructions: "Sans calculatrice. Deux tentatives ; la meilleure compte."}
	for _, id := range ids {
		f.Items = append(f.Items, ItemForm{Question: id, Points: "1"})
	}
	ex, err := s.CreateExercise(ctx, t, a, f)
	if err != nil {
		return fmt.Errorf("exercises: demo exercise: %w", err)
	}
	now := s.now().Truncate(time.Hour)
	_, err = s.Assign(ctx, t, a, ex, AssignmentForm{Classes: []uuid.UUID{pick[0].Class}, OpensAt: now, ClosesAt: now.Add(7 * 24 * time.Hour),
		Attempts: 2, TimeLimitMinutes: 30, ShuffleAnswers: true, Feedback: FeedbackEachAnswer, Rule: RuleBest})
	if err != nil {
		return fmt.Errorf("exercises: demo assignment: %w", err)
	}
	return nil
}
