package grades_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TestMarksSummaryAndNames: the marks page opens with the subject averages, the general
// average and the latest marks (new ones marked), subjects folded in <details>; subjects
// keep the names people write, even from AAF codes, with French elision; names are in French
// order.
func TestMarksSummaryAndNames(t *testing.T) {
	s := newMarksSite(t)
	// A subject as the AAF gives it: BCN code and national label in capitals.
	s.exec(`INSERT INTO subjects (code, label) VALUES ('040300', 'HISTOIRE-GEOGRAPHIE')`)
	s.exec(`INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, '040300')`, s.maths.PersonID, s.class)
	maths := s.createEvaluation("Contrôle de géométrie", true)
	wantCode(t, s.Post(s.maths, "/notes/evaluations/"+maths.String()+"/saisie", s.gridForm("12", "15", "9")), http.StatusSeeOther, "maths marks")
	f := url.Values{"enseignement": {s.class.String() + "|040300"}, "titre": {"Croquis de l'Europe"}, "date": {s.today()},
		"bareme": {"20"}, "coefficient": {"1"}, "publiee": {"true"}}
	rec := s.Post(s.maths, "/notes/evaluations", f)
	wantCode(t, rec, http.StatusSeeOther, "history evaluation")
	hg := uuid.MustParse(evaluationPath.FindStringSubmatch(rec.Header().Get("Location"))[1])
	alice := s.pupils[1]

	t.Run("first visit: summary, no new mark", func(t *testing.T) {
		body := s.Get(alice, "/notes").Body.String()
		wantIn(t, body, "summary", `<section class="marks-summary"`, "Moyenne générale : 15,00",
			`<caption>Moyennes du 1er trimestre par matière (sur 20)</caption>`,
			`<tr><th scope="row">Mathématiques</th><td>15,00</td><td>12,00</td></tr>`,
			"<h2>Dernières notes</h2>", "Contrôle de géométrie : <strong>15,00\u00a0/\u00a020</strong>",
			`<details class="subject-marks">`, "<summary><span class=\"subject-heading\">Mathématiques – moyenne : 15,00</span></summary>",
			"Évaluations de mathématiques : note")
		wantNotIn(t, body, "first visit", "Nouveau", "HISTOIRE-GEOGRAPHIE")
	})

	t.Run("a new mark: in the latest marks and on its subject", func(t *testing.T) {
		wantCode(t, s.Post(s.maths, "/notes/evaluations/"+hg.String()+"/saisie", s.gridForm("10", "17", "Abs")), http.StatusSeeOther, "history marks")
		body := s.Get(alice, "/notes").Body.String()
		wantIn(t, body, "new mark", "Histoire-géographie – moyenne : 17,00", `<span class="badge">1 nouvelle(s)</span>`,
			`<li><strong class="badge">Nouveau</strong> <span class="latest-subject">Histoire-géographie</span> · Croquis de l&#39;Europe : <strong>17,00`,
			"Évaluations d&#39;histoire-géographie : note", "Moyenne générale : 16,00")
		if i, j := strings.Index(body, "Croquis de l&#39;Europe : "), strings.Index(body, "Contrôle de géométrie : "); i < 0 || j < 0 || i > j {
			t.Errorf("latest marks: the same-day history mark, entered last, should come first (%d, %d)", i, j)
		}
	})

	t.Run("report card: every column labelled for the phone layout", func(t *testing.T) {
		var periods []uuid.UUID
		if err := s.Reg.DB().ReadTx(t.Context(), s.tn, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id FROM periods ORDER BY starts_on`).Scan(&periods).Error
		}); err != nil || len(periods) == 0 {
			t.Fatalf("periods: %v %v", periods, err)
		}
		rec := s.Get(s.director, "/bulletins/"+periods[0].String()+"/eleves/"+alice.PersonID.String())
		wantCode(t, rec, http.StatusOK, "report card")
		wantIn(t, rec.Body.String(), "report card", `<table class="report-card">`, `<th scope="row">Histoire-géographie</th>`,
			`data-label="Moyenne de l'élève">17,00`, `data-label="Moyenne de la classe">13,50`, `data-label="Min.">10,00`,
			`data-label="Max.">17,00`, `data-label="Appréciation"`)
	})

	t.Run("names in French order", func(t *testing.T) {
		for _, last := range []string{"Zola", "Girard", "Gâtineau", "Élie"} {
			id := uuid.New()
			s.exec(`INSERT INTO people (id, category, roles, last_name, first_name) VALUES (?, 'eleve', '{eleve}', ?, 'Test')`, id, last)
			s.exec(`INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, s.class, id)
		}
		body := s.Get(s.maths, "/notes/evaluations/"+maths.String()+"/saisie").Body.String()
		want := []string{"Bernard", "Élie", "Gâtineau", "Girard", "Martin", "Petit", "Zola"}
		last := -1
		for _, name := range want {
			i := strings.Index(body, ">"+name+" ")
			if i < 0 {
				t.Fatalf("grid: %q not found", name)
			}
			if i < last {
				t.Errorf("grid: %q is out of French order %q", name, want)
			}
			last = i
		}
	})
}
