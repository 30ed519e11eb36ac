// Package localstack runs a private PostgreSQL cluster in a folder of the
// developer's machine, for `cartable dev` and for tests. The cluster is a
// child process of the caller: nothing system-wide is configured, and the
// server only listens on 127.0.0.1 and on a Unix socket inside the folder.
package localstack

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Names of the files kept in the cluster folder.
const (
	dataDirName      = "pgdata"
	socketDirName    = "socket"
	passwordFileName = "superuser-password"
	portFileName     = "port"
	logFileName      = "postgres.log"
	initdbPwFileName = ".initdb-pwfile"
)

const (
	// superuser is the bootstrap superuser created by initdb.
	superuser = "postgres"
	// readyTimeout bounds the wait for the server to accept connections.
	readyTimeout = 30 * time.Second
	// stopTimeout bounds the wait for a fast shutdown before SIGKILL.
	stopTimeout = 20 * time.Second
	// maxSocketPath is the longest Unix socket path the kernel accepts
	// (sizeof(sun_path) minus the terminating NUL).
	maxSocketPath = 107
	// roleLockKey is the advisory lock serializing role changes between
	// callers sharing a cluster (CREATE/ALTER ROLE race on pg_authid).
	roleLockKey = 0x636172746162 // "cartab"
)

// errPortTaken reports that the server could not bind its TCP port.
var errPortTaken = errors.New("port already in use")

// validName is the shape accepted for database and role names.
var validName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Options configure a private cluster.
type Options struct {
	Dir    string       // folder holding the cluster (pgdata/ inside, plus state files); created if missing
	Logger *slog.Logger // may be nil
}

// Postgres is a running private cluster.
type Postgres struct {
	dir       string
	dataDir   string
	socketDir string
	logPath   string
	port      int
	password  string
	logger    *slog.Logger

	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{} // closed once the server process has been reaped
	waitErr error         // result of cmd.Wait, readable once exited is closed

	stopOnce sync.Once
	stopErr  error
}

// StartPostgres starts the private cluster kept in opts.Dir, creating it
// with initdb first when needed, and waits until it accepts connections.
// When running as root, the server runs as the system user postgres; if that
// user cannot reach opts.Dir, the cluster lives in a folder of os.TempDir()
// derived from opts.Dir instead (see Postgres.Dir).
func StartPostgres(ctx context.Context, opts Options) (*Postgres, error) {
	if opts.Dir == "" {
		return nil, errors.New("localstack: Options.Dir is required")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	requested, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("localstack: resolving %q: %w", opts.Dir, err)
	}
	binDir, err := findBinaries(ctx, opts.Logger, "")
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	dir, err := clusterDir(ctx, requested, acct, logger)
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, dataDirName)
	if version := clusterVersion(dataDir); version != "" {
		// Run an existing cluster with the binaries of its major version.
		if d, ok := lookBinaries(version); ok {
			binDir = d
		}
	}
	if err := checkNotRunning(dataDir, requested, logger); err != nil {
		return nil, err
	}
	password, resetPassword, err := ensureCluster(ctx, binDir, dir, dataDir, acct, logger)
	if err != nil {
		return nil, err
	}
	socketDir, err := prepareSocketDir(dir, acct)
	if err != nil {
		return nil, err
	}

	const attempts = 4
	for attempt := 1; ; attempt++ {
		port, err := choosePort(dir, attempt > 1)
		if err != nil {
			return nil, err
		}
		p := &Postgres{
			dir:       dir,
			dataDir:   dataDir,
			socketDir: socketDir,
			logPath:   filepath.Join(dir, logFileName),
			port:      port,
			password:  password,
			logger:    logger,
		}
		offset, err := p.launch(binDir, acct)
		if err != nil {
			return nil, err
		}
		err = p.waitReady(ctx, offset, resetPassword)
		if err == nil {
			logger.Info("PostgreSQL is ready", "dir", dir, "port", port)
			return p, nil
		}
		_ = p.Stop()
		if errors.Is(err, errPortTaken) && attempt < attempts {
			logger.Info("PostgreSQL port taken meanwhile; trying another one", "port", port)
			continue
		}
		return nil, err
	}
}

// Dir returns the folder actually holding the cluster (the requested one,
// or its fallback under os.TempDir()).
func (p *Postgres) Dir() string { return p.dir }

// Port returns the TCP port the server listens on (127.0.0.1 only).
func (p *Postgres) Port() int { return p.port }

// SocketDir returns the folder holding the server's Unix socket.
func (p *Postgres) SocketDir() string { return p.socketDir }

// LogPath returns the file receiving the server's output.
func (p *Postgres) LogPath() string { return p.logPath }

// Done returns a channel closed when the server process has exited.
func (p *Postgres) Done() <-chan struct{} { return p.exited }

// SuperuserDSN returns the DSN of the superuser postgres on the given
// database, over TCP on 127.0.0.1.
func (p *Postgres) SuperuserDSN(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, p.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// EnsureDatabase idempotently creates the login role owner (LOGIN
// NOSUPERUSER CREATEROLE) with the given password, resetting the password
// if the role exists, and the database owned by it. It returns the owner's
// DSN to that database.
func (p *Postgres) EnsureDatabase(ctx context.Context, database, owner, password string) (dsn string, err error) {
	return EnsureDatabaseOn(ctx, p.SuperuserDSN("postgres"), database, owner, password)
}

// DropDatabase drops the database if it exists, disconnecting its sessions.
func (p *Postgres) DropDatabase(ctx context.Context, database string) error {
	return DropDatabaseOn(ctx, p.SuperuserDSN("postgres"), database)
}

// Stop shuts the server down (fast shutdown), killing it if it is still
// running after 20 seconds. It is idempotent.
func (p *Postgres) Stop() error {
	p.stopOnce.Do(func() { p.stopErr = p.stop() })
	return p.stopErr
}

// Crash stops the server the way a power cut would, for crash tests: immediate shutdown
// (SIGQUIT, what `pg_ctl stop -m immediate` sends: no checkpoint, every client cut off,
// recovery at the next start). Stop is a no-op afterwards.
func (p *Postgres) Crash() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		<-p.exited
		p.logFile.Close()
	})
}

func (p *Postgres) stop() error {
	defer p.logFile.Close()
	err := stopChild("PostgreSQL", p.cmd, p.exited, func() error { return p.waitErr }, syscall.SIGINT, stopTimeout, false)
	if err == nil {
		p.logger.Info("PostgreSQL stopped", "dir", p.dir)
	}
	return err
}

// launch starts the server process; it returns the size of the log file
// before the start, so that errors can quote this run's output only.
func (p *Postgres) launch(binDir string, acct *account) (logOffset int64, err error) {
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return 0, fmt.Errorf("localstack: opening %s: %w", p.logPath, err)
	}
	logOffset, err = logFile.Seek(0, io.SeekEnd)
	if err != nil {
		logFile.Close()
		return 0, fmt.Errorf("localstack: seeking %s: %w", p.logPath, err)
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"),
		"-D", p.dataDir,
		"-p", strconv.Itoa(p.port),
		"-k", p.socketDir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "max_connections=300",
		"-c", "shared_buffers=128MB",
	)
	cmd.Dir = p.dataDir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true, // terminal signals (Ctrl-C) reach us, not the server
		Pdeathsig:  syscall.SIGTERM,
		Credential: acct.credential(),
	}
	p.logger.Info("starting PostgreSQL", "bin", binDir, "dir", p.dir, "port", p.port)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return 0, fmt.Errorf("localstack: starting %s: %w", cmd.Path, err)
	}
	p.cmd = cmd
	p.logFile = logFile
	p.exited = make(chan struct{})
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return logOffset, nil
}

// waitReady polls the server until it accepts connections. When the
// superuser password was lost, it connects through the Unix socket (trust
// authentication) and sets the new password first.
func (p *Postgres) waitReady(ctx context.Context, logOffset int64, resetPassword bool) error {
	waitCtx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()

	config, err := pgx.ParseConfig(p.SuperuserDSN("postgres"))
	if err != nil {
		return fmt.Errorf("localstack: parsing superuser DSN: %w", err)
	}
	if resetPassword {
		config.Host = p.socketDir
		config.Password = ""
	}
	var lastErr error
	for {
		attemptCtx, cancelAttempt := context.WithTimeout(waitCtx, 2*time.Second)
		conn, err := pgx.ConnectConfig(attemptCtx, config)
		cancelAttempt()
		if err == nil {
			if resetPassword {
				err = p.setSuperuserPassword(waitCtx, conn)
			}
			conn.Close(context.WithoutCancel(ctx))
			if err != nil {
				return err
			}
			if resetPassword {
				// Check the password now works over TCP.
				resetPassword = false
				config.Host, config.Password = "127.0.0.1", p.password
				continue
			}
			return nil
		}
		lastErr = err
		select {
		case <-p.exited:
			return p.startFailure(logOffset, p.waitErr)
		case <-waitCtx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("localstack: waiting for PostgreSQL: %w", ctx.Err())
			}
			return p.startFailure(logOffset, fmt.Errorf("not accepting connections after %s: %w", readyTimeout, lastErr))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *Postgres) setSuperuserPassword(ctx context.Context, conn *pgx.Conn) error {
	lit, err := quoteLiteral(p.password)
	if err != nil {
		return err
	}
	sql := "ALTER ROLE " + pgx.Identifier{superuser}.Sanitize() + " PASSWORD " + lit
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("localstack: resetting the superuser password: %w", err)
	}
	p.logger.Info("superuser password file was missing; set a new password", "dir", p.dir)
	return nil
}

// startFailure builds the error returned when the server did not start,
// quoting the end of its log.
func (p *Postgres) startFailure(logOffset int64, cause error) error {
	tail := logTail(p.logPath, logOffset)
	select {
	case <-p.exited:
		if strings.Contains(tail, "could not bind") || strings.Contains(tail, "Address already in use") || !portFree(p.port) {
			return fmt.Errorf("localstack: PostgreSQL exited: %w (%w)\n--- end of %s ---\n%s", errPortTaken, cause, p.logPath, tail)
		}
		return fmt.Errorf("localstack: PostgreSQL exited during startup: %w\n--- end of %s ---\n%s", cause, p.logPath, tail)
	default:
		return fmt.Errorf("localstack: PostgreSQL failed to start: %w\n--- end of %s ---\n%s", cause, p.logPath, tail)
	}
}

// logTail returns the last lines written to the log since offset.
func logTail(path string, offset int64) string {
	const maxBytes = 4096
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	start := max(offset, info.Size()-maxBytes, 0)
	data, err := io.ReadAll(io.NewSectionReader(f, start, info.Size()-start))
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// EnsureDatabaseOn is Postgres.EnsureDatabase for any cluster reachable
// with the given superuser DSN. The returned DSN is the superuser DSN with
// the owner's credentials and the database substituted. It is safe to call
// concurrently, from several processes.
func EnsureDatabaseOn(ctx context.Context, superuserDSN, database, owner, password string) (dsn string, err error) {
	if !validName.MatchString(database) {
		return "", fmt.Errorf("localstack: invalid database name %q (want %s)", database, validName)
	}
	if !validName.MatchString(owner) {
		return "", fmt.Errorf("localstack: invalid role name %q (want %s)", owner, validName)
	}
	if owner == superuser {
		return "", fmt.Errorf("localstack: the owner of %q cannot be the superuser %q", database, superuser)
	}
	passwordLit, err := quoteLiteral(password)
	if err != nil {
		return "", err
	}
	dsn, err = withCredentials(superuserDSN, owner, password, database)
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, superuserDSN)
	if err != nil {
		return "", fmt.Errorf("localstack: connecting as superuser: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	if err := ensureRole(ctx, conn, owner, passwordLit); err != nil {
		return "", err
	}
	if err := ensureDatabase(ctx, conn, database, owner); err != nil {
		return "", err
	}
	return dsn, nil
}

// ensureRole creates the login role or, if it exists, resets its
// attributes and password. An advisory lock serializes callers: concurrent
// ALTER ROLE of one role fails with "tuple concurrently updated".
func ensureRole(ctx context.Context, conn *pgx.Conn, role, passwordLit string) error {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(roleLockKey)); err != nil {
		return fmt.Errorf("localstack: locking role changes: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(roleLockKey))
	}()

	ident := pgx.Identifier{role}.Sanitize()
	attrs := " LOGIN NOSUPERUSER CREATEROLE PASSWORD " + passwordLit
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return fmt.Errorf("localstack: looking up role %q: %w", role, err)
	}
	if !exists {
		_, err := conn.Exec(ctx, "CREATE ROLE "+ident+attrs)
		switch {
		case err == nil:
			return nil
		case hasCode(err, "42710", "23505"): // duplicate_object, unique_violation: created meanwhile
		default:
			return fmt.Errorf("localstack: creating role %q: %w", role, err)
		}
	}
	if _, err := conn.Exec(ctx, "ALTER ROLE "+ident+" WITH"+attrs); err != nil {
		return fmt.Errorf("localstack: updating role %q: %w", role, err)
	}
	return nil
}

// ensureDatabase creates the database owned by owner, or gives it to owner.
func ensureDatabase(ctx context.Context, conn *pgx.Conn, database, owner string) error {
	dbIdent := pgx.Identifier{database}.Sanitize()
	ownerIdent := pgx.Identifier{owner}.Sanitize()
	var currentOwner string
	err := conn.QueryRow(ctx,
		"SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = $1",
		database).Scan(&currentOwner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		_, err := conn.Exec(ctx, "CREATE DATABASE "+dbIdent+" OWNER "+ownerIdent)
		if err == nil {
			return nil
		}
		if !hasCode(err, "42P04", "23505") { // duplicate_database, unique_violation
			return fmt.Errorf("localstack: creating database %q: %w", database, err)
		}
	case err != nil:
		return fmt.Errorf("localstack: looking up database %q: %w", database, err)
	case currentOwner == owner:
		return nil
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+dbIdent+" OWNER TO "+ownerIdent); err != nil {
		return fmt.Errorf("localstack: giving database %q to %q: %w", database, owner, err)
	}
	return nil
}

// DropDatabaseOn is Postgres.DropDatabase for any cluster reachable with
// the given superuser DSN.
func DropDatabaseOn(ctx context.Context, superuserDSN, database string) error {
	if !validName.MatchString(database) {
		return fmt.Errorf("localstack: invalid database name %q (want %s)", database, validName)
	}
	conn, err := pgx.Connect(ctx, superuserDSN)
	if err != nil {
		return fmt.Errorf("localstack: connecting as superuser: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{database}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("localstack: dropping database %q: %w", database, err)
	}
	return nil
}

// withCredentials returns dsn with its user, password and database
// replaced. It accepts URLs and keyword/value connection strings.
func withCredentials(dsn, user, password, database string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("localstack: parsing DSN: %w", err)
		}
		u.User = url.UserPassword(user, password)
		u.Path = "/" + database
		u.RawPath = ""
		q := u.Query()
		for _, key := range []string{"user", "password", "dbname"} {
			q.Del(key)
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// In keyword/value strings, a later setting overrides an earlier one.
	quote := func(s string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
	}
	return fmt.Sprintf("%s user=%s password=%s dbname=%s", dsn, quote(user), quote(password), quote(database)), nil
}

// quoteLiteral quotes s as an SQL string literal, whatever the setting of
// standard_conforming_strings.
func quoteLiteral(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", errors.New("localstack: string contains a NUL byte")
	}
	return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'", nil
}

// hasCode reports whether err is a PostgreSQL error with one of the codes.
func hasCode(err error, codes ...string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	for _, code := range codes {
		if pgErr.Code == code {
			return true
		}
	}
	return false
}

// account is the unprivileged system user running the server when we are
// root. A nil *account means "the current user".
type account struct {
	name   string
	uid    int
	gid    int
	groups []uint32
}

// serverAccount returns the postgres system user when running as root,
// nil otherwise.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, fmt.Errorf("localstack: running as root, PostgreSQL must run as the system user %q: %w "+
			"(it is created by: apt-get install postgresql)", superuser, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("localstack: uid of %q: %w", superuser, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("localstack: gid of %q: %w", superuser, err)
	}
	acct := &account{name: superuser, uid: uid, gid: gid}
	groupIDs, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("localstack: groups of %q: %w", superuser, err)
	}
	for _, g := range groupIDs {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			acct.groups = append(acct.groups, uint32(n))
		}
	}
	return acct, nil
}

// credential returns the credential for child processes (nil: ours).
func (a *account) credential() *syscall.Credential {
	if a == nil {
		return nil
	}
	return &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid), Groups: a.groups}
}

// chown gives path to the account (no-op for the current user).
func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	if err := os.Lchown(path, a.uid, a.gid); err != nil {
		return fmt.Errorf("localstack: giving %s to user %s: %w", path, a.name, err)
	}
	return nil
}

// canUse reports whether the account can traverse and write the folder,
// checked by running test(1) as that user (so every parent folder counts).
func (a *account) canUse(ctx context.Context, dir string, write bool) bool {
	if a == nil {
		return true
	}
	args := []string{"-d", dir, "-a", "-x", dir}
	if write {
		args = append(args, "-a", "-w", dir)
	}
	cmd := exec.CommandContext(ctx, "test", args...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: a.credential()}
	return cmd.Run() == nil
}

// clusterDir creates the cluster folder and returns it. When the server
// account cannot reach the requested folder (e.g. a checkout under /root),
// it returns a folder of os.TempDir() named from a hash of the request, so
// that the next run finds the same cluster.
func clusterDir(ctx context.Context, requested string, acct *account, logger *slog.Logger) (string, error) {
	if acct == nil {
		if err := os.MkdirAll(requested, 0o700); err != nil {
			return "", fmt.Errorf("localstack: creating %s: %w", requested, err)
		}
		return requested, nil
	}
	if acct.canUse(ctx, nearestExisting(filepath.Dir(requested)), false) {
		if err := mkdirOwned(requested, acct); err != nil {
			return "", err
		}
		if acct.canUse(ctx, requested, true) {
			return requested, nil
		}
	}
	sum := sha256.Sum256([]byte(requested))
	fallback := filepath.Join(os.TempDir(), "cartable-pg-"+hex.EncodeToString(sum[:8]))
	logger.Warn("the postgres user cannot reach the cluster folder; using a folder under the temporary directory instead",
		"requested", requested, "dir", fallback)
	if err := mkdirOwned(fallback, acct); err != nil {
		return "", err
	}
	if !acct.canUse(ctx, fallback, true) {
		return "", fmt.Errorf("localstack: the system user %s can use neither %s nor %s", acct.name, requested, fallback)
	}
	return fallback, nil
}

// nearestExisting returns path or its closest existing parent.
func nearestExisting(path string) string {
	for {
		if _, err := os.Stat(path); err == nil {
			return path
		}
		parent := filepath.Dir(path)
		if parent == path {
			return path
		}
		path = parent
	}
}

// mkdirOwned creates dir (and its parents, traversable by everyone) and
// gives it to the account. It refuses a symlink in place of dir.
func mkdirOwned(dir string, acct *account) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("localstack: creating %s: %w", filepath.Dir(dir), err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("localstack: creating %s: %w", dir, err)
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("localstack: checking %s: %w", dir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("localstack: %s exists and is not a folder", dir)
	}
	return acct.chown(dir)
}

// clusterVersion returns the major version of an initialized cluster, or "".
func clusterVersion(dataDir string) string {
	data, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// checkNotRunning fails when a live server already uses the data folder.
// A postmaster.pid naming a dead process is left for postgres to handle;
// one naming a live process that is not postgres (pid reuse after a reboot)
// is removed, since postgres would refuse to start.
func checkNotRunning(dataDir, requested string, logger *slog.Logger) error {
	pidPath := filepath.Join(dataDir, "postmaster.pid")
	data, err := os.ReadFile(pidPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("localstack: reading %s: %w", pidPath, err)
	}
	firstLine, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(firstLine))
	if err != nil || pid <= 0 {
		return nil
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return nil // dead: stale lock file
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err == nil && strings.TrimSpace(string(comm)) != "postgres" {
		logger.Info("removing stale postmaster.pid naming an unrelated process", "path", pidPath, "pid", pid)
		if err := os.Remove(pidPath); err != nil {
			return fmt.Errorf("localstack: removing stale %s: %w", pidPath, err)
		}
		return nil
	}
	return fmt.Errorf("localstack: PostgreSQL (pid %d) is already running on %s: another cartable dev is running "+
		"with the folder %s; stop it first", pid, dataDir, requested)
}

// ensureCluster runs initdb when the data folder holds no cluster, and
// returns the superuser password. resetPassword is true when the cluster
// exists but its password file is gone: a new password was generated and
// must be set once the server runs.
func ensureCluster(ctx context.Context, binDir, dir, dataDir string, acct *account, logger *slog.Logger) (password string, resetPassword bool, err error) {
	pwPath := filepath.Join(dir, passwordFileName)
	if clusterVersion(dataDir) != "" {
		if info, err := os.Stat(dataDir); err == nil && acct != nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != acct.uid {
				logger.Info("giving the data folder to the postgres user", "dir", dataDir)
				if err := chownTree(dataDir, acct); err != nil {
					return "", false, err
				}
			}
		}
		data, err := os.ReadFile(pwPath)
		if err == nil && len(bytes.TrimSpace(data)) > 0 {
			return string(bytes.TrimSpace(data)), false, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", false, fmt.Errorf("localstack: reading %s: %w", pwPath, err)
		}
		password, err := writePassword(pwPath)
		return password, true, err
	}

	if err := mkdirOwned(dataDir, acct); err != nil {
		return "", false, err
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return "", false, fmt.Errorf("localstack: reading %s: %w", dataDir, err)
	}
	if len(entries) > 0 {
		return "", false, fmt.Errorf("localstack: %s is not empty but holds no PG_VERSION (an interrupted initdb?); "+
			"remove it to create a new cluster", dataDir)
	}
	password, err = writePassword(pwPath)
	if err != nil {
		return "", false, err
	}
	pwFile := filepath.Join(dir, initdbPwFileName)
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("localstack: writing %s: %w", pwFile, err)
	}
	defer os.Remove(pwFile)
	if err := acct.chown(pwFile); err != nil {
		return "", false, err
	}

	logger.Info("initializing a PostgreSQL cluster", "dir", dataDir)
	var failures []string
	for _, locale := range []string{"--locale=C.UTF-8", "--no-locale"} {
		cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
			"-D", dataDir,
			"-U", superuser,
			"--auth-local=trust",
			"--auth-host=scram-sha-256",
			"--pwfile="+pwFile,
			"-E", "UTF8",
			locale,
		)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.credential()}
		out, err := cmd.CombinedOutput()
		if err == nil {
			return password, false, nil
		}
		failures = append(failures, fmt.Sprintf("initdb %s: %v\n%s", locale, err, strings.TrimSpace(string(out))))
		// Start the next attempt from an empty folder.
		if err := os.RemoveAll(dataDir); err != nil {
			return "", false, fmt.Errorf("localstack: cleaning %s: %w", dataDir, err)
		}
		if err := mkdirOwned(dataDir, acct); err != nil {
			return "", false, err
		}
	}
	return "", false, fmt.Errorf("localstack: initdb failed:\n%s", strings.Join(failures, "\n"))
}

// chownTree gives a whole folder tree to the account.
func chownTree(root string, acct *account) error {
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("localstack: walking %s: %w", path, err)
		}
		return acct.chown(path)
	})
}

// writePassword stores a new random password in a 0600 file.
func writePassword(path string) (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("localstack: generating a password: %w", err)
	}
	password := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("localstack: writing %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return "", fmt.Errorf("localstack: protecting %s: %w", path, err)
	}
	return password, nil
}

// prepareSocketDir creates the folder for the server's Unix socket, inside
// the cluster folder unless that path is too long for a socket address.
func prepareSocketDir(dir string, acct *account) (string, error) {
	socketDir := filepath.Join(dir, socketDirName)
	if len(socketDir)+len("/.s.PGSQL.65535") > maxSocketPath {
		sum := sha256.Sum256([]byte(dir))
		socketDir = filepath.Join(os.TempDir(), "cartable-pg-sock-"+hex.EncodeToString(sum[:8]))
	}
	if err := mkdirOwned(socketDir, acct); err != nil {
		return "", err
	}
	return socketDir, nil
}

// choosePort returns the port saved in the cluster folder if it is free,
// else a free port of 127.0.0.1, saved for the next run.
func choosePort(dir string, forceNew bool) (int, error) {
	path := filepath.Join(dir, portFileName)
	if !forceNew {
		if data, err := os.ReadFile(path); err == nil {
			if port, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && port > 0 && port < 65536 && portFree(port) {
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("localstack: finding a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("localstack: releasing port %d: %w", port, err)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		return 0, fmt.Errorf("localstack: writing %s: %w", path, err)
	}
	return port, nil
}

// portFree reports whether the TCP port of 127.0.0.1 can be bound.
func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
