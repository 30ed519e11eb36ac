// Package moduletest is a module's test site: establishments behind the real router, with
// real PostgreSQL, real Kratos sessions and people made through the directory. Each module's
// tests build their site on it (its people, classes, services) and mount their module.
package moduletest

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/apitest"
	"github.com/cartable-ent/cartable/web/module"
)

// BaseDomain is the sites' domain: an establishment answers on <slug>.cartable.test.
const BaseDomain = "cartable.test"

// Options shape a site; the zero value is a site at testenv.SchoolDay whose server logs
// nothing and whose sessions are checked with Kratos on every request.
type Options struct {
	Now          time.Time     // the clock's start; default testenv.SchoolDay (a Monday, 10:00 in Paris)
	SessionCache time.Duration // how long a checked session is kept; default none (revocations seen at once)
	LogWarnings  bool          // the server's warnings and errors in the test log
	Templates    []fs.FS       // the pages of the modules the site mounts
}

// Site is the router, the registry and the directory's test people of a module's tests.
type Site struct {
	T     testing.TB
	Reg   *tenant.Registry
	Clock *testenv.Clock // give it to the module's services
	Env   *directorytest.Env
	Srv   *web.Server
	Auth  *identity.Authenticator
	Home  *tenant.Tenant // where Get and Post go: the first establishment provisioned
}

// New builds a site with no establishment yet (see Establishment).
func New(t testing.TB, o Options) *Site {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = testenv.SchoolDay
	}
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := &Site{T: t, Reg: reg, Clock: testenv.NewClock(o.Now)}
	s.Env = directorytest.NewEnvAt(t, reg, s.Clock)
	var out io.Writer = io.Discard
	if o.LogWarnings {
		out = testLog{t}
	}
	srv, err := web.NewServer(web.Config{BaseDomain: BaseDomain, Logger: slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))}, reg, o.Templates...)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	kratos := s.Env.Kratos
	if o.SessionCache > 0 {
		kratos = identity.NewKratos(s.Env.PublicURL, s.Env.AdminURL, o.SessionCache)
	}
	s.Auth = identity.NewAuthenticator(kratos, identity.NewStore(reg.Platform()), srv.PortalURL())
	srv.Tenants().Use(s.Auth.Tenant)
	s.Srv = srv
	return s
}

// Mount serves a module's routes on the establishments' hosts, behind their permissions.
func (s *Site) Mount(m module.Module) {
	s.T.Helper()
	if err := s.Auth.MountModule(identity.Hosts{Tenant: s.Srv.Tenants()}, m); err != nil {
		s.T.Fatalf("mount %s: %v", m.Name, err)
	}
}

// Establishment provisions a lycée of Gironde (its UAI made from n) with the current school
// year of the site's clock.
func (s *Site) Establishment(n int, name string) *tenant.Tenant {
	s.T.Helper()
	tn := tenanttest.Provision(s.T, s.Reg, tenanttest.UAI(33, n), name, "lycee")
	year, start, end := directory.SchoolYearOf(s.Clock.Now())
	if s.Home == nil {
		s.Home = tn
	}
	s.Exec(tn, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true) ON CONFLICT (code) DO NOTHING`, year, start, end)
	return tn
}

// Year is the code of the site's current school year ("2025-2026").
func (s *Site) Year() string {
	year, _, _ := directory.SchoolYearOf(s.Clock.Now())
	return year
}

// Member adds a person with an account in tn, signed in.
func (s *Site) Member(tn *tenant.Tenant, role identity.Role, first, last string) directorytest.Member {
	s.T.Helper()
	return s.Env.AddMember(s.T, tn, role, first, last)
}

// Exec runs a statement in tn's schema or fails the test.
func (s *Site) Exec(tn *tenant.Tenant, q string, args ...any) {
	s.T.Helper()
	if err := s.Reg.DB().Tx(s.T.Context(), tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
		s.T.Fatalf("%s: %v", q, err)
	}
}

// Count reads one number in tn's schema or fails the test.
func (s *Site) Count(tn *tenant.Tenant, q string, args ...any) int {
	s.T.Helper()
	var n int
	if err := s.Reg.DB().ReadTx(s.T.Context(), tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		s.T.Fatalf("%s: %v", q, err)
	}
	return n
}

// Host is tn's host name.
func Host(tn *tenant.Tenant) string { return tn.Slug + "." + BaseDomain }

// Do serves a request on tn's host as m (a session token: no anti-forgery check; m zero is
// anonymous). In a test (not a benchmark) an /api/v1 exchange is checked against
// web/openapi.json.
func (s *Site) Do(tn *tenant.Tenant, m directorytest.Member, method, path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	s.T.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Host = Host(tn)
	if m.Token != "" {
		req.Header.Set("X-Session-Token", m.Token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if t, ok := s.T.(*testing.T); ok {
		return apitest.Serve(t, s.Srv, req)
	}
	rec := httptest.NewRecorder()
	s.Srv.ServeHTTP(rec, req)
	return rec
}

// Send serves a request with form (nil: no body) on tn's host as m.
func (s *Site) Send(tn *tenant.Tenant, m directorytest.Member, method, path string, form url.Values) *httptest.ResponseRecorder {
	s.T.Helper()
	if form == nil {
		return s.Do(tn, m, method, path, "", nil)
	}
	return s.Do(tn, m, method, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// Get serves a GET on the home establishment as m.
func (s *Site) Get(m directorytest.Member, path string) *httptest.ResponseRecorder {
	s.T.Helper()
	return s.Send(s.Home, m, http.MethodGet, path, nil)
}

// Post serves a form's POST on the home establishment as m.
func (s *Site) Post(m directorytest.Member, path string, form url.Values) *httptest.ResponseRecorder {
	s.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	return s.Send(s.Home, m, http.MethodPost, path, form)
}

// WantCode fails the test when rec's status is not want, showing the start of the body.
func WantCode(t testing.TB, rec *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if rec.Code != want {
		body := rec.Body.String()
		if len(body) > 1500 {
			body = body[:1500] + "…"
		}
		t.Fatalf("%s: status %d, want %d; body: %s", what, rec.Code, want, body)
	}
}

// WantIn reports each part missing from rec's body.
func WantIn(t testing.TB, rec *httptest.ResponseRecorder, what string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(rec.Body.String(), p) {
			t.Errorf("%s: %q not in the page", what, p)
		}
	}
}

// WantNotIn reports each part found in rec's body.
func WantNotIn(t testing.TB, rec *httptest.ResponseRecorder, what string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(rec.Body.String(), p) {
			t.Errorf("%s: %q should not be in the page", what, p)
		}
	}
}

// testLog sends the server's warnings and errors to the test log.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
