package resources_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

// mediaCatalogue is the site's catalogue: a dictionary for everyone of Alpha (a link, with a
// cover), a textbook assigned to 2nde A (LTI), a maths tool Alpha subscribed to per person
// but gave nobody, an encyclopedia nobody subscribed to, and Bravo's atlas.
type mediaCatalogue struct {
	dico, textbook, maths, encyclo, atlas uuid.UUID
	ltiTool                               uuid.UUID
}

func (m *mediaSite) catalogue() mediaCatalogue {
	m.T.Helper()
	var c mediaCatalogue
	link, linkPub := m.tool("Dictionnaires Robert", resources.ToolLink)
	lti, ltiPub := m.tool("Éditions Manuels", resources.ToolLTI)
	c.ltiTool = lti
	c.dico = m.resource(link, linkPub, "Dictionnaire Le Petit", "dictionnaire", []string{"Français"}, true)
	c.encyclo = m.resource(link, linkPub, "Encyclopédie Universelle", "encyclopedie", []string{"Histoire"}, true)
	c.atlas = m.resource(link, linkPub, "Atlas de Bravo", "banque", []string{"Géographie"}, true)
	c.textbook = m.resource(lti, ltiPub, "Manuel de mathématiques 2nde", "manuel", []string{"Mathématiques"}, false)
	c.maths = m.resource(lti, ltiPub, "Exerciseur de calcul", "outil", []string{"Mathématiques"}, false)
	m.subscribe(m.alpha, c.dico, link, resources.KindEtablissement, resources.TargetTous)
	sub := m.subscribe(m.alpha, c.textbook, lti, resources.KindPersonne, resources.TargetEleves)
	m.assignClass(m.alpha, sub, m.classA, m.alice)
	m.subscribe(m.alpha, c.maths, lti, resources.KindPersonne, resources.TargetEleves)
	m.subscribe(m.bravo, c.atlas, link, resources.KindEtablissement, resources.TargetEleves)
	return c
}

// TestMediacentre: a pupil sees what is assigned to her only, each card opening its
// resource the way its tool does; search and the subject filter work server-side.
func TestMediacentre(t *testing.T) {
	m := newMediaSite(t)
	rec := m.get(m.alpha, m.alice, "/ressources")
	moduletest.WantCode(t, rec, http.StatusOK, "empty médiacentre")
	moduletest.WantIn(t, rec, "empty médiacentre", "Aucune ressource ne vous est attribuée pour le moment.")
	c := m.catalogue()

	rec = m.get(m.alpha, m.alice, "/ressources")
	moduletest.WantCode(t, rec, http.StatusOK, "Alice's médiacentre")
	moduletest.WantIn(t, rec, "Alice's médiacentre", "Dictionnaire Le Petit", "Manuel de mathématiques 2nde", "Dictionnaires Robert", "Manuel numérique",
		`action="/ressources/`+c.textbook.String()+`/ouvrir"`, `name="_csrf"`,
		`href="/ressources/`+c.dico.String()+`/lien" target="_blank" rel="noopener noreferrer"`,
		`src="/ressources/couvertures/`+c.dico.String())
	moduletest.WantNotIn(t, rec, "Alice's médiacentre", "Exerciseur de calcul", "Encyclopédie Universelle", "Atlas de Bravo", "Gérer les abonnements",
		"/ressources/classes")

	rec = m.get(m.alpha, m.bob, "/ressources")
	moduletest.WantIn(t, rec, "Bob's médiacentre", "Dictionnaire Le Petit")
	moduletest.WantNotIn(t, rec, "Bob's médiacentre", "Manuel de mathématiques 2nde", "Exerciseur de calcul")

	rec = m.get(m.alpha, m.alice, "/ressources?q=MATHEMATIQUES")
	moduletest.WantIn(t, rec, "search", "Manuel de mathématiques 2nde", "1 ressource affichée sur 2")
	moduletest.WantNotIn(t, rec, "search", "Dictionnaire Le Petit")
	rec = m.get(m.alpha, m.alice, "/ressources?q=robert")
	moduletest.WantIn(t, rec, "search by publisher", "Dictionnaire Le Petit")
	moduletest.WantNotIn(t, rec, "search by publisher", "Manuel de mathématiques 2nde")
	rec = m.get(m.alpha, m.alice, "/ressources?matiere=Fran%C3%A7ais")
	moduletest.WantIn(t, rec, "filter", "Dictionnaire Le Petit", `<option value="Français" selected>`)
	moduletest.WantNotIn(t, rec, "filter", "Manuel de mathématiques 2nde")
	rec = m.get(m.alpha, m.alice, "/ressources?q=introuvable")
	moduletest.WantIn(t, rec, "no match", "Aucune de vos ressources ne correspond à cette recherche.")

	// The direction manages the subscriptions; a teacher is offered their classes' view.
	rec = m.get(m.alpha, m.head, "/ressources")
	moduletest.WantIn(t, rec, "direction", `href="/ressources/gestion"`, "Gérer les abonnements")
	rec = m.get(m.alpha, m.claire, "/ressources")
	moduletest.WantIn(t, rec, "teacher", `href="/ressources/classes"`, "Dictionnaire Le Petit")
	moduletest.WantNotIn(t, rec, "teacher", "Manuel de mathématiques 2nde", "Gérer les abonnements")

	// Withdrawn from the catalogue: gone from the médiacentre.
	if err := m.svc.Catalogue().SetActive(t.Context(), c.dico, false); err != nil {
		t.Fatal(err)
	}
	rec = m.get(m.alpha, m.alice, "/ressources")
	moduletest.WantNotIn(t, rec, "withdrawn", "Dictionnaire Le Petit")
}

// TestMediacentreRefusals: a parent has no médiacentre; another establishment's pupil never
// sees Alpha's resources nor its covers; nobody reads a cover of an unsubscribed resource.
func TestMediacentreRefusals(t *testing.T) {
	m := newMediaSite(t)
	c := m.catalogue()
	titles := []string{"Dictionnaire Le Petit", "Manuel de mathématiques 2nde", "Exerciseur de calcul"}

	rec := m.get(m.alpha, m.parent, "/ressources")
	moduletest.WantCode(t, rec, http.StatusForbidden, "parent")
	moduletest.WantNotIn(t, rec, "parent", titles...)
	rec = m.get(m.alpha, m.parent, "/ressources/couvertures/"+c.dico.String())
	moduletest.WantCode(t, rec, http.StatusForbidden, "parent's cover")
	rec = m.get(m.alpha, m.parent, "/api/v1/ressources")
	moduletest.WantCode(t, rec, http.StatusForbidden, "parent's API")

	rec = m.get(m.bravo, m.bravoPupil, "/ressources")
	moduletest.WantCode(t, rec, http.StatusOK, "Bravo's médiacentre")
	moduletest.WantIn(t, rec, "Bravo's médiacentre", "Atlas de Bravo")
	moduletest.WantNotIn(t, rec, "Bravo's médiacentre", titles...)
	for _, id := range []uuid.UUID{c.dico, c.textbook} {
		rec = m.get(m.bravo, m.bravoPupil, "/ressources/couvertures/"+id.String())
		moduletest.WantCode(t, rec, http.StatusNotFound, "Alpha's cover on Bravo")
		if rec.Header().Get("Content-Type") == "image/png" {
			t.Error("Alpha's cover served on Bravo")
		}
	}
	rec = m.get(m.bravo, m.bravoPupil, "/api/v1/ressources")
	moduletest.WantCode(t, rec, http.StatusOK, "Bravo's API")
	moduletest.WantIn(t, rec, "Bravo's API", "Atlas de Bravo")
	moduletest.WantNotIn(t, rec, "Bravo's API", titles...)
	rec = m.get(m.bravo, m.alice, "/api/v1/ressources")
	if rec.Code == http.StatusOK {
		t.Errorf("Alice's API on Bravo's host: status %d", rec.Code)
	}
	moduletest.WantNotIn(t, rec, "Alice's API on Bravo", append(titles, "Atlas de Bravo")...)
	rec = m.get(m.bravo, m.alice, "/ressources")
	if rec.Code == http.StatusOK {
		t.Errorf("Alice on Bravo's host: status %d", rec.Code)
	}
	moduletest.WantNotIn(t, rec, "Alice on Bravo", append(titles, "Atlas de Bravo")...)

	// Alpha did not subscribe to the encyclopedia: no cover for it.
	rec = m.get(m.alpha, m.alice, "/ressources/couvertures/"+c.encyclo.String())
	moduletest.WantCode(t, rec, http.StatusNotFound, "unsubscribed cover")
	rec = m.get(m.alpha, m.alice, "/ressources/couvertures/nimporte")
	moduletest.WantCode(t, rec, http.StatusNotFound, "bad id")

	rec = m.get(m.alpha, m.alice, "/ressources/couvertures/"+c.dico.String())
	moduletest.WantCode(t, rec, http.StatusOK, "cover")
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" {
		t.Errorf("cover type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age") || !strings.Contains(cc, "private") {
		t.Errorf("cover cache %q", cc)
	}
	if rec.Header().Get("ETag") == "" {
		t.Error("no ETag on the cover")
	}
}

// TestMediaSharingText: each card says what its publisher receives, and the text changes when
// the establishment shares more with the tool.
func TestMediaSharingText(t *testing.T) {
	m := newMediaSite(t)
	c := m.catalogue()
	rec := m.get(m.alpha, m.alice, "/ressources")
	moduletest.WantIn(t, rec, "anonymous", "L&#39;éditeur reçoit seulement un pseudonyme, propre à son outil : ni votre nom ni votre adresse.",
		"l&#39;éditeur ne reçoit aucune donnée personnelle")
	m.Exec(m.alpha, `INSERT INTO resource_tool_sharing (tool_id, share_name, share_class, updated_at) VALUES (?, true, true, now())`, c.ltiTool)
	rec = m.get(m.alpha, m.alice, "/ressources")
	moduletest.WantIn(t, rec, "shared", "comme l&#39;établissement l&#39;a choisi : votre nom, votre classe.")
	moduletest.WantNotIn(t, rec, "shared", "ni votre nom ni votre adresse", "votre adresse électronique")
	// Bravo's sharing is its own.
	m.Exec(m.bravo, `INSERT INTO resource_tool_sharing (tool_id, share_email, updated_at) VALUES (?, true, now())`, c.ltiTool)
	rec = m.get(m.alpha, m.alice, "/ressources")
	moduletest.WantNotIn(t, rec, "Bravo's sharing", "votre adresse électronique")

	rec = m.get(m.alpha, m.alice, "/api/v1/ressources")
	moduletest.WantCode(t, rec, http.StatusOK, "API")
	var out struct {
		Resources []struct {
			ID     string   `json:"id"`
			Kind   string   `json:"kind"`
			Shared []string `json:"shared"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Resources) != 2 {
		t.Fatalf("API: %d resources, want 2: %s", len(out.Resources), rec.Body)
	}
	for _, r := range out.Resources {
		want := ""
		if r.ID == c.textbook.String() {
			want = "nom classe"
		}
		if got := strings.Join(r.Shared, " "); got != want {
			t.Errorf("API %s (%s) shared %v, want %s", r.ID, r.Kind, r.Shared, want)
		}
	}
}

// TestTeacherClasses: a teacher sees the resources of the classes they teach, not others';
// whoever teaches nothing (a pupil) sees no class; a parent has no page.
func TestTeacherClasses(t *testing.T) {
	m := newMediaSite(t)
	c := m.catalogue()
	lti, pub := m.tool("Manuels B", resources.ToolLTI)
	onlyB := m.resource(lti, pub, "Manuel réservé à la 2nde B", "manuel", nil, false)
	sub := m.subscribe(m.alpha, onlyB, lti, resources.KindPersonne, resources.TargetEleves)
	m.assignClass(m.alpha, sub, m.classB, m.bob)
	_ = c

	rec := m.get(m.alpha, m.claire, "/ressources/classes")
	moduletest.WantCode(t, rec, http.StatusOK, "Claire's classes")
	moduletest.WantIn(t, rec, "Claire's classes", "Classe 2nde A", "Manuel de mathématiques 2nde", "Dictionnaire Le Petit")
	moduletest.WantNotIn(t, rec, "Claire's classes", "2nde B", "Manuel réservé à la 2nde B", "Exerciseur de calcul", "Atlas de Bravo")

	rec = m.get(m.alpha, m.paul, "/ressources/classes")
	moduletest.WantCode(t, rec, http.StatusOK, "Paul's classes")
	moduletest.WantIn(t, rec, "Paul's classes", "Vous n'enseignez dans aucune classe")
	moduletest.WantNotIn(t, rec, "Paul's classes", "Manuel de mathématiques 2nde", "2nde A")

	rec = m.get(m.alpha, m.alice, "/ressources/classes")
	moduletest.WantCode(t, rec, http.StatusOK, "pupil")
	moduletest.WantNotIn(t, rec, "pupil", "2nde A", "Manuel de mathématiques 2nde")
	rec = m.get(m.alpha, m.parent, "/ressources/classes")
	moduletest.WantCode(t, rec, http.StatusForbidden, "parent")
	rec = m.get(m.bravo, m.claire, "/ressources/classes")
	if rec.Code == http.StatusOK {
		t.Errorf("Claire on Bravo: status %d", rec.Code)
	}
	moduletest.WantNotIn(t, rec, "Claire on Bravo", "2nde A", "Manuel de mathématiques 2nde")
}
