package exercises_test

// The bank's import (upload, report, « importer les valides » or « ne rien importer »), its
// exports (GIFT, Moodle XML) and the GIFT question editor, through the real router.

import (
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/gift"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/tenant"
)

// giftFile is n questions in GIFT, the ones at bad (from 0) malformed; it returns the lines
// where the malformed ones start.
func giftFile(n int, bad ...int) (string, []int) {
	var b strings.Builder
	var lines []int
	line := 1
	for i := range n {
		isBad := false
		for _, j := range bad {
			isBad = isBad || j == i
		}
		if isBad {
			lines = append(lines, line)
			fmt.Fprintf(&b, "::Q%02d:: Combien font %d + 1 ? {=%d ~%%abc%%%d}\n\n", i, i, i+1, i)
		} else {
			fmt.Fprintf(&b, "::Q%02d:: Combien font %d + 1 ? {=%d ~%d ~%d}\n\n", i, i, i+1, i, i+2)
		}
		line += 2
	}
	return b.String(), lines
}

// upload posts the import form with a file as m on tn.
func upload(s *moduletest.Site, tn *tenant.Tenant, m directorytest.Member, name string, data []byte, category string, subcats bool) *httptest.ResponseRecorder {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("fichier", name)
	fw.Write(data)
	w.WriteField("categorie", category)
	if subcats {
		w.WriteField("sous_categories", "1")
	}
	w.Close()
	return s.Do(tn, m, http.MethodPost, "/exercices/banque/import", w.FormDataContentType(), &body)
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// confirmForm is the report's form, with the teacher's choice.
func confirmForm(t *testing.T, page, choice string) url.Values {
	t.Helper()
	f := url.Values{"choix": {choice}}
	for _, m := range hidden.FindAllStringSubmatch(page, -1) {
		if m[1] != "_csrf" {
			f.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	if f.Get("contenu") == "" {
		t.Fatalf("the report has no file content to send back:\n%s", page)
	}
	return f
}

func importSite(t testing.TB) (*moduletest.Site, *exercises.Service) {
	s := moduletest.New(t, moduletest.Options{Templates: []fs.FS{exercises.Templates}, LogWarnings: true})
	svc := exercises.NewService(s.Reg.DB(), standIn, nil, s.Clock.Now)
	s.Mount(exercises.NewHandler(svc).Module())
	return s, svc
}

func TestImportExportPages(t *testing.T) {
	s, svc := importSite(t)
	alpha := s.Establishment(95, "Lycée Alpha")
	bravo := s.Establishment(96, "Lycée Bravo")
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	colleague := s.Member(alpha, identity.RoleEnseignant, "Paul", "Collègue")
	pupil := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	bravoTeacher := s.Member(bravo, identity.RoleEnseignant, "Jeanne", "Bravo")
	wantCode, wantIn, wantNotIn := moduletest.WantCode, moduletest.WantIn, moduletest.WantNotIn
	mine := func(m directorytest.Member) int {
		return s.Count(alpha, `SELECT count(*) FROM exercise_questions WHERE owner_id = ?`, m.PersonID)
	}

	file, badLines := giftFile(40, 7, 23)
	wantIn(t, s.Get(teacher, "/exercices/banque/import"), "import form", "Lire le fichier", `enctype="multipart/form-data"`)

	rec := upload(s, alpha, teacher, "quiz.gift", []byte(file), "Calcul/Import", false)
	wantCode(t, rec, http.StatusOK, "upload")
	report := rec.Body.String()
	wantIn(t, rec, "report", "40 question(s) lue(s), 38 valide(s)", fmt.Sprintf("ligne %d (« Q07 »)", badLines[0]),
		fmt.Sprintf("ligne %d (« Q23 »)", badLines[1]), "Importer les 38 questions valides", "Ne rien importer")
	if n := mine(teacher); n != 0 {
		t.Fatalf("the report wrote %d questions", n)
	}

	t.Run("ne rien importer", func(t *testing.T) {
		rec := s.Post(teacher, "/exercices/banque/import/confirmer", confirmForm(t, report, "rien"))
		wantCode(t, rec, http.StatusSeeOther, "nothing")
		wantIn(t, s.Get(teacher, rec.Header().Get("Location")), "nothing imported", "Rien n&#39;a été importé.")
		if n := mine(teacher); n != 0 {
			t.Errorf("« ne rien importer » wrote %d questions", n)
		}
	})
	t.Run("others cannot import into the teacher's bank", func(t *testing.T) {
		form := confirmForm(t, report, "importer")
		wantCode(t, s.Post(pupil, "/exercices/banque/import/confirmer", form), http.StatusForbidden, "pupil confirms")
		wantCode(t, upload(s, alpha, pupil, "quiz.gift", []byte(file), "Calcul", false), http.StatusForbidden, "pupil uploads")
		wantCode(t, s.Do(bravo, pupil, http.MethodPost, "/exercices/banque/import/confirmer", "application/x-www-form-urlencoded", strings.NewReader(form.Encode())),
			http.StatusForbidden, "Alpha's pupil on Bravo")
		// A colleague (or Bravo's teacher) who sends the file imports into their own bank.
		wantCode(t, s.Do(bravo, bravoTeacher, http.MethodPost, "/exercices/banque/import/confirmer", "application/x-www-form-urlencoded", strings.NewReader(form.Encode())),
			http.StatusSeeOther, "Bravo's teacher")
		if n := mine(teacher); n != 0 {
			t.Errorf("others' imports went into Claire's bank: %d", n)
		}
	})
	t.Run("a forged count imports nothing", func(t *testing.T) {
		form := confirmForm(t, report, "importer")
		form.Set("n", "40")
		wantCode(t, s.Post(teacher, "/exercices/banque/import/confirmer", form), http.StatusUnprocessableEntity, "forged n")
		if n := mine(teacher); n != 0 {
			t.Errorf("a forged confirmation wrote %d questions", n)
		}
	})
	t.Run("importer les valides", func(t *testing.T) {
		rec := s.Post(teacher, "/exercices/banque/import/confirmer", confirmForm(t, report, "importer"))
		wantCode(t, rec, http.StatusSeeOther, "import")
		wantIn(t, s.Get(teacher, rec.Header().Get("Location")), "imported", "38 question(s) importée(s) dans « Calcul/Import ».")
		if n := mine(teacher); n != 38 {
			t.Errorf("the bank has %d questions, want 38", n)
		}
	})
	t.Run("an oversized file is refused with its message", func(t *testing.T) {
		big := bytes.Repeat([]byte("// commentaire de remplissage\n"), (exercises.MaxGIFT/30)+10)
		rec := upload(s, alpha, teacher, "gros.gift", big, "Calcul", false)
		wantCode(t, rec, http.StatusUnprocessableEntity, "oversized")
		wantIn(t, rec, "oversized", `id="fichier-erreur"`, "ce fichier GIFT fait", "5 Mo au plus")
	})
	t.Run("a service refusal is in the report", func(t *testing.T) {
		rec := upload(s, alpha, teacher, "q.gift", []byte("::Seule:: Question {=a ~b}\n\n$CATEGORY: "+strings.Repeat("x", 400)+"\n\n::Longue:: Q {=a ~b}\n"), "Calcul", true)
		wantCode(t, rec, http.StatusOK, "report")
		wantIn(t, rec, "service refusal", "2 question(s) lue(s), 1 valide(s)", "dépasse 300 caractères")
	})

	var catID uuid.UUID
	for _, c := range mustCategories(t, svc, alpha, teacher) {
		if c.Path == "Calcul/Import" {
			catID = c.ID
		}
	}

	t.Run("export GIFT, re-import, the same questions", func(t *testing.T) {
		rec := s.Get(teacher, "/exercices/banque/export/gift?categorie="+catID.String())
		wantCode(t, rec, http.StatusOK, "export gift")
		if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".gift") {
			t.Errorf("Content-Disposition %q", cd)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "utf-8") {
			t.Errorf("Content-Type %q", ct)
		}
		exported := rec.Body.Bytes()
		rep := upload(s, alpha, teacher, "export.gift", exported, "Retour", false)
		wantIn(t, rep, "re-import report", "38 question(s) lue(s), 38 valide(s)")
		wantCode(t, s.Post(teacher, "/exercices/banque/import/confirmer", confirmForm(t, rep.Body.String(), "importer")), http.StatusSeeOther, "re-import")
		before, after := bankBodies(t, svc, alpha, teacher, "Calcul/Import"), bankBodies(t, svc, alpha, teacher, "Retour")
		if len(before) != 38 || len(after) != 38 {
			t.Fatalf("%d and %d questions", len(before), len(after))
		}
		for i := range before {
			if before[i] != after[i] {
				t.Errorf("question %d:\n%s\n%s", i, before[i], after[i])
			}
		}
	})
	t.Run("export XML, import XML", func(t *testing.T) {
		rec := s.Get(teacher, "/exercices/banque/export/xml?categorie="+catID.String())
		wantCode(t, rec, http.StatusOK, "export xml")
		if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".xml") {
			t.Errorf("Content-Disposition %q", cd)
		}
		rep := upload(s, alpha, teacher, "moodle.xml", rec.Body.Bytes(), "DeMoodle", true)
		wantIn(t, rep, "xml report", "(Moodle XML) : 38 question(s) lue(s), 38 valide(s)")
		wantCode(t, s.Post(teacher, "/exercices/banque/import/confirmer", confirmForm(t, rep.Body.String(), "importer")), http.StatusSeeOther, "xml import")
		if n := len(bankBodies(t, svc, alpha, teacher, "DeMoodle/Calcul/Import")); n != 38 {
			t.Errorf("XML import into subcategories: %d questions", n)
		}
		bad := upload(s, alpha, teacher, "x.xml", []byte(`<quiz><question type="multichoice"><name><text>Cassée</text></name></question></quiz>`), "X", false)
		wantIn(t, bad, "malformed xml", "ligne 1", "Cassée")
	})
	t.Run("others cannot export the teacher's bank", func(t *testing.T) {
		q := "/exercices/banque/export/gift?categorie=" + catID.String()
		wantCode(t, s.Get(colleague, q), http.StatusNotFound, "colleague")
		wantCode(t, s.Get(pupil, q), http.StatusForbidden, "pupil")
		wantCode(t, s.Do(bravo, bravoTeacher, http.MethodGet, q, "", nil), http.StatusNotFound, "Bravo's teacher")
		rec := s.Get(colleague, "/exercices/banque/export/xml")
		wantCode(t, rec, http.StatusUnprocessableEntity, "colleague's empty bank")
		wantNotIn(t, rec, "colleague's export", "Q01")
	})
	t.Run("GIFT cannot say an ordering question", func(t *testing.T) {
		cat := catID
		if _, err := svc.SaveQuestion(t.Context(), alpha, actor(teacher), uuid.Nil, cat, question.Question{Type: question.Ordering, Name: "Dates",
			Text: question.Text{Text: "Rangez"}, Items: []question.Text{{Text: "a"}, {Text: "b"}, {Text: "c"}}}, false); err != nil {
			t.Fatal(err)
		}
		rec := s.Get(teacher, "/exercices/banque/export/gift?categorie="+cat.String())
		wantCode(t, rec, http.StatusUnprocessableEntity, "ordering in GIFT")
		wantIn(t, rec, "refused export", "« Dates »", "/exercices/banque/export/xml?categorie="+cat.String())
	})
	t.Run("the GIFT editor", func(t *testing.T) {
		wantIn(t, s.Get(teacher, "/exercices/banque/questions/nouvelle"), "editor", "Aperçu", "Calcul/Import")
		form := url.Values{"gift": {"::Capitale:: La capitale de la France ? {=Paris#Bravo ~Lyon ~%-50%Marseille}"}, "categorie": {catID.String()}, "choix": {"apercu"}}
		rec := s.Post(teacher, "/exercices/banque/questions/nouvelle", form)
		wantCode(t, rec, http.StatusOK, "preview")
		wantIn(t, rec, "preview", "Choix unique", "Paris — 100 %", "Marseille — -50 %")
		n := mine(teacher)
		form.Set("gift", "::Faute:: Q ? {=a ~%abc%b}")
		rec = s.Post(teacher, "/exercices/banque/questions/nouvelle", form)
		wantCode(t, rec, http.StatusUnprocessableEntity, "malformed")
		wantIn(t, rec, "malformed", `id="gift-erreur"`, "ligne 1")
		form.Set("gift", "::Capitale:: La capitale de la France ? {=Paris ~Lyon}")
		form.Set("choix", "enregistrer")
		rec = s.Post(teacher, "/exercices/banque/questions/nouvelle", form)
		wantCode(t, rec, http.StatusSeeOther, "save")
		if mine(teacher) != n+1 {
			t.Fatalf("not saved")
		}
		wantIn(t, s.Get(teacher, rec.Header().Get("Location")), "edit page", "La question a été enregistrée.", "::Capitale::")
		edit := strings.TrimSuffix(rec.Header().Get("Location"), "?ok=1")
		wantCode(t, s.Get(colleague, edit), http.StatusNotFound, "colleague edits")
		form.Set("gift", "::Capitale:: La capitale de l'Italie ? {=Rome ~Milan}")
		wantCode(t, s.Post(teacher, edit, form), http.StatusSeeOther, "change")
		wantIn(t, s.Get(teacher, edit), "changed", "Rome")
		wantCode(t, s.Post(colleague, edit, form), http.StatusNotFound, "colleague changes")
		if mine(teacher) != n+1 {
			t.Errorf("an edit made a new question")
		}
	})
}

func actor(m directorytest.Member) exercises.Actor {
	return exercises.Actor{PersonID: m.PersonID, Roles: []identity.Role{identity.RoleEnseignant}}
}

func mustCategories(t *testing.T, svc *exercises.Service, tn *tenant.Tenant, m directorytest.Member) []exercises.Category {
	t.Helper()
	cats, err := svc.Categories(t.Context(), tn, actor(m))
	if err != nil {
		t.Fatal(err)
	}
	return cats
}

// bankBodies are the questions of one category of m's bank in GIFT, by name, without their
// category.
func bankBodies(t *testing.T, svc *exercises.Service, tn *tenant.Tenant, m directorytest.Member, path string) []string {
	t.Helper()
	bank, err := svc.Bank(t.Context(), tn, actor(m))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, bq := range bank {
		if bq.CategoryPath != path {
			continue
		}
		full, err := svc.Question(t.Context(), tn, actor(m), bq.ID)
		if err != nil {
			t.Fatal(err)
		}
		q := gift.Normalize(full.Question)
		q.Category = ""
		out = append(out, fmt.Sprintf("%+v", q))
	}
	return out
}

func BenchmarkImportGIFT1000(b *testing.B) {
	s, svc := importSite(b)
	alpha := s.Establishment(97, "Lycée Alpha")
	teacher := s.Member(alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	file, _ := giftFile(1000)
	b.ResetTimer()
	for i := range b.N {
		qs, errs, err := gift.Parse(strings.NewReader(file))
		if err != nil || len(errs) > 0 || len(qs) != 1000 {
			b.Fatalf("parse: %v %v %d", err, errs, len(qs))
		}
		if _, err := svc.ImportQuestions(b.Context(), alpha, actor(teacher), fmt.Sprintf("Bench/%d", i), qs, exercises.ImportInto); err != nil {
			b.Fatal(err)
		}
	}
}
