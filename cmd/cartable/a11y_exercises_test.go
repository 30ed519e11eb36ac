package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/moodlexml"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// a11yExercises seeds the exercises the accessibility walk visits: the teacher's bank with a
// question of every type (moodlexml's test file), an exercise of them given to a class of the
// pupil's, one attempt of the pupil's handed in (the teacher's review, the pupil's correction)
// and one under way (the attempt page with each type's form); the exercise is also shown in
// the course page (page). It returns the teacher's pages and the pupil's to visit.
func a11yExercises(t *testing.T, reg *tenant.Registry, now func() time.Time, lycee *tenant.Tenant, lessons *courses.Service, page, teacherID, pupilID uuid.UUID) (teacher, pupil []string) {
	t.Helper()
	ctx := context.Background()
	x := exercises.NewService(reg.DB(), gradeQuestion, nil, now)
	me := exercises.Actor{PersonID: teacherID, Roles: []identity.Role{identity.RoleEnseignant}}
	kid := exercises.Actor{PersonID: pupilID, Roles: []identity.Role{identity.RoleEleve}}
	classes, err := x.Classes(ctx, lycee, me)
	if err != nil || len(classes) == 0 {
		t.Fatalf("the walk's teacher teaches no class: %v", err)
	}
	class := classes[0].ID
	if err := reg.DB().Tx(ctx, lycee, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, class, pupilID).Error
	}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("..", "..", "modules", "exercises", "moodlexml", "testdata", "types.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, bad, err := moodlexml.Parse(f)
	if err != nil || len(bad) > 0 {
		t.Fatalf("moodlexml's types.xml: %v %v", bad, err)
	}
	ids, err := x.ImportQuestions(ctx, lycee, me, "Tous les types", qs, exercises.ImportInto)
	if err != nil {
		t.Fatalf("import the questions: %v", err)
	}
	form := exercises.ExerciseForm{Title: "Tous les types de questions", Instructions: "Répondez à chaque question."}
	for i, id := range ids {
		if qs[i].Type != question.Description {
			form.Items = append(form.Items, exercises.ItemForm{Question: id, Points: "1"})
		}
	}
	ex, err := x.CreateExercise(ctx, lycee, me, form)
	if err != nil {
		t.Fatalf("the exercise: %v", err)
	}
	at := now()
	as, err := x.Assign(ctx, lycee, me, ex, exercises.AssignmentForm{Classes: []uuid.UUID{class}, OpensAt: at.Add(-time.Hour), ClosesAt: at.Add(7 * 24 * time.Hour),
		Attempts: 3, Feedback: exercises.FeedbackAfterClose, Rule: exercises.RuleBest})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	done, err := x.StartAttempt(ctx, lycee, kid, as)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if _, err := x.Submit(ctx, lycee, kid, done.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	open, err := x.StartAttempt(ctx, lycee, kid, as)
	if err != nil {
		t.Fatalf("start again: %v", err)
	}
	lessons.SetExercises(x.ForCourses())
	author := courses.Actor{PersonID: teacherID, Roles: []identity.Role{identity.RoleEnseignant}}
	if _, err := lessons.AddBlock(ctx, lycee, author, page, courses.BlockForm{Kind: string(courses.Exercise), Assignment: as.String()}); err != nil {
		t.Fatalf("the exercise in the course's page: %v", err)
	}
	base := "http://" + lycee.Slug + ".cartable.test/exercices"
	teacher = []string{base + "/gestion", base + "/" + ex.String(), base + "/" + ex.String() + "/modifier", base + "/" + ex.String() + "/donner", base + "/nouveau",
		base + "/affectations/" + as.String() + "/resultats?classe=" + class.String(), base + "/corrections/" + done.ID.String()}
	pupil = []string{base, base + "/tentatives/" + open.ID.String(), base + "/tentatives/" + done.ID.String()}
	return teacher, pupil
}
