package resources_test

// Attacks on the AGS token endpoint with forged client assertions: no signature, an HMAC
// keyed with the tool's public key, a header naming another tool's key, a token of another
// establishment's context.

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/moduletest"
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
