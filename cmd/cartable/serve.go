package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
)

// openRegistry connects to the database and binds the registry.
func openRegistry(ctx context.Context, cfg config, log *slog.Logger) (*tenant.Registry, func(), error) {
	if cfg.DatabaseURL == "" {
		return nil, nil, errors.New("DATABASE_URL is not set (e.g. postgres://cartable:…@127.0.0.1:5432/cartable); for a local stack run `make dev`")
	}
	gdb, err := tenant.Open(ctx, cfg.DatabaseURL, tenant.PoolOptions{MaxOpenConns: cfg.DBMaxConns})
	if err != nil {
		return nil, nil, err
	}
	sqlDB, _ := gdb.DB()
	reg, err := tenant.NewRegistry(ctx, gdb, tenant.Options{
		Retention: time.Duration(cfg.RetentionDays) * 24 * time.Hour,
		FilesDir:  filepath.Join(cfg.DataDir, "files"),
		Logger:    log,
	})
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	return reg, func() { sqlDB.Close() }, nil
}

// buildServer wires every host and module.
func buildServer(cfg config, reg *tenant.Registry, log *slog.Logger) (*web.Server, error) {
	srv, err := web.NewServer(web.Config{
		BaseDomain: cfg.BaseDomain, PublicPort: cfg.PublicPort, Scheme: cfg.PublicScheme,
		AdminToken: cfg.AdminToken, Logger: log,
	}, reg)
	if err != nil {
		return nil, err
	}
	api := srv.AdminAPI()
	protected := api.Group("", srv.RequireAdminToken)
	tenant.NewHandler(reg, int64(cfg.MaxImportMB)<<20).Register(protected)
	return srv, nil
}

func runServe(ctx context.Context, cfg config, log *slog.Logger) error {
	reg, closeDB, err := openRegistry(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := checkPlatform(ctx, reg); err != nil {
		return err
	}
	srv, err := buildServer(cfg, reg, log)
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg.HTTPAddr, srv, log)
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
