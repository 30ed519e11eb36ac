package testenv

import (
	"os"
	"testing"
)

// Environment variables naming the Kratos shared by a test run (set by
// pgrun): its public and admin APIs, reached directly on 127.0.0.1.
const (
	EnvKratosPublic = "CARTABLE_TEST_KRATOS_PUBLIC"
	EnvKratosAdmin  = "CARTABLE_TEST_KRATOS_ADMIN"
)

// Kratos returns the public and admin URLs (no trailing slash) of the Ory
// Kratos shared by the test run. pgrun starts it with its own database, the
// cookie domain cartable.test, browsers' public URL http://auth.cartable.test/
// and the login pages on http://cartable.test. Identities created by a test
// are visible to the others: give them random usernames.
//
// When the variables are not set, the test fails with instructions: tests
// needing Kratos are never skipped.
func Kratos(t testing.TB) (publicURL, adminURL string) {
	t.Helper()
	publicURL, adminURL = os.Getenv(EnvKratosPublic), os.Getenv(EnvKratosAdmin)
	if publicURL == "" || adminURL == "" {
		t.Fatalf("testenv: this test needs Ory Kratos but %s and %s are not set: run the tests with `make test` "+
			"(or: go run ./ops/testenv/pgrun -- go test ./...), which builds and starts Kratos, or set both "+
			"variables to the public and admin URLs of a running Kratos", EnvKratosPublic, EnvKratosAdmin)
	}
	return publicURL, adminURL
}
