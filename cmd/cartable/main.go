// Command cartable is the whole Cartable ENT in one binary: the web server, the local
// development stack, migrations and the regional administration commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

const usage = `cartable – l'ENT des lycées et collèges

Usage:
  cartable serve                         serve HTTP (DATABASE_URL must be migrated)
  cartable dev                           private PostgreSQL + demo data + serve (make dev)
  cartable migrate [--status] [--parallel N]
  cartable tenant create --uai UAI --name NAME --kind KIND [--slug SLUG]
  cartable tenant list [--status active|suspended|deleted]
  cartable tenant show|suspend|resume|delete UAI
  cartable tenant export UAI [-o FILE]
  cartable tenant import FILE
  cartable tenant purge [--dry-run]
  cartable departement list
  cartable departement opt-in CODE --date AAAA-MM-JJ
  cartable departement opt-out CODE --date AAAA-MM-JJ
  cartable billing meter [--day AAAA-MM-JJ]
  cartable billing close AAAA-MM [--dry-run]
  cartable import aaf --tenant UAI [--dry-run] FICHIER_OU_DOSSIER…
  cartable import csv --tenant UAI [--dry-run] FICHIER…
  cartable admin create --login LOGIN --role admin_regional|admin_departemental [--departement 33]

Configuration: environment variables, see README.md (DATABASE_URL, CARTABLE_HTTP_ADDR,
CARTABLE_BASE_DOMAIN, CARTABLE_DATA_DIR, CARTABLE_ADMIN_TOKEN, …).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cartable:", describe(err))
		os.Exit(1)
	}
}

// describe shows a domain error's French text, or the wrapped error otherwise.
func describe(err error) string {
	var inv *fault.Invalid
	var msg *fault.Message
	switch {
	case errors.As(err, &inv):
		return inv.Error()
	case errors.As(err, &msg):
		return msg.Text
	}
	return err.Error()
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("missing command")
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, os.Stderr)
	switch args[0] {
	case "serve":
		return runServe(ctx, cfg, log)
	case "dev":
		return runDev(ctx, cfg, log, out)
	case "migrate":
		return runMigrate(ctx, cfg, log, args[1:], out)
	case "tenant":
		return runTenant(ctx, cfg, log, args[1:], out)
	case "departement":
		return runDepartement(ctx, cfg, log, args[1:], out)
	case "billing":
		return runBilling(ctx, cfg, log, args[1:], out)
	case "import":
		return runImport(ctx, cfg, log, args[1:], out)
	case "admin":
		return runAdmin(ctx, cfg, log, args[1:], out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	fmt.Fprint(out, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// config is everything cartable reads from its environment, once.
type config struct {
	DatabaseURL     string
	HTTPAddr        string
	PprofAddr       string // where Go's profiler answers (net/http/pprof); empty: nowhere
	BaseDomain      string
	DataDir         string
	AdminToken      string
	LogFormat       string
	PublicScheme    string
	PublicPort      string
	KratosPublicURL string // Kratos' public API, reached by this process
	KratosAdminURL  string // Kratos' admin API (never exposed)
	KratosBrowser   string // Kratos' public API as browsers reach it (auth.<base>)
	DBPool          tenant.PoolOptions
	RetentionDays   int
	MigrateParallel int
	MaxImportMB     int // establishment archives (admin API)
	MaxUploadMB     int // directory files (AAF, CSV): the upload page and the admin API
	// Login throttling on the auth host (modules/identity/authproxy.go).
	LoginConcurrency  int               // password submissions with Kratos at once
	LoginQueueSeconds int               // how long others wait for one before the "file d'attente" page
	TrustedProxies    []netip.Prefix    // peers whose X-Forwarded-For names the client
	SecretKey         string            // CARTABLE_SECRET_KEY: encrypts the initial passwords kept with imports
	JobWorkers        int               // CARTABLE_JOB_WORKERS
	OrphanGraceHours  int               // CARTABLE_ORPHAN_GRACE_HOURS
	AbsenceGrace      int               // CARTABLE_ABSENCE_GRACE_SECONDS: an absence waits so long for a correction before its family is told
	SMTP              notify.SMTPConfig // CARTABLE_SMTP_*: the notifications' e-mails
	MailpitURL        string            // CARTABLE_MAILPIT_URL: a development mailbox's API (make dev)
	BlobURL           string            // CARTABLE_BLOB_URL: the documents' blob store (file://…, s3://…)
	// CARTABLE_STRIPE_KEY (secret key sk_…), CARTABLE_STRIPE_URL (empty: Stripe's API;
	// stripe-mock's in dev and tests), CARTABLE_STRIPE_WEBHOOK_SECRET (whsec_…): the
	// départements' monthly invoices and their states.
	Stripe billing.StripeConfig
}

func loadConfig() (config, error) {
	c := config{
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		HTTPAddr:        env("CARTABLE_HTTP_ADDR", ":8080"),
		PprofAddr:       os.Getenv("CARTABLE_PPROF_ADDR"),
		BaseDomain:      env("CARTABLE_BASE_DOMAIN", "cartable.localhost"),
		DataDir:         env("CARTABLE_DATA_DIR", "./.data"),
		AdminToken:      os.Getenv("CARTABLE_ADMIN_TOKEN"),
		LogFormat:       env("CARTABLE_LOG_FORMAT", "text"),
		PublicScheme:    env("CARTABLE_PUBLIC_SCHEME", "http"),
		KratosPublicURL: os.Getenv("CARTABLE_KRATOS_PUBLIC_URL"),
		KratosAdminURL:  os.Getenv("CARTABLE_KRATOS_ADMIN_URL"),
		KratosBrowser:   os.Getenv("CARTABLE_KRATOS_BROWSER_URL"),
		SecretKey:       os.Getenv("CARTABLE_SECRET_KEY"),
		MailpitURL:      os.Getenv("CARTABLE_MAILPIT_URL"),
		Stripe: billing.StripeConfig{Key: os.Getenv("CARTABLE_STRIPE_KEY"), URL: os.Getenv("CARTABLE_STRIPE_URL"),
			WebhookSecret: os.Getenv("CARTABLE_STRIPE_WEBHOOK_SECRET")},
	}
	c.SMTP = notify.SMTPConfig{Host: os.Getenv("CARTABLE_SMTP_HOST"), Username: os.Getenv("CARTABLE_SMTP_USERNAME"),
		Password: os.Getenv("CARTABLE_SMTP_PASSWORD"), TLS: os.Getenv("CARTABLE_SMTP_TLS"),
		From: env("CARTABLE_SMTP_FROM", "Cartable <ne-pas-repondre@"+c.BaseDomain+">")}
	if v := os.Getenv("CARTABLE_SMTP_PORT"); v != "" {
		if p, err := strconv.Atoi(v); err != nil || p <= 0 || p > 65535 {
			return c, fmt.Errorf("CARTABLE_SMTP_PORT=%q: a port number is expected", v)
		} else {
			c.SMTP.Port = p
		}
	}
	if p, ok := os.LookupEnv("CARTABLE_PUBLIC_PORT"); ok {
		c.PublicPort = p
	} else if _, port, err := net.SplitHostPort(c.HTTPAddr); err == nil && port != "80" && port != "443" {
		c.PublicPort = port
	}
	var err error
	if c.BlobURL, err = blobURLOf(os.Getenv("CARTABLE_BLOB_URL"), c.DataDir); err != nil {
		return c, err
	}
	for _, n := range []struct {
		name string
		dst  *int
		def  int
	}{
		{"CARTABLE_DB_MAX_CONNS", &c.DBPool.MaxOpenConns, 20},
		{"CARTABLE_TENANT_RETENTION_DAYS", &c.RetentionDays, 90},
		{"CARTABLE_MIGRATE_PARALLEL", &c.MigrateParallel, 4},
		{"CARTABLE_MAX_IMPORT_MB", &c.MaxImportMB, 2048},
		{"CARTABLE_MAX_UPLOAD_MB", &c.MaxUploadMB, 256},
		{"CARTABLE_LOGIN_CONCURRENCY", &c.LoginConcurrency, 4},
		{"CARTABLE_LOGIN_QUEUE_SECONDS", &c.LoginQueueSeconds, 10},
		{"CARTABLE_DB_TENANT_SHARE", &c.DBPool.TenantShare, 0}, // 0: half of the pool
		{"CARTABLE_JOB_WORKERS", &c.JobWorkers, 2},
		{"CARTABLE_ORPHAN_GRACE_HOURS", &c.OrphanGraceHours, 24},
		{"CARTABLE_ABSENCE_GRACE_SECONDS", &c.AbsenceGrace, 120},
	} {
		*n.dst = n.def
		if v := os.Getenv(n.name); v != "" {
			if *n.dst, err = strconv.Atoi(v); err != nil || *n.dst <= 0 {
				return c, fmt.Errorf("%s=%q: a positive whole number is expected", n.name, v)
			}
		}
	}
	for _, p := range strings.FieldsFunc(os.Getenv("CARTABLE_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return c, fmt.Errorf("CARTABLE_TRUSTED_PROXIES: %q is not an address block such as 10.0.0.0/8", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	if c.DBPool.TenantShare > c.DBPool.MaxOpenConns {
		return c, fmt.Errorf("CARTABLE_DB_TENANT_SHARE=%d is more than the pool (CARTABLE_DB_MAX_CONNS=%d)", c.DBPool.TenantShare, c.DBPool.MaxOpenConns)
	}
	for _, d := range []struct {
		name     string
		dst      *time.Duration
		disables bool // "0" turns the limit off
	}{
		{"CARTABLE_DB_STATEMENT_TIMEOUT", &c.DBPool.StatementTimeout, true},
		{"CARTABLE_DB_LOCK_TIMEOUT", &c.DBPool.LockTimeout, true},
		{"CARTABLE_DB_IDLE_TX_TIMEOUT", &c.DBPool.IdleInTxTimeout, true},
		{"CARTABLE_DB_ACQUIRE_TIMEOUT", &c.DBPool.AcquireTimeout, false},
	} {
		v := os.Getenv(d.name)
		if v == "" {
			continue // the tenant package's default
		}
		if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst < 0 || (*d.dst == 0 && !d.disables) {
			return c, fmt.Errorf("%s=%q: a duration such as 5s or 500ms is expected", d.name, v)
		}
		if *d.dst == 0 {
			*d.dst = -1 // PoolOptions: negative means no limit, zero the default
		}
	}
	return c, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// cliActor names the person running a command, for the audit log.
func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}
