// Command pgrun runs a command with a private PostgreSQL cluster and an Ory
// Kratos available:
//
//	go run ./ops/testenv/pgrun -- go test -race -count=1 ./...
//
// It starts one cluster (in a temporary folder, or in $CARTABLE_TEST_PG_DIR
// if set, which is then kept) and exports its superuser DSN as
// CARTABLE_TEST_PG. It then builds Kratos if needed (localstack.BuildKratos:
// several minutes the first time on a machine, cached afterwards), starts
// one Kratos on the database kratos_test of that cluster and exports its
// public and admin URLs as CARTABLE_TEST_KRATOS_PUBLIC and
// CARTABLE_TEST_KRATOS_ADMIN. It runs the command with stdio passed through,
// stops Kratos and the cluster and exits with the command's exit code.
// SIGINT and SIGTERM are forwarded to the command; the services are stopped
// in any case.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// envDir names the variable choosing a persistent cluster folder.
const envDir = "CARTABLE_TEST_PG_DIR"

// startTimeout bounds the cluster start (initdb included).
const startTimeout = 2 * time.Minute

// kratosBuildTimeout bounds building Kratos (first time on a machine).
const kratosBuildTimeout = 30 * time.Minute

// kratosStartTimeout bounds Kratos' migrations and start.
const kratosStartTimeout = 3 * time.Minute

// The Kratos of the test run: its database and the hosts it is configured
// for (never resolved: tests reach Kratos directly on 127.0.0.1).
const (
	kratosDatabase      = "kratos_test"
	kratosRole          = "kratos"
	kratosBaseDomain    = "cartable.test"
	kratosPublicBaseURL = "http://auth.cartable.test/"
	kratosUIBaseURL     = "http://cartable.test"
)

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

	superuserDSN := pg.SuperuserDSN("postgres")
	kratos, err := startKratos(signals, superuserDSN, filepath.Join(dir, "kratos"), logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgrun: cannot start Ory Kratos: %v\n", err)
		return 1
	}
	defer func() {
		if err := kratos.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgrun: stopping Kratos: %v\n", err)
		}
	}()

	// The last value of a duplicated variable wins.
	env := append(os.Environ(),
		testenv.EnvDSN+"="+superuserDSN,
		testenv.EnvKratosPublic+"="+kratos.PublicURL(),
		testenv.EnvKratosAdmin+"="+kratos.AdminURL(),
	)
	return runCommand(args, env, signals)
}

// startCluster starts the cluster, giving up if a signal arrives meanwhile.
func startCluster(signals <-chan os.Signal, dir string, logger *slog.Logger) (*localstack.Postgres, error) {
	var pg *localstack.Postgres
	err := untilSignal(signals, startTimeout, func(ctx context.Context) error {
		var err error
		pg, err = localstack.StartPostgres(ctx, localstack.Options{Dir: dir, Logger: logger})
		return err
	})
	if err != nil && pg != nil {
		_ = pg.Stop()
	}
	return pg, err
}

// startKratos builds Kratos if needed, creates its database and starts it,
// giving up if a signal arrives meanwhile.
func startKratos(signals <-chan os.Signal, superuserDSN, dir string, logger *slog.Logger) (*localstack.Kratos, error) {
	root, err := localstack.RepoRoot()
	if err != nil {
		return nil, err
	}
	var bin string
	if err := untilSignal(signals, kratosBuildTimeout, func(ctx context.Context) error {
		var err error
		bin, err = localstack.BuildKratos(ctx, root, logger)
		return err
	}); err != nil {
		return nil, err
	}
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	var kratos *localstack.Kratos
	err = untilSignal(signals, kratosStartTimeout, func(ctx context.Context) error {
		dsn, err := localstack.EnsureDatabaseOn(ctx, superuserDSN, kratosDatabase, kratosRole, password)
		if err != nil {
			return err
		}
		kratos, err = localstack.StartKratos(ctx, localstack.KratosOptions{
			Dir:           dir,
			DSN:           dsn,
			BaseDomain:    kratosBaseDomain,
			PublicBaseURL: kratosPublicBaseURL,
			UIBaseURL:     kratosUIBaseURL,
			Logger:        logger,
			Bin:           bin,
		})
		return err
	})
	if err != nil && kratos != nil {
		_ = kratos.Stop()
	}
	return kratos, err
}

// untilSignal runs fn with a context that ends after timeout or when a
// signal arrives, and waits for fn to return.
func untilSignal(signals <-chan os.Signal, timeout time.Duration, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	select {
	case err := <-done:
		return err
	case sig := <-signals:
		cancel()
		if err := <-done; err != nil {
			return fmt.Errorf("interrupted by %v: %w", sig, err)
		}
		return fmt.Errorf("interrupted by %v", sig)
	}
}

// randomPassword returns a fresh password for the Kratos database role.
func randomPassword() (string, error) {
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generating a password: %w", err)
	}
	return hex.EncodeToString(buf), nil
}

// runCommand runs the command with the given environment, forwarding
// signals, and returns its exit code (128+N when killed by signal N).
func runCommand(args []string, env []string, signals <-chan os.Signal) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = env
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
