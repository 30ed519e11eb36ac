package resources_test

// The platform's signing keys: published on the portal without a session, rotated every 90
// days by the job (clock injected), the old key published 7 more days so that a token it
// signed still verifies, then gone.

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

func TestLTIKeyRotation(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(91, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	tool := s.addTool(t, "manuels")
	book := s.addResource(t, tool.ID, "Maths 2nde", "")
	s.subscribe(t, alpha, book, tool.ID, resources.TargetEleves)
	b := s.tokenOf(alice)
	jwksURL := strings.TrimSuffix(s.Srv.PortalURL(), "/") + "/lti/jwks.json"
	anonymous := &browser{s: s}
	kids := func(t *testing.T) []string {
		t.Helper()
		p := anonymous.do(t, http.MethodGet, jwksURL, nil)
		if p.Code != http.StatusOK || !strings.Contains(p.Header.Get("Cache-Control"), "max-age=") {
			t.Fatalf("JWKS: %d, Cache-Control %q", p.Code, p.Header.Get("Cache-Control"))
		}
		var set struct {
			Keys []struct {
				Kid, Kty, Alg, Use, N, E, D string
			}
		}
		if err := json.Unmarshal([]byte(p.Body), &set); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range set.Keys {
			if k.D != "" || k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.N == "" {
				t.Errorf("published key %+v: want a public RS256 signing key", k)
			}
			out = append(out, k.Kid)
		}
		return out
	}
	job := func(t *testing.T) string {
		t.Helper()
		kid, err := s.svc.RotateLTIKeys(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return kid
	}

	first := kids(t)
	if len(first) != 1 {
		t.Fatalf("first JWKS: %v, want one key made on first need", first)
	}
	var sealed string
	if err := s.Reg.Platform().Raw(`SELECT private_key FROM platform.lti_keys`).Scan(&sealed).Error; err != nil || !strings.HasPrefix(sealed, "aesgcm1:") || strings.Contains(sealed, "PRIVATE KEY") {
		t.Fatalf("the private key is stored sealed: %v %.40s", err, sealed)
	}
	if kid := job(t); kid != "" {
		t.Errorf("a rotation of a new key made %s", kid)
	}
	b.launch(t, alpha, book)
	if l := tool.Launches()[0]; l.Kid != first[0] {
		t.Errorf("signed with %q, want %q", l.Kid, first[0])
	}

	// 90 days on: a launch signed with the old key is under way when the job rotates.
	s.Clock.Advance(90 * 24 * time.Hour)
	held := formOf(t, b.do(t, http.MethodGet, b.authURL(t, alpha, book), nil))
	second := job(t)
	if second == "" || second == first[0] {
		t.Fatalf("rotation at 90 days: %q", second)
	}
	if got := kids(t); !slices.Contains(got, first[0]) || !slices.Contains(got, second) || len(got) != 2 {
		t.Fatalf("JWKS during the overlap: %v, want %s and %s", got, second, first[0])
	}
	if p := b.do(t, http.MethodPost, held.Action, held.Fields); p.Code != http.StatusOK {
		t.Fatalf("a token of the old key during the overlap: %d %.300s", p.Code, p.Body)
	}
	if l := tool.Launches()[1]; l.Kid != first[0] {
		t.Errorf("the held launch was signed with %q", l.Kid)
	}
	b.launch(t, alpha, book)
	if l := tool.Launches()[2]; l.Kid != second {
		t.Errorf("after the rotation, signed with %q, want %q", l.Kid, second)
	}
	if kid := job(t); kid != "" {
		t.Errorf("a second run rotated again: %s", kid)
	}

	// 7 days after the rotation the old key is no longer published, then deleted.
	s.Clock.Advance(7*24*time.Hour + time.Minute)
	if got := kids(t); !slices.Equal(got, []string{second}) {
		t.Errorf("JWKS after the overlap: %v, want only %s", got, second)
	}
	job(t)
	var n int
	s.Reg.Platform().Raw(`SELECT count(*) FROM platform.lti_keys`).Scan(&n)
	if n != 1 {
		t.Errorf("keys kept after the overlap: %d, want 1", n)
	}
	set, err := jwk.Parse([]byte(anonymous.do(t, http.MethodGet, jwksURL, nil).Body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify([]byte(held.Fields.Get("id_token")), jws.WithKeySet(set)); err == nil {
		t.Errorf("a token of the deleted key still verifies against the JWKS")
	}
	b.launch(t, alpha, book)
	if l := tool.Launches()[3]; l.Kid != second {
		t.Errorf("signed with %q after the overlap", l.Kid)
	}
}

func TestLTIKeysSealedWithTheSecret(t *testing.T) {
	s := newLTISite(t)
	first, err := s.svc.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Another server with another secret key cannot open the key: it makes a new one and
	// the unreadable one is retired (still published for its overlap).
	other := resources.NewService(s.Reg.DB(), resources.NewCatalogue(s.Reg.Platform()), s.Clock.Now).
		WithLTI(resources.LTIConfig{Issuer: s.Srv.PortalURL(), SecretKey: []byte("0123456789abcdef0123456789abcdef")})
	kid, err := other.RotateLTIKeys(t.Context())
	if err != nil || kid == "" {
		t.Fatalf("rotation with another secret key: %q %v", kid, err)
	}
	both, err := other.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var a, c struct{ Keys []struct{ Kid string } }
	json.Unmarshal(first, &a)
	json.Unmarshal(both, &c)
	if len(a.Keys) != 1 || len(c.Keys) != 2 || c.Keys[0].Kid != kid {
		t.Errorf("keys before %v, after %v", a.Keys, c.Keys)
	}
}

func TestLTIRotationJobPlanned(t *testing.T) {
	svc := resources.NewService(nil, nil, nil)
	log := slog.New(slog.DiscardHandler)
	w := resources.Work(svc.Jobs(noTenants{}, log))
	if len(w.PeriodicJobs()) == 0 {
		t.Fatal("no periodic job")
	}
	w.AddWorkers(river.NewWorkers()) // registers the rotation's worker (twice would panic)
	var labelled bool
	for _, x := range svc.Jobs(noTenants{}, log) {
		if l, ok := x.(interface{ JobLabels() map[string]string }); ok && l.JobLabels()["resources.lti_keys_rotate"] != "" {
			labelled = true
		}
	}
	if !labelled {
		t.Error("the rotation job has no French label for the console")
	}
}

type noTenants struct{}

func (noTenants) Live(context.Context) ([]tenant.Tenant, error) { return nil, nil }
