package localstack

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestPostgresLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := filepath.Join(reachableTempDir(t), "cluster")
	logger := testLogger(t)

	pg := startForTest(ctx, t, dir, logger)
	if pg.Dir() != dir {
		t.Errorf("cluster folder = %s, want %s (no fallback expected)", pg.Dir(), dir)
	}
	if !strings.HasPrefix(pg.SuperuserDSN("postgres"), "postgres://postgres:") {
		t.Fatalf("unexpected superuser DSN %q", pg.SuperuserDSN("postgres"))
	}
	info, err := os.Stat(filepath.Join(pg.Dir(), passwordFileName))
	if err != nil {
		t.Fatalf("password file: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("password file mode = %o, want 600", perm)
	}

	// A second start on the same folder must be refused while the first runs.
	if _, err := StartPostgres(ctx, Options{Dir: dir, Logger: logger}); err == nil ||
		!strings.Contains(err.Error(), "another cartable dev is running") {
		t.Errorf("second StartPostgres on a live folder: err = %v, want 'another cartable dev is running'", err)
	}

	dsn, err := pg.EnsureDatabase(ctx, "app_db", "app_owner", "first'pw")
	if err != nil {
		t.Fatalf("EnsureDatabase: %v", err)
	}
	dsn, err = pg.EnsureDatabase(ctx, "app_db", "app_owner", `second\pw`)
	if err != nil {
		t.Fatalf("EnsureDatabase (again): %v", err)
	}
	want := "postgres://app_owner:second%5Cpw@127.0.0.1:"
	if !strings.HasPrefix(dsn, want) || !strings.HasSuffix(dsn, "/app_db?sslmode=disable") {
		t.Errorf("DSN = %q, want %s<port>/app_db?sslmode=disable", dsn, want)
	}
	if _, err := pg.EnsureDatabase(ctx, "Bad-Name", "app_owner", "x"); err == nil {
		t.Error("EnsureDatabase accepted an invalid database name")
	}

	conn := connect(ctx, t, dsn)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	var isSuper, canCreateRole bool
	if err := conn.QueryRow(ctx, "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").
		Scan(&isSuper, &canCreateRole); err != nil {
		t.Fatalf("reading role attributes: %v", err)
	}
	if isSuper || !canCreateRole {
		t.Errorf("owner role: superuser=%v createrole=%v, want false/true", isSuper, canCreateRole)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatalf("creating table: %v", err)
	}
	conn.Close(ctx)

	// A throwaway database, dropped even with an open session.
	tmpDSN, err := pg.EnsureDatabase(ctx, "throwaway", "app_owner", `second\pw`)
	if err != nil {
		t.Fatalf("EnsureDatabase(throwaway): %v", err)
	}
	open := connect(ctx, t, tmpDSN)
	if err := pg.DropDatabase(ctx, "throwaway"); err != nil {
		t.Fatalf("DropDatabase: %v", err)
	}
	open.Close(ctx)
	if err := pg.DropDatabase(ctx, "throwaway"); err != nil {
		t.Fatalf("DropDatabase (missing database): %v", err)
	}

	port := pg.Port()
	if err := pg.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := pg.Stop(); err != nil {
		t.Fatalf("Stop (again): %v", err)
	}

	pg2 := startForTest(ctx, t, dir, logger)
	if pg2.Port() != port {
		t.Errorf("restart used port %d, want the saved port %d", pg2.Port(), port)
	}
	conn = connect(ctx, t, dsn)
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "still here" {
		t.Fatalf("data after restart: %q, %v", v, err)
	}
}

// TestFallbackDir checks that, as root, a folder the postgres user cannot
// reach is replaced by a stable folder under os.TempDir().
func TestFallbackDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Log("not root: the server runs as the current user, no fallback needed")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	private := t.TempDir() // mode 0700, owned by root
	dir := filepath.Join(private, "cluster")
	logger := testLogger(t)

	pg := startForTest(ctx, t, dir, logger)
	fallback := pg.Dir()
	t.Cleanup(func() { _ = os.RemoveAll(fallback) })
	if fallback == dir || !strings.HasPrefix(fallback, filepath.Join(os.TempDir(), "cartable-pg-")) {
		t.Fatalf("cluster folder = %s, want a cartable-pg-* folder under %s", fallback, os.TempDir())
	}
	if err := pg.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	pg2 := startForTest(ctx, t, dir, logger)
	if pg2.Dir() != fallback {
		t.Errorf("second run uses %s, want the same fallback %s", pg2.Dir(), fallback)
	}
}

func TestWithCredentials(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			"postgres://postgres:secret@127.0.0.1:5432/postgres?sslmode=disable",
			"postgres://bob:p%40ss@127.0.0.1:5432/db1?sslmode=disable",
		},
		{
			"host=/tmp port=5432 user=postgres dbname=postgres",
			`host=/tmp port=5432 user=postgres dbname=postgres user='bob' password='p@ss' dbname='db1'`,
		},
	}
	for _, tt := range tests {
		got, err := withCredentials(tt.in, "bob", "p@ss", "db1")
		if err != nil || got != tt.want {
			t.Errorf("withCredentials(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func startForTest(ctx context.Context, t *testing.T, dir string, logger *slog.Logger) *Postgres {
	t.Helper()
	pg, err := StartPostgres(ctx, Options{Dir: dir, Logger: logger})
	if err != nil {
		t.Fatalf("cannot start PostgreSQL (install it with: apt-get install postgresql): %v", err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return pg
}

func connect(ctx context.Context, t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	return conn
}

// reachableTempDir returns a test temporary folder that other users (the
// postgres system user, when running as root) can traverse.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatalf("chmod %s: %v", d, err)
		}
	}
	return dir
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// testWriter sends log output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
