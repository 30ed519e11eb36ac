package resources_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/moduletest"
)

func publicKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func (m *mediaSite) platformCount(q string, args ...any) int {
	m.T.Helper()
	var n int
	if err := m.Reg.Platform().Raw(q, args...).Scan(&n).Error; err != nil {
		m.T.Fatal(err)
	}
	return n
}

func (m *mediaSite) platformID(q string) uuid.UUID {
	m.T.Helper()
	var row struct{ ID uuid.UUID }
	if err := m.Reg.Platform().Raw(q).Scan(&row).Error; err != nil || row.ID == uuid.Nil {
		m.T.Fatalf("%s: not found (%v)", q, err)
	}
	return row.ID
}

// postResource sends the resource form with a cover file (nil: none).
func (m *mediaSite) postResource(who directorytest.Member, path string, fields url.Values, cover []byte) *httptest.ResponseRecorder {
	m.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if cover != nil {
		fw, err := w.CreateFormFile("couverture", "couverture.bin")
		if err != nil {
			m.T.Fatal(err)
		}
		_, _ = fw.Write(cover)
	}
	_ = w.Close()
	return m.admin(who, http.MethodPost, path, w.FormDataContentType(), &body)
}

// TestCatalogueConsole: the région's administrator adds and edits publishers, tools and
// resources; every wrong field is refused in French and nothing is written.
func TestCatalogueConsole(t *testing.T) {
	m := newMediaSite(t)
	rec := m.adminGet(m.region, "/console/ressources")
	moduletest.WantCode(t, rec, http.StatusOK, "empty catalogue")
	moduletest.WantIn(t, rec, "empty catalogue", "Catalogue des ressources numériques", "Aucun éditeur pour l'instant.")

	// Publisher.
	rec = m.adminPost(m.region, "/console/ressources/editeurs/nouveau", url.Values{"nom": {" "}, "site": {"ftp://x"}})
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "bad publisher")
	moduletest.WantIn(t, rec, "bad publisher", "Le nom de l&#39;éditeur est obligatoire.", `aria-describedby="err-nom"`, `id="err-site"`, "https://")
	if n := m.platformCount(`SELECT count(*) FROM platform.resource_publishers`); n != 0 {
		t.Fatalf("bad publisher written: %d", n)
	}
	rec = m.adminPost(m.region, "/console/ressources/editeurs/nouveau", url.Values{"nom": {"Éditions Nathan"}, "site": {"https://nathan.example"}})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "publisher")
	pub := m.platformID(`SELECT id FROM platform.resource_publishers WHERE name = 'Éditions Nathan'`)
	rec = m.adminPost(m.region, "/console/ressources/editeurs/nouveau", url.Values{"nom": {"Éditions Nathan"}})
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "same publisher")
	moduletest.WantIn(t, rec, "same publisher", "Un éditeur porte déjà le nom")
	rec = m.adminPost(m.region, "/console/ressources/editeurs/"+pub.String(), url.Values{"nom": {"Nathan"}, "site": {"http://localhost:8080"}})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "publisher edited")

	// Tool: bad URLs and a malformed key are refused; nothing written.
	bad := url.Values{"editeur": {pub.String()}, "nom": {"Nathan Live"}, "type": {"lti"}, "connexion": {"http://evil.example/login"},
		"lancement": {"pas une adresse"}, "cle": {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}}
	rec = m.adminPost(m.region, "/console/ressources/outils/nouveau", bad)
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "bad tool")
	moduletest.WantIn(t, rec, "bad tool", "doit commencer par https://", "n&#39;est pas une adresse web complète", "la clé publique n&#39;a pas pu être lue",
		`aria-describedby="err-connexion"`, `aria-describedby="err-lancement"`, `aria-describedby="err-cle"`)
	if n := m.platformCount(`SELECT count(*) FROM platform.resource_tools`); n != 0 {
		t.Fatalf("bad tool written: %d", n)
	}
	rec = m.adminPost(m.region, "/console/ressources/outils/nouveau", url.Values{"editeur": {pub.String()}, "nom": {"Nathan Live"}, "type": {"lti"}})
	moduletest.WantIn(t, rec, "tool without keys", "Donnez l&#39;adresse JWKS de l&#39;outil ou, à défaut, sa clé publique (PEM).")
	good := url.Values{"editeur": {pub.String()}, "nom": {"Nathan Live"}, "type": {"lti"}, "connexion": {"https://live.nathan.example/login"},
		"lancement": {"https://live.nathan.example/launch"}, "redirections": {"https://live.nathan.example/r2\nhttp://127.0.0.1:9000/cb"},
		"cle": {publicKeyPEM(t)}, "notes": {"1"}}
	rec = m.adminPost(m.region, "/console/ressources/outils/nouveau", good)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "tool")
	var tool struct {
		ID            uuid.UUID
		ClientID      string
		Salt          int
		Deployments   int
		RedirectCount int
		Scores        bool
	}
	if err := m.Reg.Platform().Raw(`SELECT id, client_id, length(pseudonym_salt) AS salt, cardinality(deployment_ids) AS deployments,
		cardinality(redirect_urls) AS redirect_count, scores FROM platform.resource_tools`).Scan(&tool).Error; err != nil {
		t.Fatal(err)
	}
	if tool.ClientID == "" || tool.Salt != 32 || tool.Deployments != 1 || tool.RedirectCount != 2 || !tool.Scores {
		t.Fatalf("tool: %+v", tool)
	}
	rec = m.adminGet(m.region, "/console/ressources")
	moduletest.WantIn(t, rec, "list with tool", "Nathan Live", tool.ClientID, "LTI 1.3")
	rec = m.adminGet(m.region, "/console/ressources/outils/"+tool.ID.String())
	moduletest.WantCode(t, rec, http.StatusOK, "tool form")
	moduletest.WantIn(t, rec, "tool form", tool.ClientID, "https://live.nathan.example/login")
	moduletest.WantIn(t, rec, "tool form: what the publisher configures", "/lti/auth", "/lti/jwks.json", "/lti/token")
	rec = m.adminPost(m.region, "/console/ressources/outils/nouveau", url.Values{"editeur": {pub.String()}, "nom": {"Site Nathan"}, "type": {"lien"}})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "link tool")
	link := m.platformID(`SELECT id FROM platform.resource_tools WHERE kind = 'lien'`)

	// Resource: a wrong URL, an oversized cover, a non-image cover are refused; nothing written.
	fields := url.Values{"outil": {link.String()}, "titre": {"Dictionnaire Nathan"}, "type_ressource": {"dictionnaire"},
		"matieres": {"Français, Latin"}, "niveaux": {"6e, 5e"}, "adresse": {"http://nathan.example/dico"}}
	rec = m.postResource(m.region, "/console/ressources/ressources/nouvelle", fields, pngOf(10, 10))
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "http resource")
	moduletest.WantIn(t, rec, "http resource", "L&#39;adresse de la ressource : « http://nathan.example/dico » doit commencer par https://", `aria-describedby="err-adresse"`)
	fields.Set("adresse", "https://nathan.example/dico")
	big := append(pngOf(10, 10), bytes.Repeat([]byte{0}, 600*1024)...)
	rec = m.postResource(m.region, "/console/ressources/ressources/nouvelle", fields, big)
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "big cover")
	moduletest.WantIn(t, rec, "big cover", "500 Ko au plus", `aria-describedby="err-couverture"`)
	rec = m.postResource(m.region, "/console/ressources/ressources/nouvelle", fields, []byte("%PDF-1.4 pas une image"))
	moduletest.WantCode(t, rec, http.StatusUnprocessableEntity, "pdf cover")
	moduletest.WantIn(t, rec, "pdf cover", "n&#39;est pas une image PNG, JPEG ou WebP", "application/pdf")
	if n := m.platformCount(`SELECT count(*) FROM platform.resources`); n != 0 {
		t.Fatalf("bad resource written: %d", n)
	}
	rec = m.postResource(m.region, "/console/ressources/ressources/nouvelle", fields, pngOf(10, 10))
	moduletest.WantCode(t, rec, http.StatusSeeOther, "resource")
	var res struct {
		ID          uuid.UUID
		CoverType   string
		Subjects    string
		PublisherID uuid.UUID
	}
	if err := m.Reg.Platform().Raw(`SELECT id, cover_type, array_to_string(subjects, '|') AS subjects, publisher_id FROM platform.resources`).Scan(&res).Error; err != nil {
		t.Fatal(err)
	}
	if res.CoverType != "image/png" || res.Subjects != "Français|Latin" || res.PublisherID != pub {
		t.Fatalf("resource: %+v", res)
	}
	rec = m.postResource(m.region, "/console/ressources/ressources/nouvelle", fields, nil)
	moduletest.WantIn(t, rec, "same title", "Cet éditeur a déjà une ressource intitulée")

	// Edit without a new cover keeps it; the LTI tool's resource may have no address.
	fields.Set("titre", "Dictionnaire Nathan junior")
	fields.Set("outil", tool.ID.String())
	fields.Set("adresse", "")
	rec = m.postResource(m.region, "/console/ressources/ressources/"+res.ID.String(), fields, nil)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "resource edited")
	if n := m.platformCount(`SELECT count(*) FROM platform.resources WHERE title = 'Dictionnaire Nathan junior' AND cover_type = 'image/png' AND tool_id = ?`, tool.ID); n != 1 {
		t.Fatal("resource not edited, or its cover lost")
	}

	// Withdraw, with a confirmation page, then put back.
	rec = m.adminGet(m.region, "/console/ressources/ressources/"+res.ID.String()+"/retrait")
	moduletest.WantCode(t, rec, http.StatusOK, "confirm")
	moduletest.WantIn(t, rec, "confirm", "Retirer « Dictionnaire Nathan junior » du catalogue ?", `action="/console/ressources/ressources/`+res.ID.String()+`/retrait"`)
	if n := m.platformCount(`SELECT count(*) FROM platform.resources WHERE active`); n != 1 {
		t.Fatal("withdrawn by the confirmation page")
	}
	rec = m.adminPost(m.region, "/console/ressources/ressources/"+res.ID.String()+"/retrait", url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "withdraw")
	if n := m.platformCount(`SELECT count(*) FROM platform.resources WHERE active`); n != 0 {
		t.Fatal("not withdrawn")
	}
	rec = m.adminGet(m.region, "/console/ressources?ok=retrait")
	moduletest.WantIn(t, rec, "withdrawn list", "Retirée", "/reactivation")
	rec = m.adminPost(m.region, "/console/ressources/ressources/"+res.ID.String()+"/reactivation", url.Values{})
	moduletest.WantCode(t, rec, http.StatusSeeOther, "reactivate")
	if n := m.platformCount(`SELECT count(*) FROM platform.resources WHERE active`); n != 1 {
		t.Fatal("not reactivated")
	}

	// Unknown or malformed ids: not found.
	for _, p := range []string{"/console/ressources/editeurs/" + uuid.NewString(), "/console/ressources/outils/nimporte",
		"/console/ressources/ressources/" + uuid.NewString(), "/console/ressources/ressources/" + uuid.NewString() + "/retrait"} {
		moduletest.WantCode(t, m.adminGet(m.region, p), http.StatusNotFound, p)
	}
	rec = m.adminPost(m.region, "/console/ressources/ressources/"+uuid.NewString()+"/retrait", url.Values{})
	moduletest.WantCode(t, rec, http.StatusNotFound, "withdraw unknown")

	// The JSON API.
	rec = m.adminGet(m.region, "/api/v1/ressources/catalogue")
	moduletest.WantCode(t, rec, http.StatusOK, "API")
	var cat struct {
		Publishers []struct{ Name string } `json:"publishers"`
		Tools      []struct {
			ClientID *string `json:"client_id"`
		} `json:"tools"`
		Resources []struct{ Title string } `json:"resources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Publishers) != 1 || len(cat.Tools) != 2 || len(cat.Resources) != 1 || strings.Contains(rec.Body.String(), "salt") {
		t.Fatalf("API catalogue: %s", rec.Body)
	}
}

// TestCatalogueRefusals: an establishment's direction, a pupil, a département's administrator
// or nobody get nothing of the catalogue, on the administration host or elsewhere.
func TestCatalogueRefusals(t *testing.T) {
	m := newMediaSite(t)
	tool, pub := m.tool("Éditeur secret", "lien")
	res := m.resource(tool, pub, "Ressource secrète", "autre", nil, true)
	paths := []string{"/console/ressources", "/console/ressources/editeurs/" + pub.String(), "/console/ressources/outils/" + tool.String(),
		"/console/ressources/ressources/" + res.String(), "/console/ressources/ressources/" + res.String() + "/retrait", "/api/v1/ressources/catalogue"}
	for _, who := range []struct {
		name string
		m    directorytest.Member
	}{{"direction", m.head}, {"pupil", m.alice}, {"département", m.gironde}, {"anonymous", directorytest.Member{}}} {
		for _, p := range paths {
			rec := m.adminGet(who.m, p)
			if rec.Code < 400 && (who.m.Token != "" || rec.Code != http.StatusSeeOther) {
				t.Errorf("%s GET %s: status %d", who.name, p, rec.Code)
			}
			moduletest.WantNotIn(t, rec, who.name+" "+p, "Ressource secrète", "Éditeur secret")
		}
		rec := m.adminPost(who.m, "/console/ressources/ressources/"+res.String()+"/retrait", url.Values{})
		if rec.Code < 400 && (who.m.Token != "" || rec.Code != http.StatusSeeOther) {
			t.Errorf("%s withdraws: status %d", who.name, rec.Code)
		}
		rec = m.adminPost(who.m, "/console/ressources/editeurs/nouveau", url.Values{"nom": {"Intrus"}})
		if rec.Code < 400 && (who.m.Token != "" || rec.Code != http.StatusSeeOther) {
			t.Errorf("%s adds a publisher: status %d", who.name, rec.Code)
		}
	}
	if n := m.platformCount(`SELECT count(*) FROM platform.resources WHERE active`); n != 1 {
		t.Fatal("withdrawn by someone refused")
	}
	if n := m.platformCount(`SELECT count(*) FROM platform.resource_publishers`); n != 1 {
		t.Fatal("publisher added by someone refused")
	}
	// Nothing of the console on an establishment's host, even for its direction.
	rec := m.get(m.alpha, m.head, "/console/ressources")
	moduletest.WantCode(t, rec, http.StatusNotFound, "console on the tenant host")
	moduletest.WantNotIn(t, rec, "console on the tenant host", "Ressource secrète")
}
