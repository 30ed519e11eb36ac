package resources_test

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/modules/resources"
)

// BenchmarkAGSScore: a tool posts a pupil's score (token checked, establishment, class,
// subscription, line item, pseudonyms of the class, the upsert), server time.
func BenchmarkAGSScore(b *testing.B) {
	s := newAGSSite(b)
	token := s.token(s.a)
	item := s.createLineItem(token, s.alpha, s.class1, "Quiz", 20)
	alice := resources.Pseudonym(s.a.Tool, s.alice.IdentityID)
	at := s.Clock.Now()
	b.ResetTimer()
	for i := range b.N {
		if rec := s.score(token, item, alice, float64(i%21), 20, at); rec.Code != http.StatusNoContent {
			b.Fatalf("score: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkAGSToken: a tool obtains an access token (assertion verified, jti recorded).
func BenchmarkAGSToken(b *testing.B) {
	s := newAGSSite(b)
	assertions := make([]string, b.N)
	for i := range assertions {
		assertions[i] = s.assertion(s.a, nil)
	}
	b.ResetTimer()
	for i := range b.N {
		if rec := s.tokenRequest(assertions[i], resources.ScopeScore); rec.Code != http.StatusOK {
			b.Fatalf("token: %d %s", rec.Code, rec.Body)
		}
	}
}
