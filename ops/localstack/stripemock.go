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

// StripeMockVersion is the version of Stripe's API mock (github.com/stripe/stripe-mock) that
// ops/ensure-stripe-mock.sh installs into the project's .bin/.
const StripeMockVersion = "v0.203.0"

// StripeMockBinary finds the stripe-mock binary that `make stripe-mock` put in the project's
// .bin/ folder: from dir (or the working directory when empty) upwards to the folder holding
// go.mod. Its error says how to install it.
func StripeMockBinary(dir string) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("localstack: working directory: %w", err)
		}
		dir = wd
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			bin := filepath.Join(d, ".bin", "stripe-mock")
			if fi, err := os.Stat(bin); err == nil && fi.Mode()&0o111 != 0 {
				return bin, nil
			}
			return "", fmt.Errorf("localstack: stripe-mock %s is not installed at %s: run `make stripe-mock` (ops/ensure-stripe-mock.sh) in %s", StripeMockVersion, bin, d)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("localstack: stripe-mock not found: no go.mod above %s; run `make stripe-mock` in the project's folder", dir)
		}
	}
}

// StripeMock is a running stripe-mock: Stripe's API, stateless (every answer is built from
// its fixtures and the request), on 127.0.0.1.
type StripeMock struct {
	cmd     *exec.Cmd
	port    int
	exited  chan struct{}
	waitErr error
	logFile *os.File
}

// StripeMockOptions say which binary to run (default: StripeMockBinary("")) and where its log
// goes.
type StripeMockOptions struct {
	Binary string
	Dir    string // its log, stripe-mock.log; default a temporary folder
	Logger *slog.Logger
}

// StartStripeMock starts stripe-mock on a free port and waits until it answers.
func StartStripeMock(ctx context.Context, opts StripeMockOptions) (*StripeMock, error) {
	bin := opts.Binary
	if bin == "" {
		b, err := StripeMockBinary("")
		if err != nil {
			return nil, err
		}
		bin = b
	}
	if opts.Dir == "" {
		d, err := os.MkdirTemp("", "cartable-stripe-mock-")
		if err != nil {
			return nil, fmt.Errorf("localstack: stripe-mock folder: %w", err)
		}
		opts.Dir = d
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("localstack: creating %s: %w", opts.Dir, err)
	}
	port, tlsPort, err := twoFreePorts()
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(opts.Dir, "stripe-mock.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localstack: stripe-mock log: %w", err)
	}
	// Its HTTPS listener too gets a free port of its own: left alone it binds :12112, which
	// a second stripe-mock (two test packages at once) then fails to bind.
	cmd := exec.Command(bin, "-http-addr", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		"-https-addr", net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort)))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("localstack: starting stripe-mock: %w", err)
	}
	m := &StripeMock{cmd: cmd, port: port, exited: make(chan struct{}), logFile: logFile}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()
	if err := m.waitReady(ctx); err != nil {
		_ = m.Stop()
		return nil, err
	}
	if opts.Logger != nil {
		opts.Logger.Info("stripe-mock started", "url", m.URL())
	}
	return m, nil
}

// waitReady waits for an authenticated read to answer 200.
func (m *StripeMock) waitReady(ctx context.Context) error {
	return waitHTTP(ctx, "stripe-mock", func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL()+"/v1/balance", nil)
		req.SetBasicAuth("sk_test_cartable", "")
		return req
	}, 50*time.Millisecond, m.exited, func() error { return m.waitErr }, m.logFile.Name())
}

// URL is stripe-mock's API base (no trailing slash), for billing.StripeConfig.URL.
func (m *StripeMock) URL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(m.port))
}

// Stop stops stripe-mock (SIGTERM, then SIGKILL of its group after 5 s).
func (m *StripeMock) Stop() error {
	defer m.logFile.Close()
	return stopChild("stripe-mock", m.cmd, m.exited, func() error { return m.waitErr }, syscall.SIGTERM, 5*time.Second, true)
}
