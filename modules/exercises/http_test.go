package exercises_test

// The pages through the real router with real Kratos sessions: the pupil's list and attempt
// page (no right answer before the moment chosen, saves by plain posts), the teacher's pages,
// « into the marks », and who gets a page at all.

import (
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
)

func TestPages(t *testing.T) {
	s := moduletest.New(t, moduletest.Options{Templates: []fs.FS{exercises.Templates}, LogWarnings: true})
	alpha := s.Establishment(93, "Lycée Alpha")
	bravo := s.Establishment(94, "Lycée Bravo")
	gs := grades.NewService(s.Reg.DB(), s.Clock.Now)
	svc := exercises.NewService(s.Reg.DB(), standIn, gs, s.Clock.Now)
	s.Mount(exercises.NewHandler(svc).Module())
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	colleague := s.Member(alpha, identity.RoleEnseignant, "Paul", "Collègue")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	guardian := s.Member(alpha, identity.RoleResponsable, "Gérard", "Martin")
	bravoPupil := s.Member(bravo, identity.RoleEleve, "Léo", "Bravo")
	class := uuid.New()
	s.Exec(alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques')`)
	s.Exec(alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, class, s.Year())
	s.Exec(alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, class, alice.PersonID)
	s.Exec(alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, teacher.PersonID, class)

	ctx := t.Context()
	claire := exercises.Actor{PersonID: teacher.PersonID, Roles: []identity.Role{identity.RoleEnseignant}}
	cat, err := svc.CreateCategory(ctx, alpha, claire, "Calcul")
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, q := range []string{"Q1", "Q2"} {
		id, err := svc.SaveQuestion(ctx, alpha, claire, uuid.Nil, cat, choice(q), false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	ex, err := svc.CreateExercise(ctx, alpha, claire, exercises.ExerciseForm{Title: "Calcul mental", Items: []exercises.ItemForm{{Question: ids[0], Points: "1"}, {Question: ids[1], Points: "1"}}})
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
	wantIn(t, s.Get(alice, "/exercices"), "pupil's list", "Calcul mental", "Commencer")
	rec := s.Post(alice, "/exercices/affectations/"+as.String()+"/commencer", nil)
	wantCode(t, rec, http.StatusSeeOther, "start")
	page := rec.Header().Get("Location")
	if !strings.HasPrefix(page, "/exercices/tentatives/") {
		t.Fatalf("start goes to %q", page)
	}
	rec = s.Get(alice, page)
	wantCode(t, rec, http.StatusOK, "attempt page")
	wantIn(t, rec, "attempt page", "<legend>Question 1 (1 pt)</legend>", `name="choix" value="1"`, "Remettre la tentative")
	wantNotIn(t, rec, "attempt page before closing", "FEEDBACK-JUSTE", "FEEDBACK-FAUX", "RAPPEL-GENERAL", "Réponse(s) attendue(s)")

	wantCode(t, s.Post(alice, page+"/questions/1", url.Values{"choix": {"1"}}), http.StatusSeeOther, "save question 1")
	wantIn(t, s.Get(alice, page), "saved", `value="1" checked`)
	wantCode(t, s.Post(alice, page+"/remettre", nil), http.StatusSeeOther, "submit")
	rec = s.Get(alice, page)
	wantIn(t, rec, "submitted", "Score : 1 / 2.")
	wantNotIn(t, rec, "submitted, before closing", "FEEDBACK-JUSTE", "Réponse(s) attendue(s)")

	wantCode(t, s.Get(guardian, "/exercices"), http.StatusForbidden, "guardian")
	wantCode(t, s.Get(teacher, page), http.StatusForbidden, "teacher on the pupil's attempt")
	wantCode(t, s.Get(alice, "/exercices/gestion"), http.StatusForbidden, "pupil on the teacher's page")
	wantCode(t, s.Get(colleague, "/exercices/"+ex.String()), http.StatusNotFound, "colleague on the exercise")
	results := "/exercices/affectations/" + as.String() + "/resultats?classe=" + class.String()
	wantCode(t, s.Get(colleague, results), http.StatusNotFound, "colleague on the results")
	wantCode(t, s.Do(bravo, bravoPupil, http.MethodGet, page, "", nil), http.StatusNotFound, "pupil of another establishment")

	wantIn(t, s.Get(teacher, "/exercices/gestion"), "teacher's page", "Calcul mental", "Q1", "Calcul")
	wantIn(t, s.Get(teacher, "/exercices/"+ex.String()), "exercise page", "Résultats de 2nde 1", "Après la clôture")
	wantIn(t, s.Get(teacher, results), "results", "Martin Alice", "10,00 / 20", "100 %", "0 %", "Mathématiques")
	rec = s.Post(teacher, "/exercices/affectations/"+as.String()+"/notes", url.Values{"classe": {class.String()}, "matiere": {"MATHS"},
		"titre": {"Calcul mental"}, "date": {"2026-10-06"}, "bareme": {"10"}, "coefficient": {"1"}, "absents": {"Abs"}})
	wantCode(t, rec, http.StatusSeeOther, "into the marks")
	if n := s.Count(alpha, `SELECT count(*) FROM marks WHERE value = 5 AND pupil_id = ?`, alice.PersonID); n != 1 {
		t.Errorf("Alice's mark 5/10: %d rows", n)
	}

	attempt := strings.TrimPrefix(page, "/exercices/tentatives/")
	wantIn(t, s.Get(teacher, results), "results link to the review", "/exercices/corrections/"+attempt)
	review := "/exercices/corrections/" + attempt
	wantIn(t, s.Get(teacher, review), "review page", "Réponse de l'élève : « 4 »", "Pas de réponse.", "Score : 1 / 2")
	wantCode(t, s.Get(colleague, review), http.StatusNotFound, "colleague on the review")
	wantCode(t, s.Post(teacher, review+"/questions/2", url.Values{"points": {"0,5"}, "commentaire": {"Presque."}}), http.StatusSeeOther, "review question 2")
	wantIn(t, s.Get(teacher, review), "reviewed", "Score : 1,5 / 2", "Presque.")

	form := url.Values{"classes": {class.String()}, "ouverture": {"2026-10-12T08:00"}, "cloture": {"2026-10-11T08:00"}, "tentatives": {"2"},
		"correction": {"apres_reponse"}, "note": {"derniere"}}
	rec = s.Post(teacher, "/exercices/"+ex.String()+"/donner", form)
	wantCode(t, rec, http.StatusUnprocessableEntity, "assign, closing before opening")
	wantIn(t, rec, "assign refused", "la clôture vient après l&#39;ouverture", `value="2026-10-12T08:00"`)
	form.Set("cloture", "2026-10-16T18:00")
	wantCode(t, s.Post(teacher, "/exercices/"+ex.String()+"/donner", form), http.StatusSeeOther, "assign")
	wantIn(t, s.Get(teacher, "/exercices/"+ex.String()), "two assignments", "Du lundi 12 octobre 2026 à 8 h 00 au vendredi 16 octobre 2026 à 18 h 00", "Dernière tentative")
	wantCode(t, s.Post(colleague, "/exercices/"+ex.String()+"/donner", form), http.StatusNotFound, "colleague assigns")

	wantIn(t, s.Get(teacher, "/exercices/nouveau"), "new exercise form", "Q1", "Q2", "Nombre tiré de « Calcul » (2 question(s))")
	rec = s.Post(teacher, "/exercices/nouveau", url.Values{"titre": {""}, "questions": {ids[1].String()}, "points-" + ids[1].String(): {"3"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "exercise without title")
	wantIn(t, rec, "refused exercise", "Titre : indiquez le titre de l&#39;exercice.", `value="3"`)
	rec = s.Post(teacher, "/exercices/nouveau", url.Values{"titre": {"Tirage"}, "questions": {ids[1].String()}, "points-" + ids[1].String(): {"3"},
		"tirer-" + cat.String(): {"1"}, "points-" + cat.String(): {"2"}})
	wantCode(t, rec, http.StatusSeeOther, "new exercise")
	wantIn(t, s.Get(teacher, rec.Header().Get("Location")), "new exercise page", "Q2 – 3 pt", "1 question(s) de « Calcul » – 2 pt chacune", "(5 points)")

	rec = s.Post(teacher, review+"/questions/2", url.Values{"points": {"5"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "review above the points")
	wantIn(t, rec, "review refused", "Points : de 0 à 1, deux décimales au plus.")

	t.Run("bank: share, copy, delete", func(t *testing.T) {
		wantCode(t, s.Post(teacher, "/exercices/banque/questions/"+ids[0].String()+"/partage", url.Values{"partager": {"1"}}), http.StatusSeeOther, "share")
		wantIn(t, s.Get(colleague, "/exercices/gestion"), "colleague's page", "Q1", "Lefèvre", "Créez une catégorie pour copier cette question.")
		wantCode(t, s.Post(colleague, "/exercices/banque/categories", url.Values{"categorie": {"De Claire"}}), http.StatusSeeOther, "colleague's category")
		var cats []uuid.UUID
		if err := s.Reg.DB().ReadTx(ctx, alpha, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id FROM exercise_categories WHERE owner_id = ?`, colleague.PersonID).Scan(&cats).Error
		}); err != nil || len(cats) != 1 {
			t.Fatalf("the colleague's category: %v %v", err, cats)
		}
		paulCat := cats[0]
		wantCode(t, s.Post(colleague, "/exercices/banque/questions/"+ids[0].String()+"/copier", url.Values{"categorie": {paulCat.String()}}), http.StatusSeeOther, "copy")
		wantIn(t, s.Get(colleague, "/exercices/gestion"), "the copy is the colleague's", "Partager avec les collègues « Q1 »")
		wantCode(t, s.Post(colleague, "/exercices/banque/questions/"+ids[0].String()+"/supprimer", nil), http.StatusNotFound, "colleague deletes Claire's question")
		wantCode(t, s.Post(alice, "/exercices/banque/categories", url.Values{"categorie": {"x"}}), http.StatusForbidden, "pupil makes a category")
		rec := s.Post(teacher, "/exercices/banque/questions/"+ids[0].String()+"/supprimer", nil)
		wantCode(t, rec, http.StatusUnprocessableEntity, "delete a question in use")
		wantIn(t, rec, "refused delete", "sert dans l&#39;exercice « Calcul mental »")
		confirm := "/exercices/banque/questions/" + ids[0].String() + "/supprimer"
		wantIn(t, s.Get(teacher, "/exercices/gestion"), "the bank asks first", `action="`+confirm+`"`)
		wantIn(t, s.Get(teacher, confirm), "confirmation", "Supprimer la question « Q1 » ?", "Supprimer définitivement « Q1 »", "Annuler")
		wantCode(t, s.Get(colleague, confirm), http.StatusNotFound, "a colleague's confirmation")
		wantCode(t, s.Get(alice, confirm), http.StatusForbidden, "a pupil's confirmation")
	})

	s.Clock.Set(now.Add(49 * time.Hour))
	wantIn(t, s.Get(alice, page), "after closing", "Correction", "Réponse(s) attendue(s) : « 4 »", "FEEDBACK-JUSTE", "RAPPEL-GENERAL")

	// A question written in HTML by its author reaches the pupil's page sanitised: no script,
	// no event attribute, in the statement, the answers or the feedback.
	evil := question.Question{Type: question.SingleChoice, Name: "Piège",
		Text:    question.Text{Text: `<p>Combien <script>alert(1)</script><img src="x" onerror="alert(2)"> font 2 + 2 ?</p>`, Format: question.HTML},
		Answers: []question.Answer{{Text: question.Text{Text: `<b onmouseover="alert(3)">4</b>`, Format: question.HTML}, Fraction: question.FullMark}, {Text: question.Text{Text: "5"}}}}
	evilID, err := svc.SaveQuestion(ctx, alpha, claire, uuid.Nil, cat, evil, false)
	if err != nil {
		t.Fatal(err)
	}
	evilEx, err := svc.CreateExercise(ctx, alpha, claire, exercises.ExerciseForm{Title: "Piège", Items: []exercises.ItemForm{{Question: evilID, Points: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	later := s.Clock.Now()
	evilAs, err := svc.Assign(ctx, alpha, claire, evilEx, exercises.AssignmentForm{Classes: []uuid.UUID{class}, OpensAt: later, ClosesAt: later.Add(48 * time.Hour),
		Attempts: 1, Feedback: exercises.FeedbackEachAnswer, Rule: exercises.RuleBest})
	if err != nil {
		t.Fatal(err)
	}
	rec = s.Post(alice, "/exercices/affectations/"+evilAs.String()+"/commencer", nil)
	wantCode(t, rec, http.StatusSeeOther, "start the trap")
	rec = s.Get(alice, rec.Header().Get("Location"))
	wantIn(t, rec, "the trap's page", "Combien", "font 2 + 2 ?")
	wantNotIn(t, rec, "the trap's page", "<script", "onerror", "onmouseover", "alert(")
}
