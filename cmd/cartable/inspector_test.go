package main

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
)

// TestInspectorRole: the establishment's administrator may give the inspection role by hand,
// named in French; an inspector's menu is the cahiers de textes, their visas and archives,
// and nothing else of the establishment (no directory, marks or messaging).
func TestInspectorRole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	admin := env.AddMember(t, alpha, identity.RoleAdmin, "Test", "Admin")
	inspector := env.AddMember(t, alpha, identity.RoleInspecteur, "Test", "Inspection")
	host := tenantHost(alpha.Slug)

	rec := h.as(admin.Token, host, "/admin/personnes/nouvelle")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `<option value="inspecteur">Inspecteur / Inspectrice pédagogique</option>`)

	rec = h.as(inspector.Token, host, "/cahier")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `href="/cahier/visas"`, `href="/cahier/archives"`, "Cahiers de textes")
	wantNotInBody(t, rec, `href="/annuaire/classes"`, `href="/notes"`, `href="/messagerie"`, `href="/cahier/seances"`, `href="/admin/personnes"`)
	for _, path := range []string{"/annuaire/classes", "/notes", "/messagerie", "/cahier/seances", "/cahier/reglages", "/cahier/archives/archiver"} {
		if rec := h.as(inspector.Token, host, path); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
			t.Errorf("the inspector's %s: status %d, want 403 or 404", path, rec.Code)
		}
	}
	wantStatus(t, h.as(inspector.Token, host, "/cahier/visas"), http.StatusOK)
}
