package main

import (
	"fmt"
	"io"
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

// report prints every run's figures per route, then the targets and whether they
// are met (measured on the routes alone at the closed-loop clients).
func report(out io.Writer, o options, rs []*route, runs []*attackRun, pgb *pgbenchResult, provisioning time.Duration) {
	fmt.Fprintf(out, "\n=== Results: %d establishments provisioned (%d populated and visited), %s\n", o.Tenants, o.Full, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(out, "reference: %s = %.0f tps\n", pgb.Command, pgb.TPS)
	labels := map[string]string{routeMixAll: "all routes"}
	for _, r := range rs {
		labels[r.Key] = r.Label
	}
	order := []string{routeMarks, routeCard, routeGrid, routePDF, routeMe, routeMixAll}
	alone := map[string]*attackRun{} // the runs of one route alone, by route
	for _, ru := range runs {
		mode := fmt.Sprintf("open loop at %d req/s", ru.Rate)
		if ru.Rate == 0 {
			mode = fmt.Sprintf("closed loop, %d clients", ru.Clients)
		}
		fmt.Fprintf(out, "\n%s (%s, %s)\n", ru.Name, mode, ru.Wall.Round(100*time.Millisecond))
		fmt.Fprintf(out, "  %-56s %9s %8s %9s %9s %9s %10s\n", "route", "requests", "success", "req/s", "p50", "p99", "vs pgbench")
		var failures []string
		for _, key := range order {
			s := ru.Routes[key]
			if s == nil || (key == routeMixAll && len(ru.Routes) == 2) {
				continue
			}
			tput := s.Throughput(ru.Wall)
			fmt.Fprintf(out, "  %-56s %9d %7.1f%% %9.1f %9s %9s %10s\n", labels[key], s.Requests, 100*float64(s.OK)/float64(max(s.Requests, 1)),
				tput, ms(s.quantile(0.50)), ms(s.quantile(0.99)), share(tput, pgb.TPS))
			if len(s.Failures) > 0 {
				failures = append(failures, fmt.Sprintf("%s: %s", key, describeFailures(s.Failures)))
			}
			if ru.Alone == key {
				alone[key] = ru
			}
		}
		for _, f := range failures {
			fmt.Fprintf(out, "  failures (status × count) %s\n", f)
		}
	}

	fmt.Fprintf(out, "\n=== Targets of issue 8 (%d clients, %d establishments provisioned; pgbench -S %.0f tps)\n", o.Clients, o.Tenants, pgb.TPS)
	if o.Tenants < 1000 || o.Clients != 16 {
		fmt.Fprintf(out, "  (the targets are set for 1,000 establishments and 16 clients: this run is indicative only)\n")
	}
	verdict := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "NOT MET"
	}
	if ru := alone[routeMarks]; ru != nil {
		s := ru.Routes[routeMarks]
		tput := s.Throughput(ru.Wall)
		p99 := s.quantile(0.99)
		okRate, okP99 := tput*marksShare >= pgb.TPS, p99 <= marksP99
		fmt.Fprintf(out, "  pupil marks page (HTML): %.0f req/s = %s of pgbench (target ≥ 1/%d = %.0f req/s): %s; p99 %s (target ≤ %s): %s\n",
			tput, share(tput, pgb.TPS), marksShare, pgb.TPS/marksShare, verdict(okRate), ms(p99), ms(marksP99), verdict(okP99))
	}
	if ru := alone[routeMe]; ru != nil {
		tput := ru.Routes[routeMe].Throughput(ru.Wall)
		fmt.Fprintf(out, "  GET /api/v1/me: %.0f req/s = %s of pgbench (target ≥ 1/%d = %.0f req/s): %s\n",
			tput, share(tput, pgb.TPS), meShare, pgb.TPS/meShare, verdict(tput*meShare >= pgb.TPS))
	}
	fmt.Fprintf(out, "  provisioning: %d establishments in %s\n", o.Tenants, provisioning.Round(time.Second))
}

// share writes a throughput as a fraction of pgbench's: "1/154".
func share(tput, tps float64) string {
	if tput <= 0 {
		return "-"
	}
	return fmt.Sprintf("1/%.0f", tps/tput)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}

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
