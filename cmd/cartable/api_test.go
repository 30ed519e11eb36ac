package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// apiCase is one call of the administration API and what the caller must see. Cases of a
// table run in order on one database: each may depend on the previous ones.
type apiCase struct {
	name, method, path, body string
	status                   int
	field                    string            // for errors: the field named, "" for none
	contains                 []string          // for errors: in the error text
	fields                   map[string]string // for successes: JSON fields of the answer
	check                    func(t *testing.T, rec *apiAnswer)
}

type apiAnswer struct {
	code   int
	header http.Header
	body   map[string]any
	raw    string
}

func runAPICases(t *testing.T, h *harness, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		ok := t.Run(tc.name, func(t *testing.T) {
			rec := h.api(tc.method, tc.path, tc.body)
			if tc.status >= 400 {
				wantAPIError(t, rec, tc.status, tc.field, tc.contains...)
				return
			}
			wantStatus(t, rec, tc.status)
			ans := &apiAnswer{code: rec.Code, header: rec.Header(), body: jsonObject(t, rec), raw: rec.Body.String()}
			for k, want := range tc.fields {
				if got := fmt.Sprint(ans.body[k]); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if tc.check != nil {
				tc.check(t, ans)
			}
		})
		if !ok {
			return // later cases depend on this one
		}
	}
}

// TestProvisioningAPI drives POST /api/v1/tenants and the départements' opt-in.
func TestProvisioningAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	alpha := tenanttest.UAI(33, 1)
	bravo := tenanttest.UAI(24, 2)
	college := tenanttest.UAI(33, 3)
	landes := tenanttest.UAI(40, 4)
	badLetter := alpha[:7] + string(nextLetter(alpha[7]))
	var alphaID string

	newTenant := func(uai, name, kind, slug string) string {
		b, _ := json.Marshal(tenant.NewTenant{UAI: uai, Name: name, Kind: kind, Slug: slug})
		return string(b)
	}
	const tenants = "/api/v1/tenants"
	runAPICases(t, h, []apiCase{
		{name: "create", method: http.MethodPost, path: tenants, body: newTenant(alpha, "Lycée Alpha", "lycee", ""),
			status: http.StatusCreated,
			fields: map[string]string{"uai": alpha, "name": "Lycée Alpha", "kind": "lycee", "slug": "lycee-alpha", "status": "active", "organisation": "region"},
			check: func(t *testing.T, a *apiAnswer) {
				if loc := a.header.Get("Location"); loc != "/api/v1/tenants/"+alpha {
					t.Errorf("Location = %q", loc)
				}
				alphaID, _ = a.body["id"].(string)
				if alphaID == "" {
					t.Error("no id")
				}
				if strings.Contains(a.raw, "role") {
					t.Errorf("the answer shows the database role: %s", a.raw)
				}
			}},
		{name: "identical repeat", method: http.MethodPost, path: tenants, body: newTenant(alpha, "Lycée Alpha", "lycee", ""),
			status: http.StatusOK, fields: map[string]string{"uai": alpha, "slug": "lycee-alpha"},
			check: func(t *testing.T, a *apiAnswer) {
				if a.body["id"] != alphaID {
					t.Errorf("id = %v, want %s", a.body["id"], alphaID)
				}
				if loc := a.header.Get("Location"); loc != "" {
					t.Errorf("Location %q on a repeat", loc)
				}
			}},
		{name: "repeat, lower-case UAI and extra spaces", method: http.MethodPost, path: tenants,
			body:   newTenant(strings.ToLower(alpha), "  Lycée   Alpha ", "lycee", "lycee-alpha"),
			status: http.StatusOK, fields: map[string]string{"uai": alpha},
			check: func(t *testing.T, a *apiAnswer) {
				if a.body["id"] != alphaID {
					t.Errorf("id = %v, want %s", a.body["id"], alphaID)
				}
			}},
		{name: "same UAI, other name", method: http.MethodPost, path: tenants, body: newTenant(alpha, "Lycée Autre", "lycee", ""),
			status: http.StatusConflict, field: "uai", contains: []string{alpha, "Lycée Alpha"}},
		{name: "same UAI, other kind", method: http.MethodPost, path: tenants, body: newTenant(alpha, "Lycée Alpha", "lycee-pro", ""),
			status: http.StatusConflict, field: "uai", contains: []string{alpha}},
		{name: "same UAI, other slug", method: http.MethodPost, path: tenants, body: newTenant(alpha, "Lycée Alpha", "lycee", "autre"),
			status: http.StatusConflict, field: "uai", contains: []string{alpha}},
		{name: "bad check letter", method: http.MethodPost, path: tenants, body: newTenant(badLetter, "Lycée Bravo", "lycee", ""),
			status: http.StatusUnprocessableEntity, field: "uai", contains: []string{badLetter, "lettre de contrôle", alpha[7:]}},
		{name: "UAI too short", method: http.MethodPost, path: tenants, body: newTenant("033002", "Lycée Bravo", "lycee", ""),
			status: http.StatusUnprocessableEntity, field: "uai", contains: []string{"8 caractères"}},
		{name: "UAI with letters", method: http.MethodPost, path: tenants, body: newTenant("03300A1U", "Lycée Bravo", "lycee", ""),
			status: http.StatusUnprocessableEntity, field: "uai", contains: []string{"7 chiffres"}},
		{name: "missing UAI", method: http.MethodPost, path: tenants, body: `{"name":"Lycée Bravo","kind":"lycee"}`,
			status: http.StatusUnprocessableEntity, field: "uai"},
		{name: "bad kind", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "ecole", ""),
			status: http.StatusUnprocessableEntity, field: "kind", contains: []string{"ecole", "college"}},
		{name: "name too short", method: http.MethodPost, path: tenants, body: newTenant(bravo, " L ", "lycee", ""),
			status: http.StatusUnprocessableEntity, field: "name"},
		{name: "reserved slug", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "lycee", "admin"),
			status: http.StatusUnprocessableEntity, field: "slug", contains: []string{"admin", "réservé"}},
		{name: "reserved slug www", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "lycee", "www"),
			status: http.StatusUnprocessableEntity, field: "slug"},
		{name: "malformed slug", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "lycee", "lycée_bravo"),
			status: http.StatusUnprocessableEntity, field: "slug"},
		{name: "slug taken", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "lycee", "lycee-alpha"),
			status: http.StatusConflict, field: "slug", contains: []string{"lycee-alpha", "Lycée Alpha"}},
		{name: "malformed JSON", method: http.MethodPost, path: tenants, body: `{"uai": "` + bravo,
			status: http.StatusBadRequest, contains: []string{"JSON"}},
		{name: "not an object", method: http.MethodPost, path: tenants, body: `["` + bravo + `"]`,
			status: http.StatusBadRequest},
		{name: "unknown JSON field", method: http.MethodPost, path: tenants, body: `{"uai":"` + bravo + `","name":"Lycée Bravo","kind":"lycee","nom":"x"}`,
			status: http.StatusBadRequest, contains: []string{"nom"}},
		{name: "data after the object", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "lycee", "") + `{}`,
			status: http.StatusBadRequest},
		{name: "slug given", method: http.MethodPost, path: tenants, body: newTenant(bravo, "Lycée Bravo", "lycee-agricole", "Bravo"),
			status: http.StatusCreated, fields: map[string]string{"uai": bravo, "slug": "bravo", "kind": "lycee-agricole", "organisation": "region"}},
		{name: "lycée outside the région", method: http.MethodPost, path: tenants, body: newTenant("0750654D", "Lycée Paris", "lycee", ""),
			status: http.StatusUnprocessableEntity, field: "uai", contains: []string{"0750654D", "75"}},
		{name: "collège before opt-in", method: http.MethodPost, path: tenants, body: newTenant(college, "Collège Charlie", "college", ""),
			status: http.StatusConflict, field: "uai", contains: []string{"Gironde"}},
		{name: "opt-in, unreadable date", method: http.MethodPost, path: "/api/v1/departements/33/opt-in", body: `{"effective_date":"septembre"}`,
			status: http.StatusUnprocessableEntity, field: "effective_date", contains: []string{"septembre", "AAAA-MM-JJ"}},
		{name: "opt-in, impossible date", method: http.MethodPost, path: "/api/v1/departements/33/opt-in", body: `{"effective_date":"2026-02-30"}`,
			status: http.StatusUnprocessableEntity, field: "effective_date"},
		{name: "opt-in, no date", method: http.MethodPost, path: "/api/v1/departements/33/opt-in", body: `{}`,
			status: http.StatusUnprocessableEntity, field: "effective_date"},
		{name: "opt-in, unknown field", method: http.MethodPost, path: "/api/v1/departements/33/opt-in", body: `{"date":"2020-09-01"}`,
			status: http.StatusBadRequest},
		{name: "opt-in, département outside the région", method: http.MethodPost, path: "/api/v1/departements/75/opt-in", body: `{"effective_date":"2020-09-01"}`,
			status: http.StatusNotFound, contains: []string{"75"}},
		{name: "opt-in of the région", method: http.MethodPost, path: "/api/v1/departements/region/opt-in", body: `{"effective_date":"2020-09-01"}`,
			status: http.StatusUnprocessableEntity, field: "code"},
		{name: "opt-in in the future", method: http.MethodPost, path: "/api/v1/departements/33/opt-in", body: `{"effective_date":"2099-09-01"}`,
			status: http.StatusOK, fields: map[string]string{"code": "33", "name": "Gironde"},
			check: func(t *testing.T, a *apiAnswer) {
				if d, _ := a.body["opt_in_date"].(string); !strings.HasPrefix(d, "2099-09-01") {
					t.Errorf("opt_in_date = %q", d)
				}
			}},
		{name: "collège before the opt-in date", method: http.MethodPost, path: tenants, body: newTenant(college, "Collège Charlie", "college", ""),
			status: http.StatusConflict, field: "uai", contains: []string{"Gironde", "01/09/2099"}},
		{name: "opt-in, French date", method: http.MethodPost, path: "/api/v1/departements/033/opt-in", body: `{"effective_date":"01/09/2020"}`,
			status: http.StatusOK, fields: map[string]string{"code": "33"},
			check: func(t *testing.T, a *apiAnswer) {
				if d, _ := a.body["opt_in_date"].(string); !strings.HasPrefix(d, "2020-09-01") {
					t.Errorf("opt_in_date = %q", d)
				}
			}},
		{name: "opt-in read back", method: http.MethodGet, path: "/api/v1/departements/33/opt-in",
			status: http.StatusOK, fields: map[string]string{"code": "33", "kind": "departement"},
			check: func(t *testing.T, a *apiAnswer) {
				if d, _ := a.body["opt_in_date"].(string); !strings.HasPrefix(d, "2020-09-01") {
					t.Errorf("opt_in_date = %q", d)
				}
			}},
		{name: "collège after opt-in", method: http.MethodPost, path: tenants, body: newTenant(college, "Collège Charlie", "college", ""),
			status: http.StatusCreated, fields: map[string]string{"uai": college, "organisation": "33", "slug": "college-charlie"}},
		{name: "collège of a département not opted in", method: http.MethodPost, path: tenants, body: newTenant(landes, "Collège Landais", "college", ""),
			status: http.StatusConflict, field: "uai", contains: []string{"Landes"}},
		{name: "lycée of the same département is the région's", method: http.MethodPost, path: tenants, body: newTenant(landes, "Lycée Landais", "lycee", ""),
			status: http.StatusCreated, fields: map[string]string{"organisation": "region"}},
		{name: "départements", method: http.MethodGet, path: "/api/v1/departements", status: http.StatusOK,
			check: func(t *testing.T, a *apiAnswer) {
				deps, _ := a.body["departements"].([]any)
				var codes []string
				for _, d := range deps {
					codes = append(codes, fmt.Sprint(d.(map[string]any)["code"]))
				}
				if got := strings.Join(codes, ","); got != "24,33,40,47,64" {
					t.Errorf("départements = %s, want 24,33,40,47,64", got)
				}
			}},
		{name: "one département", method: http.MethodGet, path: "/api/v1/departements/64", status: http.StatusOK,
			fields: map[string]string{"code": "64", "name": "Pyrénées-Atlantiques"}},
		{name: "the région is not a département", method: http.MethodGet, path: "/api/v1/departements/region",
			status: http.StatusNotFound},
		{name: "unknown département", method: http.MethodGet, path: "/api/v1/departements/75", status: http.StatusNotFound},
	})

	t.Run("created establishments are served", func(t *testing.T) {
		for slug, name := range map[string]string{"lycee-alpha": "Lycée Alpha", "bravo": "Lycée Bravo", "college-charlie": "Collège Charlie"} {
			rec := h.get(tenantHost(slug), "/")
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, "Bienvenue sur l'ENT "+name)
		}
	})
}

// nextLetter returns another UAI check letter than c.
func nextLetter(c byte) byte {
	if c == 'Z' {
		return 'A'
	}
	if c == 'H' { // I is not a check letter
		return 'J'
	}
	return c + 1
}

// TestLifecycleAPI drives listing, suspension, resumption and deletion, and what the
// establishment's host shows after each.
func TestLifecycleAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	alpha := h.provision(tenanttest.UAI(33, 1), "Lycée Alpha", "lycee")
	bravo := h.provision(tenanttest.UAI(64, 2), "Lycée Bravo", "erea")
	unknown := tenanttest.UAI(33, 9)
	a, b := string(alpha.UAI), string(bravo.UAI)
	one := "/api/v1/tenants/" + a

	listUAIs := func(t *testing.T, query string) []string {
		t.Helper()
		rec := h.api(http.MethodGet, "/api/v1/tenants"+query, "")
		wantStatus(t, rec, http.StatusOK)
		list, ok := jsonObject(t, rec)["tenants"].([]any)
		if !ok {
			t.Fatalf("tenants is not an array: %s", rec.Body.String())
		}
		var uais []string
		for _, x := range list {
			uais = append(uais, x.(map[string]any)["uai"].(string))
		}
		return uais
	}
	wantList := func(query string, want ...string) apiCase {
		return apiCase{name: "list " + query, method: http.MethodGet, path: "/api/v1/tenants" + query, status: http.StatusOK,
			check: func(t *testing.T, _ *apiAnswer) {
				if got := strings.Join(listUAIs(t, query), ","); got != strings.Join(want, ",") {
					t.Errorf("list%s = [%s], want [%s]", query, got, strings.Join(want, ","))
				}
			}}
	}
	wantHost := func(name, slug string, status int, contains ...string) apiCase {
		return apiCase{name: name, status: http.StatusOK, method: http.MethodGet, path: "/api/v1/tenants",
			check: func(t *testing.T, _ *apiAnswer) {
				rec := h.get(tenantHost(slug), "/")
				wantStatus(t, rec, status)
				wantBody(t, rec, contains...)
			}}
	}

	runAPICases(t, h, []apiCase{
		wantList("", a, b),
		wantList("?status=active", a, b),
		wantList("?status=suspended"),
		wantList("?status=deleted"),
		wantList("?organisation=region", a, b),
		wantList("?organisation=33"),
		{name: "empty list is an array", method: http.MethodGet, path: "/api/v1/tenants?status=deleted", status: http.StatusOK,
			check: func(t *testing.T, a *apiAnswer) {
				if !strings.Contains(a.raw, `"tenants":[]`) {
					t.Errorf("body = %s, want an empty array", a.raw)
				}
			}},
		{name: "list, bogus status", method: http.MethodGet, path: "/api/v1/tenants?status=bogus",
			status: http.StatusUnprocessableEntity, field: "status", contains: []string{"bogus"}},
		{name: "get", method: http.MethodGet, path: one, status: http.StatusOK,
			fields: map[string]string{"uai": a, "name": "Lycée Alpha", "status": "active", "slug": "lycee-alpha"}},
		{name: "get, lower-case UAI", method: http.MethodGet, path: "/api/v1/tenants/" + strings.ToLower(a), status: http.StatusOK,
			fields: map[string]string{"uai": a}},
		{name: "get, unknown UAI", method: http.MethodGet, path: "/api/v1/tenants/" + unknown,
			status: http.StatusNotFound, contains: []string{unknown}},
		{name: "get, malformed UAI", method: http.MethodGet, path: "/api/v1/tenants/nope",
			status: http.StatusUnprocessableEntity, field: "uai"},
		{name: "suspend", method: http.MethodPost, path: one + "/suspend", status: http.StatusOK,
			fields: map[string]string{"uai": a, "status": "suspended"},
			check: func(t *testing.T, a *apiAnswer) {
				if a.body["suspended_at"] == nil {
					t.Error("no suspended_at")
				}
			}},
		wantHost("suspended host refuses", "lycee-alpha", http.StatusForbidden, "suspendu", "Lycée Alpha"),
		{name: "suspend again", method: http.MethodPost, path: one + "/suspend", status: http.StatusOK,
			fields: map[string]string{"status": "suspended"}},
		wantList("?status=suspended", a),
		wantList("?status=active", b),
		wantList("", a, b),
		{name: "suspend, unknown UAI", method: http.MethodPost, path: "/api/v1/tenants/" + unknown + "/suspend",
			status: http.StatusNotFound, contains: []string{unknown}},
		{name: "resume", method: http.MethodPost, path: "/api/v1/tenants/" + strings.ToLower(a) + "/resume", status: http.StatusOK,
			fields: map[string]string{"uai": a, "status": "active"},
			check: func(t *testing.T, a *apiAnswer) {
				if a.body["suspended_at"] != nil {
					t.Errorf("suspended_at = %v after resume", a.body["suspended_at"])
				}
			}},
		wantHost("resumed host serves", "lycee-alpha", http.StatusOK, "Bienvenue sur l'ENT Lycée Alpha"),
		{name: "resume, unknown UAI", method: http.MethodPost, path: "/api/v1/tenants/" + unknown + "/resume",
			status: http.StatusNotFound},
		{name: "suspend before delete", method: http.MethodPost, path: one + "/suspend", status: http.StatusOK},
		{name: "delete", method: http.MethodDelete, path: one, status: http.StatusOK,
			fields: map[string]string{"uai": a, "status": "deleted"},
			check: func(t *testing.T, a *apiAnswer) {
				if a.body["deleted_at"] == nil || a.body["purge_after"] == nil {
					t.Errorf("deleted_at and purge_after expected: %s", a.raw)
				}
			}},
		{name: "get after delete", method: http.MethodGet, path: one, status: http.StatusNotFound, contains: []string{a}},
		wantHost("deleted host is unknown", "lycee-alpha", http.StatusNotFound, "Établissement introuvable"),
		wantList("", b),
		wantList("?status=deleted", a),
		{name: "delete again", method: http.MethodDelete, path: one, status: http.StatusNotFound},
		{name: "resume after delete", method: http.MethodPost, path: one + "/resume", status: http.StatusNotFound},
		{name: "export after delete", method: http.MethodGet, path: one + "/export", status: http.StatusNotFound},
		{name: "slug reused by another establishment", method: http.MethodPost, path: "/api/v1/tenants",
			body:   `{"uai":"` + tenanttest.UAI(47, 5) + `","name":"Lycée Nouveau","kind":"lycee","slug":"lycee-alpha"}`,
			status: http.StatusCreated, fields: map[string]string{"slug": "lycee-alpha", "status": "active"}},
		wantHost("reused slug serves the new establishment", "lycee-alpha", http.StatusOK, "Bienvenue sur l'ENT Lycée Nouveau"),
		{name: "deleted UAI may be opened again", method: http.MethodPost, path: "/api/v1/tenants",
			body:   `{"uai":"` + a + `","name":"Lycée Alpha","kind":"lycee"}`,
			status: http.StatusCreated, fields: map[string]string{"uai": a, "status": "active"},
			check: func(t *testing.T, ans *apiAnswer) {
				if ans.body["id"] == alpha.ID.String() {
					t.Error("the reopened establishment has the deleted one's id")
				}
				if slug, _ := ans.body["slug"].(string); slug == "lycee-alpha" || !strings.HasPrefix(slug, "lycee-alpha") {
					t.Errorf("slug = %q, want one derived from the name, other than lycee-alpha", slug)
				}
			}},
	})

	t.Run("host of a suspended establishment, other paths", func(t *testing.T) {
		if _, err := h.reg.Suspend(context.Background(), b, "test"); err != nil {
			t.Fatal(err)
		}
		rec := h.get(tenantHost(bravo.Slug), "/anything")
		wantStatus(t, rec, http.StatusForbidden)
		wantBody(t, rec, "suspendu")
	})
}

// TestExportImportAPI exports establishments over HTTP, deletes them and restores them.
// Each establishment is deleted once (see TestDeleteTwiceInOneSecond in bugs_test.go).
func TestExportImportAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()

	// export returns the archive of uai, checking the headers of the download.
	export := func(t *testing.T, uai string) []byte {
		t.Helper()
		rec := h.api(http.MethodGet, "/api/v1/tenants/"+strings.ToLower(uai)+"/export", "")
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); ct != "application/gzip" {
			t.Errorf("Content-Type = %q, want application/gzip", ct)
		}
		cd := rec.Header().Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "cartable-"+uai+"-") || !strings.HasSuffix(cd, `.tar.gz"`) {
			t.Errorf("Content-Disposition = %q, want an attachment named after the UAI", cd)
		}
		b := rec.Body.Bytes()
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Fatalf("the export is not gzip (%d bytes)", len(b))
		}
		return b
	}
	del := func(t *testing.T, tn *tenant.Tenant) {
		t.Helper()
		wantStatus(t, h.api(http.MethodDelete, "/api/v1/tenants/"+string(tn.UAI), ""), http.StatusOK)
		wantStatus(t, h.get(tenantHost(tn.Slug), "/"), http.StatusNotFound)
	}
	importRaw := func(body []byte) *httptest.ResponseRecorder {
		req := newRequest(http.MethodPost, adminHost, "/api/v1/tenants/import", bytes.NewReader(body),
			"Authorization", "Bearer "+adminToken, "Content-Type", "application/gzip")
		return h.serve(req)
	}
	importForm := func(field string, body []byte) *httptest.ResponseRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile(field, "archive.tar.gz")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(body)
		mw.Close()
		req := newRequest(http.MethodPost, adminHost, "/api/v1/tenants/import", &buf,
			"Authorization", "Bearer "+adminToken, "Content-Type", mw.FormDataContentType())
		return h.serve(req)
	}
	// restored checks the answer of an import and that the establishment is served again.
	restored := func(t *testing.T, rec *httptest.ResponseRecorder, tn *tenant.Tenant, status tenant.Status) *tenant.Tenant {
		t.Helper()
		wantStatus(t, rec, http.StatusCreated)
		m := jsonObject(t, rec)
		if m["uai"] != string(tn.UAI) || m["slug"] != tn.Slug || m["status"] != string(status) || m["name"] != tn.Name || m["kind"] != string(tn.Kind) {
			t.Errorf("restored = %s", rec.Body.String())
		}
		page := h.get(tenantHost(tn.Slug), "/")
		if status == tenant.StatusActive {
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, "Bienvenue sur l'ENT "+tn.Name)
		} else {
			wantStatus(t, page, http.StatusForbidden)
			wantBody(t, page, "suspendu")
		}
		back, err := h.reg.Get(ctx, string(tn.UAI))
		if err != nil {
			t.Fatal(err)
		}
		return back
	}

	t.Run("raw body, with data and files", func(t *testing.T) {
		alpha := h.provision(tenanttest.UAI(33, 1), "Lycée Alpha", "lycee")
		if err := h.reg.DB().Tx(ctx, alpha, func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO settings (key, value) VALUES ('theme', '"bleu"')`).Error
		}); err != nil {
			t.Fatalf("insert setting: %v", err)
		}
		file := filepath.Join(h.filesDir, "tenants", alpha.SchemaName, "docs", "note.txt")
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte("bonjour"), 0o644); err != nil {
			t.Fatal(err)
		}
		archive := export(t, string(alpha.UAI))

		wantAPIError(t, importRaw(archive), http.StatusConflict, "uai", string(alpha.UAI), "Lycée Alpha")
		del(t, alpha)
		back := restored(t, importRaw(archive), alpha, tenant.StatusActive)

		var theme string
		if err := h.reg.DB().ReadTx(ctx, back, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT value #>> '{}' FROM settings WHERE key = 'theme'`).Scan(&theme).Error
		}); err != nil || theme != "bleu" {
			t.Errorf("restored setting = %q, %v; want bleu", theme, err)
		}
		if b, err := os.ReadFile(filepath.Join(h.filesDir, "tenants", back.SchemaName, "docs", "note.txt")); err != nil || string(b) != "bonjour" {
			t.Errorf("restored file = %q, %v; want bonjour", b, err)
		}
		wantAPIError(t, importRaw(archive), http.StatusConflict, "uai", string(alpha.UAI))
	})

	t.Run("multipart upload", func(t *testing.T) {
		bravo := h.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee-pro")
		archive := export(t, string(bravo.UAI))
		wantAPIError(t, importForm("archive", archive), http.StatusConflict, "uai", string(bravo.UAI))
		del(t, bravo)
		wantAPIError(t, importForm("fichier", archive), http.StatusUnprocessableEntity, "archive", "archive")
		restored(t, importForm("archive", archive), bravo, tenant.StatusActive)
	})

	t.Run("a suspended establishment comes back suspended", func(t *testing.T) {
		charlie := h.provision(tenanttest.UAI(64, 3), "EREA Charlie", "erea")
		wantStatus(t, h.api(http.MethodPost, "/api/v1/tenants/"+string(charlie.UAI)+"/suspend", ""), http.StatusOK)
		archive := export(t, string(charlie.UAI))
		del(t, charlie)
		restored(t, importRaw(archive), charlie, tenant.StatusSuspended)
	})

	t.Run("export, unknown UAI", func(t *testing.T) {
		unknown := tenanttest.UAI(33, 9)
		wantAPIError(t, h.api(http.MethodGet, "/api/v1/tenants/"+unknown+"/export", ""), http.StatusNotFound, "", unknown)
	})

	t.Run("refused archives", func(t *testing.T) {
		delta := h.provision(tenanttest.UAI(40, 4), "Lycée Delta", "lycee")
		archive := export(t, string(delta.UAI))
		del(t, delta)
		for _, tc := range []struct {
			name string
			body []byte
		}{
			{"garbage", []byte("ceci n'est pas une archive")},
			{"empty body", nil},
			{"truncated", archive[:len(archive)/2]},
			{"gzip of garbage", gzipOf(t, []byte("pas un tar"))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantAPIError(t, importRaw(tc.body), http.StatusUnprocessableEntity, "archive", "archive")
			})
		}
		wantStatus(t, h.api(http.MethodGet, "/api/v1/tenants/"+string(delta.UAI), ""), http.StatusNotFound)
		restored(t, importRaw(archive), delta, tenant.StatusActive) // nothing was half-restored
	})

	t.Run("import without a token", func(t *testing.T) {
		req := newRequest(http.MethodPost, adminHost, "/api/v1/tenants/import", strings.NewReader("x"), "Content-Type", "application/gzip")
		wantAPIError(t, h.serve(req), http.StatusUnauthorized, "")
	})

	t.Run("multipart upload larger than MaxImportMB", func(t *testing.T) {
		big := randomBytes(t, (h.cfg.MaxImportMB<<20)+(1<<20))
		wantAPIError(t, importForm("archive", big), http.StatusRequestEntityTooLarge, "", "volumineuse")
	})
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// archiveWithLargeFile builds a well-formed export archive of a new establishment holding one
// file, content: everything in it is valid, only its size matters.
func archiveWithLargeFile(t *testing.T, uai string, content []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(content)
	m := tenant.Manifest{
		Format: tenant.ArchiveFormat, FormatVersion: tenant.ArchiveFormatVersion, ExportedAt: time.Date(2026, time.October, 5, 10, 0, 0, 0, time.UTC),
		Tenant: tenant.ArchivedTenant{UAI: tenant.UAI(uai), Name: "Lycée Volumineux", Kind: tenant.KindLycee,
			Slug: "lycee-volumineux", Organisation: tenant.RegionCode, Status: tenant.StatusActive, CreatedAt: time.Date(2026, time.September, 1, 8, 0, 0, 0, time.UTC)},
		SchemaVersion: 1,
		Tables:        []tenant.ArchiveEntry{},
		Files:         []tenant.ArchiveEntry{{Path: "files/gros.bin", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}},
	}
	mb, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range []struct {
		name string
		data []byte
	}{{"manifest.json", mb}, {"files/gros.bin", content}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
