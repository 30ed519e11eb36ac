package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/apitest"
	"github.com/cartable-ent/cartable/web/module"
	"github.com/labstack/echo/v4"
)

// TestHosts drives the real router through the host names a visitor may type.
func TestHosts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	tenanttest.OptIn(t, h.reg, "33")
	alpha := h.provision(tenanttest.UAI(33, 1), "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee-pro")
	charlie := h.provision(tenanttest.UAI(40, 3), "Lycée Charlie", "lycee")
	delta := h.provision(tenanttest.UAI(33, 4), "Collège Delta", "college")
	if _, err := h.reg.Suspend(ctx, string(bravo.UAI), "test"); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	if _, err := h.reg.Delete(ctx, string(charlie.UAI), "test"); err != nil {
		t.Fatalf("delete: %v", err)
	}

	t.Run("portal lists the active establishments only", func(t *testing.T) {
		for _, host := range []string{portalHost, "www.cartable.test", "CARTABLE.TEST:8080", "cartable.test."} {
			t.Run(host, func(t *testing.T) {
				rec := h.get(host, "/")
				wantStatus(t, rec, http.StatusOK)
				wantBody(t, rec,
					`<a href="http://lycee-alpha.cartable.test/">Lycée Alpha</a>`,
					`<a href="http://college-delta.cartable.test/">Collège Delta</a>`,
					"Lycées et EREA", "Collèges – Gironde (33)", string(alpha.UAI), string(delta.UAI),
				)
				wantNotInBody(t, rec, bravo.Name, bravo.Slug, string(bravo.UAI), charlie.Name, charlie.Slug, string(charlie.UAI))
			})
		}
	})

	t.Run("portal without establishments says so", func(t *testing.T) {
		empty := newHarness(t)
		rec := empty.get(portalHost, "/")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Aucun établissement")
	})

	t.Run("tenant home shows its name", func(t *testing.T) {
		for _, host := range []string{tenantHost(alpha.Slug), "LYCEE-ALPHA.cartable.test:443"} {
			rec := h.get(host, "/")
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, "Bienvenue sur l'ENT Lycée Alpha", string(alpha.UAI), "Lycée général et technologique")
			wantNotInBody(t, rec, bravo.Name, delta.Name)
		}
	})

	t.Run("not a tenant", func(t *testing.T) {
		for _, tc := range []struct {
			name, host string
			status     int
			want       []string
		}{
			{"unknown subdomain", "inconnu.cartable.test", http.StatusNotFound, []string{"Établissement introuvable", "inconnu.cartable.test"}},
			{"deleted establishment", tenantHost(charlie.Slug), http.StatusNotFound, []string{"Établissement introuvable", tenantHost(charlie.Slug)}},
			{"two labels", "a.b.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"label above a tenant", "x." + tenantHost(alpha.Slug), http.StatusNotFound, []string{"Établissement introuvable"}},
			{"base domain as a prefix", "admin.cartable.test.evil.com", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"tenant as a prefix", tenantHost(alpha.Slug) + ".evil.com", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"other domain", "evil.com", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"suffix without dot", "evilcartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"empty host", "", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"leading hyphen", "-x.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"trailing hyphen", "x-.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"underscore", "lycee_alpha.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"reserved api", "api.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"reserved static", "static.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"punycode", "xn--lyce-alpha-b7a.cartable.test", http.StatusNotFound, []string{"Établissement introuvable"}},
			{"www is the portal", "www.cartable.test", http.StatusOK, []string{"Choisissez votre établissement"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := h.get(tc.host, "/")
				wantStatus(t, rec, tc.status)
				wantBody(t, rec, tc.want...)
				wantNotInBody(t, rec, "Bienvenue sur l")
			})
		}
	})

	t.Run("unknown host answers JSON to API clients", func(t *testing.T) {
		rec := h.get("inconnu.cartable.test", "/", "Accept", "application/json")
		wantAPIError(t, rec, http.StatusNotFound, "", "inconnu.cartable.test")
	})

	t.Run("suspended establishment", func(t *testing.T) {
		for _, path := range []string{"/", "/notes", "/api/v1/tenants"} {
			rec := h.get(tenantHost(bravo.Slug), path)
			if strings.HasPrefix(path, "/api/") {
				wantAPIError(t, rec, http.StatusForbidden, "", "suspendu", bravo.Name)
				continue
			}
			wantStatus(t, rec, http.StatusForbidden)
			wantBody(t, rec, "Établissement suspendu", "suspendu", bravo.Name)
			wantNotInBody(t, rec, string(bravo.UAI), bravo.Slug, "Lycée professionnel", "Bienvenue", alpha.Name)
		}
	})

	t.Run("health checks answer on every host", func(t *testing.T) {
		for _, host := range []string{portalHost, adminHost, tenantHost(alpha.Slug), tenantHost(bravo.Slug), "inconnu.cartable.test", "evil.com", ""} {
			for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
				rec := h.get(host, path)
				wantStatus(t, rec, http.StatusOK)
				if got, _ := jsonObject(t, rec)["status"].(string); got != want {
					t.Errorf("%s on %q: status %q, want %q", path, host, got, want)
				}
			}
		}
	})

	t.Run("static files", func(t *testing.T) {
		for _, host := range []string{portalHost, adminHost, tenantHost(alpha.Slug), tenantHost(bravo.Slug)} {
			rec := h.get(host, "/static/cartable.css")
			wantStatus(t, rec, http.StatusOK)
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
				t.Errorf("%s: Content-Type %q, want text/css", host, ct)
			}
			if rec.Body.Len() == 0 {
				t.Errorf("%s: empty stylesheet", host)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age") {
				t.Errorf("%s: Cache-Control %q, want a max-age", host, cc)
			}
		}
		wantStatus(t, h.get(portalHost, "/static/absent.css"), http.StatusNotFound)
	})

	t.Run("security headers", func(t *testing.T) {
		rec := h.get(tenantHost(alpha.Slug), "/")
		for name, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"} {
			if got := rec.Header().Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
	})

	t.Run("unknown page on a tenant is a French 404", func(t *testing.T) {
		rec := h.get(tenantHost(alpha.Slug), "/nulle-part")
		wantStatus(t, rec, http.StatusNotFound)
		wantBody(t, rec, "Page introuvable", "Cette page n")
	})
}

// TestTenantBehindIsInMaintenance: a tenant whose schema is older than the binary's latest
// migration answers 503 until it is migrated.
func TestTenantBehindIsInMaintenance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	gdb := openDB(t)
	old := registryOn(t, gdb, tenant.Options{})
	if _, _, err := old.MigratePlatform(ctx); err != nil {
		t.Fatalf("migrate platform: %v", err)
	}
	alpha := tenanttest.Provision(t, old, tenanttest.UAI(33, 1), "Lycée Alpha", "lycee")

	set := migrations.Tenant()
	set = append(set, migrations.Migration{Version: set.Latest() + 1, Name: "test_extra", SQL: `CREATE TABLE test_extra (id integer)`})
	reg := registryOn(t, gdb, tenant.Options{TenantMigrations: set})
	h := newHarnessOn(t, reg, testConfig(t))

	t.Run("page", func(t *testing.T) {
		rec := h.get(tenantHost(alpha.Slug), "/")
		wantStatus(t, rec, http.StatusServiceUnavailable)
		wantBody(t, rec, "Maintenance", alpha.Name)
		wantNotInBody(t, rec, "Bienvenue", string(alpha.UAI))
		if got := rec.Header().Get("Retry-After"); got == "" {
			t.Error("no Retry-After header")
		}
	})
	t.Run("JSON", func(t *testing.T) {
		rec := h.get(tenantHost(alpha.Slug), "/", "Accept", "application/json")
		wantAPIError(t, rec, http.StatusServiceUnavailable, "", alpha.Name)
	})
	t.Run("status lists it", func(t *testing.T) {
		rec := h.api(http.MethodGet, "/api/v1/tenants/"+string(alpha.UAI), "")
		wantStatus(t, rec, http.StatusOK)
		if v, _ := jsonObject(t, rec)["schema_version"].(float64); int(v) != set.Latest()-1 {
			t.Errorf("schema_version = %v, want %d", v, set.Latest()-1)
		}
	})
	t.Run("migrated, it opens", func(t *testing.T) {
		rep, err := reg.MigrateTenants(ctx, 2)
		if err != nil || rep.Failed != 0 || rep.Changed != 1 {
			t.Fatalf("MigrateTenants = %+v, %v; want 1 changed", rep, err)
		}
		rec := h.get(tenantHost(alpha.Slug), "/")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Bienvenue sur l'ENT Lycée Alpha")
	})
}

// TestReadyzNeedsMigratedPlatform: /readyz fails while the platform schema is not migrated,
// /healthz does not.
func TestReadyzNeedsMigratedPlatform(t *testing.T) {
	t.Parallel()
	h := newHarnessOn(t, registryOn(t, openDB(t), tenant.Options{}), testConfig(t))
	for _, host := range []string{portalHost, adminHost, "lycee-alpha.cartable.test"} {
		rec := h.get(host, "/readyz")
		wantStatus(t, rec, http.StatusServiceUnavailable)
		m := jsonObject(t, rec)
		if m["status"] != "unavailable" || !strings.Contains(m["reason"].(string), "migrate") {
			t.Errorf("%s: /readyz = %v, want unavailable naming migrate", host, m)
		}
		wantStatus(t, h.get(host, "/healthz"), http.StatusOK)
	}
}

// TestAdminAuth checks who may reach the administration API, and where.
func TestAdminAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	alpha := h.provision(tenanttest.UAI(33, 1), "Lycée Alpha", "lycee")

	for _, tc := range []struct {
		name, host, path, auth string
		status                 int
	}{
		{"no token", adminHost, "/api/v1/tenants", "", http.StatusUnauthorized},
		{"wrong token", adminHost, "/api/v1/tenants", "Bearer wrong", http.StatusUnauthorized},
		{"token prefix", adminHost, "/api/v1/tenants", "Bearer secre", http.StatusUnauthorized},
		{"longer token", adminHost, "/api/v1/tenants", "Bearer secret2", http.StatusUnauthorized},
		{"empty bearer", adminHost, "/api/v1/tenants", "Bearer ", http.StatusUnauthorized},
		{"basic scheme", adminHost, "/api/v1/tenants", "Basic secret", http.StatusUnauthorized},
		{"bare token", adminHost, "/api/v1/tenants", "secret", http.StatusUnauthorized},
		{"no token, one tenant", adminHost, "/api/v1/tenants/" + string(alpha.UAI), "", http.StatusUnauthorized},
		{"no token, export", adminHost, "/api/v1/tenants/" + string(alpha.UAI) + "/export", "", http.StatusUnauthorized},
		{"no token, unknown route", adminHost, "/api/v1/nowhere", "", http.StatusUnauthorized},
		{"good token", adminHost, "/api/v1/tenants", "Bearer secret", http.StatusOK},
		{"good token, unknown route", adminHost, "/api/v1/nowhere", "Bearer secret", http.StatusNotFound},
		{"tenant host", tenantHost(alpha.Slug), "/api/v1/tenants", "Bearer secret", http.StatusNotFound},
		{"tenant host, openapi", tenantHost(alpha.Slug), "/api/v1/openapi.json", "", http.StatusNotFound},
		{"portal host", portalHost, "/api/v1/tenants", "Bearer secret", http.StatusNotFound},
		{"www host", "www.cartable.test", "/api/v1/tenants", "Bearer secret", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.get(tc.host, tc.path, "Authorization", tc.auth)
			if tc.status == http.StatusOK {
				wantStatus(t, rec, http.StatusOK)
				if _, ok := jsonObject(t, rec)["tenants"]; !ok {
					t.Errorf("no tenants in %s", rec.Body.String())
				}
				return
			}
			m := wantAPIError(t, rec, tc.status, "")
			wantNotInBody(t, rec, alpha.Name, string(alpha.UAI)+`"`)
			if tc.status == http.StatusUnauthorized {
				if !strings.Contains(m["error"].(string), "Authorization: Bearer") {
					t.Errorf("401 does not say how to authenticate: %v", m["error"])
				}
				if rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}

	t.Run("admin home page", func(t *testing.T) {
		rec := h.get(adminHost, "/")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Administration")
	})

	// Without CARTABLE_ADMIN_TOKEN only platform administrators' sessions open the API (see
	// TestAdminAPISessions): any other credential is refused with 401, naming the setting.
	t.Run("no automation token configured", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AdminToken = ""
		off := newHarnessOn(t, h.reg, cfg)
		for _, auth := range []string{"", "Bearer ", "Bearer secret", "Bearer wrong"} {
			rec := off.get(adminHost, "/api/v1/tenants", "Authorization", auth)
			wantAPIError(t, rec, http.StatusUnauthorized, "", "CARTABLE_ADMIN_TOKEN")
			wantNotInBody(t, rec, alpha.Name)
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%q: 401 without WWW-Authenticate", auth)
			}
		}
		rec := off.get(adminHost, "/api/v1/openapi.json")
		wantStatus(t, rec, http.StatusOK)
	})
}

// TestOpenAPIComplete: every /api/v1 route of the administration and establishment hosts
// is an operation of web/openapi.json, for its host, and every operation has a route. The
// schemas themselves are checked by every API test (apitest.Serve in harness.serve).
func TestOpenAPIComplete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// The modules' declared API routes (and the document itself, which web serves): every
	// one has an operation, every operation a route.
	declared := []apitest.Route{{Host: apitest.Admin, Method: http.MethodGet, Path: "/openapi.json"}}
	for _, m := range h.mods {
		for _, r := range m.Routes {
			full := r.Path
			if r.Host == module.AdminAPI {
				full = apitest.Prefix + r.Path
			}
			path, isAPI := apitest.EchoPath(full)
			if isAPI != r.API {
				t.Errorf("module %s: %s %s is under %s but API is %v (declare it AsAPI, or move it)", m.Name, r.Host, r.Key(), apitest.Prefix, r.API)
			}
			if !r.API {
				continue
			}
			host := apitest.Tenant
			if r.Host == module.AdminAPI || r.Host == module.Admin {
				host = apitest.Admin
			}
			declared = append(declared, apitest.Route{Host: host, Method: r.Method, Path: path})
		}
	}
	if len(declared) < 15 {
		t.Fatalf("only %d API routes declared by the modules", len(declared))
	}
	for _, p := range apitest.Load(t).Complete(declared) {
		t.Error(p)
	}
	// And what the built server serves under /api/v1 is what the modules declare.
	served := append(apiRoutes(apitest.Admin, h.srv.Admin().Routes()), apiRoutes(apitest.Tenant, h.srv.Tenants().Routes())...)
	if a, b := fmt.Sprint(sortedRoutes(served)), fmt.Sprint(sortedRoutes(declared)); a != b {
		t.Errorf("served API routes %s\ndiffer from the declared ones %s", a, b)
	}
}

// apiRoutes are the /api/v1 routes of one host's echo instance, in the document's form.
func apiRoutes(host apitest.Host, routes []*echo.Route) []apitest.Route {
	httpMethods := map[string]bool{
		http.MethodGet: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
		http.MethodDelete: true, http.MethodHead: true, http.MethodOptions: true,
	}
	var out []apitest.Route
	for _, r := range routes {
		path, ok := apitest.EchoPath(r.Path)
		if ok && httpMethods[r.Method] {
			out = append(out, apitest.Route{Host: host, Method: r.Method, Path: path})
		}
	}
	return out
}

func sortedRoutes(rs []apitest.Route) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestPagesCompressed: pages travel gzip-compressed to browsers that accept it.
func TestPagesCompressed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for i := range 12 { // a portal listing establishments (a page above the 1 Ko threshold)
		h.provision(tenanttest.UAI(33, 100+i), fmt.Sprintf("Lycée numéro %d", i), "lycee")
	}
	rec := h.get(portalHost, "/", "Accept-Encoding", "gzip")
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("portal page not compressed: %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(page), "Cartable") {
		t.Errorf("the compressed page does not read back (%v)", err)
	}
	if plain := h.get(portalHost, "/"); plain.Header().Get("Content-Encoding") != "" {
		t.Error("compressed for a client that did not ask")
	}
}

var updateOpenAPI = flag.Bool("update-openapi", false, "write web/openapi.json from web/openapi_base.json and the modules' openapi.json")

// TestOpenAPIFromModules: the served document is the base and the modules' own descriptions,
// merged; after editing a module's openapi.json, run
// `go test ./cmd/cartable -run TestOpenAPIFromModules -args -update-openapi` (under pgrun).
func TestOpenAPIFromModules(t *testing.T) {
	h := newHarness(t)
	var parts [][]byte
	for _, m := range h.mods {
		if len(m.OpenAPI) > 0 {
			parts = append(parts, m.OpenAPI)
		}
	}
	if len(parts) < 4 {
		t.Fatalf("only %d modules describe their API", len(parts))
	}
	merged, err := web.MergeOpenAPI(web.OpenAPIBase(), parts...)
	if err != nil {
		t.Fatal(err)
	}
	if *updateOpenAPI {
		if err := os.WriteFile("../../web/openapi.json", merged, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var want, got any
	if err := json.Unmarshal(merged, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(web.OpenAPI(), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Error("web/openapi.json is not the merge of web/openapi_base.json and the modules' openapi.json: run this test with -update-openapi and commit the result")
	}
	if _, err := web.MergeOpenAPI(web.OpenAPIBase(), parts[0], parts[0]); err == nil {
		t.Error("a module's paths described twice were merged")
	}
}
