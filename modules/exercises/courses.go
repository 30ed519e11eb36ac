package exercises

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/tenant"
)

// ForCourses gives courses' pages the exercises (courses.Exercises, wired by cmd/cartable):
// the teacher's assignments to choose from and how an exercise block shows to its reader.
func (s *Service) ForCourses() courses.Exercises { return courseExercises{s} }

type courseExercises struct{ svc *Service }

func (x courseExercises) Assignable(ctx context.Context, t *tenant.Tenant, a courses.Actor, classes []uuid.UUID) ([]courses.ExerciseChoice, error) {
	as, err := x.svc.AssignmentsTo(ctx, t, Actor{PersonID: a.PersonID, Roles: a.Roles}, classes)
	if err != nil {
		return nil, err
	}
	out := make([]courses.ExerciseChoice, len(as))
	for i, as := range as {
		out[i] = courses.ExerciseChoice{ID: as.ID, Title: as.Title, ClassLabels: as.ClassLabels, OpensAt: as.OpensAt, ClosesAt: as.ClosesAt}
	}
	return out, nil
}

func (x courseExercises) Embedded(ctx context.Context, t *tenant.Tenant, a courses.Actor, ids []uuid.UUID) (map[uuid.UUID]courses.EmbeddedExercise, error) {
	es, err := x.svc.Embedded(ctx, t, Actor{PersonID: a.PersonID, Roles: a.Roles}, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]courses.EmbeddedExercise, len(es))
	for id, e := range es {
		out[id] = courses.EmbeddedExercise{Title: e.Title, Assigned: e.Assigned, OpensAt: e.OpensAt, ClosesAt: e.ClosesAt,
			AttemptsAllowed: e.AttemptsAllowed, AttemptsUsed: e.AttemptsUsed, Unfinished: e.Unfinished,
			StartURL: "/exercices/affectations/" + id.String() + "/commencer"}
	}
	return out, nil
}
