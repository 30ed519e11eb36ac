package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Targets of issue 8 (2 cores, 1,000 establishments provisioned, 16 concurrent clients).
const (
	marksShare = 30                    // the pupil's marks page: at least 1/30 of pgbench -S
	marksP99   = 50 * time.Millisecond // with p99 at most this
	meShare    = 8                     // GET /api/v1/me: at least 1/8 of pgbench -S
)

// summary is what a run measured, as printed and as written by -json.
type summary struct {
	At             time.Time    `json:"at"`
	Tenants        int          `json:"tenants"`
	Populated      int          `json:"populated"`
	CPUs           int          `json:"cpus"`
	LoadAverage    [2]string    `json:"load_average"` // /proc/loadavg before and after the load
	ProvisionSecs  float64      `json:"provision_seconds"`
	Pgbench        string       `json:"pgbench_command"`
	PgbenchTPS     float64      `json:"pgbench_tps"`
	Runs           []runSummary `json:"runs"`
	MarksReqPerSec float64      `json:"marks_alone_req_per_s"`
	MarksP99Ms     float64      `json:"marks_alone_p99_ms"`
	MeReqPerSec    float64      `json:"me_alone_req_per_s"`
	MarksRateMet   bool         `json:"target_marks_rate_met"`
	MarksP99Met    bool         `json:"target_marks_p99_met"`
	MeRateMet      bool         `json:"target_me_rate_met"`
}

type runSummary struct {
	Name    string         `json:"name"`
	Rate    int            `json:"rate"` // 0: closed loop
	Clients int            `json:"clients,omitempty"`
	Seconds float64        `json:"seconds"`
	Routes  []routeSummary `json:"routes"`
}

type routeSummary struct {
	Route    string         `json:"route"`
	Requests int            `json:"requests"`
	OK       int            `json:"ok"`
	PerSec   float64        `json:"req_per_s"`
	P50Ms    float64        `json:"p50_ms"`
	P99Ms    float64        `json:"p99_ms"`
	Failures map[string]int `json:"failures,omitempty"`
}

// routeOrder is the order routes are printed in.
var routeOrder = []string{routeMarks, routeCard, routeGrid, routePDF, routeMe, routeMixAll}

// summarize computes every run's figures per route and the targets, which are judged on the
// routes run alone at the closed-loop clients.
func summarize(o options, runs []*attackRun, pgb *pgbenchResult, provisioning time.Duration, loadBefore, loadAfter string) *summary {
	sum := &summary{At: time.Now().UTC(), Tenants: o.Tenants, Populated: o.Full, CPUs: runtime.NumCPU(),
		LoadAverage: [2]string{loadBefore, loadAfter}, ProvisionSecs: provisioning.Seconds(), Pgbench: pgb.Command, PgbenchTPS: pgb.TPS}
	for _, ru := range runs {
		rs := runSummary{Name: ru.Name, Rate: ru.Rate, Clients: ru.Clients, Seconds: ru.Wall.Seconds()}
		for _, key := range routeOrder {
			s := ru.Routes[key]
			if s == nil || (key == routeMixAll && len(ru.Routes) == 2) { // one route alone: no total
				continue
			}
			rs.Routes = append(rs.Routes, routeSummary{Route: key, Requests: s.Requests, OK: s.OK, PerSec: s.Throughput(ru.Wall),
				P50Ms: msOf(s.quantile(0.50)), P99Ms: msOf(s.quantile(0.99)), Failures: s.Failures})
		}
		sum.Runs = append(sum.Runs, rs)
		switch ru.Alone {
		case routeMarks:
			s := ru.Routes[routeMarks]
			sum.MarksReqPerSec, sum.MarksP99Ms = s.Throughput(ru.Wall), msOf(s.quantile(0.99))
		case routeMe:
			sum.MeReqPerSec = ru.Routes[routeMe].Throughput(ru.Wall)
		}
	}
	sum.MarksRateMet = sum.MarksReqPerSec*marksShare >= pgb.TPS
	sum.MarksP99Met = sum.MarksP99Ms > 0 && sum.MarksP99Ms <= msOf(marksP99)
	sum.MeRateMet = sum.MeReqPerSec*meShare >= pgb.TPS
	return sum
}

// report prints every run's figures per route, then the targets and whether they are met.
func report(out io.Writer, o options, rs []*route, sum *summary) {
	fmt.Fprintf(out, "\n=== Results: %d establishments provisioned (%d populated and visited), %s, %d CPUs\n",
		sum.Tenants, sum.Populated, sum.At.Format("2006-01-02 15:04 UTC"), sum.CPUs)
	fmt.Fprintf(out, "machine load average (1, 5, 15 min) before the load: %s; after: %s\n", sum.LoadAverage[0], sum.LoadAverage[1])
	fmt.Fprintf(out, "reference: %s = %.0f tps\n", sum.Pgbench, sum.PgbenchTPS)
	labels := map[string]string{routeMixAll: "all routes"}
	for _, r := range rs {
		labels[r.Key] = r.Label
	}
	for _, ru := range sum.Runs {
		mode := fmt.Sprintf("open loop at %d req/s", ru.Rate)
		if ru.Rate == 0 {
			mode = fmt.Sprintf("closed loop, %d clients", ru.Clients)
		}
		fmt.Fprintf(out, "\n%s (%s, %.1fs)\n", ru.Name, mode, ru.Seconds)
		fmt.Fprintf(out, "  %-56s %9s %8s %9s %9s %9s %10s\n", "route", "requests", "success", "req/s", "p50", "p99", "vs pgbench")
		var failures []string
		for _, r := range ru.Routes {
			fmt.Fprintf(out, "  %-56s %9d %7.1f%% %9.1f %8.1fms %8.1fms %10s\n", labels[r.Route], r.Requests, 100*float64(r.OK)/float64(max(r.Requests, 1)),
				r.PerSec, r.P50Ms, r.P99Ms, share(r.PerSec, sum.PgbenchTPS))
			if len(r.Failures) > 0 {
				failures = append(failures, fmt.Sprintf("%s: %s", r.Route, describeFailures(r.Failures)))
			}
		}
		for _, f := range failures {
			fmt.Fprintf(out, "  failures (status × count) %s\n", f)
		}
	}

	fmt.Fprintf(out, "\n=== Targets of issue 8 (%d clients, %d establishments provisioned; pgbench -S %.0f tps)\n", o.Clients, o.Tenants, sum.PgbenchTPS)
	if o.Tenants < 1000 || o.Clients != 16 {
		fmt.Fprintf(out, "  (the targets are set for 1,000 establishments and 16 clients: this run is indicative only)\n")
	}
	fmt.Fprintf(out, "  pupil marks page (HTML), alone: %.0f req/s = %s of pgbench (target ≥ 1/%d = %.0f req/s): %s; p99 %.1fms (target ≤ %s): %s\n",
		sum.MarksReqPerSec, share(sum.MarksReqPerSec, sum.PgbenchTPS), marksShare, sum.PgbenchTPS/marksShare, verdict(sum.MarksRateMet),
		sum.MarksP99Ms, marksP99, verdict(sum.MarksP99Met))
	fmt.Fprintf(out, "  GET /api/v1/me, alone: %.0f req/s = %s of pgbench (target ≥ 1/%d = %.0f req/s): %s\n",
		sum.MeReqPerSec, share(sum.MeReqPerSec, sum.PgbenchTPS), meShare, sum.PgbenchTPS/meShare, verdict(sum.MeRateMet))
	fmt.Fprintf(out, "  provisioning: %d establishments in %.0fs\n", o.Tenants, sum.ProvisionSecs)
}

func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// writeSummary writes the figures as JSON.
func writeSummary(path string, sum *summary) error {
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// loadAverage is the machine's load (1, 5 and 15 minutes): on a shared machine, figures
// mean little without it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// share writes a throughput as a fraction of pgbench's: "1/154".
func share(tput, tps float64) string {
	if tput <= 0 {
		return "-"
	}
	return fmt.Sprintf("1/%.0f", tps/tput)
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func describeFailures(f map[string]int) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s × %d", k, f[k])
	}
	return strings.Join(parts, ", ")
}
