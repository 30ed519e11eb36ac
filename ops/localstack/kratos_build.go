package localstack

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// rootModule is the module path of the repository's root go.mod.
const rootModule = "github.com/cartable-ent/cartable"

// kratosModuleDir is the wrapper module building Kratos, relative to the
// repository root.
const kratosModuleDir = "ops/kratos"

// kratosModule is the Kratos module the wrapper requires.
const kratosModule = "github.com/ory/kratos"

// kratosInputs are the files of the wrapper module that determine the
// binary: the cache key is their hash.
var kratosInputs = []string{"go.mod", "go.sum", "main.go"}

// RepoRoot returns the folder holding the go.mod of the module
// github.com/cartable-ent/cartable, searched from the working directory up.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("localstack: working directory: %w", err)
	}
	return repoRootFrom(wd)
}

// repoRootFrom is RepoRoot starting from dir.
func repoRootFrom(dir string) (string, error) {
	for d := dir; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && modulePath(data) == rootModule {
			return d, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("localstack: reading %s: %w", filepath.Join(d, "go.mod"), err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("localstack: no go.mod of module %s in %s or its parents", rootModule, dir)
		}
		d = parent
	}
}

// modulePath returns the path of the module line of a go.mod, or "".
func modulePath(gomod []byte) string {
	for line := range strings.SplitSeq(string(gomod), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`)
		}
	}
	return ""
}

// KratosVersion returns the version of github.com/ory/kratos required by
// the wrapper module (e.g. "v1.3.1").
func KratosVersion(repoRoot string) (string, error) {
	path := filepath.Join(repoRoot, kratosModuleDir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("localstack: reading %s: %w", path, err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(fields) >= 2 && fields[0] == kratosModule && strings.HasPrefix(fields[1], "v") {
			return fields[1], nil
		}
	}
	return "", fmt.Errorf("localstack: %s does not require %s", path, kratosModule)
}

// BuildKratos returns the path of the Kratos binary <repoRoot>/.bin/kratos,
// making sure it matches the wrapper module ops/kratos:
//   - an existing .bin/kratos newer than the module's files is used as is;
//   - else a copy cached in $XDG_CACHE_HOME (or ~/.cache)
//     /cartable/kratos-<hash of go.mod, go.sum, main.go> is copied there;
//   - else Kratos is built (several minutes the first time, output sent to
//     the logger) and stored in both places.
//
// Concurrent callers (several checkouts, dev and tests) share the cache; a
// lock file makes them build once. A nil logger logs to stderr.
func BuildKratos(ctx context.Context, repoRoot string, logger *slog.Logger) (binPath string, err error) {
	if logger == nil {
		// A build takes minutes: let the user see it.
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	moduleDir := filepath.Join(repoRoot, kratosModuleDir)
	binPath = filepath.Join(repoRoot, ".bin", "kratos")
	key, newest, err := kratosInputsHash(moduleDir)
	if err != nil {
		return "", err
	}
	if info, err := os.Stat(binPath); err == nil && info.Mode().IsRegular() && info.ModTime().After(newest) {
		return binPath, nil
	}
	cacheRoot, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("localstack: locating the user cache folder: %w", err)
	}
	cacheDir := filepath.Join(cacheRoot, "cartable")
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("localstack: creating %s: %w", cacheDir, err)
	}
	cached := filepath.Join(cacheDir, "kratos-"+key)

	unlock, err := lockFile(ctx, cached+".lock", logger)
	if err != nil {
		return "", err
	}
	defer unlock()

	if !isFile(cached) {
		if err := buildKratos(ctx, repoRoot, moduleDir, cached, logger); err != nil {
			return "", err
		}
	}
	if err := copyExecutable(cached, binPath); err != nil {
		return "", err
	}
	return binPath, nil
}

// kratosInputsHash returns the first 12 hex digits of the SHA-256 of the
// wrapper module's files, and the latest of their modification times.
func kratosInputsHash(moduleDir string) (key string, newest time.Time, err error) {
	h := sha256.New()
	for _, name := range kratosInputs {
		path := filepath.Join(moduleDir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("localstack: reading the Kratos wrapper module: %w", err)
		}
		// Length-prefix each file so that moving bytes between files changes the key.
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
		if info, err := os.Stat(path); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], newest, nil
}

// buildKratos compiles the wrapper module into dest (atomically).
func buildKratos(ctx context.Context, repoRoot, moduleDir, dest string, logger *slog.Logger) error {
	version, err := KratosVersion(repoRoot)
	if err != nil {
		return err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("localstack: the go command is needed to build Kratos: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), filepath.Base(dest)+".build-*")
	if err != nil {
		return fmt.Errorf("localstack: creating a temporary file next to %s: %w", dest, err)
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(tmpPath) // a no-op once renamed

	logger.Info(fmt.Sprintf("building Ory Kratos %s (first time: several minutes)", version), "module", moduleDir)
	start := time.Now()
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath",
		// Kratos reports this version (health/version, config version check).
		"-ldflags=-X "+kratosModule+"/driver/config.Version="+version,
		"-o", tmpPath, ".")
	cmd.Dir = moduleDir
	// Kratos links mattn/go-sqlite3, which needs cgo (we only use PostgreSQL,
	// but the package is compiled in). GOWORK=off: the wrapper is its own module.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOWORK=off")
	if err := runLogged(cmd, logger, "go build"); err != nil {
		return fmt.Errorf("localstack: building Kratos in %s: %w", moduleDir, err)
	}
	if err := os.Chmod(tmpPath, 0o755); err != nil {
		return fmt.Errorf("localstack: making %s executable: %w", tmpPath, err)
	}
	if err := os.Rename(tmpPath, dest); err != nil {
		return fmt.Errorf("localstack: storing Kratos in %s: %w", dest, err)
	}
	logger.Info("built Ory Kratos", "version", version, "took", time.Since(start).Round(time.Second), "cache", dest)
	return nil
}

// runLogged runs cmd, sending each line of its output to the logger.
func runLogged(cmd *exec.Cmd, logger *slog.Logger, name string) error {
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	var wg sync.WaitGroup
	wg.Go(func() {
		scanner := bufio.NewScanner(pr)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			logger.Info(scanner.Text(), "cmd", name)
		}
		// Drain whatever is left so the command never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, pr)
	})
	err := cmd.Run()
	_ = pw.Close()
	wg.Wait()
	return err
}

// copyExecutable copies src to dst atomically (through a temporary file in
// the folder of dst), mode 0755.
func copyExecutable(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("localstack: creating %s: %w", filepath.Dir(dst), err)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("localstack: opening %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".copy-*")
	if err != nil {
		return fmt.Errorf("localstack: creating a temporary file next to %s: %w", dst, err)
	}
	defer os.Remove(out.Name()) // a no-op once renamed
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("localstack: copying %s to %s: %w", src, dst, err)
	}
	if err := out.Chmod(0o755); err != nil {
		out.Close()
		return fmt.Errorf("localstack: making %s executable: %w", out.Name(), err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("localstack: writing %s: %w", out.Name(), err)
	}
	if err := os.Rename(out.Name(), dst); err != nil {
		return fmt.Errorf("localstack: installing %s: %w", dst, err)
	}
	return nil
}

// lockFile takes an exclusive flock on path, waiting (and telling so) while
// another process holds it. The returned function releases it.
func lockFile(ctx context.Context, path string, logger *slog.Logger) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("localstack: opening lock file %s: %w", path, err)
	}
	release := func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return release, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("localstack: locking %s: %w", path, err)
		}
		if !told {
			logger.Info("another process is building Kratos; waiting for it", "lock", path)
			told = true
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("localstack: waiting for %s: %w", path, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// isFile reports whether path is an existing regular file.
func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
