package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
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
	if ie := (*exercises.ImportError)(nil); errors.As(err, &ie) {
		// The file holds questions a bank refuses (its tests' point); import the others.
		var kept []question.Question
		for i, q := range qs {
			if _, wrong := ie.Problems[i]; !wrong {
				kept = append(kept, q)
			}
		}
		qs = kept
		ids, err = x.ImportQuestions(ctx, lycee, me, "Tous les types", qs, exercises.ImportInto)
	}
	if err != nil {
		t.Fatalf("import the questions: %v", err)
	}
	var types []question.Type
	for _, q := range qs {
		types = append(types, q.Type)
	}
	t.Logf("the exercise's questions: %v", types)
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
	// The seed runs on the school day's clock, the walk's server on the real one: a window of
	// twenty years keeps the attempt under way whatever the day of the run.
	as, err := x.Assign(ctx, lycee, me, ex, exercises.AssignmentForm{Classes: []uuid.UUID{class}, OpensAt: at.Add(-time.Hour), ClosesAt: at.AddDate(20, 0, 0),
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

// keyboardAttempt does the attempt at u with the keyboard alone, as a pupil who cannot use a
// mouse: Tab to question 1's first answer, answer it (Space, Arrow, typing), Tab to its button,
// Enter; then Tab to « Remettre la tentative », Enter; the attempt is handed in.
func (b *browser) keyboardAttempt(u string) {
	b.t.Helper()
	b.navigate(u, 200)
	kind := b.tabTo(`#q1 fieldset input:not([type=hidden]), #q1 fieldset select, #q1 fieldset textarea`)
	ctx, cancel := b.step()
	var keys string
	switch kind {
	case "radio", "checkbox":
		keys = " "
	case "select-one":
		keys = kb.ArrowDown
	default:
		keys = "4"
	}
	err := chromedp.Do(ctx, chromedp.KeyEvent(keys))
	cancel()
	if err != nil {
		b.fatalf("answer question 1 (%s) with the keyboard: %v", kind, err)
	}
	b.tabTo(`#q1 button[type=submit]`)
	b.pressEnter("save question 1")
	b.wantText("Réponse enregistrée")
	b.tabTo(`form[action$="/remettre"] button`)
	b.pressEnter("hand the attempt in")
	b.wantText("remise")
}

// tabTo presses Tab until the focus is on an element matching sel; it returns its type
// ("radio", "select-one", "text", "submit"…).
func (b *browser) tabTo(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	for range 300 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			b.fatalf("tab to %s: %v", sel, err)
		}
		kind, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement; return e && e.matches(`+strconv.Quote(sel)+`) ? (e.type || e.tagName) : ""; })()`))
		if err != nil {
			b.fatalf("tab to %s: %v", sel, err)
		}
		if kind != "" {
			return kind
		}
	}
	b.fatalf("300 presses of Tab never reach %s", sel)
	return ""
}

// pressEnter presses Enter on the focused element and waits for the page it leads to.
func (b *browser) pressEnter(what string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err != nil {
		b.fatalf("%s with Enter: %v", what, err)
	}
	b.wantStatus(resp, 200, what)
}

// keyboardWalk signs the pupil in and does their attempt under way with the keyboard alone.
func keyboardWalk(t *testing.T, b *browser, env *directorytest.Env, pupil a11yPerson) {
	b.signInAs(env.BrowserCookie(t, pupil.login, pupil.password))
	for _, u := range pupil.extra {
		if strings.Contains(u, "/exercices/tentatives/") {
			b.keyboardAttempt(u)
			return
		}
	}
	t.Fatal("the pupil has no attempt under way to do with the keyboard")
}
