package resources_test

// The managers' pages and API through the real router with real Kratos sessions: who gets
// them (the direction, a référent it named; not a teacher who is not, nor a pupil or a
// parent; another establishment's direction sees none of alpha's), French refusals tied to
// their fields, the sharing and the journal.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

func TestManagePages(t *testing.T) {
	m := newManageSite(t)
	s := m.s
	wantCode, wantIn, wantNotIn := moduletest.WantCode, moduletest.WantIn, moduletest.WantNotIn
	root := "/ressources/gestion"

	// A new subscription: refused with French messages per field, then saved.
	wantIn(t, s.Get(m.direction, root+"/abonnements/nouveau"), "form", "Manuel de mathématiques 2nde", "Dictionnaire en ligne", "Outil Manuels : dep-2")
	wantNotIn(t, s.Get(m.direction, root+"/abonnements/nouveau"), "form without the withdrawn", "Atlas retiré")
	form := url.Values{"ressource": {m.textbook.String()}, "debut": {"2026-09-01"}, "fin": {"2027-07-05"}, "type": {"personne"}, "public": {"eleves"},
		"mode": {"par_profil"}, "licences_eleves": {"-2"}, "licences_enseignants": {"0"}, "deploiement": {"dep-1"}}
	rec := s.Post(m.direction, root+"/abonnements/nouveau", form)
	wantCode(t, rec, http.StatusUnprocessableEntity, "negative count")
	wantIn(t, rec, "negative count refused", "Licences élèves : un nombre entier de 0 à 1 000 000.", `aria-describedby="err-licences_eleves"`, `href="#licences_eleves"`)
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_subscriptions`); n != 0 {
		t.Fatalf("a refused form wrote %d subscriptions", n)
	}
	form.Set("licences_eleves", "2")
	rec = s.Post(m.direction, root+"/abonnements/nouveau", form)
	wantCode(t, rec, http.StatusSeeOther, "subscribe")
	page := rec.Header().Get("Location")
	page = page[:strings.Index(page, "?")]
	sub := strings.TrimPrefix(page, root+"/abonnements/")
	wantIn(t, s.Get(m.direction, root), "list", "Manuel de mathématiques 2nde", "Élèves : 0 utilisée(s) sur 2, 2 restante(s)", `<a href="/ressources/gar">Export GAR</a>`)
	wantIn(t, s.Get(m.direction, "/ressources/gar"), "the GAR page says what the export holds", "son nom et son prénom", "un identifiant propre à l'établissement",
		"MEF", "matières", "destiné à ce gestionnaire d'accès")

	// Assigning 2nde 1 (3 pupils) to 2 licences: refused with the count, nothing written.
	rec = s.Post(m.direction, page+"/attributions", url.Values{"cible": {"classe"}, "classe": {m.class1.String()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "over-assignment")
	wantIn(t, rec, "over-assignment refused", "Il reste 2 licences élèves ; cette attribution en demande 3.")
	rec = s.Post(m.direction, page+"/attributions", url.Values{"cible": {"classe"}, "classe": {m.class2.String()}})
	wantCode(t, rec, http.StatusSeeOther, "assign 2nde 2")
	rec = s.Post(m.direction, page+"/attributions", url.Values{"cible": {"classe"}, "classe": {m.class2.String()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "2nde 2 twice")
	wantIn(t, rec, "2nde 2 twice", "La classe 2nde 2 a déjà cette attribution", `aria-describedby="err-classe"`)
	rec = s.Post(m.direction, root+"/abonnements/nouveau", form)
	wantCode(t, rec, http.StatusUnprocessableEntity, "an overlapping subscription")
	wantIn(t, rec, "an overlapping subscription", "du 01/09/2026 au 05/07/2027", `aria-describedby="err-debut"`)
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_subscriptions`); n != 1 {
		t.Errorf("after the refusals: %d subscriptions, want 1", n)
	}
	wantIn(t, s.Get(m.direction, page), "subscription page", "Classe 2nde 2", "Retirer la licence de", "0 restante(s)")

	// Forged form values: another establishment's class, an unknown resource.
	rec = s.Post(m.direction, page+"/attributions", url.Values{"cible": {"classe"}, "classe": {m.bravoClass.String()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "bravo's class")
	wantIn(t, rec, "bravo's class refused", "Classe : choisissez dans la liste ; celle indiquée n&#39;est pas de l&#39;établissement.")
	form.Set("ressource", uuid.NewString())
	wantIn(t, s.Post(m.direction, root+"/abonnements/nouveau", form), "unknown resource", "Ressource : choisissez une ressource du catalogue.")

	// Who gets the pages.
	wantCode(t, s.Get(m.teacher, root), http.StatusNotFound, "a teacher who is not référent")
	wantNotIn(t, s.Get(m.teacher, root), "a teacher who is not référent", "Manuel de mathématiques")
	wantCode(t, s.Get(m.pupils1[0], root), http.StatusNotFound, "a pupil")
	wantCode(t, s.Get(m.pupils1[0], page), http.StatusNotFound, "a pupil on the subscription")
	wantCode(t, s.Get(m.parent, root), http.StatusForbidden, "a parent")
	wantCode(t, s.Post(m.teacher, page+"/attributions", url.Values{"cible": {"tous"}}), http.StatusNotFound, "a teacher assigns")
	rec = s.Post(m.direction, root+"/referents", url.Values{"personne": {m.pupils1[0].PersonID.String()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "a pupil named référent")
	wantIn(t, rec, "a pupil named référent", "pas un élève ni un parent")
	wantCode(t, s.Post(m.direction, root+"/referents", url.Values{"personne": {m.parent.PersonID.String()}}), http.StatusUnprocessableEntity, "a parent named référent")
	wantCode(t, s.Post(m.direction, root+"/referents", url.Values{"personne": {m.teacher.PersonID.String()}}), http.StatusSeeOther, "name the teacher")
	wantIn(t, s.Get(m.teacher, root), "a référent", "Manuel de mathématiques 2nde")
	// The menu's entry for référents: shown to the one named, not to another teacher.
	colleague := s.Member(m.alpha, identity.RoleEnseignant, "Paul", "Collègue")
	for who, want := range map[uuid.UUID]string{m.teacher.PersonID: root, colleague.PersonID: ""} {
		if got := referentMenu(m, who); got != want {
			t.Errorf("the référents' menu entry for %s: %q, want %q", who, got, want)
		}
	}
	wantIn(t, s.Get(m.teacher, root+"/referents"), "a référent's référents page", "Documentaliste")
	wantNotIn(t, s.Get(m.teacher, root+"/referents"), "a référent's référents page", "Nommer un référent")
	wantCode(t, s.Post(m.teacher, root+"/referents", url.Values{"personne": {m.teacher.PersonID.String()}}), http.StatusForbidden, "a référent names référents")
	wantCode(t, s.Post(m.teacher, root+"/referents/"+m.teacher.PersonID.String()+"/retirer", nil), http.StatusForbidden, "a référent removes one")
	confirmReferent := root + "/referents/" + m.teacher.PersonID.String() + "/retirer"
	wantIn(t, s.Get(m.direction, root+"/referents"), "link to the référent's confirmation", `href="`+confirmReferent+`"`)
	rec = s.Get(m.direction, confirmReferent)
	wantCode(t, rec, http.StatusOK, "confirm the référent's removal")
	wantIn(t, rec, "confirm the référent's removal", "<h1>Retirer Documentaliste Claire", "des référents ?</h1>", `action="`+confirmReferent+`"`, "Annuler")
	wantCode(t, s.Get(m.teacher, confirmReferent), http.StatusForbidden, "a référent on the confirmation of their removal (as on its POST)")
	wantIn(t, s.Get(m.teacher, root), "still a référent after the confirmation page", "Manuel de mathématiques 2nde")
	wantCode(t, s.Post(m.direction, root+"/referents/"+m.teacher.PersonID.String()+"/retirer", nil), http.StatusSeeOther, "the direction removes the référent")
	wantCode(t, s.Get(m.teacher, root), http.StatusNotFound, "a référent no more")
	wantCode(t, s.Post(m.direction, root+"/referents", url.Values{"personne": {m.teacher.PersonID.String()}}), http.StatusSeeOther, "name the teacher again")
	wantCode(t, s.Send(m.bravo, m.bravoDirection, http.MethodPost, root+"/referents", url.Values{"personne": {m.teacher.PersonID.String()}}), http.StatusUnprocessableEntity, "bravo names alpha's teacher")

	// Another establishment's direction: 404 on alpha's ids, nothing in its lists.
	otherDo := func(method, path string, form url.Values) int {
		if method == http.MethodGet {
			return s.Do(m.bravo, m.bravoDirection, method, path, "", nil).Code
		}
		return s.Send(m.bravo, m.bravoDirection, method, path, form).Code
	}
	for _, path := range []string{page, page + "/modifier", page + "/supprimer"} {
		if code := otherDo(http.MethodGet, path, nil); code != http.StatusNotFound {
			t.Errorf("bravo's direction on GET %s: %d, want 404", path, code)
		}
	}
	var assignments []uuid.UUID
	if err := s.Reg.DB().ReadTx(t.Context(), m.alpha, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM resource_assignments WHERE subscription_id = ?`, sub).Scan(&assignments).Error
	}); err != nil || len(assignments) != 1 {
		t.Fatalf("alpha's assignment: %v %v", assignments, err)
	}
	assignment := assignments[0]
	for _, path := range []string{page + "/attributions", root + "/attributions/" + assignment.String() + "/retirer", page + "/supprimer",
		page + "/licences/" + m.pupils2[0].PersonID.String() + "/retirer"} {
		if code := otherDo(http.MethodPost, path, url.Values{"cible": {"tous"}}); code != http.StatusNotFound {
			t.Errorf("bravo's direction on POST %s: %d, want 404", path, code)
		}
	}
	// Removals go through a confirmation page that says what will happen; GET changes nothing.
	confirmAssignment := root + "/attributions/" + assignment.String() + "/retirer"
	rec = s.Get(m.direction, confirmAssignment)
	wantCode(t, rec, http.StatusOK, "confirm the assignment's removal")
	wantIn(t, rec, "confirm the assignment's removal", "Retirer l&#39;attribution « Classe 2nde 2 » ?", "a donné 2 licences", `action="`+confirmAssignment+`"`,
		`class="secondary"`, `href="`+page+`">Annuler</a>`)
	confirmLicence := page + "/licences/" + m.pupils2[0].PersonID.String() + "/retirer"
	rec = s.Get(m.direction, confirmLicence)
	wantCode(t, rec, http.StatusOK, "confirm the licence's removal")
	wantIn(t, rec, "confirm the licence's removal", "<h1>Retirer la licence de DeuxA", `action="`+confirmLicence+`"`, "Annuler")
	wantIn(t, s.Get(m.direction, page), "links to the confirmations", `href="`+confirmAssignment+`"`, `href="`+confirmLicence+`"`)
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences`); n != 2 {
		t.Errorf("after the confirmation pages: %d licences, want 2", n)
	}
	for _, path := range []string{confirmAssignment, confirmLicence, root + "/referents/" + m.teacher.PersonID.String() + "/retirer"} {
		if code := otherDo(http.MethodGet, path, nil); code != http.StatusNotFound {
			t.Errorf("bravo's direction on GET %s: %d, want 404", path, code)
		}
		wantCode(t, s.Get(m.pupils1[0], path), http.StatusNotFound, "a pupil on "+path)
		wantNotIn(t, s.Get(m.pupils1[0], path), "a pupil on "+path, "DeuxA", "2nde 2")
	}
	wantCode(t, s.Get(m.direction, page+"/licences/"+m.pupils1[0].PersonID.String()+"/retirer"), http.StatusNotFound, "confirm a licence nobody holds")
	wantCode(t, s.Get(m.direction, root+"/attributions/"+uuid.NewString()+"/retirer"), http.StatusNotFound, "confirm an unknown assignment")
	bravoList := s.Do(m.bravo, m.bravoDirection, http.MethodGet, root, "", nil)
	wantCode(t, bravoList, http.StatusOK, "bravo's list")
	wantNotIn(t, bravoList, "bravo's list", "Manuel de mathématiques", sub)
	api := s.Do(m.bravo, m.bravoDirection, http.MethodGet, "/api/v1/ressources/abonnements", "", nil)
	wantCode(t, api, http.StatusOK, "bravo's API")
	wantNotIn(t, api, "bravo's API", sub)
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences`); n != 2 {
		t.Errorf("after bravo's attempts: %d licences in alpha, want 2", n)
	}

	// The API: licences used and left.
	rec = s.Do(m.alpha, m.direction, http.MethodGet, "/api/v1/ressources/abonnements", "", nil)
	wantCode(t, rec, http.StatusOK, "API")
	var got struct {
		Subscriptions []struct {
			ID     string
			Eleves struct{ Limit, Used, Left *int }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got.Subscriptions) != 1 {
		t.Fatalf("API: %v %s", err, rec.Body)
	}
	if e := got.Subscriptions[0].Eleves; *e.Limit != 2 || *e.Used != 2 || *e.Left != 0 {
		t.Errorf("API licences: %d %d %d", *e.Limit, *e.Used, *e.Left)
	}
	wantCode(t, s.Do(m.alpha, m.pupils1[0], http.MethodGet, "/api/v1/ressources/abonnements", "", nil), http.StatusNotFound, "a pupil's API")
	assignAPI := "/api/v1/ressources/abonnements/" + sub + "/attributions"
	rec = s.Do(m.alpha, m.direction, http.MethodPost, assignAPI, "application/json", strings.NewReader(`{"to":"classe","class_id":"`+m.class1.String()+`"}`))
	wantCode(t, rec, http.StatusUnprocessableEntity, "API over-assignment")
	wantIn(t, rec, "API over-assignment", "Il reste 0 licence élève ; cette attribution en demande 3.", `"field":"cible"`)
	rec = s.Do(m.bravo, m.bravoDirection, http.MethodPost, assignAPI, "application/json", strings.NewReader(`{"to":"tous"}`))
	wantCode(t, rec, http.StatusNotFound, "bravo's API assignment")
	rec = s.Do(m.alpha, m.direction, http.MethodPost, assignAPI, "application/json", strings.NewReader(`{"to":"personne","person_id":"`+m.pupils2[0].PersonID.String()+`"}`))
	wantCode(t, rec, http.StatusCreated, "API assignment of a licensed pupil")
	wantIn(t, rec, "API assignment", `"licences_given":0`)

	// Sharing: off by default, saved with a confirmation.
	wantIn(t, s.Get(m.direction, root+"/partage"), "sharing", "Outil Manuels", "seulement un pseudonyme")
	wantNotIn(t, s.Get(m.direction, root+"/partage"), "sharing off", "checked")
	rec = s.Post(m.direction, root+"/partage/"+m.ltiTool.String(), url.Values{"nom": {"1"}})
	wantCode(t, rec, http.StatusSeeOther, "share the name")
	wantIn(t, s.Get(m.direction, rec.Header().Get("Location")), "sharing saved", "Le partage a été enregistré", `name="nom" value="1" checked`)
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_tool_sharing WHERE share_name AND NOT share_email AND NOT share_class`); n != 1 {
		t.Errorf("sharing rows: %d", n)
	}
	wantCode(t, s.Send(m.bravo, m.bravoDirection, http.MethodPost, root+"/partage/"+m.ltiTool.String(), url.Values{"nom": {"1"}}), http.StatusNotFound, "bravo shares a tool it has not")

	// The journal: newest first, filtered, kept a year; bravo's shows none of alpha's.
	now := s.Clock.Now()
	for i, who := range []uuid.UUID{m.pupils2[0].PersonID, m.pupils2[1].PersonID} {
		at := now.Add(-time.Duration(i+1) * time.Hour)
		s.Exec(m.alpha, `INSERT INTO resource_launches (person_id, subscription_id, resource_id, tool_id, message_hint, shared, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			who, sub, m.textbook, m.ltiTool, uuid.NewString(), "{nom}", at, at)
	}
	rec = s.Get(m.direction, root+"/journal")
	wantIn(t, rec, "journal", "gardé un an", "Manuel de mathématiques 2nde", "Pseudonyme, nom", "Outil Manuels")
	wantNotIn(t, rec, "journal of completed LTI launches", "non aboutie", "Lien simple")
	// A launch never completed, a plain link: said as such.
	var linkTool uuid.UUID
	if err := s.Reg.Platform().Raw(`SELECT id FROM platform.resource_tools WHERE kind = 'lien'`).Row().Scan(&linkTool); err != nil {
		t.Fatal(err)
	}
	s.Exec(m.alpha, `INSERT INTO resource_launches (person_id, subscription_id, resource_id, tool_id, message_hint, created_at) VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)`,
		m.pupils2[0].PersonID, sub, m.textbook, m.ltiTool, uuid.NewString(), now.Add(-30*time.Minute),
		m.pupils2[1].PersonID, sub, m.dictionary, linkTool, uuid.NewString(), now.Add(-20*time.Minute))
	said := s.Get(m.direction, root+"/journal")
	wantIn(t, said, "journal", "Ouverture non aboutie : rien n&#39;a été transmis", "Lien simple : rien n&#39;est transmis")
	wantNotIn(t, said, "journal", "Pseudonyme seulement")
	s.Exec(m.alpha, `DELETE FROM resource_launches WHERE created_at > ?`, now.Add(-time.Hour+time.Minute))
	body := rec.Body.String()
	if strings.Index(body, "DeuxA") > strings.Index(body, "DeuxB") {
		t.Error("journal: want the newest launch first")
	}
	wantNotIn(t, s.Get(m.direction, root+"/journal?du=2030-01-01"), "journal filtered by date", "DeuxA")
	rec = s.Get(m.direction, root+"/journal?du=demain")
	wantCode(t, rec, http.StatusUnprocessableEntity, "journal's bad date")
	wantIn(t, rec, "journal's bad date", "Du : une date")
	wantNotIn(t, s.Do(m.bravo, m.bravoDirection, http.MethodGet, root+"/journal", "", nil), "bravo's journal", "DeuxA", "Manuel")
	for i := range resources.JournalPage {
		s.Exec(m.alpha, `INSERT INTO resource_launches (person_id, subscription_id, resource_id, tool_id, message_hint, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			m.pupils1[0].PersonID, sub, m.textbook, m.ltiTool, uuid.NewString(), now.AddDate(0, -1, 0).Add(time.Duration(i)*time.Minute))
	}
	rec = s.Get(m.direction, root+"/journal?ressource="+m.textbook.String())
	wantIn(t, rec, "journal's first page", "Page suivante", "DeuxA")
	rec = s.Get(m.direction, root+"/journal?ressource="+m.textbook.String()+"&page=2")
	wantIn(t, rec, "journal's second page", "Page précédente", "UnA")
	wantNotIn(t, rec, "journal's second page", "DeuxA", "Page suivante")

	// A licence taken back (after its confirmation page) is listed under « Licences retirées »
	// with a button that gives it back.
	wantCode(t, s.Post(m.direction, confirmLicence, nil), http.StatusSeeOther, "take the licence back")
	rec = s.Get(m.direction, page)
	wantIn(t, rec, "withdrawals listed", "<h2>Licences retirées</h2>", "Rendre la licence à DeuxA", `name="personne" value="`+m.pupils2[0].PersonID.String()+`"`)
	rec = s.Post(m.direction, page+"/attributions", url.Values{"cible": {"personne"}, "personne": {m.pupils2[0].PersonID.String()}})
	wantCode(t, rec, http.StatusSeeOther, "give the licence back")
	wantIn(t, s.Get(m.direction, page), "no withdrawal left", "Aucune licence retirée.")
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences WHERE person_id = ?`, m.pupils2[0].PersonID); n != 1 {
		t.Errorf("given back: %d licences", n)
	}

	// Withdrawn from the catalogue: no new subscription, the existing one keeps it.
	if err := s.Reg.Platform().Exec(`UPDATE platform.resources SET active = false WHERE id = ?`, m.textbook).Error; err != nil {
		t.Fatal(err)
	}
	m.svc.Catalogue().Invalidate()
	wantIn(t, s.Get(m.direction, page+"/modifier"), "edit form of a withdrawn resource", "Manuel de mathématiques 2nde")
	wantNotIn(t, s.Get(m.direction, root+"/abonnements/nouveau"), "new form after the withdrawal", "Manuel de mathématiques 2nde")
	withdrawn := "Retirée du catalogue par la région : plus personne ne peut l'ouvrir."
	wantIn(t, s.Get(m.direction, root), "list after the withdrawal", withdrawn)
	wantNotIn(t, s.Get(m.direction, root), "list after the withdrawal", "Attribuer « Manuel")
	wantIn(t, s.Get(m.direction, page), "page after the withdrawal", withdrawn)
	wantNotIn(t, s.Get(m.direction, page), "page after the withdrawal", `id="attribuer"`, `name="cible"`)
	rec = s.Post(m.direction, page+"/attributions", url.Values{"cible": {"personne"}, "personne": {m.pupils1[0].PersonID.String()}})
	wantCode(t, rec, http.StatusUnprocessableEntity, "assign a withdrawn resource")
	wantIn(t, rec, "assign a withdrawn resource", "retirée du catalogue par la région")

	// Deleting: the confirmation says how many licences go.
	wantIn(t, s.Get(m.direction, page+"/supprimer"), "confirmation", "Les 2 licences attribuées seront libérées et ses 2 attributions retirées.", "Supprimer définitivement")
	wantCode(t, s.Post(m.direction, page+"/supprimer", nil), http.StatusSeeOther, "delete")
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences`); n != 0 {
		t.Errorf("after deletion: %d licences", n)
	}
	// The journal outlives the subscription (kept its year).
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_launches WHERE resource_id = ? AND subscription_id IS NULL`, m.textbook); n == 0 {
		t.Error("deleting the subscription erased its launches from the journal")
	}
	wantIn(t, s.Get(m.direction, root+"/journal?ressource="+m.textbook.String()), "journal after the deletion", "DeuxA")
}

// referentMenu is the href the référents' menu entry gives a teacher of alpha ("" hidden).
func referentMenu(m *manageSite, person uuid.UUID) string {
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	c.Set("cartable.tenant", m.alpha) // what web's tenant resolution records
	identity.SetViewer(c, &identity.Viewer{PersonID: person, Roles: identity.Roles{identity.RoleEnseignant}, Member: true})
	for _, e := range resources.NewHandler(m.svc).Module().Menu {
		if e.HrefFor != nil {
			return e.HrefFor(c)
		}
	}
	return "no entry"
}

// The direction's entries follow « Mes ressources » (same order, after it in the module's
// menu), before the grades' entries (13 and after).
func TestManageMenuOrder(t *testing.T) {
	menu := resources.NewHandler(nil).Module().Menu
	at := map[string]int{}
	order := map[string]int{}
	for i, e := range menu {
		if _, seen := at[e.Text]; !seen {
			at[e.Text], order[e.Text] = i, e.Order
		}
	}
	mine := order["Mes ressources"]
	for _, text := range []string{"Ressources numériques (gestion)", "Export GAR"} {
		if order[text] != mine || at[text] < at["Mes ressources"] {
			t.Errorf("%s: order %d at %d, want %d after « Mes ressources » (at %d)", text, order[text], at[text], mine, at["Mes ressources"])
		}
	}
	if mine >= 13 {
		t.Errorf("« Mes ressources » at order %d: the grades' entries of the direction start at 13", mine)
	}
}
