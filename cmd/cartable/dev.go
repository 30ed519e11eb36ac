package main

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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/tenant"
)

// devSecrets are generated on the first `cartable dev` and kept in the data folder.
type devSecrets struct {
	DBPassword       string `json:"db_password"`
	KratosDBPassword string `json:"kratos_db_password"`
	AdminToken       string `json:"admin_token"`
	SecretKey        string `json:"secret_key"` // CARTABLE_SECRET_KEY: encrypts initial passwords
}

// demoTenants is the demo region seeded by `cartable dev`.
var demoTenants = []tenant.NewTenant{
	{UAI: "0330021U", Name: "Lycée Michel-Montaigne", Kind: "lycee", Slug: "lycee-montaigne"},
	{UAI: "0332194F", Name: "Lycée professionnel des Chartrons", Kind: "lycee-pro", Slug: "lp-chartrons"},
	{UAI: "0400020E", Name: "Lycée agricole des Landes", Kind: "lycee-agricole", Slug: "lycee-agricole-landes"},
	{UAI: "0641839B", Name: "EREA de la Côte basque", Kind: "erea", Slug: "erea-cote-basque"},
	{UAI: "0331444R", Name: "Collège Jules-Verne", Kind: "college", Slug: "college-jules-verne"},
	{UAI: "0332833A", Name: "Collège Aliénor-d'Aquitaine", Kind: "college", Slug: "college-alienor"},
}

// runDev starts a private PostgreSQL under the data folder, migrates, seeds the demo region,
// and serves until Ctrl-C, then stops everything it started. A second run reuses the data.
func runDev(ctx context.Context, cfg config, log *slog.Logger, out io.Writer) error {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	if _, err := localstack.FindBinaries(ctx, log); err != nil {
		return err
	}
	pg, err := localstack.StartPostgres(ctx, localstack.Options{Dir: filepath.Join(cfg.DataDir, "postgres"), Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			log.Error("stop PostgreSQL", "err", err)
		} else {
			log.Info("PostgreSQL stopped")
		}
	}()
	secrets, err := loadDevSecrets(filepath.Join(cfg.DataDir, "dev-secrets.json"))
	if err != nil {
		return err
	}
	dsn, err := pg.EnsureDatabase(ctx, "cartable", "cartable", secrets.DBPassword)
	if err != nil {
		return err
	}
	cfg.DatabaseURL = dsn
	if cfg.AdminToken == "" {
		cfg.AdminToken = secrets.AdminToken
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = secrets.SecretKey
	}
	kdsn, err := pg.EnsureDatabase(ctx, "kratos", "kratos", secrets.KratosDBPassword)
	if err != nil {
		return err
	}
	portal := strings.TrimSuffix(publicURL(cfg, ""), "/")
	kr, err := localstack.StartKratos(ctx, localstack.KratosOptions{
		Dir: filepath.Join(cfg.DataDir, "kratos"), DSN: kdsn, BaseDomain: cfg.BaseDomain,
		PublicBaseURL: publicURL(cfg, "auth"), UIBaseURL: portal, HTTPPort: cfg.PublicPort, Logger: log,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := kr.Stop(); err != nil {
			log.Error("stop Kratos", "err", err)
		}
	}()
	cfg.KratosPublicURL, cfg.KratosAdminURL = kr.PublicURL(), kr.AdminURL()
	if cfg.SMTP.Host == "" {
		// The development mailbox: every e-mail of the notifications lands there, listed on
		// the console's « Courriels envoyés (dev) » page.
		mp, err := localstack.StartMailpit(ctx, localstack.MailpitOptions{Dir: filepath.Join(cfg.DataDir, "mailpit"), Logger: log})
		if err != nil {
			return err
		}
		defer func() {
			if err := mp.Stop(); err != nil {
				log.Error("stop mailpit", "err", err)
			}
		}()
		cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS, cfg.MailpitURL = mp.SMTPHost(), mp.SMTPPort(), "none", mp.APIURL()
	}
	if cfg.Stripe.URL == "" && cfg.Stripe.Key == "" {
		// Stripe's official stand-in (it takes any key shaped sk_test_…), so that the close and
		// the invoices work offline; it keeps no invoice (stateless) and gives no hosted link.
		sm, err := localstack.StartStripeMock(ctx, localstack.StripeMockOptions{Dir: filepath.Join(cfg.DataDir, "stripe-mock"), Logger: log})
		if err != nil {
			return err
		}
		defer func() {
			if err := sm.Stop(); err != nil {
				log.Error("stop stripe-mock", "err", err)
			}
		}()
		cfg.Stripe = billing.StripeConfig{Key: "sk_test_123", URL: sm.URL(), WebhookSecret: "whsec_cartable_dev"}
	}
	reg, closeDB, err := openRegistry(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := migrateAll(ctx, reg, cfg.MigrateParallel, io.Discard); err != nil {
		return err
	}
	if err := seedDemo(ctx, reg); err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	stopTool, err := resources.StartDemoTool(ctx, reg.Platform(), resources.DemoTool{PortalURL: publicURL(cfg, ""), ServerAddr: cfg.HTTPAddr, Log: log}) // the demo publisher's LTI tool
	if err != nil {
		return err
	}
	defer stopTool()
	k, err := kratosOf(cfg)
	if err != nil {
		return err
	}
	srv, queue, mods, err := buildApp(cfg, reg, log)
	if err != nil {
		return err
	}
	logins, err := seedPeople(ctx, cfg, reg, k, log, mods)
	if err != nil {
		return fmt.Errorf("seed demo people: %w", err)
	}
	// Billing's demo: tariff, metering, closed months; their invoices are sent to stripe-mock
	// by the resumption job when the queue starts.
	bills := billing.NewStore(reg.Platform(), nil)
	if err := billing.SeedDemo(ctx, billing.NewCloser(bills, bills.MonthUsage, nil), "dev:seed"); err != nil {
		return fmt.Errorf("seed demo billing: %w", err)
	}
	fmt.Fprintf(out, `
Cartable tourne avec les données de démonstration.
  Portail             %s
  Administration      %s
  API d'administration %sapi/v1/openapi.json
  Jeton d'administration (CARTABLE_ADMIN_TOKEN) : %s
  PostgreSQL          %s
Établissements :
`, srv.PortalURL(), srv.TenantURL("admin"), srv.TenantURL("admin"), cfg.AdminToken, dsn)
	for _, t := range demoTenants {
		fmt.Fprintf(out, "  %-36s %s\n", t.Name, srv.TenantURL(t.Slug))
	}
	fmt.Fprintln(out, "Comptes de démonstration (identifiant / mot de passe) :")
	for _, l := range logins {
		fmt.Fprintf(out, "  %-44s %-28s %s\n", l.Who, l.Login, l.Password)
	}
	fmt.Fprintf(out, "Connexion : %sconnexion\n", srv.PortalURL())
	if len(demoTenants) > 0 {
		fmt.Fprintf(out, "Ressources numériques : %sressources (un élève ouvre le « manuel numérique » de démonstration : lancement LTI 1.3 pseudonyme vers l'outil d'un éditeur fictif, servi en local)\n",
			srv.TenantURL(demoTenants[0].Slug))
	}
	if cfg.MailpitURL != "" {
		fmt.Fprintf(out, "Courriels envoyés (boîte de développement mailpit, API %s) : %sconsole/courriels\n", cfg.MailpitURL, srv.TenantURL("admin"))
	}
	fmt.Fprintf(out, "Exemple : curl -H 'Authorization: Bearer %s' %sapi/v1/tenants\nCtrl-C arrête tout.\n\n", cfg.AdminToken, srv.TenantURL("admin"))

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-pg.Done():
			log.Error("PostgreSQL stopped unexpectedly; see its log", "log", pg.LogPath())
			cancel()
		case <-kr.Done():
			log.Error("Kratos stopped unexpectedly; see its log", "log", kr.LogPath())
			cancel()
		case <-sctx.Done():
		}
	}()
	return serveWithJobs(sctx, cfg, srv, queue, log)
}

func seedDemo(ctx context.Context, reg *tenant.Registry) error {
	gironde, err := reg.Organisation(ctx, "33")
	if err != nil {
		return err
	}
	if gironde.OptInDate == nil {
		if _, err := reg.OptIn(ctx, "33", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "dev:seed"); err != nil {
			return err
		}
	}
	for _, nt := range demoTenants {
		if _, _, err := reg.Provision(ctx, nt, "dev:seed"); err != nil {
			return fmt.Errorf("%s: %w", nt.UAI, err)
		}
	}
	return nil
}

func loadDevSecrets(path string) (devSecrets, error) {
	var s devSecrets
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &s); err != nil {
			return s, fmt.Errorf("%s is damaged (%v): delete it and run again", path, err)
		}
		if s.KratosDBPassword == "" || s.SecretKey == "" { // written by an older version
			if s.KratosDBPassword == "" {
				s.KratosDBPassword = randomHex(16)
			}
			if s.SecretKey == "" {
				s.SecretKey = randomHex(32)
			}
			b, _ = json.MarshalIndent(s, "", "  ")
			return s, os.WriteFile(path, b, 0o600)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	s = devSecrets{DBPassword: randomHex(16), KratosDBPassword: randomHex(16), AdminToken: randomHex(24), SecretKey: randomHex(32)}
	b, _ = json.MarshalIndent(s, "", "  ")
	return s, os.WriteFile(path, b, 0o600)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// publicURL is the address browsers use for a subdomain ("" for the portal).
func publicURL(cfg config, sub string) string {
	host := cfg.BaseDomain
	if sub != "" {
		host = sub + "." + host
	}
	if cfg.PublicPort != "" {
		host += ":" + cfg.PublicPort
	}
	return cfg.PublicScheme + "://" + host + "/"
}
