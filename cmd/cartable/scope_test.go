package main

// No account is taken across establishments: the attack of issue 7, tried step by step as
// a new user would, through the real router, PostgreSQL and Kratos, and each step refused;
// then what platform administrators may still do, each within their scope.

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// outOfScope is what every refusal of an action on another establishment's account says.
const outOfScope = "Seul un administrateur de la plateforme"

// aafDelta wraps requests in one AAF delta document.
func aafDelta(requests ...string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n" + strings.Join(requests, "") + "</ficAlimMENESR>\n"
}

// upload posts one file to a host's import page (or, on the administration host, to the
// import API) as the holder of token.
func (h *harness) upload(token, host, path, name, content string, dry bool) *httptest.ResponseRecorder {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("files", name)
	if err != nil {
		h.t.Fatal(err)
	}
	fw.Write([]byte(content))
	if dry {
		mw.WriteField("dry_run", "true")
	}
	mw.Close()
	req := newRequest(http.MethodPost, host, path, &buf, "Content-Type", mw.FormDataContentType(), "X-Session-Token", token)
	return h.serve(req)
}

// postForm posts a form to an establishment's page as the holder of token.
func (h *harness) postForm(token, host, path string, form url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.send(token, http.MethodPost, host, path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// memberships lists the establishments (UAI) where an identity has a membership.
func memberships(t *testing.T, reg *tenant.Registry, id uuid.UUID) []string {
	t.Helper()
	var uais []string
	if err := reg.Platform().Raw(`SELECT t.uai FROM platform.memberships m JOIN platform.tenants t ON t.id = m.tenant_id
		WHERE m.identity_id = ? ORDER BY t.uai`, id).Scan(&uais).Error; err != nil {
		t.Fatal(err)
	}
	return uais
}

// identityOfLogin returns the platform account of a login.
func identityOfLogin(t *testing.T, reg *tenant.Registry, login string) uuid.UUID {
	t.Helper()
	var row struct{ IdentityID uuid.UUID }
	if err := reg.Platform().Raw(`SELECT identity_id FROM platform.accounts WHERE login = ?`, login).Scan(&row).Error; err != nil || row.IdentityID == uuid.Nil {
		t.Fatalf("account of %s: %v", login, err)
	}
	return row.IdentityID
}

// personByKey returns the person of tn with this AAF join key (active or not).
func personByKey(t *testing.T, env *directorytest.Env, tn *tenant.Tenant, key string) *directory.Person {
	t.Helper()
	for _, inactive := range []bool{false, true} {
		list, err := env.Directory.People(context.Background(), tn, directory.PeopleFilter{Inactive: inactive, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for i := range list {
			if list[i].AAFID != nil && *list[i].AAFID == key {
				return &list[i]
			}
		}
	}
	return nil
}

// kratosName returns the name traits of an identity, "First Last".
func kratosName(t *testing.T, env *directorytest.Env, id uuid.UUID) string {
	t.Helper()
	ident, _, err := env.Kratos.Admin.IdentityAPI.GetIdentity(context.Background(), id.String()).Execute()
	if err != nil {
		t.Fatalf("identity %s: %v", id, err)
	}
	traits, _ := ident.Traits.(map[string]any)
	name, _ := traits["name"].(map[string]any)
	first, _ := name["first"].(string)
	last, _ := name["last"].(string)
	return first + " " + last
}

func TestNoAccountTakenAcrossEstablishments(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	charlie := h.provision(tenanttest.UAI(33, 3), "Collège Charlie", "college")
	delta := h.provision(tenanttest.UAI(33, 4), "Collège Delta", "college")
	hostA, hostB := tenantHost(alpha.Slug), tenantHost(bravo.Slug)
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	dep33 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	directionA := env.AddMember(t, alpha, identity.RoleDirection, "Test", "DirectionA")

	// B's director comes from the académie's export, imported by the platform.
	sfx := randomHex(4)
	keyB, firstB := "D"+sfx, "Directrice-"+sfx
	directorB := func(uai string) string {
		return aafPerson("PersEducNat", keyB, "Bravo", firstB, "ENTPersonFonctions", uai+"$DIR$DIRECTION")
	}
	repB := importAAF(t, env, bravo, directorB(string(bravo.UAI)))
	credB := credentialOf(t, env, bravo, repB.ID, "personnel")
	idB := identityOfLogin(t, h.reg, credB.Login)
	wantStatus(t, h.as(env.Login(t, credB.Login, credB.Password), hostB, "/admin/personnes"), http.StatusOK)

	t.Run("1. A's direction uploads an AAF delta naming B's director: refused", func(t *testing.T) {
		attack := aafDelta(directorB(uaiAlpha))
		for _, dry := range []bool{true, false} {
			rec := h.upload(directionA.Token, hostA, "/admin/imports", "ENT_"+uaiAlpha+"_Delta_20261201_0001.xml", attack, dry)
			wantStatus(t, rec, http.StatusForbidden)
			wantBody(t, rec, "réservé aux administrateurs de la plateforme", "Nouvelle personne")
			wantNotInBody(t, rec, credB.Login, firstB, "Comptes ouverts")
		}
		if got := memberships(t, h.reg, idB); strings.Join(got, ",") != string(bravo.UAI) {
			t.Errorf("B's director's account is now in %v, want only %s", got, bravo.UAI)
		}
		if p := personByKey(t, env, alpha, keyB); p != nil {
			t.Errorf("A's directory holds B's director: %+v", p)
		}
		// The staff's page offers CSV files only.
		rec := h.as(directionA.Token, hostA, "/admin/imports")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Fichiers CSV", `accept=".csv"`)
	})

	t.Run("1b. A's own CSV import creates an account of A's own; the taken login gets a suffix silently", func(t *testing.T) {
		csv := "identifiant;profil;nom;prenom\nX1;direction;Bravo;" + firstB + "\n"
		dry := h.upload(directionA.Token, hostA, "/admin/imports", "personnels.csv", csv, true)
		wantStatus(t, dry, http.StatusOK)
		wantNotInBody(t, dry, credB.Login)
		rec := h.upload(directionA.Token, hostA, "/admin/imports", "personnels.csv", csv, false)
		wantStatus(t, rec, http.StatusOK)
		wantNotInBody(t, rec, credB.Login)
		p := personByKey(t, env, alpha, uaiAlpha+":X1")
		if p == nil || p.IdentityID == nil {
			t.Fatalf("the CSV person was not created with an account: %+v", p)
		}
		if *p.IdentityID == idB || p.Login == credB.Login || !strings.HasPrefix(p.Login, credB.Login) {
			t.Errorf("CSV person: account %s login %q; want a new account, login %q with a suffix", p.IdentityID, p.Login, credB.Login)
		}
		if got := memberships(t, h.reg, idB); strings.Join(got, ",") != string(bravo.UAI) {
			t.Errorf("B's director's account is now in %v", got)
		}
	})

	// B's director also works in A, and the région's import attaches her one account to A:
	// from then on, A's staff may not act on that account.
	repA := importAAF(t, env, alpha, directorB(uaiAlpha))
	if repA.Created != 1 || repA.AccountsCreated != 0 {
		t.Fatalf("région's import into A: %+v, want 1 person attached to the existing account", repA)
	}
	shared := personByKey(t, env, alpha, keyB)
	if shared == nil || shared.IdentityID == nil || *shared.IdentityID != idB {
		t.Fatalf("B's director in A: %+v, want her account %s", shared, idB)
	}
	card := "/admin/personnes/" + shared.ID.String()

	t.Run("2. A's direction issues a recovery code for her: refused", func(t *testing.T) {
		rec := h.postForm(directionA.Token, hostA, card+"/code", nil)
		wantStatus(t, rec, http.StatusForbidden)
		wantBody(t, rec, outOfScope)
		wantNotInBody(t, rec, "Code de récupération pour", "/self-service/recovery")
		// her card does not offer it, and says who may
		page := h.as(directionA.Token, hostA, "/annuaire/personnes/"+shared.ID.String())
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, "relèvent d'un administrateur de la plateforme")
		wantNotInBody(t, page, card+"/code")
		own := h.as(region.Token, hostA, "/annuaire/personnes/"+shared.ID.String())
		wantBody(t, own, card+"/code")
	})

	t.Run("3. nor renames her, nor changes her role", func(t *testing.T) {
		for _, f := range []url.Values{
			{"nom": {"Pirate"}, "prenom": {firstB}, "profil": {"direction"}},
			{"nom": {"Bravo"}, "prenom": {firstB}, "profil": {"admin"}},
		} {
			rec := h.postForm(directionA.Token, hostA, card, f)
			wantStatus(t, rec, http.StatusForbidden)
			wantBody(t, rec, outOfScope)
		}
		if got := kratosName(t, env, idB); got != firstB+" Bravo" {
			t.Errorf("name in Kratos = %q, want %q", got, firstB+" Bravo")
		}
		if p := personByKey(t, env, alpha, keyB); p.LastName != "Bravo" || len(p.Roles) != 1 || p.Roles[0] != identity.RoleDirection {
			t.Errorf("person in A = %s %v, want unchanged", p.FullName(), p.Roles)
		}
	})

	t.Run("4. her password was not reset: she still signs in to B, and only she does", func(t *testing.T) {
		token, err := env.TryLogin(credB.Login, credB.Password)
		if err != nil {
			t.Fatalf("B's director cannot sign in any more: %v", err)
		}
		wantStatus(t, h.as(token, hostB, "/admin/personnes"), http.StatusOK)
		wantStatus(t, h.as(directionA.Token, hostB, "/admin/personnes"), http.StatusForbidden)
	})

	t.Run("5. deactivating her in A ends her access to A only", func(t *testing.T) {
		rec := h.postForm(directionA.Token, hostA, card+"/desactiver", nil)
		wantStatus(t, rec, http.StatusSeeOther)
		token, err := env.TryLogin(credB.Login, credB.Password)
		if err != nil {
			t.Fatalf("B's director cannot sign in after A deactivated her there: %v", err)
		}
		wantStatus(t, h.as(token, hostB, "/admin/personnes"), http.StatusOK)
		wantStatus(t, h.as(token, hostA, "/api/v1/me"), http.StatusForbidden)
		wantStatus(t, h.postForm(directionA.Token, hostA, card+"/reactiver", nil), http.StatusSeeOther)
	})

	// A parent with children in A and B has one account, attached by the région's imports.
	keyP, firstP := "P"+sfx, "Parent-"+sfx
	parent := aafPerson("PersRelEleve", keyP, "Commun", firstP)
	repPA := importAAF(t, env, alpha, parent)
	if repPB := importAAF(t, env, bravo, parent); repPA.AccountsCreated != 1 || repPB.AccountsCreated != 0 {
		t.Fatalf("shared parent: %d then %d accounts, want 1 then 0", repPA.AccountsCreated, repPB.AccountsCreated)
	}
	parentA := personByKey(t, env, alpha, keyP)
	credP := credentialOf(t, env, alpha, repPA.ID, "responsable")

	t.Run("6. A's direction issues a recovery code for the shared parent: refused", func(t *testing.T) {
		rec := h.postForm(directionA.Token, hostA, "/admin/personnes/"+parentA.ID.String()+"/code", nil)
		wantStatus(t, rec, http.StatusForbidden)
		wantBody(t, rec, outOfScope)
		if _, err := env.TryLogin(credP.Login, credP.Password); err != nil {
			t.Errorf("the parent cannot sign in any more: %v", err)
		}
	})

	t.Run("7. A's own people stay A's to manage", func(t *testing.T) {
		own := env.AddMember(t, alpha, identity.RoleEnseignant, "Test", "Propre")
		rec := h.postForm(directionA.Token, hostA, "/admin/personnes/"+own.PersonID.String()+"/code", nil)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Code de récupération pour", own.Login)
		rec = h.postForm(directionA.Token, hostA, "/admin/personnes/"+own.PersonID.String(), url.Values{"nom": {"Renomme"}, "prenom": {"Test"}, "profil": {"enseignant"}})
		wantStatus(t, rec, http.StatusSeeOther)
	})

	t.Run("8. the région's administrator may, on every establishment", func(t *testing.T) {
		rec := h.postForm(region.Token, hostA, "/admin/personnes/"+parentA.ID.String()+"/code", nil)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Code de récupération pour", credP.Login)
		rec = h.postForm(region.Token, hostA, card+"/code", nil)
		wantStatus(t, rec, http.StatusOK)
		// and may use A's upload page for the académie's files, which attach accounts.
		keyQ := "Q" + sfx
		rec = h.upload(region.Token, hostA, "/admin/imports", "ENT_"+uaiAlpha+"_Delta_20261202_0001.xml",
			aafDelta(aafPerson("PersEducNat", keyQ, "Bravo", "Adjoint-"+sfx)), false)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Import terminé")
	})

	t.Run("9. a département's administrator, for its collèges only", func(t *testing.T) {
		// A parent of Charlie and of lycée Alpha: the lycée is the région's.
		keyR := "R" + sfx
		other := aafPerson("PersRelEleve", keyR, "Lycee", "Parent-"+sfx)
		importAAF(t, env, alpha, other)
		rec := h.upload(dep33.Token, adminHost, "/api/v1/tenants/"+string(charlie.UAI)+"/imports", "x.xml", aafDelta(other), true)
		wantStatus(t, rec, http.StatusOK)
		if n := jsonObject(t, rec)["accounts_created"]; n != float64(1) {
			t.Errorf("dry run of dep33 into Charlie: accounts_created = %v, want 1 (the lycée's account is not its to attach)", n)
		}
		rec = h.upload(dep33.Token, adminHost, "/api/v1/tenants/"+string(charlie.UAI)+"/imports", "x.xml", aafDelta(other), false)
		wantStatus(t, rec, http.StatusCreated)
		lyceeParent := personByKey(t, env, alpha, keyR)
		charlieParent := personByKey(t, env, charlie, keyR)
		if charlieParent == nil || *charlieParent.IdentityID == *lyceeParent.IdentityID {
			t.Fatalf("dep33's import attached a lycée's account to its collège: %+v", charlieParent)
		}
		if got := memberships(t, h.reg, *lyceeParent.IdentityID); strings.Join(got, ",") != uaiAlpha {
			t.Errorf("the lycée parent's account is in %v, want only %s", got, uaiAlpha)
		}

		// A parent of Charlie and Delta, both Gironde collèges: one account, in dep33's scope.
		keyS := "S" + sfx
		both := aafPerson("PersRelEleve", keyS, "College", "Parent-"+sfx)
		for _, c := range []*tenant.Tenant{charlie, delta} {
			rec := h.upload(dep33.Token, tenantHost(c.Slug), "/admin/imports", "ENT_"+string(c.UAI)+"_Delta_20261201_0001.xml", aafDelta(both), false)
			wantStatus(t, rec, http.StatusOK)
		}
		inCharlie, inDelta := personByKey(t, env, charlie, keyS), personByKey(t, env, delta, keyS)
		if inCharlie == nil || inDelta == nil || *inCharlie.IdentityID != *inDelta.IdentityID {
			t.Fatalf("parent of two Gironde collèges: %+v and %+v, want one account", inCharlie, inDelta)
		}
		rec = h.postForm(dep33.Token, tenantHost(delta.Slug), "/admin/personnes/"+inDelta.ID.String()+"/code", nil)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Code de récupération pour")

		// The lycée parent, once also Charlie's by the région's import: not dep33's any more.
		importAAF(t, env, charlie, aafPerson("PersRelEleve", "T"+sfx, "Mixte", "Parent-"+sfx))
		importAAF(t, env, alpha, aafPerson("PersRelEleve", "T"+sfx, "Mixte", "Parent-"+sfx))
		mixed := personByKey(t, env, charlie, "T"+sfx)
		rec = h.postForm(dep33.Token, tenantHost(charlie.Slug), "/admin/personnes/"+mixed.ID.String()+"/code", nil)
		wantStatus(t, rec, http.StatusForbidden)
		wantBody(t, rec, outOfScope)
	})
}
