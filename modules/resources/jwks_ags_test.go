package resources_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

// A tool known by its JWKS URL: its assertions verify against the keys it publishes, also
// after it rotated them; a key it does not publish is refused.
func TestAGSTokenWithToolJWKS(t *testing.T) {
	s := newAGSSite(t)
	type published struct {
		mu  sync.Mutex
		set jwk.Set
	}
	var pub published
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pub.mu.Lock()
		defer pub.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(pub.set)
	}))
	t.Cleanup(srv.Close)
	newKey := func(kid string) jwk.Key {
		raw, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		k, err := jwk.Import(raw)
		if err != nil {
			t.Fatal(err)
		}
		_ = k.Set(jwk.KeyIDKey, kid)
		_ = k.Set(jwk.AlgorithmKey, jwa.RS256())
		return k
	}
	publish := func(keys ...jwk.Key) {
		set := jwk.NewSet()
		for _, k := range keys {
			p, err := k.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			_ = set.AddKey(p)
		}
		pub.mu.Lock()
		pub.set = set
		pub.mu.Unlock()
	}
	first, second, stranger := newKey("k1"), newKey("k2"), newKey("k3")
	publish(first)

	var publisher string
	if err := s.Reg.Platform().Raw(`SELECT id::text FROM platform.resource_publishers LIMIT 1`).Scan(&publisher).Error; err != nil {
		t.Fatal(err)
	}
	clientID := "jwks-" + uuid.NewString()[:8]
	s.platformExec(`INSERT INTO platform.resource_tools (publisher_id, name, kind, client_id, login_url, launch_url, jwks_url, deployment_ids, scores, pseudonym_salt)
		VALUES (?, 'Outil JWKS', 'lti', ?, 'https://outil.test/login', 'https://outil.test/launch', ?, ARRAY['dep-1'], true, ?)`,
		publisher, clientID, srv.URL+"/jwks", make([]byte, 32))
	signed := func(key jwk.Key) string {
		now := s.Clock.Now()
		tok, err := jwt.NewBuilder().Issuer(clientID).Subject(clientID).Audience([]string{s.Srv.PortalURL() + "lti/token"}).
			IssuedAt(now).Expiration(now.Add(4 * time.Minute)).JwtID(uuid.NewString()).Build()
		if err != nil {
			t.Fatal(err)
		}
		b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	moduletest.WantCode(t, s.tokenRequest(signed(first), resources.ScopeScore), http.StatusOK, "first key")
	publish(second) // rotated
	moduletest.WantCode(t, s.tokenRequest(signed(second), resources.ScopeScore), http.StatusOK, "rotated key")
	rec := s.tokenRequest(signed(stranger), resources.ScopeScore)
	moduletest.WantCode(t, rec, http.StatusUnauthorized, "unpublished key")
	if got := oauthError(t, rec.Body.String()); got != "invalid_client" {
		t.Errorf("unpublished key: %q", got)
	}
}
