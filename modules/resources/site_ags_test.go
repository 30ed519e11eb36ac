package resources_test

// The scores' test site: two lycées behind the real router (tenant and portal hosts), real
// PostgreSQL and Kratos, the grades module for the drafts, and three LTI tools of the test,
// each with its own RSA key registered as the tool's public key: A and B send scores, C does
// not. Alpha subscribes to A and B; Bravo to nothing.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

type agsTool struct {
	ID       uuid.UUID
	ClientID string
	Key      *rsa.PrivateKey
	Tool     *resources.Tool // as the platform reads it (its pseudonym salt)
}

type agsSite struct {
	*moduletest.Site
	t              testing.TB
	svc            *resources.Service
	queue          *plannedJobs
	alpha, bravo   *tenant.Tenant
	class1, class2 uuid.UUID
	bravoClass     uuid.UUID
	claire, paul   directorytest.Member // Claire teaches 2nde 1 (maths), Paul 2nde 2
	direction      directorytest.Member
	alice, bob     directorytest.Member // 2nde 1
	zoe            directorytest.Member // 2nde 2
	bravoDirection directorytest.Member
	leo            directorytest.Member // Bravo's pupil
	a, b, c        agsTool
}

// plannedJobs records the jobs enqueued (the test runs them).
type plannedJobs struct{ jobs []river.JobArgs }

func (q *plannedJobs) InsertTx(_ *gorm.DB, _ *tenant.Tenant, args river.JobArgs, _ time.Time) error {
	q.jobs = append(q.jobs, args)
	return nil
}

// lister is the live establishments of the site.
type lister []*tenant.Tenant

func (l lister) Live(context.Context) ([]tenant.Tenant, error) {
	out := make([]tenant.Tenant, len(l))
	for i, t := range l {
		out[i] = *t
	}
	return out, nil
}

func newAGSSite(t testing.TB) *agsSite {
	t.Helper()
	site := moduletest.New(t, moduletest.Options{Templates: []fs.FS{resources.Templates}, LogWarnings: true})
	s := &agsSite{Site: site, t: t, queue: &plannedJobs{}, class1: uuid.New(), class2: uuid.New(), bravoClass: uuid.New()}
	gradesSvc := grades.NewService(site.Reg.DB(), site.Clock.Now)
	s.svc = resources.NewService(site.Reg.DB(), resources.NewCatalogue(site.Reg.Platform()), site.Clock.Now).
		WithGrades(gradesSvc, site.Srv.PortalURL()).WithExportQueue(s.queue)
	if err := site.Auth.MountModule(identity.Hosts{Tenant: site.Srv.Tenants(), Portal: site.Srv.Portal(), Admin: site.Srv.Admin(), AdminAPI: site.Srv.AdminAPI().Group("", site.Auth.AdminAPI)},
		resources.NewHandler(s.svc).Module()); err != nil {
		t.Fatalf("mount resources: %v", err)
	}
	s.alpha = site.Establishment(401, "Lycée Alpha")
	s.bravo = site.Establishment(402, "Lycée Bravo")
	year := site.Year()
	for _, tn := range []*tenant.Tenant{s.alpha, s.bravo} {
		site.Exec(tn, `INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques'), ('PHYS', 'Physique-chimie') ON CONFLICT DO NOTHING`)
	}
	site.Exec(s.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		s.class1, year, s.class2, year)
	site.Exec(s.bravo, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?)`, s.bravoClass, year)
	s.claire = site.Member(s.alpha, identity.RoleEnseignant, "Claire", "Lefèvre")
	s.paul = site.Member(s.alpha, identity.RoleEnseignant, "Paul", "Collègue")
	s.direction = site.Member(s.alpha, identity.RoleDirection, "Denise", "Proviseure")
	s.alice = site.Member(s.alpha, identity.RoleEleve, "Alice", "Martin")
	s.bob = site.Member(s.alpha, identity.RoleEleve, "Bob", "Bernard")
	s.zoe = site.Member(s.alpha, identity.RoleEleve, "Zoé", "Petit")
	s.bravoDirection = site.Member(s.bravo, identity.RoleDirection, "Bruno", "Bravo")
	s.leo = site.Member(s.bravo, identity.RoleEleve, "Léo", "Bravo")
	site.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?), (?, ?)`,
		s.class1, s.alice.PersonID, s.class1, s.bob.PersonID, s.class2, s.zoe.PersonID)
	site.Exec(s.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'MATHS'), (?, ?, 'MATHS')`,
		s.claire.PersonID, s.class1, s.paul.PersonID, s.class2)
	site.Exec(s.bravo, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, s.bravoClass, s.leo.PersonID)

	pub := uuid.New()
	s.platformExec(`INSERT INTO platform.resource_publishers (id, name) VALUES (?, 'Éditions du Test')`, pub)
	s.a = s.addTool(pub, "Maths en ligne", true)
	s.b = s.addTool(pub, "Physique en ligne", true)
	s.c = s.addTool(pub, "Dictionnaire", false)
	day := site.Clock.Now()
	for _, tool := range []agsTool{s.a, s.b} {
		res := uuid.New()
		s.platformExec(`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type) VALUES (?, ?, ?, ?, 'outil')`, res, pub, tool.ID, "Ressource "+tool.ClientID)
		site.Exec(s.alpha, `INSERT INTO resource_subscriptions (resource_id, tool_id, deployment_id, starts_on, ends_on, kind, target, licence_mode, created_at)
			VALUES (?, ?, 'dep-1', ?, ?, 'etablissement', 'tous', 'illimite', ?)`, res, tool.ID, day.AddDate(0, -1, 0), day.AddDate(0, 8, 0), day)
	}
	return s
}

func (s *agsSite) platformExec(q string, args ...any) {
	s.t.Helper()
	if err := s.Reg.Platform().Exec(q, args...).Error; err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

func (s *agsSite) addTool(pub uuid.UUID, name string, scores bool) agsTool {
	s.t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		s.t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		s.t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	salt := make([]byte, 32)
	_, _ = rand.Read(salt)
	tt := agsTool{ID: uuid.New(), ClientID: "client-" + uuid.NewString()[:8], Key: key}
	s.platformExec(`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, client_id, login_url, launch_url, public_key, deployment_ids, scores, pseudonym_salt)
		VALUES (?, ?, ?, 'lti', ?, 'https://outil.test/login', 'https://outil.test/launch', ?, ARRAY['dep-1'], ?, ?)`,
		tt.ID, pub, name, tt.ClientID, pemKey, scores, salt)
	tt.Tool = &resources.Tool{ID: tt.ID, Kind: resources.ToolLTI, Scores: scores, PseudonymSalt: salt}
	return tt
}

// assertion is a client assertion of the tool, changed by edit before it is signed.
func (s *agsSite) assertion(tool agsTool, edit func(b *jwt.Builder) *jwt.Builder) string {
	s.t.Helper()
	now := s.Clock.Now()
	b := jwt.NewBuilder().Issuer(tool.ClientID).Subject(tool.ClientID).Audience([]string{s.Srv.PortalURL() + "lti/token"}).
		IssuedAt(now).Expiration(now.Add(4 * time.Minute)).JwtID(uuid.NewString())
	if edit != nil {
		b = edit(b)
	}
	tok, err := b.Build()
	if err != nil {
		s.t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), tool.Key))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(signed)
}

// tokenRequest posts a token request with the assertion.
func (s *agsSite) tokenRequest(assertion, scope string) *httptest.ResponseRecorder {
	form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion": {assertion}, "scope": {scope}}
	return s.portal(http.MethodPost, "/lti/token", "", "application/x-www-form-urlencoded", form.Encode())
}

// token gets an access token of every AGS scope for the tool.
func (s *agsSite) token(tool agsTool) string {
	s.t.Helper()
	rec := s.tokenRequest(s.assertion(tool, nil), strings.Join([]string{resources.ScopeLineItem, resources.ScopeScore, resources.ScopeResultReadOnly}, " "))
	moduletest.WantCode(s.t, rec, http.StatusOK, "token of "+tool.ClientID)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.AccessToken == "" {
		s.t.Fatalf("token answer %s: %v", rec.Body, err)
	}
	return out.AccessToken
}

// portal serves a request on the portal's host (path from the host on, or a whole URL).
func (s *agsSite) portal(method, path, token, contentType, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	path = strings.TrimPrefix(path, strings.TrimSuffix(s.Srv.PortalURL(), "/"))
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Host = moduletest.BaseDomain
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.Srv.ServeHTTP(rec, req)
	return rec
}

// lineItems is the line items' container of a class of an establishment.
func (s *agsSite) lineItems(tn *tenant.Tenant, class uuid.UUID) string {
	return "/lti/ags/" + tn.ID.String() + "/" + class.String() + "/lineitems"
}

// createLineItem creates a line item with the token and returns its URL.
func (s *agsSite) createLineItem(token string, tn *tenant.Tenant, class uuid.UUID, label string, maximum float64) string {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"label": label, "scoreMaximum": maximum, "resourceLinkId": "rl-1", "tag": "quiz"})
	rec := s.portal(http.MethodPost, s.lineItems(tn, class), token, "application/vnd.ims.lis.v2.lineitem+json", string(body))
	moduletest.WantCode(s.t, rec, http.StatusCreated, "create line item")
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.ID == "" {
		s.t.Fatalf("line item answer %s: %v", rec.Body, err)
	}
	return out.ID
}

func (s *agsSite) score(token, item, user string, given, maximum float64, at time.Time) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]any{"userId": user, "scoreGiven": given, "scoreMaximum": maximum, "comment": "Bien",
		"timestamp": at.Format(time.RFC3339), "activityProgress": "Completed", "gradingProgress": "FullyGraded"})
	return s.portal(http.MethodPost, item+"/scores", token, "application/vnd.ims.lis.v1.score+json", string(body))
}
