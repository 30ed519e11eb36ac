package main

// Regression tests of defects found and fixed: they state the behaviour users should see.

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

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
