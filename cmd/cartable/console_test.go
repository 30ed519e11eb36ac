package main

// The console of the administration host (modules/console), through the real router,
// PostgreSQL and Kratos: every action for the région's administrators, the same actions
// limited to its collèges for a département's, nothing for anyone else, forged forms refused,
// and every action in the audit log.

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// consoleRoutes returns the console's routes of the administration host as "METHOD path".
func consoleRoutes(h *harness) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range h.srv.Admin().Routes() {
		if r.Path != "/console" && !strings.HasPrefix(r.Path, "/console/") {
			continue
		}
		if k := r.Method + " " + r.Path; !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// consoleForm posts a console form as the holder of a session token (header: no forgery check).
func (h *harness) consoleForm(token, path string, form url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.send(token, http.MethodPost, adminHost, path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// consoleArchive posts an archive to the console's restore form.
func (h *harness) consoleArchive(token string, archive []byte) *httptest.ResponseRecorder {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("archive", "archive.tar.gz")
	fw.Write(archive)
	mw.Close()
	return h.serve(newRequest(http.MethodPost, adminHost, "/console/restauration", &buf, "Content-Type", mw.FormDataContentType(), "X-Session-Token", token))
}

// wantRedirect checks a post/redirect/get answer and returns where it leads.
func wantRedirect(t *testing.T, rec *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	if !strings.HasPrefix(loc, prefix) {
		t.Fatalf("redirect to %q, want %q…", loc, prefix)
	}
	return loc
}

// tableOf keeps the console home's list of establishments, without the latest actions below
// it (whose details name establishments too).
func tableOf(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	body, _, _ := strings.Cut(rec.Body.String(), "<h2>Dernières actions</h2>")
	out := httptest.NewRecorder()
	out.Code = rec.Code
	out.Body.WriteString(body)
	return out
}

// auditActions lists the audit log's actions about subject, oldest first.
func auditActions(t *testing.T, reg *tenant.Registry, subject string) []string {
	t.Helper()
	var actions []string
	if err := reg.Platform().Raw(`SELECT action FROM platform.audit_log WHERE subject = ? ORDER BY id`, subject).Scan(&actions).Error; err != nil {
		t.Fatal(err)
	}
	return actions
}

// auditActors lists who is recorded for action on subject.
func auditActors(t *testing.T, reg *tenant.Registry, subject, action string) []string {
	t.Helper()
	var actors []string
	if err := reg.Platform().Raw(`SELECT actor FROM platform.audit_log WHERE subject = ? AND action = ? ORDER BY id`, subject, action).Scan(&actors).Error; err != nil {
		t.Fatal(err)
	}
	return actors
}

func tenantCount(t *testing.T, reg *tenant.Registry) int {
	t.Helper()
	var n int
	if err := reg.Platform().Raw(`SELECT count(*) FROM platform.tenants`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func statusOf(t *testing.T, reg *tenant.Registry, uai string) tenant.Status {
	t.Helper()
	tn, err := reg.Get(context.Background(), uai)
	if errors.Is(err, fault.ErrNotFound) {
		return tenant.StatusDeleted
	}
	if err != nil {
		t.Fatal(err)
	}
	return tn.Status
}

// TestConsoleRegion: each console action works for the région's administrator and is
// recorded in the audit log, shown on the console.
func TestConsoleRegion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	charlie := h.provision(tenanttest.UAI(33, 3), "Collège Charlie", "college")
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	env.AddMember(t, alpha, identity.RoleEnseignant, "Compte", "Alpha")
	a := string(alpha.UAI)

	t.Run("home lists the establishments with size and state, filtered", func(t *testing.T) {
		rec := h.as(region.Token, adminHost, "/console")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Administrateur régional", alpha.Name, a, bravo.Name, charlie.Name, "Lycée général et technologique", "Collège",
			"1 / 1", "Taille", `href="/console/etablissements/`+a+`"`, `href="/console/taches"`, "Gironde (33)")
		rec = h.as(region.Token, adminHost, "/console/etablissements/"+a)
		wantStatus(t, rec, http.StatusOK)
		if !regexp.MustCompile(`Taille des données</th><td>[0-9]+(,[0-9])? (Ko|Mo)<`).MatchString(rec.Body.String()) {
			t.Errorf("no exact size on the establishment's page: %s", truncate(rec.Body.String()))
		}
		wantBody(t, rec, "1 actif sur 1", "Lycée général et technologique", "ouvert")
		rec = tableOf(h.as(region.Token, adminHost, "/console?type=college"))
		wantBody(t, rec, charlie.Name)
		wantNotInBody(t, rec, alpha.Name, bravo.Name)
		rec = tableOf(h.as(region.Token, adminHost, "/console?departement=40"))
		wantBody(t, rec, "ne répond à ces critères")
		wantNotInBody(t, rec, alpha.Name, charlie.Name)
		rec = h.as(region.Token, adminHost, "/console?etat=perdu")
		wantBody(t, rec, "état « perdu » inconnu", alpha.Name)
	})

	newUAI := tenanttest.UAI(33, 40)
	t.Run("provision: a wrong UAI is refused naming the field, nothing opened", func(t *testing.T) {
		before := tenantCount(t, h.reg)
		wrong := newUAI[:7] + string(nextLetter(newUAI[7]))
		for _, confirm := range []string{"", "1"} {
			rec := h.consoleForm(region.Token, "/console/etablissements", url.Values{"uai": {wrong}, "name": {"Lycée Nouveau"}, "kind": {"lycee"}, "confirmer": {confirm}})
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, "Champ « UAI »", "lettre de contrôle", "elle doit être "+newUAI[7:], "Rien n'a été ouvert", `aria-invalid="true"`)
		}
		rec := h.consoleForm(region.Token, "/console/etablissements", url.Values{"uai": {"03300"}, "name": {"Lycée Nouveau"}, "kind": {"lycee"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Champ « UAI »", "8 caractères")
		rec = h.consoleForm(region.Token, "/console/etablissements", url.Values{"uai": {newUAI}, "name": {"Ly"}, "kind": {"lycee"}, "confirmer": {"1"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Champ « Nom »", "3 à 200 caractères")
		if n := tenantCount(t, h.reg); n != before {
			t.Errorf("%d establishments after refused forms, want %d", n, before)
		}
	})

	t.Run("provision: the slug proposed from the name, then confirmed", func(t *testing.T) {
		form := url.Values{"uai": {strings.ToLower(newUAI)}, "name": {"Lycée Élie-Faure"}, "kind": {"lycee"}}
		rec := h.consoleForm(region.Token, "/console/etablissements", form)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `value="lycee-elie-faure"`, `name="confirmer" value="1"`, "Confirmer l'ouverture", `value="`+newUAI+`"`)
		if _, err := h.reg.Get(context.Background(), newUAI); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("the check step opened the establishment: %v", err)
		}
		form.Set("uai", newUAI)
		form.Set("confirmer", "1")
		form.Set("slug", "lycee-elie-faure")
		form.Set("proposed", "lycee-elie-faure")
		loc := wantRedirect(t, h.consoleForm(region.Token, "/console/etablissements", form), "/console/etablissements/"+newUAI+"?message=ouvert")
		rec = h.as(region.Token, adminHost, loc)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "« Lycée Élie-Faure » est ouvert", "http://lycee-elie-faure.cartable.test/")
		wantStatus(t, h.get(tenantHost("lycee-elie-faure"), "/"), http.StatusOK)
		// The same form again changes nothing, and says so.
		wantRedirect(t, h.consoleForm(region.Token, "/console/etablissements", form), "/console/etablissements/"+newUAI+"?message=existant")
	})

	t.Run("suspend with confirmation, then resume", func(t *testing.T) {
		rec := h.as(region.Token, adminHost, "/console/etablissements/"+a+"/suspendre")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Suspendre « Lycée Alpha » ?", `action="/console/etablissements/`+a+`/suspendre"`, "données sont gardées intactes")
		if s := statusOf(t, h.reg, a); s != tenant.StatusActive {
			t.Fatalf("the confirmation page changed the state: %s", s)
		}
		loc := wantRedirect(t, h.consoleForm(region.Token, "/console/etablissements/"+a+"/suspendre", nil), "/console/etablissements/"+a+"?message=suspendu")
		wantBody(t, h.as(region.Token, adminHost, loc), "« Lycée Alpha » est suspendu", "Rouvrir l'établissement")
		wantStatus(t, h.get(tenantHost(alpha.Slug), "/"), http.StatusForbidden)
		wantRedirect(t, h.consoleForm(region.Token, "/console/etablissements/"+a+"/reprendre", nil), "/console/etablissements/"+a+"?message=repris")
		wantStatus(t, h.get(tenantHost(alpha.Slug), "/"), http.StatusOK)
	})

	var archive []byte
	t.Run("export downloads the archive", func(t *testing.T) {
		rec := h.as(region.Token, adminHost, "/console/etablissements/"+a+"/export")
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); ct != "application/gzip" {
			t.Errorf("Content-Type = %q, want application/gzip", ct)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "cartable-"+a+"-") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		archive = rec.Body.Bytes()
		if len(archive) < 2 || archive[0] != 0x1f || archive[1] != 0x8b {
			t.Fatalf("not a gzip archive (%d bytes)", len(archive))
		}
	})

	t.Run("delete: confirmation with retention and purge date, the UAI typed again", func(t *testing.T) {
		rec := h.as(region.Token, adminHost, "/console/etablissements/"+a+"/supprimer")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Supprimer « Lycée Alpha » ?", "Durée de conservation", "90 jours", "Effacement définitif prévu le", `name="confirmation"`)
		rec = h.consoleForm(region.Token, "/console/etablissements/"+a+"/supprimer", url.Values{"confirmation": {"0330000X"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Champ « Confirmation »", "saisissez l&#39;UAI", "rien n&#39;a été supprimé")
		if s := statusOf(t, h.reg, a); s != tenant.StatusActive {
			t.Fatalf("a refused confirmation changed the state: %s", s)
		}
		rec = h.consoleForm(region.Token, "/console/etablissements/"+a+"/supprimer", url.Values{"confirmation": {strings.ToLower(a)}})
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "« Lycée Alpha » est supprimé", "conservées 90 jours", "seront effacées définitivement le")
		wantStatus(t, h.get(tenantHost(alpha.Slug), "/"), http.StatusNotFound)
		wantStatus(t, h.as(region.Token, adminHost, "/console/etablissements/"+a), http.StatusNotFound)
		wantBody(t, h.as(region.Token, adminHost, "/console?etat=deleted"), alpha.Name, "effacé le")
	})

	t.Run("restore: a damaged archive is refused, the export restores", func(t *testing.T) {
		damaged := append([]byte{}, archive...)
		damaged[len(damaged)/2] ^= 0xff
		rec := h.consoleArchive(region.Token, damaged)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Champ « Archive »", "archive refusée", "Rien n'a été restauré")
		if s := statusOf(t, h.reg, a); s != tenant.StatusDeleted {
			t.Fatalf("a damaged archive restored something: %s", s)
		}
		rec = h.consoleArchive(region.Token, nil)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		loc := wantRedirect(t, h.consoleArchive(region.Token, archive), "/console/etablissements/"+a+"?message=restaure")
		wantBody(t, h.as(region.Token, adminHost, loc), "« Lycée Alpha » est restauré", "1 actif sur 1")
		wantStatus(t, h.get(tenantHost(alpha.Slug), "/"), http.StatusOK)
		rec = h.consoleArchive(region.Token, archive)
		wantStatus(t, rec, http.StatusConflict)
		wantBody(t, rec, "supprimez-le avant de le restaurer")
	})

	t.Run("AAF import: dry run, then for real, attaching an account of another establishment", func(t *testing.T) {
		sfx := randomHex(4)
		key := "P" + sfx
		parentB := aafPerson("PersRelEleve", key, "Partagé", "Parent-"+sfx)
		rep := importAAF(t, env, bravo, parentB)
		cred := credentialOf(t, env, bravo, rep.ID, "responsable")
		id := identityOfLogin(t, h.reg, cred.Login)
		path := "/console/etablissements/" + a + "/imports"
		file := "ENT_" + a + "_Delta_20261201_0001.xml"

		rec := h.upload(region.Token, adminHost, path, file, aafDelta(parentB), true)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Simulation d'import", "Rien n'a été enregistré", file)
		if got := memberships(t, h.reg, id); len(got) != 1 {
			t.Fatalf("a dry run attached the account: %v", got)
		}
		rec = h.upload(region.Token, adminHost, path, file, aafDelta(parentB), false)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Rapport d'import", "Import terminé", "Personnes créées")
		if got, want := strings.Join(memberships(t, h.reg, id), ","), strings.Join(sortedOf(a, string(bravo.UAI)), ","); got != want {
			t.Errorf("memberships of the shared parent = %s, want %s (the région attaches across establishments)", got, want)
		}
		rec = h.as(region.Token, adminHost, path)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Imports précédents", "aaf", "user:"+region.Login)
		rec = h.upload(region.Token, adminHost, path, "eleves.csv", "identifiant;profil\n", false)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Champ « Fichiers AAF »", "n&#39;est pas un fichier AAF", "Rien n'a été importé")
		rec = h.upload(region.Token, adminHost, path, file, "<ficAlimMENESR><addRequest>", false)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, file, "Rien n'a été importé")

		runs, err := env.Directory.ImportRuns(context.Background(), alpha)
		if err != nil || len(runs) == 0 {
			t.Fatalf("import runs: %v %v", runs, err)
		}
		rec = h.as(region.Token, adminHost, path+"/"+runs[0].ID.String())
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Rapport d'import", "Import du ")
		wantStatus(t, h.as(region.Token, adminHost, path+"/"+uuid.NewString()), http.StatusNotFound)
	})

	t.Run("département opt-in", func(t *testing.T) {
		rec := h.as(region.Token, adminHost, "/console/departements/24")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Dordogne (24)", "n&#39;a pas adhéré", "Aucun collège ouvert")
		rec = h.consoleForm(region.Token, "/console/departements/24/adhesion", url.Values{"effective_date": {"septembre"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Champ « Date d&#39;effet »", "AAAA-MM-JJ", "Rien n'a été enregistré")
		loc := wantRedirect(t, h.consoleForm(region.Token, "/console/departements/24/adhesion", url.Values{"effective_date": {"2099-09-01"}}), "/console/departements/24?message=adhesion")
		wantBody(t, h.as(region.Token, adminHost, loc), "adhère à partir du 01/09/2099", "L&#39;adhésion du département est enregistrée")
		o, err := h.reg.Organisation(context.Background(), "24")
		if err != nil || o.OptInDate == nil || o.OptInDate.Format("2006-01-02") != "2099-09-01" {
			t.Errorf("Dordogne's opt-in = %+v, %v", o, err)
		}
		wantStatus(t, h.as(region.Token, adminHost, "/console/departements/region"), http.StatusNotFound)
		wantStatus(t, h.as(region.Token, adminHost, "/console/departements/99"), http.StatusNotFound)
	})

	t.Run("every action is in the audit log, shown on the console", func(t *testing.T) {
		want := []string{"tenant.provision", "tenant.suspend", "tenant.resume", "tenant.export", "tenant.delete", "tenant.import", "directory.import_aaf", "directory.import_aaf"}
		got := auditActions(t, h.reg, a)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("audit of %s = %v, want %v", a, got, want)
		}
		for _, action := range []string{"tenant.suspend", "tenant.export", "tenant.delete", "directory.import_aaf"} {
			for _, actor := range auditActors(t, h.reg, a, action) {
				if actor != "user:"+region.Login {
					t.Errorf("%s recorded as done by %q, want user:%s", action, actor, region.Login)
				}
			}
		}
		if got := auditActions(t, h.reg, "24"); len(got) != 1 || got[0] != "departement.opt_in" {
			t.Errorf("audit of the Dordogne = %v", got)
		}
		rec := h.as(region.Token, adminHost, "/console/journal?etablissement="+strings.ToLower(a))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Journal des actions sur "+a, "Ouverture", "Suspension", "Réouverture", "Export (archive téléchargée)", "Suppression",
			"Restauration depuis une archive", "Import AAF", region.Login)
		wantNotInBody(t, rec, string(bravo.UAI), newUAI)
		rec = h.as(region.Token, adminHost, "/console/journal")
		wantBody(t, rec, a, newUAI, "Adhésion du département")
		wantBody(t, h.as(region.Token, adminHost, "/console"), "Dernières actions", "Import AAF")
		wantBody(t, h.as(region.Token, adminHost, "/console/etablissements/"+a), "Actions enregistrées", "Restauration depuis une archive", "Derniers imports")
		wantBody(t, h.as(region.Token, adminHost, "/console/journal?etablissement=0330000"), "Établissement : ", "8 caractères")
	})
}

// TestConsoleDepartement: a département's administrator does the same for its collèges, and
// nothing for a lycée or another département's collège.
func TestConsoleDepartement(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	tenanttest.OptIn(t, h.reg, "40")
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	charlie := h.provision(tenanttest.UAI(33, 3), "Collège Charlie", "college")
	landes := h.provision(tenanttest.UAI(40, 4), "Collège Landais", "college")
	dep33 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	a, c, l := string(alpha.UAI), string(charlie.UAI), string(landes.UAI)
	if _, err := h.reg.Suspend(context.Background(), l, "test"); err != nil {
		t.Fatal(err)
	}

	t.Run("home: its collèges only", func(t *testing.T) {
		rec := h.as(dep33.Token, adminHost, "/console")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Administrateur départemental (33)", charlie.Name, c, "Ouvrir un collège", "Gironde (33)")
		wantNotInBody(t, rec, alpha.Name, a, landes.Name, l, "Landes", "/console/restauration", "/console/taches")
	})

	t.Run("provision: its collèges, nothing else", func(t *testing.T) {
		rec := h.as(dep33.Token, adminHost, "/console/etablissements/nouveau")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Ouvrir un collège du département 33", `<option value="college"`)
		wantNotInBody(t, rec, `<option value="lycee"`)
		before := tenantCount(t, h.reg)
		for _, f := range []url.Values{
			{"uai": {tenanttest.UAI(33, 61)}, "name": {"Lycée Echo"}, "kind": {"lycee"}, "confirmer": {"1"}},
			{"uai": {tenanttest.UAI(40, 62)}, "name": {"Collège Landais Deux"}, "kind": {"college"}, "confirmer": {"1"}},
		} {
			rec := h.consoleForm(dep33.Token, "/console/etablissements", f)
			wantStatus(t, rec, http.StatusForbidden)
			wantBody(t, rec, "n&#39;ouvre que les collèges de son département (33)")
		}
		if n := tenantCount(t, h.reg); n != before {
			t.Fatalf("%d establishments after refused forms, want %d", n, before)
		}
		uai := tenanttest.UAI(33, 60)
		form := url.Values{"uai": {uai}, "name": {"Collège Delta"}, "kind": {"college"}, "confirmer": {"1"}}
		wantRedirect(t, h.consoleForm(dep33.Token, "/console/etablissements", form), "/console/etablissements/"+uai+"?message=ouvert")
		if tn, err := h.reg.Get(context.Background(), uai); err != nil || tn.OrganisationCode != "33" {
			t.Fatalf("Collège Delta: %+v, %v", tn, err)
		}
	})

	t.Run("the actions on its collège", func(t *testing.T) {
		base := "/console/etablissements/" + c
		wantStatus(t, h.as(dep33.Token, adminHost, base), http.StatusOK)
		wantRedirect(t, h.consoleForm(dep33.Token, base+"/suspendre", nil), base+"?message=suspendu")
		wantRedirect(t, h.consoleForm(dep33.Token, base+"/reprendre", nil), base+"?message=repris")
		wantStatus(t, h.as(dep33.Token, adminHost, base+"/export"), http.StatusOK)
		rec := h.upload(dep33.Token, adminHost, base+"/imports", "ENT_"+c+"_Delta_0001.xml",
			aafDelta(aafPerson("PersEducNat", "D"+randomHex(4), "Principal", "Paul", "ENTPersonFonctions", c+"$DIR$DIRECTION")), false)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Import terminé")
		wantStatus(t, h.as(dep33.Token, adminHost, base+"/imports"), http.StatusOK)
		wantStatus(t, h.as(dep33.Token, adminHost, base+"/supprimer"), http.StatusOK)
		wantStatus(t, h.consoleForm(dep33.Token, base+"/supprimer", url.Values{"confirmation": {c}}), http.StatusOK)
		if s := statusOf(t, h.reg, c); s != tenant.StatusDeleted {
			t.Errorf("Collège Charlie after deletion: %s", s)
		}
		got := strings.Join(auditActions(t, h.reg, c), ",")
		if want := "tenant.suspend,tenant.resume,tenant.export,directory.import_aaf,tenant.delete"; !strings.HasSuffix(got, want) {
			t.Errorf("audit of the collège = %s, want …%s", got, want)
		}
	})

	t.Run("nothing on a lycée or another département's collège", func(t *testing.T) {
		for _, tn := range []*tenant.Tenant{alpha, landes} {
			uai := string(tn.UAI)
			before := len(auditActions(t, h.reg, uai))
			wantState := statusOf(t, h.reg, uai)
			base := "/console/etablissements/" + uai
			for _, tc := range []struct{ method, path string }{
				{http.MethodGet, base}, {http.MethodGet, base + "/suspendre"}, {http.MethodPost, base + "/suspendre"},
				{http.MethodPost, base + "/reprendre"}, {http.MethodGet, base + "/supprimer"}, {http.MethodPost, base + "/supprimer"},
				{http.MethodGet, base + "/export"}, {http.MethodGet, base + "/imports"}, {http.MethodPost, base + "/imports"},
				{http.MethodGet, base + "/imports/" + uuid.NewString()},
			} {
				form := url.Values{"confirmation": {uai}}
				rec := h.send(dep33.Token, tc.method, adminHost, tc.path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
				wantStatus(t, rec, http.StatusNotFound)
				wantBody(t, rec, "dans votre périmètre")
				wantNotInBody(t, rec, tn.Name)
			}
			if s := statusOf(t, h.reg, uai); s != wantState {
				t.Errorf("%s: state %s, want %s", tn.Name, s, wantState)
			}
			if n := len(auditActions(t, h.reg, uai)); n != before {
				t.Errorf("%s: %d audit entries, want %d", tn.Name, n, before)
			}
		}
		rec := h.as(dep33.Token, adminHost, "/console/journal")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, c)
		wantNotInBody(t, rec, a, l)
		wantNotInBody(t, h.as(dep33.Token, adminHost, "/console/journal?etablissement="+a), "Ouverture", "Suspension")
	})

	t.Run("its département's page and opt-in, not another's", func(t *testing.T) {
		rec := h.as(dep33.Token, adminHost, "/console/departements/33")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Gironde (33)", "Collège Delta", "Ouvrir un collège", `name="effective_date"`)
		wantNotInBody(t, rec, alpha.Name, landes.Name)
		wantRedirect(t, h.consoleForm(dep33.Token, "/console/departements/033/adhesion", url.Values{"effective_date": {"01/09/2020"}}), "/console/departements/33?message=adhesion")
		for _, code := range []string{"40", "24", "region"} {
			rec := h.as(dep33.Token, adminHost, "/console/departements/"+code)
			wantStatus(t, rec, http.StatusNotFound)
			wantBody(t, rec, "dans votre périmètre", "vous administrez le département 33")
			rec = h.consoleForm(dep33.Token, "/console/departements/"+code+"/adhesion", url.Values{"effective_date": {"2020-09-01"}})
			wantStatus(t, rec, http.StatusNotFound)
		}
		if o, _ := h.reg.Organisation(context.Background(), "24"); o.OptInDate != nil {
			t.Errorf("the Dordogne opted in by the Gironde's administrator: %v", o.OptInDate)
		}
		if got := auditActions(t, h.reg, "33"); len(got) == 0 || got[len(got)-1] != "departement.opt_in" {
			t.Errorf("audit of the Gironde = %v", got)
		}
	})

	t.Run("restoring is the région's", func(t *testing.T) {
		rec := h.as(dep33.Token, adminHost, "/console/restauration")
		wantStatus(t, rec, http.StatusForbidden)
		wantBody(t, rec, "réservée à l&#39;administration régionale")
		wantStatus(t, h.consoleArchive(dep33.Token, []byte("pas une archive")), http.StatusForbidden)
		// Refused before a byte of the upload is read.
		var read atomic.Int64
		body := "--b\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"a.tar.gz\"\r\n\r\n" + strings.Repeat("x", 1<<20) + "\r\n--b--\r\n"
		req := newRequest(http.MethodPost, adminHost, "/console/restauration", nil, "Content-Type", "multipart/form-data; boundary=b", "X-Session-Token", dep33.Token)
		req.Body = countingBody{r: strings.NewReader(body), n: &read}
		req.ContentLength = int64(len(body))
		wantStatus(t, h.serve(req), http.StatusForbidden)
		if n := read.Load(); n > 0 {
			t.Errorf("%d bytes of a département's archive were read before the refusal", n)
		}
	})

	// The AAF import attaches only accounts whose memberships all lie within the importer's
	// scope (issue 7): a parent known in a lycée gets a new account in the collège.
	t.Run("AAF import does not attach an account of a lycée", func(t *testing.T) {
		delta, _ := h.reg.Get(context.Background(), tenanttest.UAI(33, 60))
		sfx := randomHex(4)
		parent := aafPerson("PersRelEleve", "P"+sfx, "Partagé", "Parent-"+sfx)
		rep := importAAF(t, env, alpha, parent)
		id := identityOfLogin(t, h.reg, credentialOf(t, env, alpha, rep.ID, "responsable").Login)
		rec := h.upload(dep33.Token, adminHost, "/console/etablissements/"+string(delta.UAI)+"/imports", "ENT_Delta_0001.xml", aafDelta(parent), false)
		wantStatus(t, rec, http.StatusOK)
		if got := memberships(t, h.reg, id); len(got) != 1 || got[0] != a {
			t.Errorf("the lycée parent's memberships = %v, want only %s", got, a)
		}
	})
}

// TestConsoleAccessMatrix: every console route is listed with its permission, an anonymous
// visitor is sent to the login page (GET) or refused (POST), an establishment's member and
// forged forms get nothing.
func TestConsoleAccessMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	direction := env.AddMember(t, alpha, identity.RoleDirection, "Test", "Direction")
	a := string(alpha.UAI)

	routes := consoleRoutes(h)
	declared := routePermissions(h, module.Admin)
	t.Run("every route is declared by a module", func(t *testing.T) {
		registered := map[string]bool{}
		for _, r := range routes {
			registered[r] = true
			if _, ok := declared[r]; !ok {
				t.Errorf("console route %s is served but no module declares it", r)
			}
		}
		for r := range declared {
			if strings.HasPrefix(r, "GET /console") || strings.HasPrefix(r, "POST /console") {
				if !registered[r] {
					t.Errorf("a module declares %s, which no route serves", r)
				}
			}
		}
	})

	pathOf := func(pattern string) string {
		return strings.NewReplacer(":uai", a, ":code", "33", ":id", uuid.NewString()).Replace(pattern)
	}
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		path := pathOf(pattern)
		send := func(token string) *httptest.ResponseRecorder {
			return h.send(token, method, adminHost, path, "", "Content-Type", "application/x-www-form-urlencoded")
		}
		t.Run(route, func(t *testing.T) {
			rec := send("")
			if method == http.MethodGet {
				want := "http://" + portalHost + "/connexion?return_to=" + url.QueryEscape("http://"+adminHost+path)
				if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
					t.Errorf("anonymous: %d to %q, want 303 to the login page", rec.Code, rec.Header().Get("Location"))
				}
			} else if rec.Code != http.StatusUnauthorized {
				t.Errorf("anonymous: %d, want 401", rec.Code)
			}
			rec = send(direction.Token)
			wantStatus(t, rec, http.StatusForbidden)
			wantNotInBody(t, rec, alpha.Name)
			if method == http.MethodGet && !strings.HasSuffix(pattern, "/export") {
				if rec := send(region.Token); rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || rec.Code >= 500 {
					t.Errorf("admin_regional: %d; body: %s", rec.Code, truncate(rec.Body.String()))
				}
			}
		})
	}
	if s := statusOf(t, h.reg, a); s != tenant.StatusActive {
		t.Fatalf("the walk changed Alpha: %s", s)
	}

	t.Run("forged forms are refused", func(t *testing.T) {
		cookie := env.BrowserCookie(t, region.Login, region.Password)
		token := identity.CSRFToken(cookie)
		page := h.get(adminHost, "/console/etablissements/"+a+"/suspendre", "Cookie", identity.SessionCookie+"="+cookie)
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, `name="_csrf" value="`+token+`"`)
		post := func(path string, form url.Values, hd ...string) *httptest.ResponseRecorder {
			hd = append([]string{"Cookie", identity.SessionCookie + "=" + cookie, "Content-Type", "application/x-www-form-urlencoded"}, hd...)
			return h.send("", http.MethodPost, adminHost, path, form.Encode(), hd...)
		}
		suspend := "/console/etablissements/" + a + "/suspendre"
		other := identity.CSRFToken("another-session")
		for name, rec := range map[string]*httptest.ResponseRecorder{
			"no token":          post(suspend, nil),
			"another's token":   post(suspend, url.Values{"_csrf": {other}}),
			"from another site": post(suspend, url.Values{"_csrf": {token}}, "Sec-Fetch-Site", "cross-site"),
			"another origin":    post(suspend, url.Values{"_csrf": {token}}, "Origin", "http://pirate.example"),
			"provision":         post("/console/etablissements", url.Values{"uai": {tenanttest.UAI(33, 9)}, "name": {"Lycée Pirate"}, "kind": {"lycee"}, "confirmer": {"1"}}),
			"opt-in":            post("/console/departements/33/adhesion", url.Values{"effective_date": {"2020-09-01"}, "_csrf": {other}}),
		} {
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", name, rec.Code)
			}
			wantBody(t, rec, "Cartable")
		}
		if s := statusOf(t, h.reg, a); s != tenant.StatusActive {
			t.Fatalf("a forged form suspended Alpha: %s", s)
		}
		if _, err := h.reg.Get(context.Background(), tenanttest.UAI(33, 9)); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a forged form opened an establishment: %v", err)
		}
		if o, _ := h.reg.Organisation(context.Background(), "33"); o.OptInDate != nil {
			t.Errorf("a forged form opted the Gironde in")
		}
		rec := post(suspend, url.Values{"_csrf": {token}}, "Sec-Fetch-Site", "same-origin", "Origin", "http://"+adminHost)
		wantRedirect(t, rec, "/console/etablissements/"+a+"?message=suspendu")
		if s := statusOf(t, h.reg, a); s != tenant.StatusSuspended {
			t.Errorf("the genuine form did not suspend Alpha: %s", s)
		}
	})
}

// A UAI opened once as a collège of the département, deleted, then opened again by the
// région as a lycée (a wrong kind corrected): the département's administrator must not read,
// in their journal, what is done to the lycée.
func TestConsoleJournalReusedUAI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	uai := tenanttest.UAI(33, 71)
	h.provision(uai, "Collège Foxtrot", "college")
	if _, err := h.reg.Delete(context.Background(), uai, "test"); err != nil {
		t.Fatal(err)
	}
	h.provision(uai, "Lycée Foxtrot", "lycee")
	if _, err := h.reg.Suspend(context.Background(), uai, "user:region-secret-actor"); err != nil {
		t.Fatal(err)
	}
	dep33 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	for _, path := range []string{"/console", "/console/journal", "/console/journal?etablissement=" + uai} {
		rec := h.as(dep33.Token, adminHost, path)
		wantStatus(t, rec, http.StatusOK)
		wantNotInBody(t, rec, "region-secret-actor", "Lycée Foxtrot")
	}
}

// TestConsoleQuota: the région's administrators set an establishment's file quota on its
// page (in Go, recorded in both journals); a wrong value is refused on the form; a
// département's administrator sees the space of their collège but may not change it.
func TestConsoleQuota(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	charlie := h.provision(tenanttest.UAI(33, 7), "Collège Charlie", "college")
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	dep33 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	base := "/console/etablissements/" + string(charlie.UAI)

	rec := h.as(region.Token, adminHost, base)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Espace de stockage des fichiers", "0 Ko utilisés sur 20 Go (0 %), quota par défaut", `<label for="f-quota">Quota de stockage (en Go)</label>`)

	rec = h.consoleForm(region.Token, base+"/quota", url.Values{"quota": {"beaucoup"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, `<a href="#f-quota">Champ « Quota de stockage »</a>`, "« beaucoup » n&#39;est pas un nombre de Go", `aria-invalid="true"`, `value="beaucoup"`)
	rec = h.consoleForm(region.Token, base+"/quota", url.Values{"quota": {"0,5"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "le quota doit être compris entre 1 Go et 10 To")

	wantRedirect(t, h.consoleForm(region.Token, base+"/quota", url.Values{"quota": {"2,5"}}), base+"?message=quota")
	rec = h.as(region.Token, adminHost, base+"?message=quota")
	wantBody(t, rec, "Le quota de stockage de « Collège Charlie » est enregistré.", "0 Ko utilisés sur 2,5 Go (0 %), fixé par", `value="2,5"`)
	if got := auditActions(t, h.reg, string(charlie.UAI)); got[len(got)-1] != "tenant.quota" {
		t.Errorf("platform journal: %v", got)
	}
	var bytes int64
	if err := h.reg.DB().ReadTx(context.Background(), charlie, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT (value->>'bytes')::bigint FROM settings WHERE key = 'files.quota'`).Scan(&bytes).Error
	}); err != nil || bytes != 5<<29 {
		t.Fatalf("quota setting %d, %v", bytes, err)
	}

	rec = h.as(dep33.Token, adminHost, base)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "0 Ko utilisés sur 2,5 Go")
	wantNotInBody(t, rec, `id="f-quota"`)
	wantStatus(t, h.consoleForm(dep33.Token, base+"/quota", url.Values{"quota": {"100"}}), http.StatusForbidden)

	wantRedirect(t, h.consoleForm(region.Token, base+"/quota", url.Values{"quota": {""}}), base+"?message=quota")
	wantBody(t, h.as(region.Token, adminHost, base), "sur 20 Go (0 %), quota par défaut")
}
