package testenv

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/ops/localstack"
)

// EnvStripeMock names a running stripe-mock's URL to use instead of starting one (a test
// binary re-executed as a child gets its parent's).
const EnvStripeMock = "CARTABLE_TEST_STRIPE_MOCK"

var stripeMock struct {
	once sync.Once
	url  string
	err  error
}

// StripeMock returns the URL (no trailing slash) of a stripe-mock, Stripe's stateless API
// mock, started once per test binary from the project's .bin/stripe-mock (installed by `make
// stripe-mock`) and stopped with the binary. Without the binary the test fails and says how
// to install it: tests needing Stripe are never skipped.
func StripeMock(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvStripeMock); u != "" {
		return u
	}
	stripeMock.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Its log goes to a folder of its own: the test binary outlives any test's TempDir.
		// The process ends with the test binary (Pdeathsig).
		m, err := localstack.StartStripeMock(ctx, localstack.StripeMockOptions{})
		if err != nil {
			stripeMock.err = err
			return
		}
		stripeMock.url = m.URL()
	})
	if stripeMock.err != nil {
		t.Fatalf("testenv: this test needs stripe-mock: %v (run `make stripe-mock`)", stripeMock.err)
	}
	return stripeMock.url
}
