package apitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckNamesTheOperationAndTheSchemaError: an answer of the wrong shape fails with the
// operation and what is wrong; the right shape passes; an undocumented path passes only
// when refused.
func TestCheckNamesTheOperationAndTheSchemaError(t *testing.T) {
	d := Load(t)
	answer := func(status int, body string) *http.Response {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "application/json")
		rec.WriteHeader(status)
		rec.WriteString(body)
		return rec.Result()
	}
	req := func(host, path string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Host = host
		return r
	}
	tests := []struct {
		name, host, path string
		status           int
		body             string
		wantErr          []string // empty: no error
	}{
		{"periods of the right shape", "lycee.cartable.test", "/api/v1/periodes", 200, `{"periods": []}`, nil},
		{"periods of the wrong shape", "lycee.cartable.test", "/api/v1/periodes", 200, `{"periods": "none"}`, []string{"/api/v1/periodes", "periods"}},
		{"undocumented status", "lycee.cartable.test", "/api/v1/periodes", 418, `{"error": "x"}`, []string{"/api/v1/periodes", "418"}},
		{"tenant path on the admin host, refused", "admin.cartable.test", "/api/v1/periodes", 404, `{"error": "x"}`, nil},
		{"undocumented path answered", "admin.cartable.test", "/api/v1/nowhere", 200, `{}`, []string{"/api/v1/nowhere", "not documented"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.Check(req(tc.host, tc.path), nil, answer(tc.status, tc.body))
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one naming %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestEchoPath(t *testing.T) {
	for in, want := range map[string]string{"/api/v1/evaluations/:id/notes": "/evaluations/{id}/notes", "/api/v1/me": "/me", "/api/v10": "", "/notes": ""} {
		got, _ := EchoPath(in)
		if got != want {
			t.Errorf("EchoPath(%q) = %q, want %q", in, got, want)
		}
	}
}
