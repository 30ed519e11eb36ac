package resources_test

// Attacks through the catalogue's fields: markup in titles and descriptions, addresses
// that are scripts, an SVG or HTML file as a cover, an oversized upload.

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

func TestAttackCatalogueFields(t *testing.T) {
	m := newMediaSite(t)
	tool, pub := m.tool("Éditions <b>gras</b>", resources.ToolLink)
	_ = pub
	const xss = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	for _, target := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "//attaquant.example/",
		"http://attaquant.example/", "https://user:pass@attaquant.example/", " javascript:alert(1)", "vbscript:msgbox(1)"} {
		rec := m.postResource(m.region, "/console/ressources/ressources/nouvelle", url.Values{"outil": {tool.String()}, "titre": {"Piège " + target},
			"type_ressource": {"dictionnaire"}, "adresse": {target}}, nil)
		if rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
			t.Errorf("target %q: status %d, want a refusal", target, rec.Code)
		}
	}
	if n := m.platformCount(`SELECT count(*) FROM platform.resources`); n != 0 {
		t.Fatalf("%d resources with a refused address were written", n)
	}
	for name, cover := range map[string][]byte{
		"svg":       []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"html":      []byte(`<!doctype html><script>alert(1)</script>`),
		"oversized": append(pngOf(2, 2), bytes.Repeat([]byte{0}, resources.MaxCover)...),
	} {
		rec := m.postResource(m.region, "/console/ressources/ressources/nouvelle", url.Values{"outil": {tool.String()}, "titre": {"Couverture " + name},
			"type_ressource": {"dictionnaire"}, "adresse": {"https://res.example/"}}, cover)
		if rec.Code < 400 {
			t.Errorf("cover %s: status %d, want a refusal", name, rec.Code)
		}
	}
	if n := m.platformCount(`SELECT count(*) FROM platform.resources`); n != 0 {
		t.Fatalf("%d resources with a refused cover were written", n)
	}
	// (a PNG signature followed by markup passes the sniffing: it is served as image/png
	// with nosniff, which no browser runs)
	// markup in the title and description is shown as text, in the console and the médiacentre
	rec := m.postResource(m.region, "/console/ressources/ressources/nouvelle", url.Values{"outil": {tool.String()}, "titre": {"Dico " + xss},
		"type_ressource": {"dictionnaire"}, "description": {xss}, "matieres": {"MATHS" + xss}, "adresse": {"https://res.example/?q=\"><script>"}}, nil)
	moduletest.WantCode(t, rec, http.StatusSeeOther, "a resource with markup in its fields")
	res := m.platformID(`SELECT id FROM platform.resources`)
	m.subscribe(m.alpha, res, tool, resources.KindEtablissement, resources.TargetTous)
	for what, rec := range map[string]interface{ String() string }{
		"console":     m.adminGet(m.region, "/console/ressources").Body,
		"form":        m.adminGet(m.region, "/console/ressources/ressources/"+res.String()).Body,
		"médiacentre": m.get(m.alpha, m.alice, "/ressources").Body,
		"api":         m.get(m.alpha, m.alice, "/api/v1/ressources").Body,
	} {
		body := rec.String()
		if !strings.Contains(body, "Dico") {
			t.Errorf("%s: the resource is not shown, the check proves nothing", what)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>gras</b>") {
			t.Errorf("%s: markup of the catalogue written as is", what)
		}
	}
	// the plain link leads to the catalogue's https address, nowhere else
	lien := m.get(m.alpha, m.alice, "/ressources/"+res.String()+"/lien")
	if loc := lien.Header().Get("Location"); lien.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "https://res.example/") {
		t.Errorf("plain link: status %d to %q", lien.Code, loc)
	}
}
