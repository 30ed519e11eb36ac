package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/exercises/grading"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/modules/privacy"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/modules/transfer"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
	"gocloud.dev/blob/memblob"
)

// openRegistry connects to the database and binds the registry.
func openRegistry(ctx context.Context, cfg config, log *slog.Logger) (*tenant.Registry, func(), error) {
	if cfg.DatabaseURL == "" {
		return nil, nil, errors.New("DATABASE_URL is not set (e.g. postgres://cartable:…@127.0.0.1:5432/cartable); for a local stack run `make dev`")
	}
	pool := cfg.DBPool
	pool.Logger = log // slow queries
	gdb, err := tenant.Open(ctx, cfg.DatabaseURL, pool)
	if err != nil {
		return nil, nil, err
	}
	sqlDB, _ := gdb.DB()
	blobs, err := openBlobs(ctx, cfg) // the documents: exported and restored with their establishment
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	reg, err := tenant.NewRegistry(ctx, gdb, tenant.Options{
		Retention: time.Duration(cfg.RetentionDays) * 24 * time.Hour,
		FilesDir:  filepath.Join(cfg.DataDir, "files"),
		Blobs:     blobs,
		Logger:    log,
	})
	if err != nil {
		blobs.Close()
		sqlDB.Close()
		return nil, nil, err
	}
	return reg, func() { blobs.Close(); sqlDB.Close() }, nil
}

// kratosOf connects to the identity server named by the configuration.
func kratosOf(cfg config) (*identity.Kratos, error) {
	if cfg.KratosPublicURL == "" || cfg.KratosAdminURL == "" {
		return nil, errors.New("CARTABLE_KRATOS_PUBLIC_URL and CARTABLE_KRATOS_ADMIN_URL must name the Ory Kratos APIs (make dev starts one)")
	}
	return identity.NewKratos(cfg.KratosPublicURL, cfg.KratosAdminURL, 10*time.Second), nil
}

// directoryOf wires the directory service; records tell the server's access cache of the
// memberships it writes (identity.Records{} in a command, which has no cache).
func directoryOf(cfg config, reg *tenant.Registry, k *identity.Kratos, records identity.Records, log *slog.Logger) (*directory.Service, error) {
	svc := directory.NewService(reg.DB(), k, records, log, nil)
	key, err := secretKey(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	if key == nil {
		log.Warn("CARTABLE_SECRET_KEY is not set: initial passwords are encrypted with a key drawn for this process only (sheets cannot be printed after a restart)")
	} else if err := svc.SetCredentialKey(key); err != nil {
		return nil, err
	}
	return svc, nil
}

// buildServer wires every host and module.
func buildServer(cfg config, reg *tenant.Registry, log *slog.Logger) (*web.Server, error) {
	srv, _, _, err := buildApp(cfg, reg, log)
	return srv, err
}

// buildApp wires every host and module, and the job queue (not started).
func buildApp(cfg config, reg *tenant.Registry, log *slog.Logger) (*web.Server, *jobs.Queue, []module.Module, error) {
	k, err := kratosOf(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	srv, err := web.NewServer(web.Config{
		BaseDomain: cfg.BaseDomain, PublicPort: cfg.PublicPort, Scheme: cfg.PublicScheme, Logger: log,
	}, reg)
	if err != nil {
		return nil, nil, nil, err
	}
	store := identity.NewStore(reg.Platform())
	go store.ListenForChanges(context.Background(), log) // ends when the pool is closed
	dirSvc, err := directoryOf(cfg, reg, k, identity.Records{Access: store}, log)
	if err != nil {
		return nil, nil, nil, err
	}
	notifySvc := notify.NewService(reg.DB(), nil)
	mailer, err := mailerOf(cfg, reg, notifySvc, srv.TenantURL, log)
	if err != nil {
		return nil, nil, nil, err
	}
	timetableSvc := timetable.NewService(reg.DB(), nil)
	absencesSvc := attendance.NewService(reg.DB(), timetableSvc, nil)
	documents := reg.Blobs()
	if documents == nil { // a registry built by hand (tests)
		documents = memblob.OpenBucket(nil)
	}
	absencesSvc.SetBucket(documents)
	newsSvc := news.NewService(reg.DB(), documents, nil)
	coursesSvc := courses.NewService(reg.DB(), documents, nil)
	cahierSvc := cahier.NewService(reg.DB(), timetableSvc, nil)
	cahierSvc.SetBucket(documents)
	portfolioSvc := portfolio.NewService(reg.DB(), nil)
	portfolioSvc.SetBucket(documents)
	cahierSvc.SetPortfolio(portfolioSvc) // work handed in is the pupil's portfolio item
	messagingSvc := messaging.NewService(reg.DB(), nil, notifySvc)
	messagingSvc.SetBucket(documents)
	// One space per establishment for every module's files, against the région's quota.
	space, err := files.NewSpace(reg.DB(), nil, attendance.FileTable, news.FileTable, messaging.FileTable, cahier.FileTable, cahier.ArchiveTable, courses.FileTable, portfolio.FileTable)
	if err != nil {
		return nil, nil, nil, err
	}
	absencesSvc.SetSpace(space)
	newsSvc.SetSpace(space)
	messagingSvc.SetSpace(space)
	cahierSvc.SetSpace(space)
	coursesSvc.SetSpace(space)
	portfolioSvc.SetSpace(space)
	// Portfolios carried from one establishment to another, asked after an AAF import.
	transferSvc := transfer.NewService(reg.DB(), reg.Platform(), portfolioSvc, log, nil)
	transferSvc.SetBucket(documents)
	transferSvc.SetSpace(space)
	// Billing: the metering, the monthly close and the départements' Stripe invoices. The
	// close enqueues the month's invoicing in its transaction, on the queue built below.
	billingStore := billing.NewStore(reg.Platform(), nil)
	closer, err := closerOf(cfg, billingStore, log)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.Stripe.WebhookSecret == "" {
		log.Warn("CARTABLE_STRIPE_WEBHOOK_SECRET is not set: Stripe's webhook answers 503 and the invoices' states are not followed")
	}
	// Resources: the région's catalogue, the establishments' subscriptions, the LTI launch.
	ltiKey, _ := secretKey(cfg.SecretKey) // checked by directoryOf above; nil: a key for this process
	resourcesSvc := resources.NewService(reg.DB(), resources.NewCatalogue(reg.Platform()), nil).WithLTI(resources.LTIConfig{Issuer: srv.PortalURL(), SecretKey: ltiKey})
	// The personal data exports: every module's exporter, into the blob store.
	privacySvc := privacy.NewService(reg.Platform(), reg.DB(), reg, documents, directory.Guardianship{}, nil)
	invoicing := &laterQueue{}
	// Retention: the purges' report, the leavers' portfolios and their warning, connection logs.
	keep := retentionOf(reg, notifySvc, portfolioSvc, srv.PortalURL())
	resourcesSvc.SetPurgeReport(keep.Report())
	queue, err := queueOf(cfg, reg, k, dirSvc, keep, log, mailer, billing.RegisterJobs(closer, invoicing, log), absencesSvc.Jobs(liveTenants{reg}),
		attendance.NewArchiver(absencesSvc, liveTenants{reg}, log).SetReport(keep.Report()),
		attendance.NewSweeper(absencesSvc, liveTenants{reg}), news.NewSweeper(newsSvc, liveTenants{reg}), messaging.NewSweeper(messagingSvc, liveTenants{reg}),
		messagingSvc.Jobs(liveTenants{reg}, log).SetReport(keep.Report()), newsSvc.Jobs(liveTenants{reg}), courses.NewSweeper(coursesSvc, liveTenants{reg}), cahierSvc.Jobs(liveTenants{reg}),
		cahier.NewSweeper(cahierSvc, liveTenants{reg}), portfolio.NewSweeper(portfolioSvc, liveTenants{reg}), cahierSvc.ArchiveJobs(liveTenants{reg}), resources.Work(resourcesSvc.Jobs(liveTenants{reg}, log)), transferSvc.Jobs(), privacySvc.Jobs(log))
	if err != nil {
		return nil, nil, nil, err
	}
	invoicing.q = queue
	dirSvc.SetQueue(queue)
	transferSvc.SetQueue(queue)
	dirSvc.SetArrivals(transferSvc.Arrivals) // an AAF import's new pupils may bring a portfolio
	privacySvc.SetQueue(queue)
	notifySvc.SetQueue(queue)
	absencesSvc.SetNotices(attendance.NoticeConfig{Notifier: notifySvc, Queue: queue, Grace: time.Duration(cfg.AbsenceGrace) * time.Second})
	messagingSvc.SetQueue(queue) // messages sent outside the messaging hours are told later
	newsSvc.SetNotifier(notifySvc)
	cahierSvc.SetNotifier(notifySvc)
	coursesSvc.SetNotifier(notifySvc)
	auth := identity.NewAuthenticator(k, store, srv.PortalURL())
	auth.SetAutomationToken(cfg.AdminToken)
	auth.SetActivations(identity.NewActivations(reg.DB(), nil))
	auth.SetSignIns(billing.NewSignIns(billingStore)) // the metering's daily sign-ins
	srv.Portal().Use(auth.Platform)
	srv.Admin().Use(auth.Platform)
	srv.Tenants().Use(auth.Tenant)

	browser := cfg.KratosBrowser
	if browser == "" {
		browser = strings.TrimSuffix(srv.TenantURL("auth"), "/")
	}
	gradesSvc := grades.NewService(reg.DB(), nil)
	gradesSvc.SetNotifier(notifySvc)
	cahierSvc.SetMarks(gradesSvc)      // a returned submission's mark goes into the grid
	gradesSvc.SetAbsences(absencesSvc) // report cards show the period's half-days
	// Published report cards (with their PDFs) and submitted attempts go into the pupils' portfolios.
	gradesSvc.SetPortfolio(portfolioSvc)
	family := familyOf(auth, reg, gradesSvc)
	exercisesSvc := exercises.NewService(reg.DB(), gradeQuestion, gradesSvc, nil)
	exercisesSvc.SetPortfolio(portfolioSvc)
	// Resources: the tools' scores into grades drafts, the GAR-style exports on the queue.
	resourcesSvc.WithGrades(gradesSvc, srv.PortalURL()).WithExportQueue(queue)
	coursesSvc.SetExercises(exercisesSvc.ForCourses()) // exercise blocks in the pages
	srv.SetChildSwitcher(childSwitcher(family, srv.TenantURL, log))
	var mailbox notify.Mailbox
	if cfg.MailpitURL != "" {
		mailbox = notify.MailpitArrivals{BaseURL: cfg.MailpitURL}
	}
	mods := modules(app{cfg: cfg, reg: reg, srv: srv, auth: auth, browser: browser, queue: queue, directory: dirSvc, grades: gradesSvc, family: family,
		billing: closer, stripeWebhook: billing.NewWebhook(billingStore, cfg.Stripe.WebhookSecret).WithLogger(log),
		notify: notifySvc, timetable: timetableSvc, absences: absencesSvc, messaging: messagingSvc, news: newsSvc, courses: coursesSvc, exercises: exercisesSvc, resources: resourcesSvc, space: space, cahier: cahierSvc, portfolio: portfolioSvc, retention: keep, transfer: transferSvc, privacy: privacySvc, mailbox: mailbox, log: log})
	privacySvc.SetModules(mods)
	if err := mount(srv, auth, mods); err != nil {
		return nil, nil, nil, err
	}

	if cfg.KratosBrowser == "" {
		// auth.<base> is Kratos' public API; in production the ingress routes it, here we do.
		limits := identity.DefaultLoginLimits()
		if cfg.LoginConcurrency > 0 {
			limits.Concurrency = cfg.LoginConcurrency
		}
		if cfg.LoginQueueSeconds > 0 {
			limits.QueueWait = time.Duration(cfg.LoginQueueSeconds) * time.Second
		}
		proxy, err := identity.NewAuthProxy(identity.AuthProxyConfig{
			KratosPublicURL: cfg.KratosPublicURL, KratosAdminURL: cfg.KratosAdminURL,
			BrowserURL: browser, LoginPageURL: srv.PortalURL() + "connexion", StylesheetURL: srv.PortalURL() + "static/cartable.css",
			Limits: limits, ClientAddress: identity.ClientAddress(cfg.TrustedProxies), Logger: log,
			SessionsChanged: auth.SessionsChanged,
		})
		if err != nil {
			return nil, nil, nil, err
		}
		srv.SetAuthHandler(proxy)
	}
	return srv, queue, mods, nil
}

func runServe(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.SecretKey == "" {
		// A key drawn per process would make every sheet printed before a restart, or by
		// another replica, unreadable.
		return errors.New("CARTABLE_SECRET_KEY is not set: give every replica the same 32-byte key (openssl rand -hex 32); it encrypts the initial passwords kept with imports (make dev makes its own)")
	}
	reg, closeDB, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	srv, queue, _, err := buildApp(cfg, reg, log)
	if err != nil {
		return err
	}
	return serveWithJobs(ctx, cfg, srv, queue, log)
}

// serveWithJobs runs the job workers next to the HTTP server; on shutdown running jobs get
// 30 s to finish (an interrupted job is retried by the next worker).
func serveWithJobs(ctx context.Context, cfg config, srv *web.Server, queue *jobs.Queue, log *slog.Logger) error {
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}
	// Not ctx itself: its end would cancel running jobs at once; Stop below lets them finish.
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := queue.Stop(sctx); err != nil {
			log.Error("stop job workers", "err", err)
		}
	}()
	return listenAndServe(ctx, cfg.HTTPAddr, srv, log)
}

// openMigrated is openRegistry for commands that need the platform schema current.
func openMigrated(ctx context.Context, cfg config, log *slog.Logger) (*tenant.Registry, func(), error) {
	reg, closeDB, err := openRegistry(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	if err := checkPlatform(ctx, reg); err != nil {
		closeDB()
		return nil, nil, err
	}
	return reg, closeDB, nil
}

func checkPlatform(ctx context.Context, reg *tenant.Registry) error {
	ok, err := reg.PlatformCurrent(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the platform schema is not at this version's level: run `cartable migrate` first")
	}
	return nil
}

// listenAndServe serves until ctx ends, then lets in-flight requests finish (30 s at most).
func listenAndServe(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (CARTABLE_HTTP_ADDR): %w", addr, err)
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// servePprof answers Go's profiler on its own address (CARTABLE_PPROF_ADDR, e.g.
// 127.0.0.1:6060), never on the public one: the load scenario and an operator read where a
// page spends its time.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiler", "addr", addr)
	hs := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := hs.ListenAndServe(); err != nil {
		log.Warn("profiler stopped", "addr", addr, "err", err)
	}
}

// gradeQuestion is the exercises' grader: package grading's automatic grading (an essay
// waits for its teacher).
func gradeQuestion(q question.Question, r question.Response) (*big.Rat, bool) {
	res := grading.Grade(q, r)
	return res.Score, res.Graded
}
