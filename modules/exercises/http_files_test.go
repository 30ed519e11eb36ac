package exercises_test

// A question's images (Moodle XML imports) through the real router: the attempt page points
// at our own route, which serves the PNG to the attempt's pupil and its teacher, inline and
// never sniffed, and nothing to anyone else nor anything that is not an image.

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
)

func TestQuestionFiles(t *testing.T) {
	s := moduletest.New(t, moduletest.Options{Templates: []fs.FS{exercises.Templates}, LogWarnings: true})
	alpha := s.Establishment(93, "Lycée Alpha")
	bravo := s.Establishment(94, "Lycée Bravo")
	gs := grades.NewService(s.Reg.DB(), s.Clock.Now)
	svc := exercises.NewService(s.Reg.DB(), standIn, gs, s.Clock.Now)
	s.Mount(exercises.NewHandler(svc).Module())
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	colleague := s.Member(alpha, identity.RoleEnseignant, "Paul", "Collègue")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	bob := s.Member(alpha, identity.RoleEleve, "Bob", "Durand")
	bravoPupil := s.Member(bravo, identity.RoleEleve, "Léo", "Bravo")
	class := uuid.New()
	s.Exec(alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, class, s.Year())
	s.Exec(alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, class, alice.PersonID, class, bob.PersonID)
	s.Exec(alpha, `INSERT INTO subjects (code, label) VALUES ('SVT', 'SVT')`)
	s.Exec(alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'SVT')`, teacher.PersonID, class)

	var img bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 2, 2))
	m.Set(0, 0, color.RGBA{R: 255, A: 255})
	if err := png.Encode(&img, m); err != nil {
		t.Fatal(err)
	}
	q := choice("Chat")
	q.Text = question.Text{Format: question.HTML,
		Text: `<p>Quel animal ? <img src="@@PLUGINFILE@@/chat.png" alt="un chat"> <img src="@@PLUGINFILE@@/mon%20chien.png"> <a href="@@PLUGINFILE@@/notes.txt">notes</a></p>`}
	q.GeneralFeedback = question.Text{Format: question.HTML, Text: `<p><img src="@@PLUGINFILE@@/reponse.png"></p>`}
	q.Files = []question.File{{Name: "chat.png", Data: img.Bytes()}, {Name: "mon chien.png", Data: img.Bytes()},
		{Name: "notes.txt", Data: []byte("pas une image")}, {Name: "reponse.png", Data: img.Bytes()}}

	ctx := t.Context()
	claire := exercises.Actor{PersonID: teacher.PersonID, Roles: []identity.Role{identity.RoleEnseignant}}
	cat, err := svc.CreateCategory(ctx, alpha, claire, "Images")
	if err != nil {
		t.Fatal(err)
	}
	qid, err := svc.SaveQuestion(ctx, alpha, claire, uuid.Nil, cat, q, false)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := svc.CreateExercise(ctx, alpha, claire, exercises.ExerciseForm{Title: "Animaux", Items: []exercises.ItemForm{{Question: qid, Points: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now()
	as, err := svc.Assign(ctx, alpha, claire, ex, exercises.AssignmentForm{Classes: []uuid.UUID{class}, OpensAt: now, ClosesAt: now.Add(48 * time.Hour),
		Attempts: 1, Feedback: exercises.FeedbackAfterClose, Rule: exercises.RuleBest})
	if err != nil {
		t.Fatal(err)
	}

	wantCode, wantIn, wantNotIn := moduletest.WantCode, moduletest.WantIn, moduletest.WantNotIn
	wantImage := func(t *testing.T, rec interface {
		Result() *http.Response
	}, what string) {
		t.Helper()
		res := rec.Result()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", what, res.StatusCode)
		}
		for k, v := range map[string]string{"Content-Type": "image/png", "Content-Disposition": "inline", "X-Content-Type-Options": "nosniff", "Cache-Control": "private"} {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", what, k, got, v)
			}
		}
	}

	rec := s.Post(alice, "/exercices/affectations/"+as.String()+"/commencer", nil)
	wantCode(t, rec, http.StatusSeeOther, "start")
	page := rec.Header().Get("Location")
	attempt := strings.TrimPrefix(page, "/exercices/tentatives/")
	files := page + "/fichiers/1/"
	rec = s.Get(alice, page)
	wantIn(t, rec, "attempt page", `<img src="`+files+`chat.png"`, `<img src="`+files+`mon%20chien.png"`)
	wantNotIn(t, rec, "attempt page", "@@PLUGINFILE@@", "reponse.png")

	rec = s.Get(alice, files+"chat.png")
	wantImage(t, rec, "the pupil's image")
	if !bytes.Equal(rec.Body.Bytes(), img.Bytes()) {
		t.Errorf("the pupil's image: %d bytes, not the file's", rec.Body.Len())
	}
	wantImage(t, s.Get(alice, files+"mon%20chien.png"), "a name with a space")
	wantCode(t, s.Get(alice, files+"notes.txt"), http.StatusNotFound, "a file that is not an image")
	wantCode(t, s.Get(alice, files+"absent.png"), http.StatusNotFound, "a file the question has not")
	wantCode(t, s.Get(alice, files+"reponse.png"), http.StatusNotFound, "the feedback's image before the correction")
	wantCode(t, s.Get(alice, page+"/fichiers/2/chat.png"), http.StatusNotFound, "another position")
	wantCode(t, s.Get(bob, files+"chat.png"), http.StatusNotFound, "another pupil")
	wantCode(t, s.Do(bravo, bravoPupil, http.MethodGet, files+"chat.png", "", nil), http.StatusNotFound, "a pupil of another establishment")
	wantCode(t, s.Get(teacher, files+"chat.png"), http.StatusForbidden, "the teacher on the pupil's route")

	review := "/exercices/corrections/" + attempt
	wantIn(t, s.Get(teacher, review), "review page", `<img src="`+review+`/fichiers/1/chat.png"`)
	wantImage(t, s.Get(teacher, review+"/fichiers/1/chat.png"), "the teacher's image")
	wantImage(t, s.Get(teacher, review+"/fichiers/1/reponse.png"), "the teacher sees the feedback's image")
	wantCode(t, s.Get(colleague, review+"/fichiers/1/chat.png"), http.StatusNotFound, "a colleague on the attempt's image")

	bank := "/exercices/banque/questions/" + qid.String() + "/fichiers/"
	wantImage(t, s.Get(teacher, bank+"chat.png"), "the owner's bank image")
	wantCode(t, s.Get(teacher, bank+"notes.txt"), http.StatusNotFound, "the bank's non-image")
	wantCode(t, s.Get(colleague, bank+"chat.png"), http.StatusNotFound, "a colleague, not shared")
	wantCode(t, s.Get(alice, bank+"chat.png"), http.StatusForbidden, "a pupil on the bank")
	if err := svc.ShareQuestion(ctx, alpha, claire, qid, true); err != nil {
		t.Fatal(err)
	}
	wantImage(t, s.Get(colleague, bank+"chat.png"), "a colleague, shared")

	wantCode(t, s.Post(alice, page+"/remettre", nil), http.StatusSeeOther, "submit")
	s.Clock.Set(now.Add(49 * time.Hour))
	wantIn(t, s.Get(alice, page), "the correction", `<img src="`+files+`reponse.png"`)
	wantImage(t, s.Get(alice, files+"reponse.png"), "the feedback's image with the correction")
}
