// Command load is the load scenario of the fast path (`make load`): it starts a private stack
// (PostgreSQL, Kratos, `cartable serve` built from this tree), provisions N establishments
// (a few with people, marks and published report cards), signs people in through Kratos,
// runs `pgbench -S` on the same cluster as the reference ceiling, then drives a mix of the
// pages people use most with vegeta at rising rates and with 16 concurrent clients, and
// prints per route the throughput and latencies next to pgbench's, and whether the issue's
// targets are met. Everything it started is stopped at the end; nothing outside its folder
// is touched.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
)

// options are the scenario's flags.
type options struct {
	Bin         string
	Tenants     int
	Full        int
	Pick        int // pupils and parents signed in per populated establishment
	Teachers    int // teachers signed in per populated establishment
	Parallel    int
	Rates       []int
	Step        time.Duration // each open-loop rate
	Clients     int
	Closed      time.Duration // the closed-loop mix, and each route alone
	Warmup      time.Duration
	PgbenchTime time.Duration
	Dir         string
	Keep        bool
	JSON        string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&o.Bin, "bin", ".bin/cartable", "the cartable binary to serve with (go build -o .bin/cartable ./cmd/cartable)")
	fs.IntVar(&o.Tenants, "tenants", 1000, "establishments provisioned")
	fs.IntVar(&o.Full, "full", 4, "of which fully populated (people, marks, published report cards) and visited")
	fs.IntVar(&o.Pick, "people", 20, "pupils and legal guardians signed in per populated establishment (each)")
	fs.IntVar(&o.Teachers, "teachers", 4, "teachers signed in per populated establishment")
	fs.IntVar(&o.Parallel, "parallel", 4, "establishments provisioned at once")
	rates := fs.String("rates", "50,100,200,400", "open-loop rates of the mix, requests per second")
	fs.DurationVar(&o.Step, "step", 10*time.Second, "duration of each open-loop rate")
	fs.IntVar(&o.Clients, "clients", 16, "concurrent clients of the closed-loop runs (and pgbench's clients)")
	fs.DurationVar(&o.Closed, "closed", 10*time.Second, "duration of the closed-loop mix and of each route alone")
	fs.DurationVar(&o.Warmup, "warmup", 3*time.Second, "closed-loop mix before measuring (not reported)")
	fs.DurationVar(&o.PgbenchTime, "pgbench", 20*time.Second, "duration of pgbench -S")
	fs.StringVar(&o.Dir, "dir", "", "folder of the run (default: a new temporary folder, removed at the end)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the run's folder (cluster, logs) at the end")
	fs.StringVar(&o.JSON, "json", "", "also write the figures to this file (JSON), to compare runs")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, r := range strings.Split(*rates, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		n, err := strconv.Atoi(r)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("-rates: %q is not a positive number of requests per second", r)
		}
		o.Rates = append(o.Rates, n)
	}
	switch {
	case o.Tenants < 1 || o.Tenants > 9999:
		return o, errors.New("-tenants: between 1 and 9999 (UAIs of Gironde)")
	case o.Full < 1:
		return o, errors.New("-full: at least 1 populated establishment")
	case o.Clients < 1 || o.Parallel < 1 || o.Pick < 1 || o.Teachers < 1:
		return o, errors.New("-clients, -parallel, -people and -teachers: at least 1")
	}
	o.Full = min(o.Full, o.Tenants)
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load: FAILED:", err)
		os.Exit(1)
	}
}

// step prints a step's name and, when it ends, its duration or its failure.
func step(out io.Writer, name string, fn func() error) error {
	fmt.Fprintf(out, "== %s\n", name)
	start := time.Now()
	if err := fn(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(out, "   done in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

func run(ctx context.Context, o options, out io.Writer) (err error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bin, err := filepath.Abs(o.Bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: build it first (go build -o .bin/cartable ./cmd/cartable, or make load)", o.Bin)
	}
	dir := o.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "cartable-load-"); err != nil {
			return err
		}
		// Readable by the postgres system user, so the cluster lives inside the run's folder.
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var st *stack
	defer func() {
		if st != nil {
			fmt.Fprintln(out, "== stopping the server, Kratos and PostgreSQL")
			err = errors.Join(err, st.stop())
		}
		if o.Keep || err != nil {
			fmt.Fprintf(out, "   the run's folder is kept: %s (server log: cartable.log)\n", dir)
			return
		}
		os.RemoveAll(dir)
		if st != nil && st.pg != nil && !strings.HasPrefix(st.pg.Dir(), dir) {
			os.RemoveAll(st.pg.Dir())
		}
	}()

	if err := step(out, "starting PostgreSQL and Kratos, migrating ("+dir+")", func() error {
		st, err = startStack(ctx, dir, bin, log)
		return err
	}); err != nil {
		return err
	}
	var schools []*school
	var provisionTime time.Duration
	if err := step(out, fmt.Sprintf("provisioning %d establishments (%d at once)", o.Tenants, o.Parallel), func() error {
		reg, closeDB, err := st.openRegistry(ctx)
		if err != nil {
			return err
		}
		defer closeDB()
		start := time.Now()
		if err := provisionTenants(ctx, reg, o.Tenants, o.Parallel, slog.New(slog.NewTextHandler(out, nil))); err != nil {
			return err
		}
		provisionTime = time.Since(start)
		fmt.Fprintf(out, "   %d establishments in %s (%.0f ms each)\n", o.Tenants, provisionTime.Round(100*time.Millisecond), provisionTime.Seconds()*1000/float64(o.Tenants))
		k := identity.NewKratos(st.kratos.PublicURL(), st.kratos.AdminURL(), 10*time.Second)
		dirSvc := directory.NewService(reg.DB(), k, identity.Records{}, log, nil)
		for i := range o.Full {
			start := time.Now()
			s, err := populate(ctx, reg, dirSvc, i, o.Pick, o.Teachers)
			if err != nil {
				return err
			}
			schools = append(schools, s)
			fmt.Fprintf(out, "   %s (%s): %d pupils, %d relatives, %d staff, marks and report cards, in %s\n", s.Slug, s.UAI,
				populationSizes[0], populationSizes[1], populationSizes[2], time.Since(start).Round(100*time.Millisecond))
		}
		return nil
	}); err != nil {
		return err
	}
	if err := step(out, "starting cartable serve ("+o.Bin+")", func() error { return st.startServer(ctx, bin) }); err != nil {
		return err
	}
	var sessions map[string]*session
	if err := step(out, "signing people in through Kratos (browser flow)", func() error {
		sessions, err = signInAll(ctx, st, schools, 4)
		fmt.Fprintf(out, "   %d sessions\n", len(sessions))
		return err
	}); err != nil {
		return err
	}
	rs := routes(st, schools, sessions)
	if err := step(out, "checking every route once", func() error { return checkRoutes(ctx, rs) }); err != nil {
		return err
	}
	var pgb *pgbenchResult
	if err := step(out, fmt.Sprintf("pgbench -S, %d clients, 2 threads, %s", o.Clients, o.PgbenchTime), func() error {
		pgb, err = runPgbench(ctx, st, o.Clients, 2, o.PgbenchTime)
		if err == nil {
			fmt.Fprintf(out, "   %.0f tps\n", pgb.TPS)
		}
		return err
	}); err != nil {
		return err
	}
	var runs []*attackRun
	loadBefore := loadAverage()
	if err := step(out, "load", func() error {
		attack(ctx, "warmup", targeter(rs, 0), 0, o.Clients, o.Warmup)
		for i, rate := range o.Rates {
			fmt.Fprintf(out, "   mix at %d req/s for %s\n", rate, o.Step)
			runs = append(runs, attack(ctx, fmt.Sprintf("mix %d/s", rate), targeter(rs, uint64(i+1)), rate, 0, o.Step))
		}
		fmt.Fprintf(out, "   mix, %d clients as fast as possible, %s\n", o.Clients, o.Closed)
		runs = append(runs, attack(ctx, fmt.Sprintf("mix %d clients", o.Clients), targeter(rs, 99), 0, o.Clients, o.Closed))
		for _, r := range rs {
			// Each route alone gets the warm-up too (not counted): its figures are its own
			// steady state, not the aftermath of the mix's writes (the mix's figures are that).
			fmt.Fprintf(out, "   %s alone, %d clients, %s (after %s of warm-up)\n", r.Key, o.Clients, o.Closed, o.Warmup)
			attack(ctx, "warmup", targeter([]*route{r}, 6), 0, o.Clients, o.Warmup)
			ru := attack(ctx, r.Key+" alone", targeter([]*route{r}, 7), 0, o.Clients, o.Closed)
			ru.Alone = r.Key
			runs = append(runs, ru)
		}
		return ctx.Err()
	}); err != nil {
		return err
	}
	sum := summarize(o, runs, pgb, provisionTime, loadBefore, loadAverage())
	report(out, o, rs, sum)
	if o.JSON != "" {
		return writeSummary(o.JSON, sum)
	}
	return nil
}

// checkRoutes sends one request of each route and refuses to measure a route that fails.
func checkRoutes(ctx context.Context, rs []*route) error {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, r := range rs {
		t := r.next(rng)
		req, err := t.Request()
		if err != nil {
			return err
		}
		resp, err := noRedirect.Do(req.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("%s (%s): %w", r.Key, r.Label, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		resp.Body.Close()
		res := &vegeta.Result{Code: uint16(resp.StatusCode), Headers: resp.Header}
		if !succeeded(r.Key, res) {
			return fmt.Errorf("%s (%s) fails before any load: %s %s: %q…; see the server log", r.Key, r.Label, resp.Status, resp.Header.Get("Location"), body)
		}
	}
	return nil
}
