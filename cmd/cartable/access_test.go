package main

// Access control through the real router and a real Kratos: who may reach which route of an
// establishment, sessions across subdomains, deactivation, the administration API with
// platform administrators' sessions, /api/v1/me and the login pages.

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/module"
)

// uaiAlpha is a Gironde lycée (the UAI of the AAF samples).
const uaiAlpha = "0330021U"

// coreTenantRoutes are the establishments' host's routes that web serves itself, outside
// any module: the public home page and the favicon.
var coreTenantRoutes = map[string]identity.Permission{
	"GET /":            identity.Public,
	"GET /favicon.ico": identity.Public,
}

// routePermissions is the permission each route of a host needs, as the modules declare it
// (plus web's own routes for the establishments' host). TestTenantAccessMatrix walks them
// all, so a module's new route is checked without anyone listing it.
func routePermissions(h *harness, host module.Host) map[string]identity.Permission {
	out := map[string]identity.Permission{}
	if host == module.Tenant {
		maps.Copy(out, coreTenantRoutes)
	}
	for _, m := range h.mods {
		for _, r := range m.Routes {
			if r.Host == host {
				out[r.Key()] = r.Permission
			}
		}
	}
	return out
}

// cardRoute is the person card: its :id is the viewer's own person when they have one.
const cardRoute = "/annuaire/personnes/:id"

// send serves a request authenticated by a session token (X-Session-Token, no cookie: the
// CSRF check does not apply); token "" sends it anonymously. header adds name/value pairs.
func (h *harness) send(token, method, host, path, body string, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	var r io.Reader
	if body != "" || method == http.MethodPost {
		r = strings.NewReader(body)
	}
	req := newRequest(method, host, path, r, header...)
	if token != "" {
		req.Header.Set("X-Session-Token", token)
	}
	return h.serve(req)
}

// as is a GET authenticated by a session token.
func (h *harness) as(token, host, path string, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.send(token, http.MethodGet, host, path, "", header...)
}

// adminAs calls the administration API with a session token; body, when set, is JSON.
func (h *harness) adminAs(token, method, path, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	hd := []string{}
	if body != "" {
		hd = append(hd, "Content-Type", "application/json")
	}
	return h.send(token, method, adminHost, path, body, hd...)
}

// viewer is someone walking an establishment's routes.
type viewer struct {
	name  string
	token string          // "" for an anonymous visitor
	roles []identity.Role // what the viewer holds in the establishment walked (nil: nothing)
	self  uuid.UUID       // their person there, if any
}

func (v viewer) String() string { return v.name }

// tenantRoutes returns the routes of the establishments' host as "METHOD path", without the
// static files and echo's internal not-found routes.
func tenantRoutes(h *harness) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range h.srv.Tenants().Routes() {
		if r.Method == "echo_route_not_found" || r.Path == "/static" || strings.HasPrefix(r.Path, "/static/") {
			continue
		}
		k := r.Method + " " + r.Path
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// walkRoutes calls every route of tn as every viewer and checks allow/deny against the
// modules' declared permissions and identity.Can. A route's :id is a random UUID (404 then means
// "allowed past the permission check"), or for the card the viewer's own person (else
// someone, a person of tn).
func walkRoutes(t *testing.T, h *harness, tn *tenant.Tenant, someone uuid.UUID, viewers []viewer) {
	t.Helper()
	host := tenantHost(tn.Slug)
	random := uuid.NewString()
	routes := tenantRoutes(h)
	declared := routePermissions(h, module.Tenant)
	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			for _, route := range routes {
				method, pattern, _ := strings.Cut(route, " ")
				perm, known := declared[route]
				if !known || route == "POST /deconnexion" {
					continue // unknown: reported by the caller; logout ends the viewer's session (TestLogout)
				}
				id := random
				if pattern == cardRoute {
					id = someone.String()
					if v.self != uuid.Nil {
						id = v.self.String()
					}
				}
				path := strings.ReplaceAll(pattern, ":id", id)
				var header []string
				if method == http.MethodPost {
					header = append(header, "Content-Type", "application/x-www-form-urlencoded")
				}
				rec := h.send(v.token, method, host, path, "", header...)
				where := method + " " + path
				switch {
				case perm == identity.Public || (v.token != "" && identity.Can(v.roles, perm)):
					if rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || rec.Code >= 500 {
						t.Errorf("%s: status %d, want access (permission %q); body: %s", where, rec.Code, perm, truncate(rec.Body.String()))
					}
					if pattern == cardRoute && v.self != uuid.Nil && rec.Code != http.StatusOK {
						t.Errorf("%s (own card): status %d, want 200", where, rec.Code)
					}
				case v.token == "" && (strings.HasPrefix(path, "/api/") || method != http.MethodGet):
					if rec.Code != http.StatusUnauthorized {
						t.Errorf("%s anonymously: status %d, want 401; body: %s", where, rec.Code, truncate(rec.Body.String()))
					}
				case v.token == "":
					want := "http://" + portalHost + "/connexion?return_to=" + url.QueryEscape("http://"+host+path)
					if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
						t.Errorf("%s anonymously: %d to %q, want 303 to %q", where, rec.Code, rec.Header().Get("Location"), want)
					}
				default:
					if rec.Code != http.StatusForbidden {
						t.Errorf("%s: status %d, want 403 (permission %q, roles %v); body: %s", where, rec.Code, perm, v.roles, truncate(rec.Body.String()))
					}
				}
			}
		})
	}
}

// TestTenantAccessMatrix walks every route of the establishments' host as every role, an
// anonymous visitor, a member of another establishment and the platform administrators.
func TestTenantAccessMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	charlie := h.provision(tenanttest.UAI(33, 3), "Collège Charlie", "college")

	members := map[identity.Role]directorytest.Member{}
	var inAlpha []viewer
	for _, r := range identity.EstablishmentRoles {
		m := env.AddMember(t, alpha, r, "Test", "Alpha")
		members[r] = m
		inAlpha = append(inAlpha, viewer{name: string(r), token: m.Token, roles: []identity.Role{r}, self: m.PersonID})
	}
	ofBravo := env.AddMember(t, bravo, identity.RoleDirection, "Test", "Bravo")
	pupilCharlie := env.AddMember(t, charlie, identity.RoleEleve, "Test", "Charlie")
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	dep33 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	dep24 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "24")

	t.Run("every route is declared by a module", func(t *testing.T) {
		declared := routePermissions(h, module.Tenant)
		registered := map[string]bool{}
		for _, r := range tenantRoutes(h) {
			registered[r] = true
			if _, ok := declared[r]; !ok {
				t.Errorf("route %s of the establishments' host is served but no module declares it: declare it in the module's Routes", r)
			}
		}
		for r := range declared {
			if !registered[r] {
				t.Errorf("a module declares %s, which no route serves", r)
			}
		}
	})

	t.Run("lycée", func(t *testing.T) {
		viewers := append(inAlpha,
			viewer{name: "anonymous"},
			viewer{name: "member of another establishment", token: ofBravo.Token},
			viewer{name: "admin_regional", token: region.Token, roles: []identity.Role{identity.RoleAdminRegion}},
			// Lycées are the région's: a département's administrators have no access.
			viewer{name: "admin_departemental 33", token: dep33.Token},
			viewer{name: "admin_departemental 24", token: dep24.Token},
		)
		walkRoutes(t, h, alpha, members[identity.RoleEleve].PersonID, viewers)
	})

	t.Run("Gironde collège", func(t *testing.T) {
		walkRoutes(t, h, charlie, pupilCharlie.PersonID, []viewer{
			{name: "eleve", token: pupilCharlie.Token, roles: []identity.Role{identity.RoleEleve}, self: pupilCharlie.PersonID},
			{name: "anonymous"},
			{name: "member of another establishment", token: members[identity.RoleAdmin].Token},
			{name: "admin_regional", token: region.Token, roles: []identity.Role{identity.RoleAdminRegion}},
			{name: "admin_departemental 33", token: dep33.Token, roles: []identity.Role{identity.RoleAdminDepartement}},
			{name: "admin_departemental 24", token: dep24.Token},
		})
	})

	t.Run("another person's card", func(t *testing.T) {
		host := tenantHost(alpha.Slug)
		for _, r := range identity.EstablishmentRoles {
			other := members[identity.RoleEnseignant].PersonID
			if r == identity.RoleEnseignant {
				other = members[identity.RoleEleve].PersonID
			}
			rec := h.as(members[r].Token, host, "/annuaire/personnes/"+other.String())
			want := http.StatusNotFound // pupils, parents and personnel see only themselves (and children)
			if identity.Can([]identity.Role{r}, identity.PermPeopleView) {
				want = http.StatusOK
			}
			if rec.Code != want {
				t.Errorf("%s: card of another person: status %d, want %d; body: %s", r, rec.Code, want, truncate(rec.Body.String()))
			}
		}
		rec := h.as(region.Token, host, "/annuaire/personnes/"+members[identity.RoleEleve].PersonID.String())
		wantStatus(t, rec, http.StatusOK)
	})

	// A Kratos session is valid on every subdomain (one cookie domain): only the membership
	// of the establishment named by the host lets its holder in.
	t.Run("session reuse across subdomains", func(t *testing.T) {
		m := members[identity.RoleDirection]
		rec := h.as(m.Token, tenantHost(alpha.Slug), "/api/v1/me")
		wantStatus(t, rec, http.StatusOK)
		if p, _ := jsonObject(t, rec)["person"].(map[string]any); p["id"] != m.PersonID.String() {
			t.Errorf("me on Alpha = %s, want person %s", rec.Body.String(), m.PersonID)
		}
		wantStatus(t, h.as(m.Token, tenantHost(alpha.Slug), "/admin/personnes"), http.StatusOK)

		other := tenantHost(bravo.Slug)
		rec = h.as(ofBravo.Token, other, "/api/v1/me")
		wantStatus(t, rec, http.StatusOK)
		bravoPerson, _ := jsonObject(t, rec)["person"].(map[string]any)
		bravoName, _ := bravoPerson["first_name"].(string)
		if bravoName == "" {
			t.Fatalf("no first name in %s", rec.Body.String())
		}

		wantAPIError(t, h.as(m.Token, other, "/api/v1/me"), http.StatusForbidden, "", "Lycée Bravo")
		for _, path := range []string{"/annuaire/classes", "/admin/personnes", "/admin/imports", "/annuaire/personnes/" + m.PersonID.String(), "/annuaire/personnes/" + ofBravo.PersonID.String()} {
			rec := h.as(m.Token, other, path)
			wantStatus(t, rec, http.StatusForbidden)
			wantNotInBody(t, rec, bravoName, ofBravo.Login) // nothing of Bravo's people
		}
		rec = h.send(m.Token, http.MethodPost, other, "/admin/personnes/"+ofBravo.PersonID.String()+"/desactiver", "",
			"Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, rec, http.StatusForbidden)
		wantStatus(t, h.as(ofBravo.Token, other, "/api/v1/me"), http.StatusOK) // still active
		// The public home page of the other establishment offers nothing of the member's.
		rec = h.as(m.Token, other, "/")
		wantStatus(t, rec, http.StatusOK)
		wantNotInBody(t, rec, "/admin/personnes", "/annuaire/classes", "Ma fiche")
	})
}

// TestDeactivatedPersonRejected: a deactivated person loses access with the very next
// request, cannot sign in again, and gets both back when reactivated.
func TestDeactivatedPersonRejected(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	ctx := context.Background()
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	host := tenantHost(alpha.Slug)

	// refused checks that the token no longer opens anything in Alpha. The server may still
	// hold the session in its short cache (then 403: not a member any more) or have asked
	// Kratos again (then 401 and a redirect: the session was ended).
	refused := func(t *testing.T, token string, self uuid.UUID) {
		t.Helper()
		rec := h.as(token, host, "/api/v1/me")
		if rec.Code != http.StatusForbidden && rec.Code != http.StatusUnauthorized {
			t.Errorf("/api/v1/me after deactivation: status %d, want 403 (or 401); body: %s", rec.Code, truncate(rec.Body.String()))
		}
		rec = h.as(token, host, "/annuaire/personnes/"+self.String())
		if rec.Code != http.StatusForbidden && rec.Code != http.StatusSeeOther {
			t.Errorf("own card after deactivation: status %d, want 403 (or a redirect to the login page)", rec.Code)
		}
	}

	t.Run("through the directory service", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEleve, "Test", "Desactive")
		wantStatus(t, h.as(m.Token, host, "/api/v1/me"), http.StatusOK)
		if err := env.Directory.SetActive(ctx, alpha, m.PersonID, false, identity.Scope{Tenant: alpha.ID}); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		// Right after a successful request, the server's session cache still holds the
		// session: only the membership check can refuse. This directory service is not the
		// server's (another process): the server hears of it from PostgreSQL, in milliseconds.
		refusedSoon(t, h, m.Token, host, "/api/v1/me", http.StatusForbidden)
		refused(t, m.Token, m.PersonID)
		if _, err := env.Kratos.Check(ctx, "", m.Token); err == nil {
			t.Error("Kratos still accepts the session of a deactivated person with no other membership")
		}
		if _, err := env.TryLogin(m.Login, m.Password); err == nil {
			t.Error("a deactivated person with no other membership can still sign in")
		}

		if err := env.Directory.SetActive(ctx, alpha, m.PersonID, true, identity.Scope{Tenant: alpha.ID}); err != nil {
			t.Fatalf("reactivate: %v", err)
		}
		token, err := env.TryLogin(m.Login, m.Password)
		if err != nil || token == "" {
			t.Fatalf("login after reactivation: %q, %v", token, err)
		}
		rec := h.as(token, host, "/api/v1/me")
		wantStatus(t, rec, http.StatusOK)
		if p, _ := jsonObject(t, rec)["person"].(map[string]any); p["active"] != true {
			t.Errorf("me after reactivation = %s", rec.Body.String())
		}
	})

	t.Run("through the management page", func(t *testing.T) {
		admin := env.AddMember(t, alpha, identity.RoleAdmin, "Test", "Gestion")
		m := env.AddMember(t, alpha, identity.RoleEnseignant, "Test", "Desactive")
		wantStatus(t, h.as(m.Token, host, "/annuaire/classes"), http.StatusOK)
		rec := h.send(admin.Token, http.MethodPost, host, "/admin/personnes/"+m.PersonID.String()+"/desactiver", "",
			"Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, rec, http.StatusSeeOther)
		refused(t, m.Token, m.PersonID)
		rec = h.as(m.Token, host, "/annuaire/classes")
		if rec.Code != http.StatusForbidden && rec.Code != http.StatusSeeOther {
			t.Errorf("class list after deactivation: status %d, want 403 (or a redirect to the login page)", rec.Code)
		}
		if _, err := env.TryLogin(m.Login, m.Password); err == nil {
			t.Error("a person deactivated from the management page can still sign in")
		}
		rec = h.send(admin.Token, http.MethodPost, host, "/admin/personnes/"+m.PersonID.String()+"/reactiver", "",
			"Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, rec, http.StatusSeeOther)
		token, err := env.TryLogin(m.Login, m.Password)
		if err != nil {
			t.Fatalf("login after reactivation: %v", err)
		}
		wantStatus(t, h.as(token, host, "/annuaire/classes"), http.StatusOK)
	})

	// A parent of pupils in two establishments has one account: deactivated in one, they
	// keep the other, and can still sign in.
	t.Run("still a member elsewhere", func(t *testing.T) {
		id, first := "P"+randomHex(4), "Parent-"+randomHex(4)
		parent := aafPerson("PersRelEleve", id, "Commun", first)
		repA := importAAF(t, env, alpha, parent)
		repB := importAAF(t, env, bravo, parent)
		if repA.AccountsCreated != 1 || repB.AccountsCreated != 0 {
			t.Fatalf("accounts created: %d in Alpha, %d in Bravo; want 1 then 0 (one account per person)", repA.AccountsCreated, repB.AccountsCreated)
		}
		cred := credentialOf(t, env, alpha, repA.ID, "responsable")
		token := env.Login(t, cred.Login, cred.Password)
		rec := h.as(token, host, "/api/v1/me")
		wantStatus(t, rec, http.StatusOK)
		personA, _ := jsonObject(t, rec)["person"].(map[string]any)
		wantStatus(t, h.as(token, tenantHost(bravo.Slug), "/api/v1/me"), http.StatusOK)

		pid, err := uuid.Parse(personA["id"].(string))
		if err != nil {
			t.Fatalf("person id: %v", err)
		}
		if err := env.Directory.SetActive(ctx, alpha, pid, false, identity.Scope{Tenant: alpha.ID}); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		refusedSoon(t, h, token, host, "/api/v1/me", http.StatusForbidden)
		wantStatus(t, h.as(token, tenantHost(bravo.Slug), "/api/v1/me"), http.StatusOK)
		again, err := env.TryLogin(cred.Login, cred.Password)
		if err != nil {
			t.Fatalf("a person still active in Bravo cannot sign in: %v", err)
		}
		wantAPIError(t, h.as(again, host, "/api/v1/me"), http.StatusForbidden, "")
		wantStatus(t, h.as(again, tenantHost(bravo.Slug), "/api/v1/me"), http.StatusOK)
	})
}

// TestAdminAPISessions: the administration API accepts the sessions of platform
// administrators, each within their scope.
func TestAdminAPISessions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	tenanttest.OptIn(t, h.reg, "33")
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	charlie := h.provision(tenanttest.UAI(33, 3), "Collège Charlie", "college")
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	dep33 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	dep24 := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "24")
	member := env.AddMember(t, alpha, identity.RoleDirection, "Test", "Membre")
	a, c := string(alpha.UAI), string(charlie.UAI)

	newTenant := func(uai, name, kind string) string {
		b, _ := json.Marshal(tenant.NewTenant{UAI: uai, Name: name, Kind: kind})
		return string(b)
	}
	listUAIs := func(t *testing.T, token string) []string {
		t.Helper()
		rec := h.adminAs(token, http.MethodGet, "/api/v1/tenants", "")
		wantStatus(t, rec, http.StatusOK)
		var uais []string
		for _, x := range jsonObject(t, rec)["tenants"].([]any) {
			uais = append(uais, x.(map[string]any)["uai"].(string))
		}
		sort.Strings(uais)
		return uais
	}

	t.Run("admin_regional", func(t *testing.T) {
		lycee := tenanttest.UAI(33, 50)
		if got, want := strings.Join(listUAIs(t, region.Token), ","), strings.Join(sortedOf(a, c), ","); got != want {
			t.Errorf("list of admin_regional = [%s], want [%s]", got, want)
		}
		rec := h.adminAs(region.Token, http.MethodPost, "/api/v1/tenants", newTenant(lycee, "Lycée Régional", "lycee"))
		wantStatus(t, rec, http.StatusCreated)
		wantStatus(t, h.get(tenantHost("lycee-regional"), "/"), http.StatusOK)
		// The bearer form works as well as X-Session-Token.
		rec = h.get(adminHost, "/api/v1/tenants/"+lycee, "Authorization", "Bearer "+region.Token)
		wantStatus(t, rec, http.StatusOK)
		wantStatus(t, h.adminAs(region.Token, http.MethodGet, "/api/v1/tenants/"+c, ""), http.StatusOK)
		wantStatus(t, h.adminAs(region.Token, http.MethodPost, "/api/v1/tenants/"+lycee+"/suspend", ""), http.StatusOK)
	})

	t.Run("admin_departemental", func(t *testing.T) {
		college := tenanttest.UAI(33, 60)
		rec := h.adminAs(dep33.Token, http.MethodPost, "/api/v1/tenants", newTenant(college, "Collège Delta", "college"))
		wantStatus(t, rec, http.StatusCreated)
		if org := jsonObject(t, rec)["organisation"]; org != "33" {
			t.Errorf("organisation = %v, want 33", org)
		}
		wantAPIError(t, h.adminAs(dep33.Token, http.MethodPost, "/api/v1/tenants", newTenant(tenanttest.UAI(33, 61), "Lycée Echo", "lycee")),
			http.StatusForbidden, "", "33")
		wantAPIError(t, h.adminAs(dep33.Token, http.MethodPost, "/api/v1/tenants", newTenant(tenanttest.UAI(40, 62), "Collège Landais", "college")),
			http.StatusForbidden, "", "33")
		wantStatus(t, h.adminAs(region.Token, http.MethodGet, "/api/v1/tenants/"+tenanttest.UAI(33, 61), ""), http.StatusNotFound)

		if got, want := strings.Join(listUAIs(t, dep33.Token), ","), strings.Join(sortedOf(c, college), ","); got != want {
			t.Errorf("list of admin_departemental 33 = [%s], want the Gironde collèges [%s]", got, want)
		}
		rec = h.adminAs(dep33.Token, http.MethodGet, "/api/v1/tenants?organisation=region", "")
		wantStatus(t, rec, http.StatusOK)
		wantNotInBody(t, rec, a)
		if got := listUAIs(t, dep24.Token); len(got) != 0 {
			t.Errorf("list of admin_departemental 24 = %v, want none", got)
		}

		wantStatus(t, h.adminAs(dep33.Token, http.MethodGet, "/api/v1/tenants/"+c, ""), http.StatusOK)
		for _, tc := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/tenants/" + a},
			{http.MethodGet, "/api/v1/tenants/" + a + "/export"},
			{http.MethodPost, "/api/v1/tenants/" + a + "/suspend"},
			{http.MethodDelete, "/api/v1/tenants/" + a},
			{http.MethodGet, "/api/v1/tenants/" + a + "/imports/" + uuid.NewString() + "/credentials.csv"},
		} {
			rec := h.adminAs(dep33.Token, tc.method, tc.path, "")
			wantAPIError(t, rec, http.StatusNotFound, "", a)
			wantNotInBody(t, rec, alpha.Name)
		}
		wantAPIError(t, h.adminAs(dep24.Token, http.MethodGet, "/api/v1/tenants/"+c, ""), http.StatusNotFound, "")
		wantStatus(t, h.adminAs(region.Token, http.MethodGet, "/api/v1/tenants/"+a, ""), http.StatusOK) // untouched

		req := newRequest(http.MethodPost, adminHost, "/api/v1/tenants/import", strings.NewReader("pas une archive"),
			"X-Session-Token", dep33.Token, "Content-Type", "application/gzip")
		wantAPIError(t, h.serve(req), http.StatusForbidden, "", "régionale")

		wantStatus(t, h.adminAs(dep33.Token, http.MethodPost, "/api/v1/departements/33/opt-in", `{"effective_date":"2020-09-01"}`), http.StatusOK)
		wantAPIError(t, h.adminAs(dep33.Token, http.MethodPost, "/api/v1/departements/24/opt-in", `{"effective_date":"2020-09-01"}`),
			http.StatusForbidden, "", "33")
		wantStatus(t, h.adminAs(region.Token, http.MethodGet, "/api/v1/departements/24", ""), http.StatusOK)
		if d, _ := jsonObject(t, h.adminAs(region.Token, http.MethodGet, "/api/v1/departements/24", ""))["opt_in_date"]; d != nil {
			t.Errorf("Dordogne opted in by the Gironde's administrator: opt_in_date = %v", d)
		}
	})

	// The console on the administration host lists the establishments of the viewer's scope.
	t.Run("console", func(t *testing.T) {
		rec := h.as(region.Token, adminHost, "/console")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Administrateur régional", alpha.Name, a, charlie.Name, c)
		rec = h.as(dep33.Token, adminHost, "/console")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Administrateur départemental", charlie.Name, c)
		wantNotInBody(t, rec, alpha.Name, a)
		rec = h.as(dep24.Token, adminHost, "/console")
		wantStatus(t, rec, http.StatusOK)
		wantNotInBody(t, rec, alpha.Name, a, charlie.Name, c)
		rec = h.as(member.Token, adminHost, "/console")
		wantStatus(t, rec, http.StatusForbidden)
		wantNotInBody(t, rec, alpha.Name, charlie.Name)
		rec = h.get(adminHost, "/console")
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "http://"+portalHost+"/connexion?return_to=") {
			t.Errorf("anonymous console: Location = %q, want the login page", loc)
		}
	})

	// Background jobs span every establishment: the région's administrators and automation only.
	t.Run("jobs", func(t *testing.T) {
		rec := h.adminAs(region.Token, http.MethodGet, "/api/v1/jobs", "")
		wantStatus(t, rec, http.StatusOK)
		if _, ok := jsonObject(t, rec)["jobs"].([]any); !ok {
			t.Errorf("GET /api/v1/jobs: no jobs array in %s", rec.Body)
		}
		wantStatus(t, h.api(http.MethodGet, "/api/v1/jobs?state=completed", ""), http.StatusOK)
		wantAPIError(t, h.api(http.MethodGet, "/api/v1/jobs?state=perdu", ""), http.StatusUnprocessableEntity, "state", "perdu")
		wantAPIError(t, h.adminAs(dep33.Token, http.MethodGet, "/api/v1/jobs", ""), http.StatusForbidden, "", "régionale")
		wantAPIError(t, h.adminAs(member.Token, http.MethodGet, "/api/v1/jobs", ""), http.StatusForbidden, "")

		rec = h.as(region.Token, adminHost, "/console/taches")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Tâches de fond", "réessayée")
		wantStatus(t, h.as(dep33.Token, adminHost, "/console/taches"), http.StatusForbidden)
		wantStatus(t, h.as(member.Token, adminHost, "/console/taches"), http.StatusForbidden)
		wantBody(t, h.as(region.Token, adminHost, "/console"), `href="/console/taches"`)
		wantNotInBody(t, h.as(dep33.Token, adminHost, "/console"), `href="/console/taches"`)
	})

	t.Run("others", func(t *testing.T) {
		wantAPIError(t, h.adminAs(member.Token, http.MethodGet, "/api/v1/tenants", ""), http.StatusForbidden, "")
		wantAPIError(t, h.adminAs(member.Token, http.MethodPost, "/api/v1/tenants", newTenant(tenanttest.UAI(33, 70), "Lycée Fox", "lycee")),
			http.StatusForbidden, "")
		rec := h.adminAs("", http.MethodGet, "/api/v1/tenants", "")
		wantAPIError(t, rec, http.StatusUnauthorized, "", "Authorization: Bearer")
		wantAPIError(t, h.adminAs("not-a-session", http.MethodGet, "/api/v1/tenants", ""), http.StatusUnauthorized, "")
		wantStatus(t, h.adminAs(region.Token, http.MethodGet, "/api/v1/tenants/"+tenanttest.UAI(33, 70), ""), http.StatusNotFound)
	})

	t.Run("without an automation token", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AdminToken = ""
		off := newHarnessOn(t, h.reg, cfg)
		rec := off.adminAs(region.Token, http.MethodGet, "/api/v1/tenants", "")
		wantStatus(t, rec, http.StatusOK)
		for _, auth := range []string{"Bearer " + adminToken, "Bearer not-a-session"} {
			rec := off.get(adminHost, "/api/v1/tenants", "Authorization", auth)
			wantAPIError(t, rec, http.StatusUnauthorized, "", "CARTABLE_ADMIN_TOKEN")
			wantNotInBody(t, rec, alpha.Name)
		}
		wantAPIError(t, off.adminAs(member.Token, http.MethodGet, "/api/v1/tenants", ""), http.StatusForbidden, "")
	})
}

func sortedOf(s ...string) []string {
	sort.Strings(s)
	return s
}

// aafPerson is an AAF addRequest. attrs are name/value pairs added to sn and givenName.
func aafPerson(category, id, last, first string, attrs ...string) string {
	var b strings.Builder
	b.WriteString("<addRequest>\n  <operationalAttributes><attr name=\"categoriePersonne\"><value>" + category + "</value></attr></operationalAttributes>\n")
	b.WriteString("  <identifier><id>" + id + "</id></identifier>\n  <attributes>\n")
	attrs = append([]string{"sn", last, "givenName", first}, attrs...)
	for i := 0; i+1 < len(attrs); i += 2 {
		b.WriteString("    <attr name=\"" + attrs[i] + "\"><value>" + attrs[i+1] + "</value></attr>\n")
	}
	b.WriteString("  </attributes>\n</addRequest>\n")
	return b.String()
}

// importAAF imports the requests as one AAF delta file into tn, failing the test otherwise.
func importAAF(t *testing.T, env *directorytest.Env, tn *tenant.Tenant, requests ...string) *directory.Report {
	t.Helper()
	doc := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n" + strings.Join(requests, "") + "</ficAlimMENESR>\n"
	rep, err := env.Directory.ImportAAF(context.Background(), tn, []directory.File{{Name: "x.xml", R: strings.NewReader(doc)}}, directory.ImportOptions{Actor: "test", Scope: identity.Scope{All: true}})
	if err != nil {
		t.Fatalf("import AAF into %s: %v", tn.UAI, err)
	}
	if len(rep.Warnings) > 0 {
		t.Fatalf("import AAF into %s: warnings %v", tn.UAI, rep.Warnings)
	}
	return rep
}

// credentialOf returns the only first-login credential of category in an import.
func credentialOf(t *testing.T, env *directorytest.Env, tn *tenant.Tenant, run uuid.UUID, category string) directory.Credential {
	t.Helper()
	creds, err := env.Directory.Credentials(context.Background(), tn, run)
	if err != nil {
		t.Fatalf("credentials of import %s: %v", run, err)
	}
	var found []directory.Credential
	for _, c := range creds {
		if c.Category == category {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("import %s: %d credentials of category %s, want 1: %+v", run, len(found), category, creds)
	}
	return found[0]
}

// TestMe checks /api/v1/me for a pupil and for a parent linked by an AAF import.
func TestMe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	host := tenantHost(alpha.Slug)

	me := func(t *testing.T, token string) (person map[string]any, body map[string]any) {
		t.Helper()
		rec := h.as(token, host, "/api/v1/me")
		wantStatus(t, rec, http.StatusOK)
		body = jsonObject(t, rec)
		person, _ = body["person"].(map[string]any)
		if person == nil {
			t.Fatalf("no person in %s", rec.Body.String())
		}
		return person, body
	}

	t.Run("pupil created by hand", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEleve, "Test", "Eleve")
		p, body := me(t, m.Token)
		if p["id"] != m.PersonID.String() || p["login"] != m.Login || p["category"] != "eleve" || p["active"] != true {
			t.Errorf("person = %v, want %s (%s), an active pupil", p, m.PersonID, m.Login)
		}
		if roles, _ := body["roles"].([]any); len(roles) != 1 || roles[0] != "eleve" {
			t.Errorf("roles = %v, want [eleve]", body["roles"])
		}
		if _, ok := body["children"]; ok {
			t.Errorf("a pupil has children: %v", body["children"])
		}
		if strings.Contains(h.as(m.Token, host, "/api/v1/me").Body.String(), m.Password) {
			t.Error("me shows the password")
		}
	})

	t.Run("parent and pupil from an AAF import", func(t *testing.T) {
		sfx := randomHex(4)
		parentID, pupilID, otherID := "P"+sfx, "E"+sfx, "F"+sfx
		rep := importAAF(t, env, alpha,
			aafPerson("PersRelEleve", parentID, "Martin", "Claire-"+sfx),
			aafPerson("Eleve", pupilID, "Martin", "Léo-"+sfx,
				"ENTEleveClasses", uaiAlpha+"$2NDE1", "ENTElevePersRelEleve", parentID+"$1$0$1$0$0"),
			aafPerson("Eleve", otherID, "Durand", "Inès-"+sfx, "ENTEleveClasses", uaiAlpha+"$2NDE1"),
		)
		if rep.Created != 3 || rep.AccountsCreated != 3 {
			t.Fatalf("report = %+v, want 3 people and 3 accounts", rep)
		}
		creds, err := env.Directory.Credentials(context.Background(), alpha, rep.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]directory.Credential{}
		for _, c := range creds {
			byName[c.FirstName] = c
		}
		parentCred, pupilCred, otherCred := byName["Claire-"+sfx], byName["Léo-"+sfx], byName["Inès-"+sfx]
		if parentCred.Login == "" || pupilCred.Login == "" || otherCred.Login == "" {
			t.Fatalf("credentials = %+v, want one per person", creds)
		}

		pupil, body := me(t, env.Login(t, pupilCred.Login, pupilCred.Password))
		if pupil["first_name"] != "Léo-"+sfx || pupil["category"] != "eleve" {
			t.Errorf("pupil = %v", pupil)
		}
		if cl, _ := body["classes"].([]any); len(cl) != 1 || cl[0] != "2NDE1" {
			t.Errorf("pupil's classes = %v, want [2NDE1]", body["classes"])
		}
		other, _ := me(t, env.Login(t, otherCred.Login, otherCred.Password))

		parentToken := env.Login(t, parentCred.Login, parentCred.Password)
		parent, body := me(t, parentToken)
		if parent["first_name"] != "Claire-"+sfx || parent["category"] != "responsable" {
			t.Errorf("parent = %v", parent)
		}
		if roles, _ := body["roles"].([]any); len(roles) != 1 || roles[0] != "responsable" {
			t.Errorf("parent's roles = %v, want [responsable]", body["roles"])
		}
		children, _ := body["children"].([]any)
		if len(children) != 1 {
			t.Fatalf("children = %v, want exactly the linked pupil", body["children"])
		}
		child, _ := children[0].(map[string]any)
		if child["id"] != pupil["id"] || child["first_name"] != "Léo-"+sfx {
			t.Errorf("child = %v, want pupil %v", child, pupil["id"])
		}

		// The link opens the child's card to the parent, and nobody else's.
		rec := h.as(parentToken, host, "/annuaire/personnes/"+pupil["id"].(string))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Léo-"+sfx)
		rec = h.as(parentToken, host, "/annuaire/personnes/"+other["id"].(string))
		wantStatus(t, rec, http.StatusNotFound)
		wantNotInBody(t, rec, "Inès-"+sfx)
	})
}

// TestLoginPages drives the French pages of Kratos' login flow and the chooser of
// establishments on the portal host.
func TestLoginPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	const browser = "http://auth.cartable.test" // Kratos as browsers reach it (pgrun's configuration)

	t.Run("without a flow, Kratos opens one", func(t *testing.T) {
		rec := h.get(portalHost, "/connexion")
		wantStatus(t, rec, http.StatusSeeOther)
		want := browser + "/self-service/login/browser?return_to=" + url.QueryEscape("http://"+portalHost+"/accueil")
		if loc := rec.Header().Get("Location"); loc != want {
			t.Errorf("Location = %q, want %q", loc, want)
		}
		back := "http://" + tenantHost(alpha.Slug) + "/annuaire/classes"
		rec = h.get(portalHost, "/connexion?return_to="+url.QueryEscape(back))
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != browser+"/self-service/login/browser?return_to="+url.QueryEscape(back) {
			t.Errorf("Location = %q, want the flow returning to %s", loc, back)
		}
	})

	t.Run("a real flow is shown in French", func(t *testing.T) {
		pub, _ := testenv.Kratos(t)
		req, err := http.NewRequest(http.MethodGet, pub+"/self-service/login/browser", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("Kratos login flow: %v", err)
		}
		defer resp.Body.Close()
		var flow struct {
			ID string `json:"id"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&flow); err != nil || resp.StatusCode != http.StatusOK || flow.ID == "" {
			t.Fatalf("Kratos login flow: status %d, id %q, %v", resp.StatusCode, flow.ID, err)
		}
		var cookies []string
		for _, c := range resp.Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		if len(cookies) == 0 {
			t.Fatal("Kratos set no CSRF cookie with the browser flow")
		}

		rec := h.get(portalHost, "/connexion?flow="+flow.ID, "Cookie", strings.Join(cookies, "; "))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<html lang="fr">`, "Connexion à Cartable", "Identifiant", "Mot de passe",
			`name="identifier"`, `name="password"`, `type="password"`, `name="csrf_token"`, "Se connecter", "Mot de passe oublié ?",
			`action="`+browser+`/self-service/login?flow=`+flow.ID+`"`, `method="POST"`)
		wantNotInBody(t, rec, "Sign in", "Password", "Register")

		// Sent back by the login throttle of the auth host: the same form, with the wait.
		rec = h.get(portalHost, "/connexion?attente=120&flow="+flow.ID, "Cookie", strings.Join(cookies, "; "))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Trop de tentatives de connexion. Patientez 2 minutes avant de réessayer.", `name="password"`)

		// The browser must be allowed to send the form to Kratos, and to follow Kratos'
		// redirect back to an establishment.
		csp := rec.Header().Get("Content-Security-Policy")
		for _, target := range []string{browser + "/self-service/login?flow=" + flow.ID, "http://" + tenantHost(alpha.Slug) + "/"} {
			if !cspAllows(csp, "form-action", "http://"+portalHost, target) {
				t.Errorf("Content-Security-Policy %q forbids the login form to reach %s", csp, target)
			}
		}
	})

	t.Run("an unknown flow starts a new one", func(t *testing.T) {
		rec := h.get(portalHost, "/connexion?flow="+uuid.NewString())
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, browser+"/self-service/login/browser") {
			t.Errorf("Location = %q, want a new login flow at %s", loc, browser)
		}
	})

	t.Run("auth host reaches Kratos", func(t *testing.T) {
		rec := h.get("auth.cartable.test", "/health/alive")
		wantStatus(t, rec, http.StatusOK)
	})

	t.Run("auth host never passes Kratos' admin API", func(t *testing.T) {
		for _, p := range []string{"/admin/identities", "/identities", "/self-service/../identities"} {
			rec := h.get("auth.cartable.test", p)
			wantStatus(t, rec, http.StatusNotFound)
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("GET %s: Location %q", p, loc)
			}
			wantNotInBody(t, rec, "127.0.0.1")
		}
	})

	t.Run("chooser", func(t *testing.T) {
		rec := h.get(portalHost, "/choix")
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "http://"+portalHost+"/connexion" {
			t.Errorf("anonymous /choix: Location = %q, want the login page", loc)
		}

		m := env.AddMember(t, alpha, identity.RoleEnseignant, "Test", "Choix")
		rec = h.as(m.Token, portalHost, "/choix")
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "http://"+tenantHost(alpha.Slug)+"/" {
			t.Errorf("/choix of a member of one establishment: Location = %q, want %s", loc, tenantHost(alpha.Slug))
		}

		admin := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
		rec = h.as(admin.Token, portalHost, "/choix")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Mes établissements", `href="http://`+adminHost+`/`, "Administrateur régional", "Changer mon mot de passe")
		wantNotInBody(t, rec, "rattaché à aucun établissement")
	})
}

// cspAllows tells whether the directive of a Content-Security-Policy (falling back to
// default-src) lets a page of origin self reach target. It knows the source forms Cartable
// uses: 'self', '*', scheme://host and scheme://*.domain.
func cspAllows(csp, directive, self, target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	origin := u.Scheme + "://" + u.Host
	var sources []string
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		if f[0] == directive || (f[0] == "default-src" && sources == nil) {
			sources = f[1:]
			if f[0] == directive {
				break
			}
		}
	}
	for _, src := range sources {
		switch {
		case src == "*", src == "'self'" && origin == self, src == origin:
			return true
		case strings.Contains(src, "://*."):
			scheme, domain, _ := strings.Cut(src, "://*.")
			if u.Scheme == scheme && strings.HasSuffix(u.Host, "."+domain) {
				return true
			}
		}
	}
	return false
}
