package main

// Navigation through the real router and a real Kratos: the menu of every page, "Mon compte",
// a parent's children across establishments and the switcher between them, and what each
// role's home offers.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// familyAAF is an AAF delta with a parent and their child in a class of uai.
func familyAAF(uai, parentID, parentLast, parentFirst, childID, childFirst, class string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<ficAlimMENESR>
<addRequest><operationalAttributes><attr name="categoriePersonne"><value>PersRelEleve</value></attr></operationalAttributes>
<identifier><id>` + parentID + `</id></identifier>
<attributes><attr name="ENTPersonJointure"><value>` + parentID + `</value></attr><attr name="sn"><value>` + parentLast + `</value></attr><attr name="givenName"><value>` + parentFirst + `</value></attr></attributes></addRequest>
<addRequest><operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
<identifier><id>` + childID + `</id></identifier>
<attributes><attr name="ENTPersonJointure"><value>` + childID + `</value></attr><attr name="sn"><value>` + parentLast + `</value></attr><attr name="givenName"><value>` + childFirst + `</value></attr>
<attr name="ENTPersonDateNaissance"><value>14/03/2011</value></attr>
<attr name="ENTEleveClasses"><value>` + uai + `$` + class + `</value></attr>
<attr name="ENTElevePersRelEleve"><value>` + parentID + `$1$0$1$0$0</value></attr></attributes></addRequest>
</ficAlimMENESR>`
}

// importFamily imports familyAAF into tn and returns the initial passwords by login.
func importFamily(t *testing.T, env *directorytest.Env, tn *tenant.Tenant, doc string) map[string]string {
	t.Helper()
	ctx := context.Background()
	rep, err := env.Directory.ImportAAF(ctx, tn, []directory.File{{Name: "ENT_" + string(tn.UAI) + "_Delta_20260902_Test_0001.xml", R: strings.NewReader(doc)}},
		directory.ImportOptions{Actor: "test", Scope: identity.Scope{All: true}})
	if err != nil {
		t.Fatalf("import into %s: %v", tn.Name, err)
	}
	creds, err := env.Directory.Credentials(ctx, tn, rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range creds {
		out[c.Login] = c.Password
	}
	return out
}

func TestNavigation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	charlie := h.provision(tenanttest.UAI(33, 3), "Collège Charlie", "college")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")

	// One parent (one account: the same join key) with Romane at Alpha and Hugo at Charlie.
	pw := importFamily(t, env, alpha, familyAAF(string(alpha.UAI), "P900", "Garnier", "Sophie", "E901", "Romane", "2NDE3"))
	importFamily(t, env, charlie, familyAAF(string(charlie.UAI), "P900", "Garnier", "Sophie", "E902", "Hugo", "5B"))
	var parentLogin string
	for login := range pw {
		if strings.HasPrefix(login, "sophie.") {
			parentLogin = login
		}
	}
	if parentLogin == "" {
		t.Fatalf("no account for the parent among %v", pw)
	}
	parent := env.Login(t, parentLogin, pw[parentLogin])
	ctx := context.Background()
	people := func(tn *tenant.Tenant) map[string]directory.Person {
		ps, err := env.Directory.People(ctx, tn, directory.PeopleFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]directory.Person{}
		for _, p := range ps {
			out[p.FirstName] = p
		}
		return out
	}
	romane, hugo := people(alpha)["Romane"], people(charlie)["Hugo"]
	romaneMarks := "http://" + tenantHost(alpha.Slug) + "/notes/eleves/" + romane.ID.String()
	hugoMarks := "http://" + tenantHost(charlie.Slug) + "/notes/eleves/" + hugo.ID.String()

	cpe := env.AddMember(t, alpha, identity.RoleVieScolaire, "Test", "Alpha")
	pupil := env.AddMember(t, alpha, identity.RoleEleve, "Test", "Alpha")
	ofBravo := env.AddMember(t, bravo, identity.RoleDirection, "Test", "Bravo")

	t.Run("a parent lands on their children", func(t *testing.T) {
		rec := h.as(parent, portalHost, "/accueil")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "http://"+portalHost+"/enfants" {
			t.Fatalf("/accueil of a parent: %d to %q, want 303 to /enfants", rec.Code, rec.Header().Get("Location"))
		}
		for _, host := range []string{portalHost, tenantHost(alpha.Slug), tenantHost(charlie.Slug)} {
			rec = h.as(parent, host, "/enfants")
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, "Mes enfants", "Romane Garnier", "Classe 2NDE3", "Lycée Alpha", "Hugo Garnier", "Classe 5B", "Collège Charlie",
				`href="`+romaneMarks+`"`, `href="`+hugoMarks+`"`, `href="http://`+tenantHost(charlie.Slug)+`/bulletins"`)
		}
		// Anyone else goes to their establishments.
		rec = h.as(pupil.Token, portalHost, "/accueil")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "http://"+portalHost+"/choix" {
			t.Errorf("/accueil of a pupil: %d to %q, want 303 to /choix", rec.Code, rec.Header().Get("Location"))
		}
		rec = h.get(portalHost, "/accueil")
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/connexion?return_to=") {
			t.Errorf("anonymous /accueil: %d to %q, want the login page", rec.Code, rec.Header().Get("Location"))
		}
	})

	t.Run("the child switcher is on every page of a parent", func(t *testing.T) {
		for _, path := range []string{"/", "/compte", "/enfants", "/notes/eleves/" + romane.ID.String()} {
			rec := h.as(parent, tenantHost(alpha.Slug), path)
			wantBody(t, rec, `<nav class="children"`, `href="`+hugoMarks+`">Hugo Garnier (5B)</a>`)
		}
		rec := h.as(parent, tenantHost(alpha.Slug), "/notes/eleves/"+romane.ID.String())
		wantBody(t, rec, `href="`+romaneMarks+`" aria-current="true">Romane Garnier`)
		rec = h.as(parent, tenantHost(charlie.Slug), "/bulletins")
		wantBody(t, rec, `href="http://`+tenantHost(alpha.Slug)+`/bulletins">Romane Garnier`) // the same page of the other child
		rec = h.as(cpe.Token, tenantHost(alpha.Slug), "/")
		wantNotInBody(t, rec, `<nav class="children"`, "Romane Garnier")
	})

	t.Run("Mon compte", func(t *testing.T) {
		rec := h.as(parent, tenantHost(alpha.Slug), "/compte")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Mon compte", "Sophie Garnier", parentLogin, "Rôle à Lycée Alpha", "Responsable",
			`href="http://`+portalHost+`/parametres"`, "Changer mon mot de passe", "Lycée Alpha", "Collège Charlie",
			`href="http://`+portalHost+`/choix"`, `href="/enfants"`, `<a href="/compte" aria-current="page">Mon compte</a>`)
		rec = h.as(pupil.Token, tenantHost(alpha.Slug), "/compte")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, pupil.Login, "Élève", "Changer mon mot de passe", `href="/annuaire/personnes/`+pupil.PersonID.String()+`"`)
		wantNotInBody(t, rec, "Mes enfants")
		rec = h.as(parent, portalHost, "/compte")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Sophie Garnier", "Changer mon mot de passe", "Collège Charlie")
		// Every page's header leads there, the administration host's to the portal's.
		wantBody(t, h.as(cpe.Token, tenantHost(alpha.Slug), "/annuaire/classes"), `<a href="/compte">Mon compte</a>`)
		// The password page leads back to it.
		rec = h.get(portalHost, "/compte")
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/connexion?return_to=") {
			t.Errorf("anonymous /compte: %d to %q, want the login page", rec.Code, rec.Header().Get("Location"))
		}
	})

	t.Run("another establishment and other roles see nothing", func(t *testing.T) {
		for _, path := range []string{"/compte", "/enfants"} {
			rec := h.as(ofBravo.Token, tenantHost(alpha.Slug), path)
			wantStatus(t, rec, http.StatusForbidden)
			wantNotInBody(t, rec, "Garnier", parentLogin)
			// A session is no membership (the parent's own switcher still leads to their children).
			wantStatus(t, h.as(parent, tenantHost(bravo.Slug), path), http.StatusForbidden)
		}
		for _, tok := range []string{pupil.Token, cpe.Token, ofBravo.Token} {
			rec := h.as(tok, portalHost, "/enfants")
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, "Aucun enfant")
			wantNotInBody(t, rec, "Romane", "Hugo")
		}
	})

	t.Run("the menu and each role's home", func(t *testing.T) {
		rec := h.as(cpe.Token, tenantHost(alpha.Slug), "/annuaire/classes")
		wantBody(t, rec, `<nav class="menu" aria-label="Menu principal">`, `<a href="/annuaire/classes" aria-current="page">Classes et groupes</a>`,
			`<a href="/notes">Notes des élèves</a>`)
		rec = h.as(cpe.Token, tenantHost(alpha.Slug), "/")
		wantBody(t, rec, `<a href="/" aria-current="page">Accueil</a>`, "Mes services", `href="/notes"`, `href="/annuaire/classes"`)
		wantNotInBody(t, rec, "cahier de textes", "/admin/personnes", `href="/bulletins"`) // the CPE has no report card to see
		rec = h.as(parent, tenantHost(alpha.Slug), "/notes/eleves/"+romane.ID.String())
		wantBody(t, rec, `<a href="/notes" aria-current="page">Notes</a>`)
		rec = h.get(tenantHost(alpha.Slug), "/")
		wantBody(t, rec, "Se connecter")
		wantNotInBody(t, rec, "cahier de textes", "vie scolaire", `<nav class="menu"`)
		// The administration host: the consoles, and Mon compte on the portal.
		region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
		rec = h.as(region.Token, adminHost, "/console")
		wantBody(t, rec, `<a href="/console" aria-current="page">Console</a>`, `<a href="/console/taches">Tâches de fond</a>`,
			`href="http://`+portalHost+`/compte"`)
	})
}
