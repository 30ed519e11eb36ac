package exercises

import (
	"context"
	"errors"
	"math/big"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// MarksForm is how an assignment's grades of one class go into the marks.
type MarksForm struct {
	Class       uuid.UUID
	Subject     string // a subject the teacher teaches in that class (grades checks it)
	Title       string
	Date        string // « 2026-10-09 » or « 09/10/2026 »
	Scale       string // « sur » : « 20 »
	Coefficient string // « 1 », « 0,5 »
	Published   bool   // shown to pupils and guardians
	Absent      bool   // pupils without a submitted attempt get « Abs » (false: no mark)
}

// ToMarks makes the grades of an assignment of the teacher's in one of its classes an
// evaluation of the grades module, or updates the one made before (after a late essay
// review, say): each pupil's grade by the assignment's rule, rescaled to the scale exactly
// and rounded half-up to the hundredth (the marks' precision). It returns the evaluation.
// A training assignment is not marked.
func (s *Service) ToMarks(ctx context.Context, t *tenant.Tenant, a Actor, assignment uuid.UUID, f MarksForm) (uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return uuid.Nil, err
	}
	if s.marks == nil {
		return uuid.Nil, fault.New(fault.ErrUnavailable, "les notes ne sont pas disponibles dans cet établissement")
	}
	var res Results
	var linked uuid.UUID
	err := s.write(ctx, t, func(st store) error {
		var err error
		if res, err = s.results(st, a, assignment, f.Class); err != nil {
			return err
		}
		if res.Assignment.Training {
			return fault.New(fault.ErrConflict, "Cet exercice est donné en entraînement : il ne va pas dans les notes. Changez son mode d'abord.")
		}
		var ids []uuid.UUID
		if err := st.scan("evaluation link", &ids, `SELECT evaluation_id FROM exercise_evaluations WHERE assignment_id = ? AND class_id = ?`, assignment, f.Class); err != nil {
			return err
		}
		if len(ids) > 0 {
			linked = ids[0]
		}
		return nil
	})
	if err != nil {
		return uuid.Nil, err
	}
	ga := grades.Actor{PersonID: a.PersonID, Roles: a.Roles}
	form := grades.EvaluationForm{ClassID: f.Class.String(), Subject: f.Subject, Title: f.Title, Date: f.Date, Scale: f.Scale,
		Coefficient: f.Coefficient, Published: f.Published}
	// The evaluation's id is derived from the assignment and the class: a run that died
	// between the evaluation and its link below finds it again instead of making another.
	derived := uuid.NewSHA1(marksNamespace, []byte(assignment.String()+"/"+f.Class.String()))
	if linked == uuid.Nil {
		linked = derived
	}
	ev, err := s.marks.SaveEvaluation(ctx, t, ga, linked, form)
	if errors.Is(err, fault.ErrNotFound) { // not made yet, or deleted in the marks
		form.NewID = derived
		ev, err = s.marks.SaveEvaluation(ctx, t, ga, uuid.Nil, form)
	}
	if err != nil {
		return uuid.Nil, err
	}
	absent := ""
	if f.Absent {
		absent = grades.CodeAbsent
	}
	if err := s.write(ctx, t, func(st store) error {
		return st.exec("link evaluation", `INSERT INTO exercise_evaluations (assignment_id, class_id, evaluation_id, absent_code, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (assignment_id, class_id) DO UPDATE SET evaluation_id = excluded.evaluation_id, absent_code = excluded.absent_code, updated_at = excluded.updated_at`,
			assignment, f.Class, ev.ID, absent, s.now())
	}); err != nil {
		return ev.ID, err
	}
	in := grades.GridInput{Marks: map[uuid.UUID]string{}, Comments: map[uuid.UUID]string{}}
	scale := big.NewRat(int64(ev.Scale), 100)
	for _, p := range res.Pupils {
		switch {
		case p.Grade != nil:
			in.Marks[p.PupilID] = Rescale(p.Grade, scale).Short()
			in.Comments[p.PupilID] = ""
			if p.Pending {
				in.Comments[p.PupilID] = "Rédaction pas encore corrigée (comptée 0)."
			}
		default:
			in.Marks[p.PupilID], in.Comments[p.PupilID] = absent, ""
		}
	}
	_, err = s.marks.SaveMarks(ctx, t, ga, ev.ID, in)
	return ev.ID, err
}

// marksNamespace names the evaluations the exercises make (uuid.NewSHA1).
var marksNamespace = uuid.MustParse("5d1f3c8e-2b7a-4e0c-9a41-6f0d8c2e7b13")

// Rescale is a grade (a fraction in [0, 1]) on scale, rounded half-up to the hundredth.
func Rescale(grade, scale *big.Rat) grades.Hundredths {
	return grades.Round2(new(big.Rat).Mul(grade, scale))
}
