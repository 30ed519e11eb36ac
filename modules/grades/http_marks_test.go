package grades_test

// The marks pages and API through the real router, real PostgreSQL and real Kratos sessions:
// the entry grid refuses a wrong cell without saving anything, pupils see their published
// marks with French decimals, teachers of another subject get 404, and the CSV export.

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// marksSite is one lycée with a class 2nde 1 of three pupils, a maths teacher, a French
// teacher, a legal guardian of the first pupil and a director, behind the real router.
type marksSite struct {
	*moduletest.Site
	t        *testing.T
	clock    *testenv.Clock
	start    time.Time // the clock's first instant: "today" of the site
	tn       *tenant.Tenant
	class    uuid.UUID
	maths    directorytest.Member
	french   directorytest.Member
	director directorytest.Member
	guardian directorytest.Member
	pupils   []directorytest.Member // Bernard Bruno, Martin Alice, Petit Chloé (alphabetical)
	first    []string               // their first names as stored ("Bruno-…": the test env makes them unique)
}

func newMarksSite(t *testing.T) *marksSite { return newMarksSiteAt(t, testenv.SchoolDay) }

// newMarksSiteAt is newMarksSite with every service's clock at now.
func newMarksSiteAt(t *testing.T, now time.Time) *marksSite {
	t.Helper()
	s := &marksSite{Site: moduletest.New(t, moduletest.Options{Now: now, LogWarnings: true, Templates: []fs.FS{grades.Templates}}), t: t, class: uuid.New(), start: now}
	s.clock = s.Clock
	s.tn = s.Establishment(41, "Lycée des Notes")
	s.Mount(grades.NewHandler(grades.NewService(s.Reg.DB(), s.Clock.Now), s.Auth).Module())
	s.maths = s.Member(s.tn, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.french = s.Member(s.tn, identity.RoleEnseignant, "Paul", "Moreau")
	s.director = s.Member(s.tn, identity.RoleDirection, "Sophie", "Fournier")
	s.guardian = s.Member(s.tn, identity.RoleResponsable, "Gérard", "Martin")
	for _, n := range [][2]string{{"Bruno", "Bernard"}, {"Alice", "Martin"}, {"Chloé", "Petit"}} {
		m := s.Member(s.tn, identity.RoleEleve, n[0], n[1])
		s.pupils = append(s.pupils, m)
		var first string
		if err := s.Reg.DB().ReadTx(t.Context(), s.tn, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT first_name FROM people WHERE id = ?`, m.PersonID).Scan(&first).Error
		}); err != nil {
			t.Fatal(err)
		}
		s.first = append(s.first, first)
	}
	s.exec(`INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('FRANCAIS', 'Français') ON CONFLICT DO NOTHING`)
	s.exec(`INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, s.class, s.Year())
	for _, p := range s.pupils {
		s.exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, s.class, p.PersonID)
	}
	s.exec(`INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'FRANCAIS')`,
		s.maths.PersonID, s.class, s.french.PersonID, s.class)
	s.exec(`INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, s.pupils[1].PersonID, s.guardian.PersonID)
	return s
}

// today is the site's current date as a form date, in Paris.
func (s *marksSite) today() string { return s.start.In(testenv.Paris).Format("2006-01-02") }

func (s *marksSite) exec(q string, args ...any) { s.t.Helper(); s.Exec(s.tn, q, args...) }

func (s *marksSite) count(q string, args ...any) int { s.t.Helper(); return s.Count(s.tn, q, args...) }

// send serves a request as the member (session token, no cookie: no CSRF check applies).
func (s *marksSite) send(m directorytest.Member, method, path, contentType, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.Do(s.tn, m, method, path, contentType, strings.NewReader(body))
}

func (s *marksSite) putJSON(m directorytest.Member, path string, body any) *httptest.ResponseRecorder {
	s.t.Helper()
	b, _ := json.Marshal(body)
	return s.send(m, http.MethodPut, path, "application/json", string(b))
}

var wantCode = moduletest.WantCode

func wantIn(t *testing.T, body string, what string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s: %q not found in the page", what, p)
		}
	}
}

func wantNotIn(t *testing.T, body string, what string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(body, p) {
			t.Errorf("%s: %q should not be in the page", what, p)
		}
	}
}

var evaluationPath = regexp.MustCompile(`^/notes/evaluations/([0-9a-f-]{36})/saisie$`)

// createEvaluation creates a maths evaluation of today through the form and returns its id.
func (s *marksSite) createEvaluation(title string, published bool) uuid.UUID {
	s.t.Helper()
	f := url.Values{"enseignement": {s.class.String() + "|MATHS"}, "titre": {title}, "date": {s.today()},
		"bareme": {"20"}, "coefficient": {"1"}}
	if published {
		f.Set("publiee", "true")
	}
	rec := s.Post(s.maths, "/notes/evaluations", f)
	wantCode(s.t, rec, http.StatusSeeOther, "create evaluation")
	m := evaluationPath.FindStringSubmatch(rec.Header().Get("Location"))
	if m == nil {
		s.t.Fatalf("create evaluation: redirected to %q, want the entry grid", rec.Header().Get("Location"))
	}
	return uuid.MustParse(m[1])
}

func (s *marksSite) gridForm(marks ...string) url.Values {
	f := url.Values{}
	for i, m := range marks {
		f.Set("note_"+s.pupils[i].PersonID.String(), m)
		f.Set("comm_"+s.pupils[i].PersonID.String(), "")
	}
	return f
}

func TestMarksGrid(t *testing.T) {
	s := newMarksSite(t)
	ev := s.createEvaluation("Contrôle 1", true)
	gridURL := "/notes/evaluations/" + ev.String() + "/saisie"

	rec := s.Get(s.maths, gridURL)
	wantCode(t, rec, http.StatusOK, "grid")
	wantIn(t, rec.Body.String(), "grid", "Bernard "+s.first[0], "Martin "+s.first[1], "Petit "+s.first[2], `name="note_`+s.pupils[0].PersonID.String()+`"`,
		`src="/static/grades.js"`, "Aucune note enregistrée comptée")

	t.Run("a wrong cell refuses the whole grid and keeps what was typed", func(t *testing.T) {
		rec := s.Post(s.maths, gridURL, s.gridForm("21", "12,5,3", "15"))
		wantCode(t, rec, http.StatusUnprocessableEntity, "grid with errors")
		body := rec.Body.String()
		wantIn(t, body, "refused grid", "Rien n'a été enregistré",
			`id="err-`+s.pupils[0].PersonID.String()+`">21 dépasse le barème (/20)</p>`,
			`id="err-`+s.pupils[1].PersonID.String()+`">« 12,5,3 » n&#39;est pas une note`,
			`value="21"`, `value="12,5,3"`, `value="15"`)
		if strings.Contains(body, `id="err-`+s.pupils[2].PersonID.String()+`"`) {
			t.Error("the right cell (15) is flagged")
		}
		if n := s.count(`SELECT count(*) FROM marks WHERE evaluation_id = ?`, ev); n != 0 {
			t.Errorf("%d marks saved from a refused grid, want none", n)
		}
	})

	t.Run("a good grid is saved, codes and shortcuts included", func(t *testing.T) {
		rec := s.Post(s.maths, gridURL, s.gridForm("a", "15", "12,5"))
		wantCode(t, rec, http.StatusSeeOther, "good grid")
		if n := s.count(`SELECT count(*) FROM marks WHERE evaluation_id = ?`, ev); n != 3 {
			t.Errorf("%d marks saved, want 3", n)
		}
		rec = s.Get(s.maths, rec.Header().Get("Location"))
		wantCode(t, rec, http.StatusOK, "grid after saving")
		wantIn(t, rec.Body.String(), "saved grid", "Les notes ont été enregistrées.", `value="Abs"`, `value="12,5"`,
			"moyenne <strong>13,75</strong>, plus basse 12,50, plus haute 15,00")
	})

	t.Run("a teacher of another subject does not find the evaluation", func(t *testing.T) {
		wantCode(t, s.Get(s.french, gridURL), http.StatusNotFound, "French teacher, grid")
		wantCode(t, s.Post(s.french, gridURL, s.gridForm("1", "1", "1")), http.StatusNotFound, "French teacher, save grid")
		wantCode(t, s.Get(s.french, "/notes/evaluations/"+ev.String()+"/modifier"), http.StatusNotFound, "French teacher, edit")
		wantCode(t, s.Get(s.french, "/notes/classes/"+s.class.String()+"/MATHS"), http.StatusNotFound, "French teacher, class page")
		if n := s.count(`SELECT count(*) FROM marks WHERE evaluation_id = ? AND value = 1`, ev); n != 0 {
			t.Errorf("the French teacher changed %d marks", n)
		}
	})

	t.Run("bad addresses are 404, never 500", func(t *testing.T) {
		for _, p := range []string{"/notes/evaluations/nope/saisie", "/notes/evaluations/" + uuid.NewString() + "/saisie",
			"/notes/classes/:class/:subject", "/notes/classes/" + s.class.String() + "/NOPE", "/notes/eleves/:id",
			"/notes/classes/" + s.class.String() + "/MATHS?periode=x", "/notes/tableau?classe=" + uuid.NewString()} {
			wantCode(t, s.Get(s.director, p), http.StatusNotFound, p)
		}
	})

	t.Run("an evaluation form error comes back with what was typed", func(t *testing.T) {
		f := url.Values{"enseignement": {s.class.String() + "|MATHS"}, "titre": {" "}, "date": {"31/02/2026"}, "bareme": {"vingt"}, "coefficient": {"0,5"}}
		rec := s.Post(s.maths, "/notes/evaluations", f)
		wantCode(t, rec, http.StatusUnprocessableEntity, "bad form")
		wantIn(t, rec.Body.String(), "bad form", "Donnez un titre", "Date illisible", "Le barème est un nombre positif", `value="vingt"`,
			`value="0,5"`, `aria-invalid="true"`)
		f.Set("enseignement", s.class.String()+"|FRANCAIS")
		f.Set("titre", "Dictée")
		f.Set("date", s.today())
		f.Set("bareme", "20")
		rec = s.Post(s.maths, "/notes/evaluations", f)
		wantCode(t, rec, http.StatusUnprocessableEntity, "a subject the teacher does not teach")
		wantIn(t, rec.Body.String(), "other subject", "Vous n&#39;enseignez pas cette matière")
	})

	t.Run("deleting asks first, then removes the evaluation and its marks", func(t *testing.T) {
		del := s.createEvaluation("À supprimer", false)
		wantCode(t, s.Post(s.maths, "/notes/evaluations/"+del.String()+"/saisie", s.gridForm("10", "11", "12")), http.StatusSeeOther, "marks")
		rec := s.Get(s.maths, "/notes/evaluations/"+del.String()+"/supprimer")
		wantCode(t, rec, http.StatusOK, "confirm")
		wantIn(t, rec.Body.String(), "confirm", "3 note(s) saisie(s) seront supprimées")
		rec = s.Post(s.maths, "/notes/evaluations/"+del.String()+"/supprimer", url.Values{})
		wantCode(t, rec, http.StatusSeeOther, "delete")
		if n := s.count(`SELECT count(*) FROM evaluations WHERE id = ?`, del); n != 0 {
			t.Error("the evaluation is still there")
		}
	})
}

// TestMarksPupilsAndGuardians runs at each of testenv.CalendarDates: today's evaluation is
// in the current period and "Nouveau" works whatever the day.
func TestMarksPupilsAndGuardians(t *testing.T) {
	for _, now := range testenv.CalendarDates() {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) { testMarksPupilsAndGuardians(t, now) })
	}
}

func testMarksPupilsAndGuardians(t *testing.T, now time.Time) {
	s := newMarksSiteAt(t, now)
	pub := s.createEvaluation("Contrôle publié", true)
	draft := s.createEvaluation("Devoir en brouillon", false)
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+pub.String()+"/saisie", s.gridForm("Abs", "15", "12,5")), http.StatusSeeOther, "marks")
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+draft.String()+"/saisie", s.gridForm("2", "3", "4")), http.StatusSeeOther, "draft marks")
	alice, bruno := s.pupils[1], s.pupils[0]

	rec := s.Get(alice, "/notes")
	wantCode(t, rec, http.StatusOK, "pupil's marks")
	body := rec.Body.String()
	wantIn(t, body, "pupil", "Mes notes", "Contrôle publié", "15,00\u00a0/\u00a020", "Mathématiques – moyenne : 15,00", "Moyenne générale : 15,00",
		"moy. 13,75", "min 12,50 · max 15,00")
	wantNotIn(t, body, "pupil", "Devoir en brouillon", "Nouveau")

	rec = s.Get(bruno, "/notes")
	wantCode(t, rec, http.StatusOK, "absent pupil")
	wantIn(t, rec.Body.String(), "absent pupil", `<abbr title="absent">Abs</abbr>`, "Mathématiques – moyenne : Pas de moyenne",
		"Moyenne générale : Pas de moyenne")

	wantCode(t, s.Get(alice, "/notes/eleves/"+bruno.PersonID.String()), http.StatusNotFound, "another pupil's marks")

	rec = s.Get(s.guardian, "/notes")
	wantCode(t, rec, http.StatusSeeOther, "guardian with one child")
	child := "/notes/eleves/" + alice.PersonID.String()
	if rec.Header().Get("Location") != child {
		t.Fatalf("guardian sent to %q, want %q", rec.Header().Get("Location"), child)
	}
	rec = s.Get(s.guardian, child)
	wantCode(t, rec, http.StatusOK, "guardian's view")
	wantIn(t, rec.Body.String(), "guardian", "Notes de "+s.first[1], "15,00\u00a0/\u00a020")
	wantNotIn(t, rec.Body.String(), "guardian", "Devoir en brouillon")
	wantCode(t, s.Get(s.guardian, "/notes/eleves/"+bruno.PersonID.String()), http.StatusNotFound, "guardian, another pupil")

	// A mark changed after the last visit is new, with a visible word.
	time.Sleep(10 * time.Millisecond)
	rec = s.putJSON(s.maths, "/api/v1/evaluations/"+pub.String()+"/notes", map[string]any{"marks": map[string]any{alice.PersonID.String(): 16}})
	wantCode(t, rec, http.StatusOK, "API change")
	rec = s.Get(alice, "/notes")
	wantIn(t, rec.Body.String(), "new mark", ">Nouveau</strong>", "16,00\u00a0/\u00a020", "1 nouvelle(s) note(s)")

	t.Run("API", func(t *testing.T) {
		rec := s.Get(alice, "/api/v1/notes")
		wantCode(t, rec, http.StatusOK, "API marks")
		var got struct {
			Subjects []struct {
				Average     *string `json:"average"`
				Evaluations []struct {
					Title string `json:"title"`
					Mark  struct {
						Value *string `json:"value"`
					} `json:"mark"`
					Stats struct {
						Average *string `json:"average"`
					} `json:"class_stats"`
				} `json:"evaluations"`
			} `json:"subjects"`
			General *string `json:"general_average"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Subjects) != 1 || len(got.Subjects[0].Evaluations) != 1 || *got.Subjects[0].Average != "16.00" ||
			*got.Subjects[0].Evaluations[0].Mark.Value != "16.00" || *got.Subjects[0].Evaluations[0].Stats.Average != "14.25" || *got.General != "16.00" {
			t.Errorf("API marks = %s", rec.Body.String())
		}
		rec = s.Get(bruno, "/api/v1/notes")
		if !strings.Contains(rec.Body.String(), `"average":null`) || !strings.Contains(rec.Body.String(), `"general_average":null`) {
			t.Errorf("no average must be null: %s", rec.Body.String())
		}
		wantCode(t, s.Get(s.guardian, "/api/v1/notes"), http.StatusUnprocessableEntity, "guardian without eleve")
		wantCode(t, s.Get(s.guardian, "/api/v1/notes?eleve="+alice.PersonID.String()), http.StatusOK, "guardian with eleve")

		rec = s.putJSON(s.maths, "/api/v1/evaluations/"+pub.String()+"/notes", map[string]any{"marks": map[string]any{
			alice.PersonID.String(): "25", bruno.PersonID.String(): "10"}})
		wantCode(t, rec, http.StatusUnprocessableEntity, "API refused grid")
		var refused struct {
			Cells map[string]string `json:"cells"`
		}
		json.Unmarshal(rec.Body.Bytes(), &refused)
		if len(refused.Cells) != 1 || !strings.Contains(refused.Cells[alice.PersonID.String()], "dépasse le barème") {
			t.Errorf("cells = %v", refused.Cells)
		}
		if n := s.count(`SELECT count(*) FROM marks WHERE evaluation_id = ? AND pupil_id = ? AND code = 'Abs'`, pub, bruno.PersonID); n != 1 {
			t.Error("a refused API grid changed a mark")
		}

		rec = s.send(s.maths, http.MethodPost, "/api/v1/evaluations", "application/json", `{"class_id": "`+s.class.String()+`", "subject": "MATHS", "title": "", "date": "x", "scale": 20}`)
		wantCode(t, rec, http.StatusUnprocessableEntity, "API bad evaluation")
		wantIn(t, rec.Body.String(), "API fields", `"title":`, `"date":`)

		body := `{"class_id": "` + s.class.String() + `", "subject": "MATHS", "title": "Interro", "date": "` + s.today() + `", "scale": 10, "coefficient": "0.5", "published": true}`
		rec = s.send(s.maths, http.MethodPost, "/api/v1/evaluations", "application/json", body)
		wantCode(t, rec, http.StatusCreated, "API create")
		var created struct {
			ID          string `json:"id"`
			Scale       string `json:"scale"`
			Coefficient string `json:"coefficient"`
		}
		json.Unmarshal(rec.Body.Bytes(), &created)
		if created.Scale != "10.00" || created.Coefficient != "0.50" || rec.Header().Get("Location") != "/api/v1/evaluations/"+created.ID {
			t.Errorf("API create = %s (Location %q)", rec.Body.String(), rec.Header().Get("Location"))
		}
		rec = s.Get(s.maths, "/api/v1/evaluations?classe="+s.class.String()+"&matiere=MATHS")
		wantCode(t, rec, http.StatusOK, "API list")
		wantIn(t, rec.Body.String(), "API list", `"title":"Contrôle publié"`, `"title":"Interro"`, `"title":"Devoir en brouillon"`)
		wantCode(t, s.Get(s.french, "/api/v1/evaluations?classe="+s.class.String()+"&matiere=MATHS"), http.StatusNotFound, "API list, other subject")
		wantCode(t, s.Get(s.director, "/api/v1/evaluations?classe="+uuid.NewString()+"&matiere=MATHS"), http.StatusNotFound, "API list, unknown class")
		rec = s.send(s.maths, http.MethodPut, "/api/v1/evaluations/"+created.ID, "application/json", strings.Replace(body, "Interro", "Interro écrite", 1))
		wantCode(t, rec, http.StatusOK, "API update")
		wantIn(t, rec.Body.String(), "API update", `"title":"Interro écrite"`)
		rec = s.Get(s.maths, "/api/v1/evaluations/"+pub.String())
		wantCode(t, rec, http.StatusOK, "API evaluation")
		wantIn(t, rec.Body.String(), "API evaluation", `"code":"Abs"`, `"value":"16.00"`, `"average":"14.25"`)
		wantCode(t, s.send(s.french, http.MethodDelete, "/api/v1/evaluations/"+created.ID, "", ""), http.StatusNotFound, "API delete, other subject")
		wantCode(t, s.send(s.maths, http.MethodDelete, "/api/v1/evaluations/"+created.ID, "", ""), http.StatusNoContent, "API delete")
	})
}

func TestMarksCSVAndDirection(t *testing.T) {
	s := newMarksSite(t)
	ev := s.createEvaluation("Contrôle; n°1", true)
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+ev.String()+"/saisie", s.gridForm("Abs", "15", "12,5")), http.StatusSeeOther, "marks")

	rec := s.Get(s.maths, "/notes/classes/"+s.class.String()+"/MATHS")
	wantCode(t, rec, http.StatusOK, "class page")
	wantIn(t, rec.Body.String(), "class page", "Contrôle; n°1", "Nouvelle évaluation", "export.csv", "Pas de moyenne", "13,75")

	rec = s.Get(s.maths, "/notes/classes/"+s.class.String()+"/MATHS/export.csv")
	wantCode(t, rec, http.StatusOK, "CSV")
	body := rec.Body.String()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Error("the CSV has no BOM")
	}
	want := "\ufeffNom;Prénom;\"Contrôle; n°1 (" + testenv.SchoolDay.Format("02/01") + ", /20, coef 1)\";Moyenne\r\n" +
		"Bernard;" + s.first[0] + ";Abs;\r\nMartin;" + s.first[1] + ";15;15,00\r\nPetit;" + s.first[2] + ";12,5;12,50\r\n"
	if body != want {
		t.Errorf("CSV =\n%q\nwant\n%q", body, want)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}
	wantCode(t, s.Get(s.french, "/notes/classes/"+s.class.String()+"/MATHS/export.csv"), http.StatusNotFound, "CSV, other subject")

	// A draft is listed for its teacher but counts in no average.
	draft := s.createEvaluation("Brouillon", false)
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+draft.String()+"/saisie", s.gridForm("0", "0", "0")), http.StatusSeeOther, "draft marks")
	rec = s.Get(s.maths, "/notes/classes/"+s.class.String()+"/MATHS")
	wantIn(t, rec.Body.String(), "class page with a draft", "Brouillon", "<strong>brouillon</strong>", "Classe : moyenne 13,75")

	rec = s.Get(s.director, "/notes/tableau?classe="+s.class.String())
	wantCode(t, rec, http.StatusOK, "class table")
	wantIn(t, rec.Body.String(), "class table", "Mathématiques (1)", "Répartition des moyennes générales", "de 14 à moins de 16", "Français")

	rec = s.Post(s.director, "/notes/coefficients", url.Values{"classe": {s.class.String()}, "matiere": {"MATHS"}, "coefficient": {"deux"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "bad coefficient")
	wantIn(t, rec.Body.String(), "bad coefficient", `value="deux"`, "n&#39;a pas été enregistré")
	wantCode(t, s.Post(s.director, "/notes/coefficients", url.Values{"classe": {s.class.String()}, "matiere": {"NOPE"}, "coefficient": {"2"}}),
		http.StatusNotFound, "unknown subject")
	rec = s.Post(s.director, "/notes/coefficients", url.Values{"classe": {s.class.String()}, "matiere": {"MATHS"}, "coefficient": {"2,5"}})
	wantCode(t, rec, http.StatusSeeOther, "coefficient")
	wantIn(t, s.Get(s.director, rec.Header().Get("Location")).Body.String(), "coefficient saved", "Mathématiques (2,5)")

	wantCode(t, s.Get(s.director, "/notes/periodes"), http.StatusOK, "periods")
	rec = s.Post(s.director, "/notes/periodes", url.Values{"decoupage": {"semestre"}, "fin1": {"pas une date"}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "bad periods")
	wantIn(t, rec.Body.String(), "bad periods", "Date illisible", `value="pas une date"`)
	_, start, _ := directory.SchoolYearOf(s.clock.Now())
	end1 := time.Date(start.Year()+1, time.January, 31, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	rec = s.Post(s.director, "/notes/periodes", url.Values{"decoupage": {"semestre"}, "fin1": {end1}})
	wantCode(t, rec, http.StatusSeeOther, "periods")
	wantIn(t, s.Get(s.director, "/notes/periodes").Body.String(), "periods saved", "2e semestre", "31/01/")

	wantCode(t, s.Get(s.maths, "/notes/tableau"), http.StatusForbidden, "teacher, class table")

	rec = s.Get(s.pupils[1], "/api/v1/periodes")
	wantCode(t, rec, http.StatusOK, "API periods")
	var periods struct {
		Periods []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"periods"`
	}
	json.Unmarshal(rec.Body.Bytes(), &periods)
	current := ""
	for _, p := range periods.Periods {
		if p.Current {
			current = p.ID
		}
	}
	if len(periods.Periods) != 2 || current == "" {
		t.Fatalf("API periods = %s", rec.Body.String())
	}
	wantCode(t, s.Get(s.pupils[1], "/api/v1/bulletins/"+current), http.StatusNotFound, "API report card, not published")
	rec = s.Get(s.director, "/api/v1/bulletins/"+current+"?eleve="+s.pupils[1].PersonID.String())
	wantCode(t, rec, http.StatusOK, "API report card, direction")
	wantIn(t, rec.Body.String(), "API report card", `"general_average":"15.00"`)
}
