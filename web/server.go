package web

import (
	"context"
	_ "embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of the JSON API.
func OpenAPI() []byte { return openAPI }

// Config is the HTTP side's configuration, read once by cmd/cartable.
type Config struct {
	BaseDomain string // e.g. cartable.localhost
	PublicPort string // port shown in URLs ("8080"), empty for 80/443 behind a proxy
	Scheme     string // "http" or "https"; default http
	Logger     *slog.Logger
}

// Server routes each request by its host: the portal, the administration host, or one
// establishment (tenant). Health checks answer on every host.
type Server struct {
	cfg      Config
	log      *slog.Logger
	reg      *tenant.Registry
	renderer *Renderer
	portal   *echo.Echo
	admin    *echo.Echo
	tenants  *echo.Echo
	adminAPI *echo.Group
	auth     http.Handler
	// homePanels are the modules' blocks of the home page (SetHomePanels)
	homePanels func(echo.Context) ([]template.HTML, error)
}

// NewServer builds the three hosts with their middleware and base pages.
func NewServer(cfg Config, reg *tenant.Registry, modulePages ...fs.FS) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Scheme == "" {
		cfg.Scheme = "http"
	}
	r, err := NewRenderer(modulePages...)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, reg: reg, renderer: r}
	s.portal, s.admin, s.tenants = s.newEcho(HostPortal), s.newEcho(HostAdmin), s.newEcho(HostTenant)
	r.portalURL = s.PortalURL()
	s.tenants.Use(s.resolveTenant)

	s.portal.GET("/", s.portalHome)
	s.portal.Any("/__unknown-host", s.unknownHost)
	s.admin.GET("/", func(c echo.Context) error {
		return c.Render(http.StatusOK, "admin_home.html", Page{Title: "Administration"})
	})
	s.tenants.GET("/", s.tenantHome)

	s.adminAPI = s.admin.Group("/api/v1")
	s.adminAPI.GET("/openapi.json", serveOpenAPI)
	return s, nil
}

func serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPI)
}

func (s *Server) newEcho(host string) *echo.Echo {
	e := echo.New()
	e.Pre(setHost(host))
	e.HideBanner, e.HidePort = true, true
	e.Renderer = s.renderer
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator: func() string { return newRequestID() },
	}))
	e.Use(s.logRequests)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "err", err, "request_id", requestID(c), "stack", string(stack))
		return err
	}}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self' " + s.ownOrigins(),
	}))
	// Pages, JSON and assets travel compressed (a cheap phone on a school's shared line);
	// PDFs and archives are compressed already. klauspost/compress at its fastest level: most
	// of the size saved for a fraction of the work (compressing was a third of the server's
	// CPU on the pupils' marks page with the standard library's gzip).
	e.Use(compressed)
	e.Group("/static", staticCache).StaticFS("/", echo.MustSubFS(staticFS, "static"))
	e.GET("/favicon.ico", func(c echo.Context) error { // what browsers ask for without reading the page
		return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg")
	})
	return e
}

// ownOrigins are the platform's hosts (every subdomain of the base), where forms may post
// and redirect: the login forms post to auth.<base>, which then sends back to an establishment.
// ownOrigins are the platform's hosts for form-action: every subdomain, and the portal
// itself (a form's redirect, such as logout's to the portal, counts too).
func (s *Server) ownOrigins() string {
	port := ""
	if s.cfg.PublicPort != "" {
		port = ":" + s.cfg.PublicPort
	}
	return s.cfg.Scheme + "://*." + s.cfg.BaseDomain + port + " " + s.cfg.Scheme + "://" + s.cfg.BaseDomain + port
}

func staticCache(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		return next(c)
	}
}

// AddPages parses a module's page templates (its templates/*.html).
func (s *Server) AddPages(fsys fs.FS) error { return s.renderer.Add(fsys) }

// Portal, Admin and Tenants expose the three hosts for modules to register routes.
func (s *Server) Portal() *echo.Echo { return s.portal }

// Admin is the administration host.
func (s *Server) Admin() *echo.Echo { return s.admin }

// Tenants is the establishments' host; every route sees TenantOf(c) non-nil.
func (s *Server) Tenants() *echo.Echo { return s.tenants }

// AdminAPI is /api/v1 on the administration host, behind the administration token.
func (s *Server) AdminAPI() *echo.Group { return s.adminAPI }

// SetAuthHandler sets what serves auth.<base> (the identity server's public API).
func (s *Server) SetAuthHandler(h http.Handler) { s.auth = h }

// ServeHTTP answers health checks on any host, then dispatches by host.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
		return
	case "/readyz":
		s.ready(w, r)
		return
	}
	kind, _ := tenant.ParseHost(r.Host, s.cfg.BaseDomain)
	switch kind {
	case tenant.HostPortal:
		s.portal.ServeHTTP(w, r)
	case tenant.HostAdmin:
		s.admin.ServeHTTP(w, r)
	case tenant.HostTenant:
		s.tenants.ServeHTTP(w, r)
	case tenant.HostAuth:
		if s.auth != nil {
			s.auth.ServeHTTP(w, r)
			return
		}
		s.portal.ServeHTTP(w, withPath(r, "/__unknown-host"))
	default:
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"aucun établissement ni service à cette adresse"}`))
			return
		}
		s.portal.ServeHTTP(w, withPath(r, "/__unknown-host"))
	}
}

func withPath(r *http.Request, p string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = p, ""
	return r2
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	ok, err := s.reg.PlatformCurrent(ctx)
	switch {
	case err != nil:
		s.log.Warn("readiness: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","reason":"database unreachable"}`))
	case !ok:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","reason":"platform schema not at the expected version: run cartable migrate"}`))
	default:
		w.Write([]byte(`{"status":"ready"}`))
	}
}

// PortalURL is the public portal's address.
func (s *Server) PortalURL() string { return s.urlFor("") }

// TenantURL is the address of an establishment.
func (s *Server) TenantURL(slug string) string { return s.urlFor(slug) }

func (s *Server) urlFor(sub string) string {
	host := s.cfg.BaseDomain
	if sub != "" {
		host = sub + "." + host
	}
	if s.cfg.PublicPort != "" {
		host = net.JoinHostPort(host, s.cfg.PublicPort)
	}
	return s.cfg.Scheme + "://" + host + "/"
}

const tenantKey = "cartable.tenant"

// TenantOf returns the establishment resolved for this request, nil on platform hosts.
func TenantOf(c echo.Context) *tenant.Tenant {
	t, _ := c.Get(tenantKey).(*tenant.Tenant)
	return t
}

// resolveTenant maps the host to a live tenant, and refuses suspended ones and those whose
// schema is behind, with a clear page and no data.
func (s *Server) resolveTenant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			return next(c)
		}
		_, slug := tenant.ParseHost(c.Request().Host, s.cfg.BaseDomain)
		t, err := s.reg.BySlug(c.Request().Context(), slug)
		if errors.Is(err, fault.ErrNotFound) {
			return s.unknownHost(c)
		}
		if err != nil {
			return err
		}
		switch {
		case t.Status == tenant.StatusSuspended:
			return s.refuse(c, http.StatusForbidden, errorPage{
				Heading: "Établissement suspendu",
				Message: "L'accès à l'espace numérique de " + t.Name + " est suspendu.",
				Hint:    "Vos données sont conservées. Pour en savoir plus, contactez votre établissement.",
			})
		case t.SchemaVersion < s.reg.LatestTenantVersion():
			c.Response().Header().Set("Retry-After", "120")
			return s.refuse(c, http.StatusServiceUnavailable, errorPage{
				Heading: "Maintenance en cours",
				Message: "L'espace numérique de " + t.Name + " est en cours de mise à jour.",
				Hint:    "Réessayez dans quelques minutes.",
			})
		}
		c.Set(tenantKey, t)
		return next(c)
	}
}

func (s *Server) refuse(c echo.Context, status int, p errorPage) error {
	if wantsJSON(c) {
		return c.JSON(status, apiError{Error: p.Message + " " + p.Hint})
	}
	return s.renderError(c, status, p)
}

func (s *Server) unknownHost(c echo.Context) error {
	return s.refuse(c, http.StatusNotFound, errorPage{
		Heading: "Établissement introuvable",
		Message: "Aucun établissement n'est ouvert à l'adresse " + c.Request().Host + ".",
		Hint:    "Vérifiez l'adresse, ou choisissez votre établissement sur le portail.",
	})
}

type portalGroup struct {
	ID, Title string
	Tenants   []portalTenant
}

type portalTenant struct {
	Name, URL, KindLabel string
	UAI                  tenant.UAI
}

func (s *Server) portalHome(c echo.Context) error {
	ts, err := s.reg.List(c.Request().Context(), tenant.ListFilter{Status: tenant.StatusActive})
	if err != nil {
		return err
	}
	orgs, err := s.reg.Organisations(c.Request().Context())
	if err != nil {
		return err
	}
	var groups []portalGroup
	for _, o := range orgs {
		g := portalGroup{ID: o.Code, Title: "Collèges – " + o.Name + " (" + o.Code + ")"}
		if o.Kind == "region" {
			g.Title = "Lycées et EREA"
		}
		for _, t := range ts {
			if t.OrganisationCode == o.Code {
				g.Tenants = append(g.Tenants, portalTenant{Name: t.Name, URL: s.TenantURL(t.Slug), KindLabel: t.Kind.Label(), UAI: t.UAI})
			}
		}
		if len(g.Tenants) > 0 {
			groups = append(groups, g)
		}
	}
	return c.Render(http.StatusOK, "portal.html", Page{Title: "Portail", Data: map[string]any{"Groups": groups,
		"SignedOut": c.QueryParam("deconnexion") == "ok" && UserOf(c) == nil}})
}

// SetHomePanels sets the hook that gives the modules' blocks of the establishment's home page
// for the signed-in viewer (cmd/cartable gathers the modules' HomePanel functions).
func (s *Server) SetHomePanels(f func(echo.Context) ([]template.HTML, error)) { s.homePanels = f }

func (s *Server) tenantHome(c echo.Context) error {
	t := TenantOf(c)
	login := strings.TrimSuffix(s.PortalURL(), "/") + "/connexion?return_to=" + url.QueryEscape(RequestURL(c))
	var panels []template.HTML
	if UserOf(c) != nil && s.homePanels != nil {
		var err error
		if panels, err = s.homePanels(c); err != nil {
			return err
		}
	}
	return c.Render(http.StatusOK, "tenant_home.html", Page{Title: "Accueil", Tenant: t, Data: map[string]any{
		"KindLabel": t.Kind.Label(), "LoginURL": login, "SignedIn": UserOf(c) != nil, "Panels": panels}})
}

// RequestURL is the absolute URL of the request as the browser sees it.
func RequestURL(c echo.Context) string {
	r := c.Request()
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

const csrfKey = "csrf"
