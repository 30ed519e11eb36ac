package news_test

// The test site: two lycées behind one router with real PostgreSQL and real Kratos sessions.

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/apitest"
)

// site is Alpha with 2nde 1 (Alice, taught by the maths teacher, her legal guardian Gérard),
// 2nde 2 (Zoé, her guardian Zacharie), the group LATIN (Alice), a CPE and the direction;
// Bravo with its direction.
type site struct {
	t                       testing.TB
	srv                     *web.Server
	reg                     *tenant.Registry
	clock                   *testenv.Clock
	bucket                  *blob.Bucket
	svc                     *news.Service
	alpha, bravo            *tenant.Tenant
	class1, class2, latin   uuid.UUID
	teacher, cpe, direction directorytest.Member
	alice, zoe              directorytest.Member
	guardian, guardianZoe   directorytest.Member
	bravoDirection, staffer directorytest.Member
}

func newSite(t testing.TB) *site {
	t.Helper()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	clock := testenv.NewClock(testenv.SchoolDay)
	env := directorytest.NewEnvAt(t, reg, clock)
	s := &site{t: t, reg: reg, clock: clock, class1: uuid.New(), class2: uuid.New(), latin: uuid.New()}
	s.alpha = tenanttest.Provision(t, reg, tenanttest.UAI(33, 81), "Lycée Alpha", "lycee")
	s.bravo = tenanttest.Provision(t, reg, tenanttest.UAI(33, 82), "Lycée Bravo", "lycee")
	srv, err := web.NewServer(web.Config{BaseDomain: "cartable.test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, reg, news.Templates)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	pub, adm := testenv.Kratos(t)
	auth := identity.NewAuthenticator(identity.NewKratos(pub, adm, time.Millisecond), identity.NewStore(reg.Platform()), srv.PortalURL())
	srv.Tenants().Use(auth.Tenant)
	s.bucket = memblob.OpenBucket(nil)
	s.svc = news.NewService(reg.DB(), s.bucket, clock.Now)
	mod := news.NewHandler(s.svc).Module()
	if err := auth.MountModule(identity.Hosts{Tenant: srv.Tenants()}, mod); err != nil {
		t.Fatal(err)
	}
	srv.SetHomePanels(func(c echo.Context) ([]template.HTML, error) {
		h, err := mod.HomePanel(c)
		return []template.HTML{h}, err
	})
	s.srv = srv
	s.teacher = env.AddMember(t, s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.cpe = env.AddMember(t, s.alpha, identity.RoleVieScolaire, "Inès", "Durand")
	s.direction = env.AddMember(t, s.alpha, identity.RoleDirection, "Marc", "Proviseur")
	s.staffer = env.AddMember(t, s.alpha, identity.RolePersonnel, "Sam", "Agent")
	s.alice = env.AddMember(t, s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.zoe = env.AddMember(t, s.alpha, identity.RoleEleve, "Zoé", "Petit")
	s.guardian = env.AddMember(t, s.alpha, identity.RoleResponsable, "Gérard", "Martin")
	s.guardianZoe = env.AddMember(t, s.alpha, identity.RoleResponsable, "Zacharie", "Petit")
	s.bravoDirection = env.AddMember(t, s.bravo, identity.RoleDirection, "Jean", "Bravo")
	year, start, end := directory.SchoolYearOf(clock.Now())
	for _, tn := range []*tenant.Tenant{s.alpha, s.bravo} {
		s.exec(tn, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true) ON CONFLICT (code) DO NOTHING`, year, start, end)
	}
	s.exec(s.alpha, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`)
	s.exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?), (?, 'groupe', 'LATIN', 'Latin', ?)`,
		s.class1, year, s.class2, year, s.latin, year)
	s.exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class2, s.zoe.PersonID, s.latin, s.alice.PersonID)
	s.exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS')`, s.teacher.PersonID, s.class1)
	s.exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1), (?, ?, true, 1)`,
		s.alice.PersonID, s.guardian.PersonID, s.zoe.PersonID, s.guardianZoe.PersonID)
	return s
}

func (s *site) exec(tn *tenant.Tenant, q string, args ...any) {
	s.t.Helper()
	if err := s.reg.DB().Tx(s.t.Context(), tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

func (s *site) count(tn *tenant.Tenant, q string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.reg.DB().ReadTx(s.t.Context(), tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error }); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// send serves a request on tn's host as m (session token: no CSRF check).
func (s *site) send(tn *tenant.Tenant, m directorytest.Member, method, path string, form url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.Host = tn.Slug + ".cartable.test"
	req.Header.Set("X-Session-Token", m.Token)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tb, ok := s.t.(*testing.T); ok {
		return apitest.Serve(tb, s.srv, req)
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	return rec
}

func (s *site) get(m directorytest.Member, path string) *httptest.ResponseRecorder {
	return s.send(s.alpha, m, http.MethodGet, path, nil)
}

func (s *site) post(m directorytest.Member, path string, form url.Values) *httptest.ResponseRecorder {
	return s.send(s.alpha, m, http.MethodPost, path, form)
}

var savedID = regexp.MustCompile(`#a-([0-9a-f-]{36})$`)

// write posts the form as m and returns the post's id (the redirect's anchor).
func (s *site) write(m directorytest.Member, path string, form url.Values) uuid.UUID {
	s.t.Helper()
	rec := s.post(m, path, form)
	wantCode(s.t, rec, http.StatusSeeOther, "save "+form.Get("titre"))
	found := savedID.FindStringSubmatch(rec.Header().Get("Location"))
	if found == nil {
		s.t.Fatalf("no post id in %q", rec.Header().Get("Location"))
	}
	return uuid.MustParse(found[1])
}

func postForm(title, body, audience, class, action string) url.Values {
	return url.Values{"titre": {title}, "texte": {body}, "destinataires": {audience}, "classe": {class}, "action": {action}}
}

func wantCode(t testing.TB, rec *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if rec.Code != want {
		body := rec.Body.String()
		if len(body) > 1500 {
			body = body[:1500] + "…"
		}
		t.Fatalf("%s: status %d, want %d; body: %s", what, rec.Code, want, body)
	}
}

func wantIn(t testing.TB, rec *httptest.ResponseRecorder, what string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(rec.Body.String(), p) {
			t.Errorf("%s: %q not in the page", what, p)
		}
	}
}

func wantNotIn(t testing.TB, rec *httptest.ResponseRecorder, what string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(rec.Body.String(), p) {
			t.Errorf("%s: %q should not be in the page", what, p)
		}
	}
}
