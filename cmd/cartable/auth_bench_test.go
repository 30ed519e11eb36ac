package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// benchServer is the whole server on a private registry, with one establishment (Lycée
// Alpha), its logs discarded: what a benchmark of a request measures.
func benchServer(b *testing.B) (http.Handler, *tenant.Registry, *tenant.Tenant) {
	b.Helper()
	reg := tenanttest.NewRegistry(b, tenant.Options{FilesDir: b.TempDir()}, tenant.PoolOptions{})
	migrateQueue(b, reg)
	srv, err := buildServer(testConfig(b), reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	return srv, reg, tenanttest.Provision(b, reg, uaiAlpha, "Lycée Alpha", "lycee")
}

// BenchmarkTenantAuthPath is the check every establishment request goes through: host →
// establishment, session, membership, permission. "refused" stops right after it (a pupil
// asking for a teacher's API: 403 without reading tenant data); "me" adds one read
// transaction (GET /api/v1/me). Sessions are in the session cache after the first request.
func BenchmarkTenantAuthPath(b *testing.B) {
	srv, reg, alpha := benchServer(b)
	m := directorytest.NewEnv(b, reg).AddMember(b, alpha, identity.RoleEleve, "Bench", "Eleve")
	for _, bc := range []struct {
		name, path string
		want       int
	}{{"refused", "/api/v1/evaluations", http.StatusForbidden}, {"me", "/api/v1/me", http.StatusOK}} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := newRequest(http.MethodGet, tenantHost(alpha.Slug), bc.path, nil, "X-Session-Token", m.Token)
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != bc.want {
						b.Errorf("%s: %d, want %d", bc.path, rec.Code, bc.want)
						return
					}
				}
			})
		})
	}
}
