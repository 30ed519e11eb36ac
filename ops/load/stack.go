package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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

	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/tenant"
)

// baseDomain is the one of `make dev`: browsers would reach <slug>.cartable.localhost.
const baseDomain = "cartable.localhost"

// stack is what the scenario starts and stops: a private PostgreSQL, Kratos on it, and later
// the cartable server. Nothing outside its folder is touched.
type stack struct {
	dir        string // everything of the run (cluster, Kratos, server data, logs)
	pg         *localstack.Postgres
	kratos     *localstack.Kratos
	dsn        string // the application's login role
	port       int    // the cartable server's port on 127.0.0.1
	secretKey  string
	adminToken string
	binDir     string // PostgreSQL's binaries (pgbench is there too)
	server     *exec.Cmd
	serverDone chan error
	log        *slog.Logger
}

// startStack starts PostgreSQL and Kratos the way `cartable dev` does, and migrates with the
// built binary (`cartable migrate`).
func startStack(ctx context.Context, dir, bin string, log *slog.Logger) (*stack, error) {
	s := &stack{dir: dir, log: log, secretKey: randomHex(32), adminToken: randomHex(24)}
	var err error
	if s.binDir, err = localstack.FindBinaries(ctx, log); err != nil {
		return s, err
	}
	if s.pg, err = localstack.StartPostgres(ctx, localstack.Options{Dir: filepath.Join(dir, "postgres"), Logger: log}); err != nil {
		return s, fmt.Errorf("start PostgreSQL: %w", err)
	}
	if s.dsn, err = s.pg.EnsureDatabase(ctx, "cartable", "cartable", randomHex(16)); err != nil {
		return s, err
	}
	kdsn, err := s.pg.EnsureDatabase(ctx, "kratos", "kratos", randomHex(16))
	if err != nil {
		return s, err
	}
	if s.port, err = freePort(); err != nil {
		return s, err
	}
	root, err := localstack.RepoRoot()
	if err != nil {
		return s, err
	}
	kbin, err := localstack.BuildKratos(ctx, root, log)
	if err != nil {
		return s, fmt.Errorf("build Kratos: %w", err)
	}
	s.kratos, err = localstack.StartKratos(ctx, localstack.KratosOptions{
		Dir: filepath.Join(dir, "kratos"), DSN: kdsn, BaseDomain: baseDomain,
		PublicBaseURL: s.url("auth"), UIBaseURL: s.url(""), HTTPPort: strconv.Itoa(s.port), Logger: log, Bin: kbin,
	})
	if err != nil {
		return s, fmt.Errorf("start Kratos: %w", err)
	}
	out, err := s.command(ctx, bin, "migrate").CombinedOutput()
	if err != nil {
		return s, fmt.Errorf("%s migrate: %w\n%s", bin, err, out)
	}
	return s, nil
}

// url is the address browsers use for a subdomain ("" for the portal), as in `make dev`.
func (s *stack) url(sub string) string {
	host := baseDomain
	if sub != "" {
		host = sub + "." + host
	}
	return "http://" + host + ":" + strconv.Itoa(s.port) + "/"
}

// host is the Host header of an establishment's requests.
func (s *stack) host(slug string) string { return slug + "." + baseDomain + ":" + strconv.Itoa(s.port) }

// env is the configuration `cartable serve` reads, pointing at this stack.
func (s *stack) env() []string {
	return append(os.Environ(),
		"DATABASE_URL="+s.dsn,
		"CARTABLE_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(s.port),
		"CARTABLE_BASE_DOMAIN="+baseDomain,
		"CARTABLE_DATA_DIR="+filepath.Join(s.dir, "data"),
		"CARTABLE_KRATOS_PUBLIC_URL="+s.kratos.PublicURL(),
		"CARTABLE_KRATOS_ADMIN_URL="+s.kratos.AdminURL(),
		"CARTABLE_KRATOS_BROWSER_URL=", // empty: cartable proxies auth.<base> itself
		"CARTABLE_SECRET_KEY="+s.secretKey,
		"CARTABLE_ADMIN_TOKEN="+s.adminToken,
		"CARTABLE_LOG_FORMAT=text",
	)
}

func (s *stack) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = s.env()
	return cmd
}

// serverLog is where the cartable server's output goes.
func (s *stack) serverLog() string { return filepath.Join(s.dir, "cartable.log") }

// startServer runs `cartable serve` (the built binary) and waits until /readyz answers 200.
func (s *stack) startServer(ctx context.Context, bin string) error {
	logFile, err := os.Create(s.serverLog())
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = s.env()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start %s serve: %w", bin, err)
	}
	s.server, s.serverDone = cmd, make(chan error, 1)
	go func() { s.serverDone <- cmd.Wait(); logFile.Close() }()

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base()+"/readyz", nil)
		req.Host = baseDomain + ":" + strconv.Itoa(s.port)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.serverDone:
			s.serverDone <- err
			return fmt.Errorf("cartable serve stopped at start (%v); see %s", err, s.serverLog())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cartable serve not ready after 60 s; see %s", s.serverLog())
		}
	}
}

// base is the address requests are sent to; the Host header names the establishment.
func (s *stack) base() string { return "http://127.0.0.1:" + strconv.Itoa(s.port) }

// stop stops whatever was started, the server first, and reports every failure.
func (s *stack) stop() error {
	var errs []error
	if s.server != nil {
		_ = s.server.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.serverDone:
		case <-time.After(40 * time.Second):
			_ = s.server.Process.Kill()
			<-s.serverDone
			errs = append(errs, errors.New("cartable serve did not stop within 40 s: killed"))
		}
	}
	if s.kratos != nil {
		if err := s.kratos.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop Kratos: %w", err))
		}
	}
	if s.pg != nil {
		if err := s.pg.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop PostgreSQL: %w", err))
		}
	}
	return errors.Join(errs...)
}

// openRegistry connects the scenario itself to the platform, for provisioning.
func (s *stack) openRegistry(ctx context.Context) (*tenant.Registry, func(), error) {
	gdb, err := tenant.Open(ctx, s.dsn, tenant.PoolOptions{MaxOpenConns: 8, StatementTimeout: 10 * time.Minute})
	if err != nil {
		return nil, nil, err
	}
	sqlDB, _ := gdb.DB()
	reg, err := tenant.NewRegistry(ctx, gdb, tenant.Options{FilesDir: filepath.Join(s.dir, "data", "files"), Logger: s.log})
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	return reg, func() { sqlDB.Close() }, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
