package resources_test

// The LTI test site: establishments behind the real router (tenant and portal hosts, real
// Kratos sessions), the platform served over HTTP on a local port, real LTI tools
// (package ltitool) on httptest servers, and a browser that goes from one to the other.

import (
	"context"
	"crypto/rand"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/modules/resources/ltitool"
	"github.com/cartable-ent/cartable/tenant"
)

// ltiSite is a moduletest site with the resources module on the tenant and portal hosts,
// the platform on a local HTTP port, and a catalogue publisher.
type ltiSite struct {
	*moduletest.Site
	svc       *resources.Service
	platform  *httptest.Server
	client    *http.Client // reaches *.cartable.test on the platform's port, the rest as is
	publisher uuid.UUID
}

func newLTISite(t testing.TB) *ltiSite {
	t.Helper()
	return newLTISiteWith(t, moduletest.Options{LogWarnings: true})
}

func newLTISiteWith(t testing.TB, o moduletest.Options) *ltiSite {
	t.Helper()
	o.Templates = append(o.Templates, resources.Templates)
	s := moduletest.New(t, o)
	key := make([]byte, 32)
	rand.Read(key)
	svc := resources.NewService(s.Reg.DB(), resources.NewCatalogue(s.Reg.Platform()), s.Clock.Now).
		WithLTI(resources.LTIConfig{Issuer: s.Srv.PortalURL(), SecretKey: key}).
		WithGrades(grades.NewService(s.Reg.DB(), s.Clock.Now), s.Srv.PortalURL()) // scores back (e2e_scores_test.go)
	s.Srv.Portal().Use(s.Auth.Platform)
	s.Srv.Admin().Use(s.Auth.Platform)
	hosts := identity.Hosts{Tenant: s.Srv.Tenants(), Portal: s.Srv.Portal(), Admin: s.Srv.Admin(), AdminAPI: s.Srv.AdminAPI().Group("")}
	if err := s.Auth.MountModule(hosts, resources.NewHandler(svc).Module()); err != nil {
		t.Fatalf("mount resources: %v", err)
	}
	platform := httptest.NewServer(s.Srv)
	t.Cleanup(platform.Close)
	addr := platform.Listener.Addr().String()
	client := &http.Client{
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			if host, _, _ := net.SplitHostPort(a); host == moduletest.BaseDomain || strings.HasSuffix(host, "."+moduletest.BaseDomain) {
				a = addr
			}
			return (&net.Dialer{}).DialContext(ctx, network, a)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ls := &ltiSite{Site: s, svc: svc, platform: platform, client: client}
	if err := s.Reg.Platform().Raw(`INSERT INTO platform.resource_publishers (name) VALUES ('Éditions Test') RETURNING id`).Row().Scan(&ls.publisher); err != nil {
		t.Fatal(err)
	}
	return ls
}

// testTool is a real LTI tool registered in the catalogue.
type testTool struct {
	*ltitool.Tool
	ID       uuid.UUID
	ClientID string
	URL      string
	Salt     []byte
}

// addTool starts an LTI tool and registers it in the catalogue with deployment "dep-1".
func (s *ltiSite) addTool(t testing.TB, name string) *testTool {
	t.Helper()
	tt := &testTool{ClientID: "client-" + name}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.Tool.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	tt.URL = srv.URL
	portal := strings.TrimSuffix(s.Srv.PortalURL(), "/")
	tt.Tool = ltitool.New(ltitool.Config{Issuer: portal, ClientID: tt.ClientID, DeploymentIDs: []string{"dep-1"},
		AuthURL: portal + "/lti/auth", JWKSURL: portal + "/lti/jwks.json", LaunchURL: srv.URL + ltitool.LaunchPath,
		Client: s.client, Now: s.Clock.Now})
	tt.Salt = make([]byte, 32)
	rand.Read(tt.Salt)
	if err := s.Reg.Platform().Raw(`INSERT INTO platform.resource_tools (publisher_id, name, kind, client_id, login_url, launch_url, redirect_urls, jwks_url, deployment_ids, pseudonym_salt)
		VALUES (?, ?, 'lti', ?, ?, ?, ?, ?, '{dep-1}', ?) RETURNING id`, s.publisher, name, tt.ClientID, srv.URL+ltitool.LoginPath, srv.URL+ltitool.LaunchPath,
		resources.Strings{srv.URL + "/autre-retour"}, srv.URL+ltitool.JWKSPath, tt.Salt).Row().Scan(&tt.ID); err != nil {
		t.Fatal(err)
	}
	return tt
}

// addLinkTool registers a plain-link tool.
func (s *ltiSite) addLinkTool(t testing.TB, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	salt := make([]byte, 32)
	rand.Read(salt)
	if err := s.Reg.Platform().Raw(`INSERT INTO platform.resource_tools (publisher_id, name, kind, pseudonym_salt) VALUES (?, ?, 'lien', ?) RETURNING id`,
		s.publisher, name, salt).Row().Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// addResource adds a resource of tool to the catalogue.
func (s *ltiSite) addResource(t testing.TB, tool uuid.UUID, title, target string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := s.Reg.Platform().Raw(`INSERT INTO platform.resources (publisher_id, tool_id, title, type, target_url) VALUES (?, ?, ?, 'manuel', ?) RETURNING id`,
		s.publisher, tool, title, target).Row().Scan(&id); err != nil {
		t.Fatal(err)
	}
	s.svc.Catalogue().Invalidate()
	return id
}

// subscribe gives tn's target (eleves, enseignants, tous) the resource this school year.
func (s *ltiSite) subscribe(t testing.TB, tn *tenant.Tenant, resource, tool uuid.UUID, target string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	s.Exec(tn, `INSERT INTO resource_subscriptions (id, resource_id, tool_id, starts_on, ends_on, kind, target, licence_mode, created_at)
		VALUES (?, ?, ?, '2026-09-01', '2027-08-31', 'etablissement', ?, 'illimite', now())`, id, resource, tool, target)
	return id
}

// license gives one person a licence of a per-person subscription (with its assignment).
func (s *ltiSite) license(t testing.TB, tn *tenant.Tenant, resource, tool uuid.UUID, person uuid.UUID, deployment string) {
	t.Helper()
	sub, as := uuid.New(), uuid.New()
	s.Exec(tn, `INSERT INTO resource_subscriptions (id, resource_id, tool_id, deployment_id, starts_on, ends_on, kind, target, licence_mode, licences, created_at)
		VALUES (?, ?, ?, ?, '2026-09-01', '2027-08-31', 'personne', 'tous', 'global', 30, now())`, sub, resource, tool, deployment)
	s.Exec(tn, `INSERT INTO resource_assignments (id, subscription_id, target_kind, person_id, created_at) VALUES (?, ?, 'personne', ?, now())`, as, sub, person)
	s.Exec(tn, `INSERT INTO resource_licences (subscription_id, person_id, assignment_id, profile, assigned_at) VALUES (?, ?, ?, 'eleve', now())`, sub, person, as)
}

// browser is one person's browser: their Kratos session cookie (or, for brevity, a session
// token), going from the establishment's host to the tool and the portal and back.
type browser struct {
	s      *ltiSite
	cookie string
	token  string
}

func (s *ltiSite) browserOf(t testing.TB, m directorytest.Member) *browser {
	t.Helper()
	return &browser{s: s, cookie: s.Env.BrowserCookie(t, m.Login, m.Password)}
}

func (s *ltiSite) tokenOf(m directorytest.Member) *browser { return &browser{s: s, token: m.Token} }

type page struct {
	Code     int
	Location string
	Header   http.Header
	Body     string
}

func (b *browser) do(t testing.TB, method, u string, form url.Values) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if h := req.URL.Hostname(); h == moduletest.BaseDomain || strings.HasSuffix(h, "."+moduletest.BaseDomain) {
		if b.cookie != "" {
			req.AddCookie(&http.Cookie{Name: identity.SessionCookie, Value: b.cookie})
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		if b.token != "" {
			req.Header.Set("X-Session-Token", b.token)
		}
	}
	res, err := b.s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{Code: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(raw)}
}

// open posts « Ouvrir » of a resource on tn's host.
func (b *browser) open(t testing.TB, tn *tenant.Tenant, resource uuid.UUID, extra url.Values) page {
	t.Helper()
	form := url.Values{}
	for k, v := range extra {
		form[k] = v
	}
	if b.cookie != "" {
		form.Set("_csrf", identity.CSRFToken(b.cookie))
	}
	return b.do(t, http.MethodPost, "http://"+moduletest.Host(tn)+"/ressources/"+resource.String()+"/ouvrir", form)
}

// onward follows « Ouvrir »'s answer to the page « Ouverture de … » and returns where that
// page sends the browser (its Refresh header, also its link).
func (b *browser) onward(t testing.TB, tn *tenant.Tenant, p page) string {
	t.Helper()
	if p.Code != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/ressources/lancements/") {
		t.Fatalf("ouvrir: status %d to %q; body: %.1500s", p.Code, p.Location, p.Body)
	}
	p = b.do(t, http.MethodGet, "http://"+moduletest.Host(tn)+p.Location, nil)
	to, ok := strings.CutPrefix(p.Header.Get("Refresh"), "0; url=")
	if p.Code != http.StatusOK || !ok || !strings.Contains(p.Body, `href="`+html.EscapeString(to)+`"`) || p.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the opening page: status %d, Refresh %q, Referrer-Policy %q; body: %.1500s", p.Code, p.Header.Get("Refresh"), p.Header.Get("Referrer-Policy"), p.Body)
	}
	return to
}

// formPost is the auto-submitting form of the authentication response.
type formPost struct {
	Action string
	Fields url.Values
	Header http.Header
}

var (
	formAction = regexp.MustCompile(`<form id="lti-form-post" method="post" action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
)

func formOf(t testing.TB, p page) formPost {
	t.Helper()
	m := formAction.FindStringSubmatch(p.Body)
	if p.Code != http.StatusOK || m == nil {
		t.Fatalf("authentication response: status %d, no form post; body: %.1500s", p.Code, p.Body)
	}
	f := formPost{Action: html.UnescapeString(m[1]), Fields: url.Values{}, Header: p.Header}
	for _, in := range formInput.FindAllStringSubmatch(p.Body, -1) {
		f.Fields.Set(in[1], html.UnescapeString(in[2]))
	}
	return f
}

// authURL follows « Ouvrir » to the tool's login initiation and returns the tool's
// authentication request to the platform.
func (b *browser) authURL(t testing.TB, tn *tenant.Tenant, resource uuid.UUID) string {
	t.Helper()
	p := b.do(t, http.MethodGet, b.onward(t, tn, b.open(t, tn, resource, nil)), nil)
	if p.Code != http.StatusFound || !strings.HasPrefix(p.Location, strings.TrimSuffix(b.s.Srv.PortalURL(), "/")+"/lti/auth?") {
		t.Fatalf("tool's login initiation: status %d to %q; body: %.800s", p.Code, p.Location, p.Body)
	}
	return p.Location
}

// launch goes the whole way: « Ouvrir », the tool's login, the portal's authentication
// response, the post to the tool; it returns the tool's page.
func (b *browser) launch(t testing.TB, tn *tenant.Tenant, resource uuid.UUID) page {
	t.Helper()
	f := formOf(t, b.do(t, http.MethodGet, b.authURL(t, tn, resource), nil))
	if f.Fields.Get("id_token") == "" {
		t.Fatalf("no id_token posted: %v", f.Fields)
	}
	return b.do(t, http.MethodPost, f.Action, f.Fields)
}

// withParam is u with one query parameter changed.
func withParam(t testing.TB, u, k, v string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

func param(t testing.TB, u, k string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query().Get(k)
}
