package main

// Regression tests of defects found and fixed: they state the behaviour users should see.

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestDeleteTwiceInOneSecond: deleting an establishment, reopening it (or restoring it) and
// deleting it again within the same second must work. tenant.Registry.Delete renames the
// schema and role with a suffix; it once had one-second resolution and the second rename
// collided with the first (500).
func TestDeleteTwiceInOneSecond(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.October, 5, 10, 0, 0, 0, time.UTC) // one instant: every step happens "within the same second"
	reg := tenanttest.NewRegistry(t, tenant.Options{Now: func() time.Time { return now }}, tenant.PoolOptions{})
	h := newHarnessOn(t, reg, testConfig(t))
	uai := tenanttest.UAI(33, 1)
	body := `{"uai":"` + uai + `","name":"Lycée Alpha","kind":"lycee","slug":"lycee-alpha"}`

	wantStatus(t, h.api(http.MethodPost, "/api/v1/tenants", body), http.StatusCreated)
	wantStatus(t, h.api(http.MethodDelete, "/api/v1/tenants/"+uai, ""), http.StatusOK)
	wantStatus(t, h.api(http.MethodPost, "/api/v1/tenants", body), http.StatusCreated)
	rec := h.api(http.MethodDelete, "/api/v1/tenants/"+uai, "")
	wantStatus(t, rec, http.StatusOK)
	wantStatus(t, h.get(tenantHost("lycee-alpha"), "/"), http.StatusNotFound)
}

// TestImportLargerThanLimitIs413: an import body larger than MaxImportMB must be refused with
// 413, as web/openapi.json documents, whether the limit is hit while reading the archive or
// announced up front by Content-Length.
func TestImportLargerThanLimitIs413(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	big := randomBytes(t, (h.cfg.MaxImportMB<<20)+(1<<20))
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"well-formed archive holding a large file", archiveWithLargeFile(t, tenanttest.UAI(33, 7), big)},
		{"large body announced by Content-Length", big},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(http.MethodPost, adminHost, "/api/v1/tenants/import", bytes.NewReader(tc.body),
				"Authorization", "Bearer "+adminToken, "Content-Type", "application/gzip")
			if req.ContentLength != int64(len(tc.body)) {
				t.Fatalf("ContentLength = %d", req.ContentLength)
			}
			wantAPIError(t, h.serve(req), http.StatusRequestEntityTooLarge, "", "volumineuse")
			wantStatus(t, h.api(http.MethodGet, "/api/v1/tenants/"+tenanttest.UAI(33, 7), ""), http.StatusNotFound)
		})
	}
}

// TestCLIExportDocumentedArgumentOrder: the usage text documents
// `cartable tenant export UAI [-o FILE]`: -o after the UAI must work.
func TestCLIExportDocumentedArgumentOrder(t *testing.T) {
	cliEnv(t)
	uai := tenanttest.UAI(33, 1)
	archive := filepath.Join(t.TempDir(), "alpha.tar.gz")
	runCLICases(t, []cliCase{
		{name: "migrate", args: []string{"migrate"}},
		{name: "create", args: []string{"tenant", "create", "--uai", uai, "--name", "Lycée Alpha", "--kind", "lycee"}},
		{name: "export UAI -o FILE", args: []string{"tenant", "export", uai, "-o", archive}, out: []string{"exporté : " + uai, archive},
			check: func(t *testing.T, _ string) {
				if _, err := os.Stat(archive); err != nil {
					t.Errorf("no archive: %v", err)
				}
			}},
	})
}

// TestRestoredEstablishmentKeepsItsPeople: an export → delete → import round trip once lost
// platform.memberships, so nobody could sign in to a restored establishment. After the round
// trip the same people, with the same sessions, see the same data.
func TestRestoredEstablishmentKeepsItsPeople(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	host := tenantHost(alpha.Slug)
	pupil := env.AddMember(t, alpha, identity.RoleEleve, "Zoé", "Restaurée")
	director := env.AddMember(t, alpha, identity.RoleDirection, "Anne", "Proviseure")
	before := h.as(pupil.Token, host, "/api/v1/me")
	wantStatus(t, before, http.StatusOK)
	card := "/annuaire/personnes/" + pupil.PersonID.String()
	wantStatus(t, h.as(director.Token, host, card), http.StatusOK)

	rec := h.api(http.MethodGet, "/api/v1/tenants/"+uaiAlpha+"/export", "")
	wantStatus(t, rec, http.StatusOK)
	archive := rec.Body.Bytes()
	wantStatus(t, h.api(http.MethodDelete, "/api/v1/tenants/"+uaiAlpha, ""), http.StatusOK)
	wantStatus(t, h.as(pupil.Token, host, "/api/v1/me"), http.StatusNotFound)

	req := newRequest(http.MethodPost, adminHost, "/api/v1/tenants/import", bytes.NewReader(archive),
		"Authorization", "Bearer "+adminToken, "Content-Type", "application/gzip")
	wantStatus(t, h.serve(req), http.StatusCreated)

	after := h.as(pupil.Token, host, "/api/v1/me")
	wantStatus(t, after, http.StatusOK)
	if jsonObject(t, after)["person"].(map[string]any)["id"] != pupil.PersonID.String() {
		t.Errorf("restored /api/v1/me = %s; want the same person as before (%s)", after.Body.String(), before.Body.String())
	}
	got := h.as(director.Token, host, card)
	wantStatus(t, got, http.StatusOK)
	if !strings.Contains(got.Body.String(), "Restaurée") {
		t.Error("the restored director does not see the pupil's card")
	}
	// The pupil's account is the restored establishment's alone: its staff still manage it.
	rec = h.send(director.Token, http.MethodPost, host, "/admin/personnes/"+pupil.PersonID.String()+"/code", "",
		"Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Code de récupération pour")
	var n int
	if err := h.reg.Platform().Raw(`SELECT count(*) FROM platform.memberships WHERE identity_id = ?`, pupil.IdentityID).Scan(&n).Error; err != nil || n != 1 {
		t.Errorf("the pupil has %d memberships after the round trip (%v); want 1", n, err)
	}
}
