package main

import (
	"net/http"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cartable-ent/cartable/tenant"
)

// Every establishment the scenario can open has a valid UAI, and no two share one.
func TestLoadUAI(t *testing.T) {
	seen := map[string]bool{}
	for i := range 9999 {
		u := loadUAI(i)
		if _, err := tenant.ParseUAI(u); err != nil {
			t.Fatalf("loadUAI(%d) = %s: %v", i, u, err)
		}
		if seen[u] {
			t.Fatalf("loadUAI(%d) = %s twice", i, u)
		}
		seen[u] = true
	}
}

func TestRouteOfAndSuccess(t *testing.T) {
	const base = "http://127.0.0.1:8080"
	tests := []struct {
		method, path string
		code         int
		location     string
		route        string
		ok           bool
	}{
		{"GET", "/notes", 200, "", routeMarks, true},
		{"GET", "/notes", 303, "/connexion", routeMarks, false}, // an expired session
		{"GET", "/api/v1/me", 200, "", routeMe, true},
		{"GET", "/api/v1/me", 503, "", routeMe, false},
		{"GET", "/bulletins/p/eleves/e", 200, "", routeCard, true},
		{"GET", "/bulletins/p/eleves/e/pdf", 200, "", routePDF, true},
		{"POST", "/notes/evaluations/x/saisie", 303, "/notes/evaluations/x/saisie?ok=notes", routeGrid, true},
		{"POST", "/notes/evaluations/x/saisie", 422, "", routeGrid, false},
		{"POST", "/notes/evaluations/x/saisie", 303, "/connexion", routeGrid, false},
		{"POST", "/notes/evaluations/x/saisie", 200, "", routeGrid, false},
	}
	for _, tt := range tests {
		r := &vegeta.Result{Method: tt.method, URL: base + tt.path, Code: uint16(tt.code), Headers: http.Header{"Location": {tt.location}}}
		if got := routeOf(r); got != tt.route {
			t.Errorf("routeOf(%s %s) = %s, want %s", tt.method, tt.path, got, tt.route)
		}
		if got := succeeded(tt.route, r); got != tt.ok {
			t.Errorf("succeeded(%s %s → %d %s) = %v, want %v", tt.method, tt.path, tt.code, tt.location, got, tt.ok)
		}
	}
}

func TestStats(t *testing.T) {
	s := &stats{}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for i := 1; i <= 100; i++ {
		code := uint16(200)
		if i%10 == 0 {
			code = 503
		}
		s.add(routeMarks, &vegeta.Result{Code: code, Latency: time.Duration(i) * time.Millisecond, Timestamp: at})
	}
	s.finish()
	if s.Requests != 100 || s.OK != 90 || s.Failures["503"] != 10 {
		t.Fatalf("requests %d, ok %d, failures %v", s.Requests, s.OK, s.Failures)
	}
	if p50, p99 := s.quantile(0.5), s.quantile(0.99); p50 != 51*time.Millisecond || p99 != 100*time.Millisecond {
		t.Errorf("p50 %s, p99 %s", p50, p99)
	}
	if got := s.Throughput(9 * time.Second); got != 10 {
		t.Errorf("throughput %v, want 10", got)
	}
	if got := share(350, 54000); got != "1/154" {
		t.Errorf("share = %s", got)
	}
}

func TestPgbenchOutput(t *testing.T) {
	out := `pgbench (15.10 (Debian 15.10-0+deb12u1))
transaction type: <builtin: select only>
number of clients: 16
latency average = 0.296 ms
initial connection time = 21.385 ms
tps = 54012.345678 (without initial connection time)
`
	m := tpsLine.FindStringSubmatch(out)
	if m == nil || m[1] != "54012.345678" {
		t.Fatalf("tps line not read: %v", m)
	}
}

func TestFlags(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil || o.Tenants != 1000 || o.Clients != 16 || len(o.Rates) != 4 || o.Rates[3] != 400 {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"-rates", "50,x"}, {"-tenants", "0"}, {"-tenants", "10000"}, {"-clients", "0"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if o, _ := parseFlags([]string{"-tenants", "2", "-full", "5"}); o.Full != 2 {
		t.Errorf("-full not capped by -tenants: %d", o.Full)
	}
}
