package localstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cartable-ent/cartable/ops/localstack/kratosconf"
)

// Names of the files kept in the Kratos folder.
const (
	kratosConfigName  = "kratos.yml"
	kratosSchemaName  = "identity.person.schema.json"
	kratosSecretsName = "secrets.json"
	kratosLogName     = "kratos.log"
	kratosPIDName     = "kratos.pid"
)

const (
	// kratosReadyTimeout bounds the wait for the admin API to report ready.
	kratosReadyTimeout = 60 * time.Second
	// kratosStopTimeout bounds the graceful shutdown before SIGKILL.
	kratosStopTimeout = 15 * time.Second
	// kratosHost is the only interface Kratos listens on.
	kratosHost = "127.0.0.1"
	// kratosStartAttempts bounds the retries when a chosen port is taken
	// between choosing it and Kratos binding it.
	kratosStartAttempts = 3
)

// kratosPoolParams are added to the DSN unless already set: without
// max_idle_conns, Kratos opens a new PostgreSQL connection for nearly every
// query (~50 instead of ~1,000 session checks per second).
var kratosPoolParams = [][2]string{{"max_conns", "20"}, {"max_idle_conns", "20"}}

// KratosOptions configure a local Kratos.
type KratosOptions struct {
	Dir           string       // folder for the configuration, secrets and log; created if missing
	DSN           string       // PostgreSQL URL (postgres://…) of Kratos' own database, owned by its role
	BaseDomain    string       // e.g. "cartable.localhost": the cookie domain shared by all subdomains
	PublicBaseURL string       // the public API as browsers reach it, e.g. "http://auth.cartable.localhost:8080/"
	UIBaseURL     string       // the portal serving the login pages, e.g. "http://cartable.localhost:8080"
	HTTPPort      string       // port browsers use for the portal and tenants, e.g. "8080"; "" for the default one
	Logger        *slog.Logger // may be nil
	Bin           string       // Kratos binary; "" builds or reuses it with BuildKratos(RepoRoot())
}

// Kratos is a running Ory Kratos, child process of the caller.
type Kratos struct {
	dir        string
	logPath    string
	pidPath    string
	publicPort int
	adminPort  int
	logger     *slog.Logger

	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // result of cmd.Wait, readable once exited is closed

	stopOnce sync.Once
	stopErr  error
}

// StartKratos writes Kratos' configuration into opts.Dir, applies its SQL
// migrations to opts.DSN, starts `kratos serve` on two free ports of
// 127.0.0.1 and waits until its admin API reports ready. The secrets are
// generated once and kept in opts.Dir/secrets.json, so sessions survive a
// restart.
func StartKratos(ctx context.Context, opts KratosOptions) (*Kratos, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("localstack: resolving %q: %w", opts.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localstack: creating %s: %w", dir, err)
	}
	bin := opts.Bin
	if bin == "" {
		root, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		if bin, err = BuildKratos(ctx, root, opts.Logger); err != nil {
			return nil, err
		}
	}
	version, err := binaryVersion(bin)
	if err != nil {
		return nil, err
	}
	dsn, err := kratosDSN(opts.DSN)
	if err != nil {
		return nil, err
	}
	pidPath := filepath.Join(dir, kratosPIDName)
	if err := checkKratosNotRunning(pidPath); err != nil {
		return nil, err
	}
	secrets, err := loadKratosSecrets(filepath.Join(dir, kratosSecretsName))
	if err != nil {
		return nil, err
	}
	schemaPath := filepath.Join(dir, kratosSchemaName)
	if err := os.WriteFile(schemaPath, kratosconf.IdentitySchema, 0o644); err != nil {
		return nil, fmt.Errorf("localstack: writing %s: %w", schemaPath, err)
	}
	params := kratosconf.Params{
		Version:           version,
		Host:              kratosHost,
		PublicBaseURL:     opts.PublicBaseURL,
		UIBaseURL:         strings.TrimSuffix(opts.UIBaseURL, "/"),
		BaseDomain:        opts.BaseDomain,
		HTTPPort:          opts.HTTPPort,
		IdentitySchemaURL: (&url.URL{Scheme: "file", Path: schemaPath}).String(),
		Secrets:           secrets,
	}
	configPath := filepath.Join(dir, kratosConfigName)
	logPath := filepath.Join(dir, kratosLogName)
	env := append(os.Environ(), "DSN="+dsn)

	for attempt := 1; ; attempt++ {
		params.PublicPort, params.AdminPort, err = twoFreePorts()
		if err != nil {
			return nil, err
		}
		params.AdminBaseURL = fmt.Sprintf("http://%s/", net.JoinHostPort(kratosHost, strconv.Itoa(params.AdminPort)))
		if err := writeKratosConfig(configPath, params); err != nil {
			return nil, err
		}
		if attempt == 1 {
			if err := migrateKratos(ctx, bin, configPath, logPath, env, logger); err != nil {
				return nil, err
			}
		}
		k := &Kratos{
			dir:        dir,
			logPath:    logPath,
			pidPath:    pidPath,
			publicPort: params.PublicPort,
			adminPort:  params.AdminPort,
			logger:     logger,
		}
		offset, err := k.launch(bin, configPath, env, insecureDevMode(opts.PublicBaseURL))
		if err != nil {
			return nil, err
		}
		err = k.waitReady(ctx, offset)
		if err == nil {
			logger.Info("Kratos is ready", "public", k.PublicURL(), "admin", k.AdminURL(), "browsers", opts.PublicBaseURL)
			return k, nil
		}
		_ = k.Stop()
		if errors.Is(err, errPortTaken) && attempt < kratosStartAttempts {
			logger.Info("a Kratos port was taken meanwhile; trying other ones")
			continue
		}
		return nil, err
	}
}

// check reports missing or malformed options.
func (o KratosOptions) check() error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"Dir", o.Dir}, {"DSN", o.DSN}, {"BaseDomain", o.BaseDomain},
		{"PublicBaseURL", o.PublicBaseURL}, {"UIBaseURL", o.UIBaseURL},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("localstack: missing KratosOptions fields: %s", strings.Join(missing, ", "))
	}
	if o.HTTPPort != "" {
		if n, err := strconv.Atoi(o.HTTPPort); err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("localstack: KratosOptions.HTTPPort %q is not a port number", o.HTTPPort)
		}
	}
	return nil
}

// insecureDevMode tells whether Kratos must run with --dev: only when
// browsers reach it over plain http. Without --dev, Kratos marks its
// session, CSRF and continuity cookies Secure, which browsers do not send
// back over http, so no login could work on http://*.cartable.localhost.
// --dev also lets the bcrypt cost go below 12 (see kratosconf). Any https
// deployment runs without it.
func insecureDevMode(publicBaseURL string) bool {
	return strings.HasPrefix(strings.ToLower(publicBaseURL), "http://")
}

// PublicURL returns the public API as reached directly, e.g.
// "http://127.0.0.1:41234" (no trailing slash).
func (k *Kratos) PublicURL() string {
	return "http://" + net.JoinHostPort(kratosHost, strconv.Itoa(k.publicPort))
}

// AdminURL returns the admin API, e.g. "http://127.0.0.1:41235" (no
// trailing slash; its routes start with /admin).
func (k *Kratos) AdminURL() string {
	return "http://" + net.JoinHostPort(kratosHost, strconv.Itoa(k.adminPort))
}

// LogPath returns the file receiving Kratos' output (JSON lines).
func (k *Kratos) LogPath() string { return k.logPath }

// Dir returns the folder holding the configuration, secrets and log.
func (k *Kratos) Dir() string { return k.dir }

// Done returns a channel closed when the Kratos process has exited.
func (k *Kratos) Done() <-chan struct{} { return k.exited }

// Stop shuts Kratos down (SIGTERM), killing it if it still runs after 15
// seconds. It is idempotent.
func (k *Kratos) Stop() error {
	k.stopOnce.Do(func() { k.stopErr = k.stop() })
	return k.stopErr
}

func (k *Kratos) stop() error {
	defer k.logFile.Close()
	defer os.Remove(k.pidPath)
	// The exit status after SIGTERM is of no interest.
	err := stopChild("Kratos", k.cmd, k.exited, func() error { return k.waitErr }, syscall.SIGTERM, kratosStopTimeout, true)
	if err == nil {
		k.logger.Info("Kratos stopped", "dir", k.dir)
	}
	return err
}

// launch starts `kratos serve`; it returns the size of the log file before
// the start, so that errors can quote this run's output only.
func (k *Kratos) launch(bin, configPath string, env []string, dev bool) (logOffset int64, err error) {
	logFile, err := os.OpenFile(k.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("localstack: opening %s: %w", k.logPath, err)
	}
	logOffset, err = logFile.Seek(0, io.SeekEnd)
	if err != nil {
		logFile.Close()
		return 0, fmt.Errorf("localstack: seeking %s: %w", k.logPath, err)
	}
	args := []string{"serve", "--config", configPath, "--sqa-opt-out"}
	if dev {
		args = append(args, "--dev")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = k.dir
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true, // terminal signals (Ctrl-C) reach us, not Kratos
		Pdeathsig: syscall.SIGTERM,
	}
	k.logger.Info("starting Kratos", "bin", bin, "dir", k.dir, "public", k.publicPort, "admin", k.adminPort, "dev", dev)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return 0, fmt.Errorf("localstack: starting %s: %w", bin, err)
	}
	k.cmd = cmd
	k.logFile = logFile
	k.exited = make(chan struct{})
	go func() {
		k.waitErr = cmd.Wait()
		close(k.exited)
	}()
	if err := os.WriteFile(k.pidPath, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		_ = k.Stop()
		return 0, fmt.Errorf("localstack: writing %s: %w", k.pidPath, err)
	}
	return logOffset, nil
}

// waitReady polls GET /admin/health/ready until it answers 200.
func (k *Kratos) waitReady(ctx context.Context, logOffset int64) error {
	waitCtx, cancel := context.WithTimeout(ctx, kratosReadyTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	readyURL := k.AdminURL() + "/admin/health/ready"
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(waitCtx, http.MethodGet, readyURL, nil)
		if err != nil {
			return fmt.Errorf("localstack: building the readiness request: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s: %s", readyURL, resp.Status, strings.TrimSpace(string(body)))
		}
		lastErr = err
		select {
		case <-k.exited:
			return k.startFailure(logOffset, k.waitErr)
		case <-waitCtx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("localstack: waiting for Kratos: %w", ctx.Err())
			}
			return k.startFailure(logOffset, fmt.Errorf("not ready after %s: %w", kratosReadyTimeout, lastErr))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startFailure builds the error returned when Kratos did not start,
// quoting the end of its log.
func (k *Kratos) startFailure(logOffset int64, cause error) error {
	tail := logTail(k.logPath, logOffset)
	select {
	case <-k.exited:
		if strings.Contains(tail, "address already in use") {
			return fmt.Errorf("localstack: Kratos exited: %w (%w)\n--- end of %s ---\n%s", errPortTaken, cause, k.logPath, tail)
		}
		return fmt.Errorf("localstack: Kratos exited during startup: %w\n--- end of %s ---\n%s", cause, k.logPath, tail)
	default:
		return fmt.Errorf("localstack: Kratos failed to start: %w\n--- end of %s ---\n%s", cause, k.logPath, tail)
	}
}

// migrateKratos applies Kratos' SQL migrations (a no-op when up to date),
// its output appended to the log file.
func migrateKratos(ctx context.Context, bin, configPath, logPath string, env []string, logger *slog.Logger) error {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("localstack: opening %s: %w", logPath, err)
	}
	defer logFile.Close()
	offset, err := logFile.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("localstack: seeking %s: %w", logPath, err)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "migrate", "sql", "-e", "--yes", "--config", configPath)
	cmd.Env = env
	cmd.Dir = filepath.Dir(configPath)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("localstack: kratos migrate sql: %w\n--- end of %s ---\n%s", err, logPath, logTail(logPath, offset))
	}
	logger.Info("Kratos migrations applied", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// binaryVersion returns the version the Kratos binary reports, e.g.
// "v1.3.1", or "v1.3.1" itself when built without version information.
func binaryVersion(bin string) (string, error) {
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("localstack: running %s version: %w: %s", bin, err, strings.TrimSpace(string(out)))
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(name) == "Version" {
			if v := strings.TrimSpace(value); strings.HasPrefix(v, "v") {
				return v, nil
			}
		}
	}
	// A binary built without -ldflags reports "master": the configuration
	// is written for the version of ops/kratos/go.mod.
	if root, err := RepoRoot(); err == nil {
		if v, err := KratosVersion(root); err == nil {
			return v, nil
		}
	}
	return "v1.3.1", nil
}

// kratosDSN adds the connection pool settings to a PostgreSQL URL.
func kratosDSN(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("localstack: KratosOptions.DSN must be a postgres:// URL")
	}
	q := u.Query()
	for _, kv := range kratosPoolParams {
		if !q.Has(kv[0]) {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// writeKratosConfig renders the configuration into a 0600 file (it holds
// the secrets).
func writeKratosConfig(path string, params kratosconf.Params) error {
	data, err := kratosconf.Render(params)
	if err != nil {
		return fmt.Errorf("localstack: %w", err)
	}
	if err := writeFileAtomic(path, data, 0o600); err != nil {
		return err
	}
	return nil
}

// loadKratosSecrets reads the secrets file, creating it (0600) or filling
// missing secrets as needed.
func loadKratosSecrets(path string) (kratosconf.Secrets, error) {
	var s kratosconf.Secrets
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &s); err != nil {
			return s, fmt.Errorf("localstack: %s is not valid JSON (remove it to generate new secrets, "+
				"which ends every session): %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return s, fmt.Errorf("localstack: reading %s: %w", path, err)
	}
	changed := false
	for _, f := range []struct {
		value  *string
		usable bool
	}{
		{&s.Default, len(s.Default) >= 16},
		{&s.Cookie, len(s.Cookie) >= 16},
		{&s.Cipher, len(s.Cipher) == 32},
	} {
		if f.usable {
			continue
		}
		if *f.value, err = randomSecret(); err != nil {
			return s, err
		}
		changed = true
	}
	if changed {
		out, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return s, fmt.Errorf("localstack: encoding the Kratos secrets: %w", err)
		}
		if err := writeFileAtomic(path, append(out, '\n'), 0o600); err != nil {
			return s, err
		}
	}
	return s, nil
}

// randomSecret returns 32 random hexadecimal characters (128 bits).
func randomSecret() (string, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("localstack: generating a secret: %w", err)
	}
	return hex.EncodeToString(buf), nil
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, with the given mode.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("localstack: creating a temporary file next to %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("localstack: writing %s: %w", f.Name(), err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("localstack: setting the mode of %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("localstack: writing %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("localstack: installing %s: %w", path, err)
	}
	return nil
}

// checkKratosNotRunning fails when the pid file names a live Kratos
// process (another `cartable dev` using the same folder).
func checkKratosNotRunning(pidPath string) error {
	data, err := os.ReadFile(pidPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("localstack: reading %s: %w", pidPath, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return nil
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || strings.TrimSpace(string(comm)) != "kratos" {
		return nil // dead, or pid reused by another program: stale file
	}
	return fmt.Errorf("localstack: Kratos (pid %d) is already running with the folder %s: another cartable dev "+
		"is running; stop it first", pid, filepath.Dir(pidPath))
}

// twoFreePorts returns two distinct free TCP ports of 127.0.0.1.
func twoFreePorts() (int, int, error) {
	var ports [2]int
	for i := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort(kratosHost, "0"))
		if err != nil {
			return 0, 0, fmt.Errorf("localstack: finding a free port: %w", err)
		}
		// Keep the first listener open while choosing the second one.
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports[0], ports[1], nil
}
