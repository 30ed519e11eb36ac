package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
)

// TestEveryModuleDeclaresAnExporter: the personal data export (modules/privacy) is made of
// every module's exporter; a module without one (Export and its README text ExportAbout in
// its Module(), module.NothingPersonal with the reason when it holds nothing about people)
// would leave its data out of the export, so it fails here, named.
func TestEveryModuleDeclaresAnExporter(t *testing.T) {
	h := newHarness(t)
	var missing []string
	for _, m := range h.mods {
		if m.Export == nil || strings.TrimSpace(m.ExportAbout) == "" {
			missing = append(missing, m.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("modules without an exporter (set Export and ExportAbout in their Module(), see web/module): %s", strings.Join(missing, ", "))
	}
}

// TestPersonalExportWired: on the portal, « Mon compte » leads to « Mes données
// personnelles », whose request is recorded with its job on the queue, in one transaction.
func TestPersonalExportWired(t *testing.T) {
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	pupil := env.AddMember(t, alpha, identity.RoleEleve, "Test", "Alpha")
	wantBody(t, h.as(pupil.Token, portalHost, "/compte"), "Mes données personnelles", `href="/compte/donnees"`)
	wantBody(t, h.as(pupil.Token, portalHost, "/compte/donnees"), "<h1>Mes données personnelles</h1>", "Aucun export demandé")
	rec := h.send(pupil.Token, http.MethodPost, portalHost, "/compte/donnees", "", "Content-Type", "application/x-www-form-urlencoded")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("request on the portal: %d %s", rec.Code, rec.Body.String())
	}
	wantBody(t, h.as(pupil.Token, portalHost, rec.Header().Get("Location")), "Votre demande est enregistrée", "En préparation")
	var jobs int
	if err := h.reg.Platform().Raw(`SELECT count(*) FROM river.river_job WHERE kind = 'privacy_export_build'`).Scan(&jobs).Error; err != nil || jobs != 1 {
		t.Errorf("export jobs on the queue: %d, %v", jobs, err)
	}
	if rec := h.as("", portalHost, "/compte/donnees"); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/connexion") {
		t.Errorf("anonymous: %d to %q, want the login page", rec.Code, rec.Header().Get("Location"))
	}
}
