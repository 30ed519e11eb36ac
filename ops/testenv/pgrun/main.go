// Command pgrun runs a command with a private PostgreSQL cluster available:
//
//	go run ./ops/testenv/pgrun -- go test -race -count=1 ./...
//
// It starts one cluster (in a temporary folder, or in $CARTABLE_TEST_PG_DIR
// if set, which is then kept), exports its superuser DSN as
// CARTABLE_TEST_PG, runs the command with stdio passed through, stops the
// cluster and exits with the command's exit code. SIGINT and SIGTERM are
// forwarded to the command; the cluster is stopped in any case.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// envDir names the variable choosing a persistent cluster folder.
const envDir = "CARTABLE_TEST_PG_DIR"

// startTimeout bounds the cluster start (initdb included).
const startTimeout = 2 * time.Minute

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./ops/testenv/pgrun -- CMD [ARGS...]")
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	// Catch signals from the start, so that the cluster is always stopped.
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	dir := os.Getenv(envDir)
	temporary := dir == ""
	if temporary {
		var err error
		dir, err = os.MkdirTemp("", "cartable-pgrun-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgrun: creating a temporary folder: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
	}

	pg, err := startCluster(signals, dir, logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgrun: cannot start PostgreSQL: %v; install with apt-get install postgresql\n", err)
		return 1
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgrun: stopping PostgreSQL: %v\n", err)
		}
		if temporary && pg.Dir() != dir {
			_ = os.RemoveAll(pg.Dir())
		}
	}()

	return runCommand(args, pg.SuperuserDSN("postgres"), signals)
}

// startCluster starts the cluster, giving up if a signal arrives meanwhile.
func startCluster(signals <-chan os.Signal, dir string, logger *slog.Logger) (*localstack.Postgres, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	type result struct {
		pg  *localstack.Postgres
		err error
	}
	done := make(chan result, 1)
	go func() {
		pg, err := localstack.StartPostgres(ctx, localstack.Options{Dir: dir, Logger: logger})
		done <- result{pg, err}
	}()
	select {
	case r := <-done:
		return r.pg, r.err
	case sig := <-signals:
		cancel()
		r := <-done
		if r.pg != nil {
			_ = r.pg.Stop()
		}
		return nil, fmt.Errorf("interrupted by %v", sig)
	}
}

// runCommand runs the command with the DSN exported, forwarding signals,
// and returns its exit code (128+N when killed by signal N).
func runCommand(args []string, dsn string, signals <-chan os.Signal) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The last value of a duplicated variable wins.
	cmd.Env = append(os.Environ(), testenv.EnvDSN+"="+dsn)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "pgrun: starting %s: %v\n", args[0], err)
		if errors.Is(err, exec.ErrNotFound) {
			return 127
		}
		return 126
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for {
		select {
		case sig := <-signals:
			_ = cmd.Process.Signal(sig)
		case err := <-waited:
			return exitCode(cmd.ProcessState, err)
		}
	}
}

func exitCode(state *os.ProcessState, err error) int {
	if state == nil {
		fmt.Fprintf(os.Stderr, "pgrun: waiting for the command: %v\n", err)
		return 1
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}
