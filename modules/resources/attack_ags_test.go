package resources_test

// Attacks on the AGS token endpoint with forged client assertions: no signature, an HMAC
// keyed with the tool's public key, a header naming another tool's key, a token of another
// establishment's context.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
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

// handAssertion builds a client assertion by hand: header, claims, and a signature made
// by sign over "header.claims" (nil: none).
func handAssertion(t *testing.T, s *agsSite, tool agsTool, header map[string]any, sign func(in []byte) []byte) string {
	t.Helper()
	now := s.Clock.Now()
	claims := map[string]any{"iss": tool.ClientID, "sub": tool.ClientID, "aud": s.Srv.PortalURL() + "lti/token",
		"iat": now.Unix(), "exp": now.Add(4 * time.Minute).Unix(), "jti": uuid.NewString()}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	in := enc(header) + "." + enc(claims)
	sig := ""
	if sign != nil {
		sig = base64.RawURLEncoding.EncodeToString(sign([]byte(in)))
	}
	return in + "." + sig
}

func TestAttackAGSForgedAssertions(t *testing.T) {
	s := newAGSSite(t)
	der, err := x509.MarshalPKIXPublicKey(&s.a.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hmacWith := func(key []byte) func([]byte) []byte {
		return func(in []byte) []byte {
			m := hmac.New(sha256.New, key)
			m.Write(in)
			return m.Sum(nil)
		}
	}
	cases := map[string]string{
		"alg none":                          handAssertion(t, s, s.a, map[string]any{"alg": "none", "typ": "JWT"}, nil),
		"alg None":                          handAssertion(t, s, s.a, map[string]any{"alg": "None", "typ": "JWT"}, nil),
		"HS256 keyed with the PEM":          handAssertion(t, s, s.a, map[string]any{"alg": "HS256", "typ": "JWT"}, hmacWith(pemKey)),
		"HS256 keyed with the DER":          handAssertion(t, s, s.a, map[string]any{"alg": "HS256", "typ": "JWT"}, hmacWith(der)),
		"embedded jwk of the attacker":      handAssertion(t, s, s.a, map[string]any{"alg": "HS256", "jwk": map[string]any{"kty": "oct", "k": "YQ"}}, hmacWith([]byte("a"))),
		"RS256 signed by B, iss A, kid B":   forgedBy(t, s, s.a, s.b),
		"unsigned, iss another tool's, kid": handAssertion(t, s, s.b, map[string]any{"alg": "none", "kid": s.a.ClientID}, nil),
	}
	for name, assertion := range cases {
		t.Run(name, func(t *testing.T) {
			rec := s.tokenRequest(assertion, "https://purl.imsglobal.org/spec/lti-ags/scope/score")
			if strings.Contains(rec.Body.String(), "access_token") {
				t.Fatalf("a token was granted: %s", rec.Body)
			}
			moduletest.WantCode(t, rec, http.StatusUnauthorized, name)
		})
	}
	// a token is no key to another establishment, nor to a class of another one
	tok := s.token(s.a)
	for what, path := range map[string]string{
		"Bravo, not subscribed":  s.lineItems(s.bravo, s.bravoClass),
		"Bravo's class in Alpha": s.lineItems(s.alpha, s.bravoClass),
		"Alpha as its own class": s.lineItems(s.alpha, s.alpha.ID),
	} {
		moduletest.WantCode(t, s.portal(http.MethodGet, path, tok, "", ""), http.StatusNotFound, what)
	}
}

// forgedBy is an RS256 assertion claiming to be tool's, signed with signer's key, its
// header naming signer's client id as kid.
func forgedBy(t *testing.T, s *agsSite, tool, signer agsTool) string {
	t.Helper()
	forged := tool
	forged.Key = signer.Key
	return s.assertion(forged, nil)
}

// An outsider posting assertions that do not verify, in the name of a tool known by its
// JWKS URL, must not make the platform fetch that JWKS again and again (each refusal was a
// request to the publisher's server: an amplifier anyone could drive).
func TestAttackAGSJWKSRefetchFlood(t *testing.T) {
	s := newAGSSite(t)
	var mu sync.Mutex
	fetches := 0
	toolKey := newJWK(t, "k1")
	set := jwk.NewSet()
	p, _ := toolKey.PublicKey()
	_ = set.AddKey(p)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetches++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	var publisher string
	if err := s.Reg.Platform().Raw(`SELECT id::text FROM platform.resource_publishers LIMIT 1`).Scan(&publisher).Error; err != nil {
		t.Fatal(err)
	}
	clientID := "jwks-" + uuid.NewString()[:8]
	s.platformExec(`INSERT INTO platform.resource_tools (publisher_id, name, kind, client_id, login_url, launch_url, jwks_url, deployment_ids, scores, pseudonym_salt)
		VALUES (?, 'Outil JWKS', 'lti', ?, 'https://outil.test/login', 'https://outil.test/launch', ?, ARRAY['dep-1'], true, ?)`,
		publisher, clientID, srv.URL+"/jwks", make([]byte, 32))
	stranger := newJWK(t, "k1") // the tool's kid, not its key
	for i := 0; i < 20; i++ {
		now := s.Clock.Now()
		tok, err := jwt.NewBuilder().Issuer(clientID).Subject(clientID).Audience([]string{s.Srv.PortalURL() + "lti/token"}).
			IssuedAt(now).Expiration(now.Add(4 * time.Minute)).JwtID(uuid.NewString()).Build()
		if err != nil {
			t.Fatal(err)
		}
		b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), stranger))
		if err != nil {
			t.Fatal(err)
		}
		moduletest.WantCode(t, s.tokenRequest(string(b), resources.ScopeScore), http.StatusUnauthorized, "a stranger's key")
	}
	mu.Lock()
	defer mu.Unlock()
	if fetches > 2 {
		t.Errorf("20 forged assertions made the platform fetch the tool's JWKS %d times", fetches)
	}
}

func newJWK(t *testing.T, kid string) jwk.Key {
	t.Helper()
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
