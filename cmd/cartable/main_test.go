package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/apitest"
	"github.com/cartable-ent/cartable/web/module"
)

// TestMain makes a PostgreSQL cluster available (see ops/testenv): the tests fail, never
// skip, when it cannot start.
func TestMain(m *testing.M) { testenv.Main(m) }

const (
	baseDomain = "cartable.test"
	portalHost = "cartable.test"
	adminHost  = "admin.cartable.test"
	adminToken = "secret"
)

// testConfig is the configuration the HTTP tests build the real router with, on the test
// run's Kratos (see testenv.Kratos: the test fails, with instructions, when none is running).
func testConfig(t testing.TB) config {
	t.Helper()
	pub, adm := testenv.Kratos(t)
	return config{BaseDomain: baseDomain, AdminToken: adminToken, MaxImportMB: 5, PublicScheme: "http",
		KratosPublicURL: pub, KratosAdminURL: adm}
}

// harness is the real router (buildServer) on a migrated registry of a fresh database.
type harness struct {
	t        *testing.T
	reg      *tenant.Registry
	srv      *web.Server
	mods     []module.Module // the modules as buildApp mounted them
	cfg      config
	filesDir string // the registry's FilesDir, when known
}

// newHarness returns a harness on a fresh database, with tenant files under a temporary folder.
func newHarness(t *testing.T) *harness {
	t.Helper()
	files := t.TempDir()
	reg := tenanttest.NewRegistry(t, tenant.Options{FilesDir: files}, tenant.PoolOptions{})
	h := newHarnessOn(t, reg, testConfig(t))
	h.filesDir = files
	return h
}

// newHarnessOn builds the router with cfg on an existing registry.
func newHarnessOn(t *testing.T, reg *tenant.Registry, cfg config) *harness {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	migrateQueue(t, reg)
	srv, _, mods, err := buildApp(cfg, reg, log)
	if err != nil {
		t.Fatalf("buildApp: %v", err)
	}
	return &harness{t: t, reg: reg, srv: srv, mods: mods, cfg: cfg}
}

// testWriter sends the server's warnings and errors to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// serve sends req to the router and returns what it answered.
func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	return apitest.Serve(h.t, h.srv, req) // every API exchange checked against web/openapi.json
}

// newRequest is httptest.NewRequest on host, with optional header name/value pairs.
func newRequest(method, host, path string, body io.Reader, header ...string) *http.Request {
	req := httptest.NewRequest(method, path, body)
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// get fetches path on host, with optional header name/value pairs.
func (h *harness) get(host, path string, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.serve(newRequest(http.MethodGet, host, path, nil, header...))
}

// api calls the administration API with the token; body, when not empty, is sent as JSON.
func (h *harness) api(method, path, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := newRequest(method, adminHost, path, r, "Authorization", "Bearer "+adminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.serve(req)
}

// provision opens an establishment through the registry, failing the test otherwise.
func (h *harness) provision(uai, name, kind string) *tenant.Tenant {
	h.t.Helper()
	return tenanttest.Provision(h.t, h.reg, uai, name, kind)
}

// tenantHost is the host name of an establishment's subdomain.
func tenantHost(slug string) string { return slug + "." + baseDomain }

// jsonObject decodes a JSON object answer, failing the test when it is not one.
func jsonObject(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json; body: %s", ct, rec.Body.String())
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("answer is not a JSON object (%v): %s", err, rec.Body.String())
	}
	return m
}

// wantStatus fails the test when the answer's status is not want.
func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status = %d, want %d; body: %s", rec.Code, want, truncate(rec.Body.String()))
	}
}

// wantAPIError checks a JSON error answer: its status, a non-empty error text containing
// every string of contains, and its field ("" for none).
func wantAPIError(t *testing.T, rec *httptest.ResponseRecorder, status int, field string, contains ...string) map[string]any {
	t.Helper()
	wantStatus(t, rec, status)
	m := jsonObject(t, rec)
	msg, _ := m["error"].(string)
	if msg == "" {
		t.Fatalf("no error text in %s", rec.Body.String())
	}
	for _, s := range contains {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	if got, _ := m["field"].(string); got != field {
		t.Errorf("field = %q, want %q (error: %s)", got, field, msg)
	}
	return m
}

// wantBody fails the test unless the body contains every string of want.
func wantBody(t *testing.T, rec *httptest.ResponseRecorder, want ...string) {
	t.Helper()
	body := rec.Body.String()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("body does not contain %q:\n%s", s, truncate(body))
		}
	}
}

// wantNotInBody fails the test if the body contains any string of unwanted.
func wantNotInBody(t *testing.T, rec *httptest.ResponseRecorder, unwanted ...string) {
	t.Helper()
	body := rec.Body.String()
	for _, s := range unwanted {
		if strings.Contains(body, s) {
			t.Errorf("body contains %q, it should not:\n%s", s, truncate(body))
		}
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// openDB opens a fresh, empty database of the test cluster (nothing migrated).
func openDB(t *testing.T) *gorm.DB {
	t.Helper()
	return openDSN(t, testenv.NewDatabase(t))
}

// openDSN opens a small pool on dsn, closed when the test ends.
func openDSN(t *testing.T, dsn string) *gorm.DB {
	t.Helper()
	gdb, err := tenant.Open(context.Background(), dsn, tenant.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		t.Fatalf("sql.DB of test database: %v", err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	return gdb
}

// registryOn binds a registry to gdb; tests see changes at once (1 ms host cache).
func registryOn(t *testing.T, gdb *gorm.DB, opts tenant.Options) *tenant.Registry {
	t.Helper()
	opts.CacheTTL = time.Millisecond
	reg, err := tenant.NewRegistry(context.Background(), gdb, opts)
	if err != nil {
		t.Fatalf("new registry: %v", err)
	}
	return reg
}

// migrateQueue creates River's tables, as `cartable migrate` does.
func migrateQueue(t testing.TB, reg *tenant.Registry) {
	t.Helper()
	sqlDB, err := reg.Platform().DB()
	if err == nil {
		_, err = jobs.Migrate(context.Background(), sqlDB)
	}
	if err != nil {
		t.Fatalf("migrate the job queue: %v", err)
	}
}
