package localstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// debianPostgresRoot is where the Debian/Ubuntu packages install the
// server binaries, one folder per major version.
const debianPostgresRoot = "/usr/lib/postgresql"

// serverBinaries are the executables a private cluster needs.
var serverBinaries = []string{"initdb", "postgres"}

// FindBinaries returns the folder holding the PostgreSQL server binaries
// (initdb and postgres). It looks in PATH, then in /usr/lib/postgresql/*/bin
// (highest version first). When nothing is found and the process runs as
// root, it installs the Debian package postgresql with apt-get and looks
// again; otherwise it returns an error telling which command to run.
func FindBinaries(ctx context.Context, logger *slog.Logger) (binDir string, err error) {
	return findBinaries(ctx, logger, "")
}

// findBinaries is FindBinaries preferring the binaries of the given major
// version (the PG_VERSION of an existing cluster) when they are installed.
func findBinaries(ctx context.Context, logger *slog.Logger, preferVersion string) (string, error) {
	if dir, ok := lookBinaries(preferVersion); ok {
		return dir, nil
	}
	if logger == nil {
		// The installation is long and may fail: let the user see it.
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if os.Geteuid() != 0 {
		return "", errors.New("localstack: PostgreSQL server binaries (initdb, postgres) not found in PATH or " +
			debianPostgresRoot + "/*/bin; install them with: sudo apt-get install postgresql")
	}
	logger.Info("PostgreSQL server binaries not found; installing the Debian package postgresql")
	if err := installPostgres(ctx, logger); err != nil {
		return "", fmt.Errorf("localstack: installing PostgreSQL: %w", err)
	}
	if dir, ok := lookBinaries(preferVersion); ok {
		return dir, nil
	}
	return "", errors.New("localstack: PostgreSQL server binaries (initdb, postgres) still not found in PATH or " +
		debianPostgresRoot + "/*/bin after apt-get install postgresql")
}

// lookBinaries searches the known places without installing anything.
func lookBinaries(preferVersion string) (string, bool) {
	if preferVersion != "" {
		dir := filepath.Join(debianPostgresRoot, preferVersion, "bin")
		if hasBinaries(dir) {
			return dir, true
		}
	}
	if path, err := exec.LookPath("postgres"); err == nil {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		// Prefer the real folder when PATH holds symlinks (e.g. /usr/local/bin).
		if real, err := filepath.EvalSymlinks(path); err == nil && hasBinaries(filepath.Dir(real)) {
			return filepath.Dir(real), true
		}
		if hasBinaries(filepath.Dir(path)) {
			return filepath.Dir(path), true
		}
	}
	for _, dir := range debianBinDirs() {
		if hasBinaries(dir) {
			return dir, true
		}
	}
	return "", false
}

// debianBinDirs lists /usr/lib/postgresql/*/bin, highest version first.
func debianBinDirs() []string {
	entries, err := os.ReadDir(debianPostgresRoot)
	if err != nil {
		return nil
	}
	type candidate struct {
		dir          string
		major, minor int
	}
	var candidates []candidate
	for _, e := range entries {
		majorText, minorText, _ := strings.Cut(e.Name(), ".")
		major, err := strconv.Atoi(majorText)
		if err != nil {
			continue
		}
		minor, _ := strconv.Atoi(minorText)
		candidates = append(candidates, candidate{filepath.Join(debianPostgresRoot, e.Name(), "bin"), major, minor})
	}
	sort.Slice(candidates, func(i, j int) bool {
		if candidates[i].major != candidates[j].major {
			return candidates[i].major > candidates[j].major
		}
		return candidates[i].minor > candidates[j].minor
	})
	dirs := make([]string, len(candidates))
	for i, c := range candidates {
		dirs[i] = c.dir
	}
	return dirs
}

// hasBinaries reports whether dir holds executable initdb and postgres.
func hasBinaries(dir string) bool {
	for _, name := range serverBinaries {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// installPostgres installs the Debian package postgresql (root only).
func installPostgres(ctx context.Context, logger *slog.Logger) error {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("apt-get not available (install the PostgreSQL server binaries manually): %w", err)
	}
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if err := runStreaming(ctx, logger, env, "apt-get", "update"); err != nil {
		return err
	}
	return runStreaming(ctx, logger, env, "apt-get", "install", "-y", "postgresql")
}

// runStreaming runs a command and sends each output line to the logger.
func runStreaming(ctx context.Context, logger *slog.Logger, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	if err := runLogged(cmd, logger, name); err != nil {
		return fmt.Errorf("running %s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}
