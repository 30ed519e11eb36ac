package localstack

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// MailpitVersion is the development mailbox's version (github.com/axllent/mailpit).
const MailpitVersion = "v1.33.1"

// MailpitBinary returns the mailpit binary of the cache (~/.cache/cartable/mailpit-<version>/),
// building it with `go install` from the module proxy the first time, as ops/ensure-mailpit.sh.
func MailpitBinary(ctx context.Context, logger *slog.Logger) (string, error) {
	root, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("localstack: cache folder: %w", err)
	}
	dir := filepath.Join(root, "cartable", "mailpit-"+MailpitVersion)
	bin := filepath.Join(dir, "mailpit")
	if fi, err := os.Stat(bin); err == nil && fi.Mode()&0o111 != 0 {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("localstack: creating %s: %w", dir, err)
	}
	if logger != nil {
		logger.Info("building mailpit once (go install)", "version", MailpitVersion, "dir", dir)
	}
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/axllent/mailpit@"+MailpitVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("localstack: go install mailpit %s: %w\n%s", MailpitVersion, err, out)
	}
	return bin, nil
}

// Mailpit is a running development mailbox: SMTP on one port, its JSON API on another, both
// on 127.0.0.1, messages kept in its folder's database.
type Mailpit struct {
	cmd      *exec.Cmd
	smtpPort int
	apiPort  int
	exited   chan struct{}
	waitErr  error
	logFile  *os.File
}

// MailpitOptions says where the mailbox keeps its messages and log.
type MailpitOptions struct {
	Dir    string
	Logger *slog.Logger
}

// StartMailpit starts mailpit on two free ports and waits until its API answers.
func StartMailpit(ctx context.Context, opts MailpitOptions) (*Mailpit, error) {
	bin, err := MailpitBinary(ctx, opts.Logger)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("localstack: creating %s: %w", opts.Dir, err)
	}
	smtpPort, apiPort, err := twoFreePorts()
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(opts.Dir, "mailpit.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localstack: mailpit log: %w", err)
	}
	cmd := exec.Command(bin,
		"--smtp", net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort)),
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort)),
		"--database", filepath.Join(opts.Dir, "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--max", "100000", "--disable-version-check", "--quiet")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("localstack: starting mailpit: %w", err)
	}
	m := &Mailpit{cmd: cmd, smtpPort: smtpPort, apiPort: apiPort, exited: make(chan struct{}), logFile: logFile}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()
	if err := m.waitReady(ctx); err != nil {
		_ = m.Stop()
		return nil, err
	}
	if opts.Logger != nil {
		opts.Logger.Info("mailpit started", "smtp", m.SMTPAddr(), "api", m.APIURL())
	}
	return m, nil
}

func (m *Mailpit) waitReady(ctx context.Context) error {
	return waitHTTP(ctx, "mailpit", func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.APIURL()+"/api/v1/info", nil)
		return req
	}, 100*time.Millisecond, m.exited, func() error { return m.waitErr }, m.logFile.Name())
}

// SMTPHost and SMTPPort are where to send mail.
func (m *Mailpit) SMTPHost() string { return "127.0.0.1" }

// SMTPPort is mailpit's SMTP port.
func (m *Mailpit) SMTPPort() int { return m.smtpPort }

// SMTPAddr is host:port of mailpit's SMTP server.
func (m *Mailpit) SMTPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(m.smtpPort)) }

// APIURL is mailpit's HTTP API (no trailing slash).
func (m *Mailpit) APIURL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(m.apiPort))
}

// Stop stops mailpit (SIGTERM, then SIGKILL of its group after 5 s).
func (m *Mailpit) Stop() error {
	defer m.logFile.Close()
	return stopChild("mailpit", m.cmd, m.exited, func() error { return m.waitErr }, syscall.SIGTERM, 5*time.Second, true)
}
