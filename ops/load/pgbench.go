package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pgbenchResult is the reference ceiling: select-only pgbench on the same cluster.
type pgbenchResult struct {
	TPS     float64
	Command string
	Output  string
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// findPgbench looks next to the cluster's initdb and postgres (the Debian server package
// postgresql-NN ships pgbench there), then in PATH.
func findPgbench(binDir string) (string, error) {
	p := filepath.Join(binDir, "pgbench")
	if info, err := os.Stat(p); err == nil && info.Mode().Perm()&0o111 != 0 {
		return p, nil
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("pgbench not found in %s nor in PATH: it comes with the PostgreSQL server package (apt-get install postgresql)", binDir)
}

// runPgbench initialises pgbench's tables (scale 1) in a database of their own on the
// stack's cluster and runs `pgbench -S` (select only) with the given clients and threads.
func runPgbench(ctx context.Context, st *stack, clients, threads int, dur time.Duration) (*pgbenchResult, error) {
	bin, err := findPgbench(st.binDir)
	if err != nil {
		return nil, err
	}
	password := randomHex(16)
	if _, err := st.pg.EnsureDatabase(ctx, "pgbench", "pgbench", password); err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PGHOST=127.0.0.1", "PGPORT="+strconv.Itoa(st.pg.Port()), "PGUSER=pgbench",
		"PGPASSWORD="+password, "PGDATABASE=pgbench", "PGSSLMODE=disable")
	initCmd := exec.CommandContext(ctx, bin, "-i", "-s", "1", "-q")
	initCmd.Env = env
	if out, err := initCmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgbench -i: %w\n%s", err, out)
	}
	args := []string{"-S", "-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads), "-T", strconv.Itoa(int(dur.Seconds()))}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pgbench %v: %w\n%s", args, err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return nil, errors.New("pgbench printed no tps line:\n" + string(out))
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return &pgbenchResult{TPS: tps, Command: fmt.Sprintf("pgbench %s (scale 1)", strings.Join(args, " ")), Output: string(out)}, nil
}
