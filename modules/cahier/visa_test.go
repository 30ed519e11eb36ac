package cahier_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
)

// TestVisa: the direction reads a class's cahier, signs it with a comment; the page shows
// the visa (who, when, comment) to the direction and the class's teachers, not to pupils or
// families; what is entered afterwards counts as « depuis le dernier visa » and stays
// editable by its teacher; pupils, parents, teachers and the vie scolaire cannot sign;
// another establishment's direction finds no such class; a comment too long is refused with
// nothing written.
func TestVisa(t *testing.T) {
	s := newSite(t)
	first := s.lessonSession(s.teacher, s.monday1, "2026-09-28", "Les fonctions affines", "publier")
	s.lessonSession(s.teacher, s.monday1, "2026-10-05", "Le coefficient directeur", "publier")
	s.lessonSession(s.teacher, s.thursday1, "2026-10-01", "Brouillon jamais publié", "brouillon")
	book := "/cahier/classes/" + s.class1.String()

	rec := s.Get(s.direction, book)
	wantCode(t, rec, http.StatusOK, "the direction reads the cahier")
	wantIn(t, rec, "the direction's page", "Les fonctions affines", "Viser ce cahier de textes", "2 séances depuis le dernier visa",
		"n'a pas encore été visé")
	wantNotIn(t, rec, "the direction's page", "/modifier", "Brouillon jamais publié")

	wantCode(t, s.Post(s.direction, book+"/visas", url.Values{"commentaire": {"Cahier bien tenu, progression conforme."}}), http.StatusSeeOther, "sign")
	rec = s.Get(s.direction, book+"?ok=vise")
	wantIn(t, rec, "the signed cahier", "Le cahier de textes a été visé.", "Visé le lundi 05/10/2026 à 10:00 par Marc", "Proviseur</strong>",
		"Cahier bien tenu, progression conforme.", "Toutes les matières, 2 séances à cette date", "Aucune séance depuis le dernier visa.")

	// What is entered afterwards is not covered, and stays its teacher's to edit.
	s.Clock.Advance(time.Hour)
	s.lessonSession(s.teacher, s.thursday1, "2026-09-24", "Séance saisie après le visa", "publier")
	wantCode(t, s.Post(s.teacher, "/cahier/seances/"+first.String()+"/modifier", url.Values{"creneau": {s.monday1.String()}, "date": {"2026-09-28"},
		"titre": {"Les fonctions affines (corrigé)"}, "contenu": {"Cours"}, "action": {"publier"}}), http.StatusSeeOther, "the teacher edits a séance seen by the visa")
	rec = s.Get(s.teacher, book)
	wantIn(t, rec, "the teacher's view", "Cahier bien tenu, progression conforme.", "1 séance depuis le dernier visa.", "Les fonctions affines (corrigé)")
	wantNotIn(t, rec, "the teacher's view", "Viser ce cahier de textes")

	// Pupils and families read the cahier, not its visas.
	for who, member := range map[string]directorytest.Member{"pupil": s.alice, "guardian": s.guardian} {
		rec = s.Get(member, book)
		wantCode(t, rec, http.StatusOK, who+" reads the class's cahier")
		wantNotIn(t, rec, who+"'s view", "Cahier bien tenu", "Viser ce cahier", "depuis le dernier visa")
	}

	// Nobody but the direction and the inspection signs.
	signers := 1
	for _, m := range []struct {
		who string
		rec func() int
	}{
		{"pupil", func() int { return s.Post(s.alice, book+"/visas", url.Values{"commentaire": {"x"}}).Code }},
		{"guardian", func() int { return s.Post(s.guardian, book+"/visas", url.Values{"commentaire": {"x"}}).Code }},
		{"teacher", func() int { return s.Post(s.teacher, book+"/visas", url.Values{"commentaire": {"x"}}).Code }},
		{"vie scolaire", func() int { return s.Post(s.cpe, book+"/visas", url.Values{"commentaire": {"x"}}).Code }},
		{"teacher by the API", func() int {
			return s.sendJSON(s.teacher, http.MethodPost, "/api/v1/cahier/classes/"+s.class1.String()+"/visas", `{"comment":"x"}`).Code
		}},
	} {
		if code := m.rec(); code != http.StatusForbidden {
			t.Errorf("%s signs: status %d, want 403", m.who, code)
		}
	}
	wantCode(t, s.Get(s.teacher, "/cahier/visas"), http.StatusForbidden, "the teacher's visas overview")
	wantCode(t, s.Get(s.alice, "/api/v1/cahier/visas"), http.StatusForbidden, "a pupil's visas API")
	// Another establishment's direction: no such class there; its overview lists none of Alpha's.
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodPost, book+"/visas", url.Values{"commentaire": {"x"}}), http.StatusNotFound, "Bravo's direction signs")
	wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, book, nil), http.StatusNotFound, "Bravo's direction reads")
	rec = s.Send(s.bravo, s.bravoDirection, http.MethodGet, "/cahier/visas", nil)
	wantCode(t, rec, http.StatusOK, "Bravo's overview")
	wantNotIn(t, rec, "Bravo's overview", "2nde 1", s.class1.String())

	// Too long a comment: refused next to its field, nothing written.
	rec = s.Post(s.direction, book+"/visas", url.Values{"commentaire": {strings.Repeat("a", 2001)}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a comment too long")
	wantIn(t, rec, "the refusal", "Le visa n'a pas été enregistré", "Commentaire : 2 000 caractères au plus (2001 saisis).", `aria-invalid="true"`)
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_visas`); n != signers {
		t.Errorf("%d visas after the refusals, want %d", n, signers)
	}

	// The overview: never-signed classes first, then by last visa.
	rec = s.Get(s.direction, "/cahier/visas")
	wantCode(t, rec, http.StatusOK, "the overview")
	body := rec.Body.String()
	if i, j := strings.Index(body, "2nde 2"), strings.Index(body, "2nde 1"); i < 0 || j < 0 || i > j {
		t.Errorf("the overview lists 2nde 2 (never signed) at %d, 2nde 1 (signed) at %d; want 2nde 2 first", i, j)
	}
	wantIn(t, rec, "the overview", "Jamais visé", "lundi 05/10/2026 (Marc")
}

// TestVisaReadOnly: the direction reads every séance and piece of work but gets no edit
// form or button, and its writes are refused, by page and by API.
func TestVisaReadOnly(t *testing.T) {
	s := newSite(t)
	se := s.lessonSession(s.teacher, s.monday1, "2026-09-28", "Les vecteurs", "publier")
	wk := s.work(s.teacher, s.class1, "MATHS", "2026-10-08", "30", "Exercices 4 et 5", nil)
	for _, path := range []string{"/cahier/seances/" + se.String(), "/cahier/travail/" + wk.String()} {
		rec := s.Get(s.direction, path)
		wantCode(t, rec, http.StatusOK, "the direction reads "+path)
		wantNotIn(t, rec, "the direction's "+path, "/modifier", "/pieces", "supprimer", "Copier")
	}
	form := url.Values{"creneau": {s.monday1.String()}, "date": {"2026-09-28"}, "titre": {"Réécrit"}, "action": {"publier"}}
	for _, r := range []struct {
		what   string
		method string
		path   string
		json   string
	}{
		{"edit form", http.MethodGet, "/cahier/seances/" + se.String() + "/modifier", ""},
		{"edit", http.MethodPost, "/cahier/seances/" + se.String() + "/modifier", ""},
		{"new séance", http.MethodPost, "/cahier/seances/nouvelle", ""},
		{"edit work", http.MethodPost, "/cahier/travail/" + wk.String() + "/modifier", ""},
		{"API edit", http.MethodPut, "/api/v1/cahier/seances/" + se.String(), `{"title":"Réécrit"}`},
		{"API delete", http.MethodDelete, "/api/v1/cahier/seances/" + se.String(), ""},
		{"API delete work", http.MethodDelete, "/api/v1/cahier/travail/" + wk.String(), ""},
	} {
		code := 0
		switch {
		case r.json != "" || strings.HasPrefix(r.path, "/api/"):
			code = s.sendJSON(s.direction, r.method, r.path, r.json).Code
		case r.method == http.MethodGet:
			code = s.Get(s.direction, r.path).Code
		default:
			code = s.Post(s.direction, r.path, form).Code
		}
		if code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("the direction's %s: status %d, want 403 or 404", r.what, code)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_sessions WHERE title = 'Les vecteurs'`); n != 1 {
		t.Errorf("the séance changed under the direction's requests (%d left as written)", n)
	}
}

// TestInspector: the inspection (a role of its own, with a French label) reads any class's
// cahier and signs it, by page and by API, and holds nothing else of the cahier.
func TestInspector(t *testing.T) {
	s := newSite(t)
	inspector := s.Member(s.alpha, identity.RoleInspecteur, "Irène", "Inspectrice")
	s.lessonSession(s.teacher, s.monday1, "2026-09-28", "Les fonctions affines", "publier")
	if l := identity.RoleInspecteur.Label(); l != "Inspecteur / Inspectrice pédagogique" || !identity.RoleInspecteur.Valid() {
		t.Errorf("the inspector's role: label %q, valid %v", l, identity.RoleInspecteur.Valid())
	}
	roles := []identity.Role{identity.RoleInspecteur}
	for p, want := range map[identity.Permission]bool{cahier.PermRead: true, cahier.PermBrowse: true, cahier.PermVisa: true, cahier.PermArchives: true,
		cahier.PermWrite: false, cahier.PermManage: false, cahier.PermTick: false, identity.PermPeopleView: false, identity.PermClassesList: false,
		identity.PermMarksView: false} {
		if identity.Can(roles, p) != want {
			t.Errorf("inspector holds %s: %v, want %v", p, !want, want)
		}
	}
	rec := s.Get(inspector, "/cahier")
	wantIn(t, rec, "the inspector's cahiers", "2nde 1", "2nde 2")
	rec = s.Get(inspector, "/cahier/classes/"+s.class1.String())
	wantIn(t, rec, "the inspector's view", "Les fonctions affines", "Viser ce cahier de textes")

	rec = s.sendJSON(inspector, http.MethodPost, "/api/v1/cahier/classes/"+s.class1.String()+"/visas", `{"subject_code":"MATHS","comment":"Vu en inspection."}`)
	wantCode(t, rec, http.StatusCreated, "the inspector signs by the API")
	wantIn(t, rec, "the API's visa", `"signer":"Irène`, `"subject_code":"MATHS"`, `"sessions":1`)
	rec = s.sendJSON(inspector, http.MethodPost, "/api/v1/cahier/classes/"+s.class1.String()+"/visas", `{"subject_code":"NOPE","comment":""}`)
	wantCode(t, rec, http.StatusUnprocessableEntity, "an unknown subject")
	wantIn(t, rec, "the API's refusal", `"subject_code":"Matière : choisissez une matière de la liste`)
	wantCode(t, s.sendJSON(inspector, http.MethodPost, "/api/v1/cahier/classes/"+s.class1.String()+"/visas", `{"comment":"x","extra":1}`),
		http.StatusBadRequest, "an unknown field")

	var overview struct {
		Classes []struct {
			Class      string     `json:"class"`
			LastVisaAt *time.Time `json:"last_visa_at"`
			LastSigner string     `json:"last_signer"`
			Since      int        `json:"sessions_since"`
			Sessions   int        `json:"sessions"`
		} `json:"classes"`
	}
	s.getJSON(s.direction, "/api/v1/cahier/visas", http.StatusOK, &overview)
	found := false
	for _, c := range overview.Classes {
		if c.Class == "2nde 1" {
			found = c.LastVisaAt != nil && strings.HasPrefix(c.LastSigner, "Irène") && strings.HasSuffix(c.LastSigner, " Inspectrice") && c.Since == 0 && c.Sessions == 1
		}
	}
	if !found {
		t.Errorf("the visas' overview: %+v; want 2nde 1 signed by Irène Inspectrice, nothing since", overview.Classes)
	}
	rec = s.Get(s.direction, "/cahier/classes/"+s.class1.String())
	wantIn(t, rec, "the subject's visa", " Inspectrice</strong>", "Mathématiques, 1 séances à cette date", "Vu en inspection.")
	// The inspection fills nothing.
	wantCode(t, s.Get(inspector, "/cahier/seances"), http.StatusForbidden, "the inspector's séances")
	wantCode(t, s.Get(inspector, "/cahier/reglages"), http.StatusForbidden, "the inspector's settings")
}

// TestDemoVisa: the demo signs the first class it filled, as the direction, once.
func TestDemoVisa(t *testing.T) {
	s := newSite(t)
	for range 2 {
		if err := s.svc.SeedDemo(t.Context(), s.alpha); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM cahier_visas WHERE signed_by = ?`, s.direction.PersonID); n != 1 {
		t.Errorf("%d demo visas by the direction, want 1", n)
	}
}
