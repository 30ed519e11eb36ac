// Package testenv is the test harness shared by the packages' tests: it
// makes a PostgreSQL cluster available and hands out fresh databases.
//
// Use it from a package's tests as:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// and call NewDatabase in each test needing a database. The cluster is the
// one named by $CARTABLE_TEST_PG (as set by `go run ./ops/testenv/pgrun --
// go test ./...`), or else a throwaway private cluster started by Main.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/ops/localstack"
)

// EnvDSN names the environment variable holding the superuser DSN (to the
// database postgres) of an already running cluster. Main sets it when it
// starts its own cluster, so the process environment is the only state
// shared with NewDatabase.
const EnvDSN = "CARTABLE_TEST_PG"

const (
	// testRole owns every test database. All test processes sharing a
	// cluster use it, hence its fixed password.
	testRole         = "cartable_test"
	testRolePassword = "cartable_test"
	// startTimeout bounds the start of a throwaway cluster.
	startTimeout = 2 * time.Minute
	// dbTimeout bounds creating or dropping one database.
	dbTimeout = time.Minute
)

// Main runs a package's tests with PostgreSQL available; use as:
// func TestMain(m *testing.M) { testenv.Main(m) }
//
// If the cluster cannot start, it reports why and exits with status 1: tests
// needing PostgreSQL are never skipped.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv(EnvDSN) != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "cartable-testpg-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: cannot start PostgreSQL: creating a temporary folder: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	pg, err := localstack.StartPostgres(ctx, localstack.Options{Dir: dir, Logger: logger})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: cannot start PostgreSQL: %v; install with apt-get install postgresql\n", err)
		return 1
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: stopping PostgreSQL: %v\n", err)
		}
		if pg.Dir() != dir {
			_ = os.RemoveAll(pg.Dir())
		}
	}()
	if err := os.Setenv(EnvDSN, pg.SuperuserDSN("postgres")); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: setting %s: %v\n", EnvDSN, err)
		return 1
	}
	return m.Run()
}

// NewDatabase returns the DSN of a fresh empty database owned by a
// non-superuser login role `cartable_test` (CREATEROLE), dropped (with
// FORCE) in t.Cleanup. Works for *testing.T and *testing.B, from parallel
// tests and from several test processes sharing one cluster.
func NewDatabase(t testing.TB) string {
	t.Helper()
	superuserDSN := SuperuserDSN(t)
	name, err := databaseName()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	dsn, err := localstack.EnsureDatabaseOn(ctx, superuserDSN, name, testRole, testRolePassword)
	if err != nil {
		t.Fatalf("testenv: creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		defer cancel()
		if err := localstack.DropDatabaseOn(ctx, superuserDSN, name); err != nil {
			t.Errorf("testenv: dropping test database: %v", err)
		}
	})
	return dsn
}

// SuperuserDSN returns the superuser DSN to the cluster's `postgres`
// database (for tests that need it).
func SuperuserDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Fatalf("testenv: %s is not set: add `func TestMain(m *testing.M) { testenv.Main(m) }` to the package's tests, "+
			"or run them with: go run ./ops/testenv/pgrun -- go test ./...", EnvDSN)
	}
	return dsn
}

// databaseName returns "t_" and 12 random lowercase hex digits: short, as
// other code derives role names from it plus up to 12 characters.
func databaseName() (string, error) {
	buf := make([]byte, 6)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generating a database name: %w", err)
	}
	return "t_" + hex.EncodeToString(buf), nil
}
