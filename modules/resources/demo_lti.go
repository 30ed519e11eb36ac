package resources

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/resources/ltitool"
	"github.com/cartable-ent/cartable/tenant"
)

// The demo LTI tool (make dev): a publisher, its tool and a digital textbook.
const (
	demoPublisher    = "Éditions Démo Cartable"
	demoToolName     = "Manuels Démo (LTI 1.3)"
	demoClientID     = "cartable-demo-manuels"
	demoDeploymentID = "demo-region"
	demoLTIResource  = "Mathématiques 2nde — manuel numérique (démo)"
)

// DemoTool says where the demo LTI tool finds the platform.
type DemoTool struct {
	PortalURL string // the portal's base URL: the issuer
	// ServerAddr is where this process serves the portal (CARTABLE_HTTP_ADDR): the tool
	// fetches the platform's keys there whatever the portal's host name resolves to.
	ServerAddr string
	Log        *slog.Logger
	Now        func() time.Time // the tool's clock; nil: time.Now
}

// StartDemoTool serves the demo LTI tool (package ltitool) on a free local port and records
// it in the catalogue (its URLs change with the port): the demo publisher, its tool and a
// « manuel numérique ». stop ends the tool.
func StartDemoTool(ctx context.Context, platform *gorm.DB, cfg DemoTool) (stop func(), err error) {
	portalURL, serverAddr, log := cfg.PortalURL, cfg.ServerAddr, cfg.Log
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("resources: demo LTI tool: %w", err)
	}
	base := "http://" + ln.Addr().String()
	portal := strings.TrimSuffix(portalURL, "/")
	if err := seedDemoTool(ctx, platform, base); err != nil {
		ln.Close()
		return nil, err
	}
	dial := serverAddr
	if strings.HasPrefix(dial, ":") {
		dial = "127.0.0.1" + dial
	}
	portalHost := ""
	if u, err := url.Parse(portal); err == nil {
		portalHost = u.Host
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == portalHost || strings.TrimSuffix(addr, ":80") == portalHost {
				addr = dial
			}
			return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
		},
	}}
	tool := ltitool.New(ltitool.Config{Issuer: portal, ClientID: demoClientID, DeploymentIDs: []string{demoDeploymentID},
		AuthURL: portal + "/lti/auth", JWKSURL: portal + "/lti/jwks.json", LaunchURL: base + ltitool.LaunchPath, Client: client, Now: cfg.Now})
	srv := &http.Server{Handler: tool, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && log != nil {
			log.Error("demo LTI tool stopped", "err", err)
		}
	}()
	if log != nil {
		log.Info("demo LTI tool", "url", base)
	}
	return func() { srv.Close() }, nil
}

// seedDemoTool writes (or updates) the demo publisher, tool and resource.
func seedDemoTool(ctx context.Context, db *gorm.DB, base string) error {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var pub uuid.UUID
		if err := tx.Raw(`INSERT INTO platform.resource_publishers (name, website) VALUES (?, '')
			ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, demoPublisher).Row().Scan(&pub); err != nil {
			return fmt.Errorf("resources: demo publisher: %w", err)
		}
		var tool uuid.UUID
		if err := tx.Raw(`INSERT INTO platform.resource_tools (publisher_id, name, kind, client_id, login_url, launch_url, jwks_url, deployment_ids, pseudonym_salt)
			VALUES (?, ?, 'lti', ?, ?, ?, ?, ?, ?)
			ON CONFLICT (client_id) DO UPDATE SET login_url = EXCLUDED.login_url, launch_url = EXCLUDED.launch_url, jwks_url = EXCLUDED.jwks_url, updated_at = now()
			RETURNING id`, pub, demoToolName, demoClientID, base+ltitool.LoginPath, base+ltitool.LaunchPath, base+ltitool.JWKSPath,
			Strings{demoDeploymentID}, salt).Row().Scan(&tool); err != nil {
			return fmt.Errorf("resources: demo LTI tool: %w", err)
		}
		if err := tx.Exec(`INSERT INTO platform.resources (publisher_id, tool_id, title, type, subjects, levels, description)
			VALUES (?, ?, ?, 'manuel', ?, ?, ?) ON CONFLICT (publisher_id, title) DO NOTHING`, pub, tool, demoLTIResource,
			Strings{"Mathématiques"}, Strings{"2nde"},
			"Manuel numérique de démonstration, ouvert par un lancement LTI 1.3 pseudonyme : l'éditeur ne reçoit qu'un identifiant propre à lui.").Error; err != nil {
			return fmt.Errorf("resources: demo textbook: %w", err)
		}
		return nil
	})
}

// seedDemoLTI subscribes a demo establishment to the demo textbook for everyone, this
// school year, when the demo tool is in the catalogue (StartDemoTool).
func (s *Service) seedDemoLTI(ctx context.Context, t *tenant.Tenant) error {
	var ids []struct {
		ID     uuid.UUID
		ToolID uuid.UUID
	}
	if err := s.cat.DB().WithContext(ctx).Raw(`SELECT r.id, r.tool_id FROM platform.resources r
		JOIN platform.resource_tools tl ON tl.id = r.tool_id WHERE tl.client_id = ? AND r.title = ?`, demoClientID, demoLTIResource).Scan(&ids).Error; err != nil {
		return fmt.Errorf("resources: find the demo textbook: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	s.cat.Invalidate()
	_, start, end := directory.SchoolYearOf(s.now())
	return s.write(ctx, t, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("resource_subscriptions").Where("resource_id = ?", ids[0].ID).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		return tx.Exec(`INSERT INTO resource_subscriptions (resource_id, tool_id, deployment_id, starts_on, ends_on, kind, target, licence_mode, created_at)
			VALUES (?, ?, ?, ?, ?, 'etablissement', 'tous', 'illimite', ?)`, ids[0].ID, ids[0].ToolID, demoDeploymentID, start, end, s.now()).Error
	})
}
