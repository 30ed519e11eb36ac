package identity

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// Viewer is the person behind a request.
type Viewer struct {
	IdentityID   uuid.UUID
	Login        string
	FirstName    string
	LastName     string
	Tenant       *tenant.Tenant // nil on platform hosts
	PersonID     uuid.UUID      // in Tenant; zero for platform administrators
	Member       bool           // an active member of Tenant
	Roles        Roles          // in Tenant, or the platform role
	PlatformRole Role
	Departement  string // of an admin_departemental
}

// Can tells whether the viewer's roles grant p.
func (v *Viewer) Can(p Permission) bool { return v != nil && Can(v.Roles, p) }

// Has tells whether the viewer holds role r here.
func (v *Viewer) Has(r Role) bool { return v != nil && slices.Contains(v.Roles, r) }

// Name is the viewer's display name.
func (v *Viewer) Name() string {
	if n := strings.TrimSpace(v.FirstName + " " + v.LastName); n != "" {
		return n
	}
	return v.Login
}

const viewerKey = "cartable.viewer"

// ViewerOf returns the signed-in person of the request, or nil.
func ViewerOf(c echo.Context) *Viewer {
	v, _ := c.Get(viewerKey).(*Viewer)
	return v
}

// SetViewer records the signed-in person of the request (the middleware does; tests of
// what a page shows to whom may too).
func SetViewer(c echo.Context, v *Viewer) { c.Set(viewerKey, v) }

// Authenticator checks sessions and memberships, and guards routes with permissions.
type Authenticator struct {
	kratos    *Kratos
	store     *Store
	portalURL string // where /connexion lives
	routes    map[string]Permission
	// automation is the administration API's token: never sent to Kratos as a session.
	automation []byte
	// activations records members' first sign-in (nil: not recorded).
	activations *Activations
	// signIns is told of members' requests (billing's metering; nil: nobody).
	signIns SignInRecorder
}

// SetAutomationToken names the administration API's token (CARTABLE_ADMIN_TOKEN), so that
// it is recognised before any session look-up and never forwarded to Kratos.
func (a *Authenticator) SetAutomationToken(token string) { a.automation = []byte(token) }

func (a *Authenticator) isAutomation(token string) bool {
	return len(a.automation) > 0 && token != "" && subtle.ConstantTimeCompare([]byte(token), a.automation) == 1
}

// Public marks a route that anyone may reach.
const Public = module.Public

// NewAuthenticator wires the session checker and the membership store.
func NewAuthenticator(k *Kratos, s *Store, portalURL string) *Authenticator {
	return &Authenticator{kratos: k, store: s, portalURL: strings.TrimSuffix(portalURL, "/"), routes: map[string]Permission{}}
}

// Kratos returns the identity server client.
func (a *Authenticator) Kratos() *Kratos { return a.kratos }

// Store returns the membership store.
func (a *Authenticator) Store() *Store { return a.store }

// credentials reads the session cookie, X-Session-Token, or a bearer session token.
func credentials(c echo.Context) (cookie, token string) {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		cookie = ck.Value
	}
	token = c.Request().Header.Get("X-Session-Token")
	if token == "" {
		if scheme, rest, ok := strings.Cut(c.Request().Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			token = strings.TrimSpace(rest)
		}
	}
	return cookie, token
}

// session returns the request's Kratos session, nil when there is none.
func (a *Authenticator) session(c echo.Context) (*Session, error) {
	cookie, token := credentials(c)
	if a.isAutomation(token) {
		token = ""
	}
	s, err := a.kratos.Check(c.Request().Context(), cookie, token)
	if errors.Is(err, ErrNoSession) {
		return nil, nil
	}
	return s, err
}

// Tenant is the middleware of establishment hosts: it identifies the person and their
// membership of this establishment, checked on every request (a session opened elsewhere
// gives nothing here). Platform administrators whose scope covers the establishment are let
// in with their platform role.
func (a *Authenticator) Tenant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := web.TenantOf(c)
		if t == nil {
			return next(c)
		}
		s, err := a.session(c)
		if err != nil {
			return err
		}
		if s == nil {
			return next(c)
		}
		acc, err := a.store.Access(c.Request().Context(), s.IdentityID, t.ID, s.ID)
		if err != nil {
			return err
		}
		if acc.Revoked { // signed out on another server: anonymous here too
			cookie, token := credentials(c)
			a.kratos.Evict(cookie, token)
			return next(c)
		}
		v := &Viewer{IdentityID: s.IdentityID, Login: s.Login, FirstName: s.FirstName, LastName: s.LastName, Tenant: t,
			PlatformRole: acc.PlatformRole, Departement: acc.Departement}
		switch {
		case acc.Member:
			v.Member, v.PersonID, v.Roles = true, acc.PersonID, acc.Roles
			a.noteActivated(c, t, acc.PersonID)
			a.noteSignedIn(c, t, s.IdentityID, acc.Roles)
		case coversTenant(acc.PlatformRole, acc.Departement, t):
			v.Roles = Roles{acc.PlatformRole}
		}
		a.setViewer(c, v)
		return next(c)
	}
}

func coversTenant(r Role, dep string, t *tenant.Tenant) bool {
	switch r {
	case RoleAdminRegion:
		return true
	case RoleAdminDepartement:
		return t.OrganisationCode == dep
	}
	return false
}

// Platform is the middleware of the portal and administration hosts: it identifies the
// person and their platform role, if any.
func (a *Authenticator) Platform(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s, err := a.session(c)
		if err != nil {
			// The portal stays up when the identity server is not: the person is anonymous.
			c.Logger().Warnf("identity server unreachable, serving the portal anonymously: %v", err)
			return next(c)
		}
		if s == nil {
			return next(c)
		}
		acc, err := a.store.Access(c.Request().Context(), s.IdentityID, uuid.Nil, s.ID)
		if err != nil {
			return err
		}
		if acc.Revoked { // signed out on another server: anonymous here too
			cookie, token := credentials(c)
			a.kratos.Evict(cookie, token)
			return next(c)
		}
		role, dep := acc.PlatformRole, acc.Departement
		v := &Viewer{IdentityID: s.IdentityID, Login: s.Login, FirstName: s.FirstName, LastName: s.LastName, PlatformRole: role, Departement: dep}
		if role != "" {
			v.Roles = Roles{role}
		}
		a.setViewer(c, v)
		return next(c)
	}
}

func (a *Authenticator) setViewer(c echo.Context, v *Viewer) {
	SetViewer(c, v)
	setCSRF(c)
	label := ""
	if len(v.Roles) > 0 {
		label = v.Roles[0].Label()
	}
	web.SetUser(c, &web.User{Name: v.Name(), RoleLabel: label, LogoutURL: "/deconnexion", PortalURL: a.portalURL + "/choix"})
}

// SessionsChanged is told of a sign-out or a revocation made through Kratos' own API (the
// auth host): this server forgets the credential's sessions, and the others are told
// through the revoked sessions.
func (a *Authenticator) SessionsChanged(ctx context.Context, cookie, token string) error {
	if s := a.kratos.SessionsChanged(cookie, token); s != nil && s.ID != "" {
		return a.noteSignedOut(ctx, s)
	}
	return nil
}

// noteSignedOut tells the other servers that s ended, for longer than their session caches
// may keep it.
func (a *Authenticator) noteSignedOut(ctx context.Context, s *Session) error {
	return a.store.RecordRevocation(ctx, s.ID, a.kratos.now().Add(a.kratos.cache.ttl+time.Minute))
}

// Require lets the request through only if the viewer's roles grant p. Anonymous browsers
// are sent to the login page and come back; API clients get 401.
func (a *Authenticator) Require(p Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if p == Public {
				return next(c)
			}
			v := ViewerOf(c)
			switch {
			case v == nil:
				return a.unauthenticated(c)
			case v.Tenant != nil && !v.Member && len(v.Roles) == 0:
				return fault.New(fault.ErrForbidden, "votre compte (%s) n'a pas accès à %s ; choisissez un de vos établissements", v.Login, v.Tenant.Name)
			case !v.Can(p):
				return fault.New(fault.ErrForbidden, "votre rôle ne donne pas accès à cette page")
			}
			return next(c)
		}
	}
}

func (a *Authenticator) unauthenticated(c echo.Context) error {
	r := c.Request()
	if strings.HasPrefix(r.URL.Path, "/api/") || r.Method != http.MethodGet {
		return fault.New(fault.ErrUnauthorized, "identifiez-vous : cookie de session, en-tête X-Session-Token ou Authorization: Bearer <jeton de session>")
	}
	back := web.RequestURL(c)
	return c.Redirect(http.StatusSeeOther, a.portalURL+"/connexion?return_to="+url.QueryEscape(back))
}

// Handle registers a route with the permission it needs; every route of a module goes
// through here, so the permission matrix test can walk them all. In order: the permission
// check, the body limit (DefaultBodyLimit), the anti-forgery check of cookie sessions, then
// m and the handler: nobody's body is read before they are known to be allowed.
func (a *Authenticator) Handle(e *echo.Echo, host, method, path string, h echo.HandlerFunc, p Permission, m ...echo.MiddlewareFunc) {
	a.HandleUpload(e, host, method, path, DefaultBodyLimit, h, p, m...)
}

// HandleUpload is Handle for a route whose bodies may reach limit bytes (file uploads).
func (a *Authenticator) HandleUpload(e *echo.Echo, host, method, path string, limit int64, h echo.HandlerFunc, p Permission, m ...echo.MiddlewareFunc) {
	a.routes[host+" "+method+" "+path] = p
	e.Add(method, path, h, append([]echo.MiddlewareFunc{a.Require(p), limitBody(limit), a.checkForgery}, m...)...)
}

// Hosts are the echo instances a module's routes go to; a nil one refuses its routes.
type Hosts struct {
	Portal, Admin, Tenant *echo.Echo
	AdminAPI              *echo.Group
}

// MountModule registers a module's grants and every one of its routes on its host.
func (a *Authenticator) MountModule(h Hosts, m module.Module) error {
	Grant(m.Grants)
	for _, r := range m.Routes {
		var e *echo.Echo
		switch r.Host {
		case module.Portal:
			e = h.Portal
		case module.Admin:
			e = h.Admin
		case module.Tenant:
			e = h.Tenant
		case module.AdminAPI:
			if h.AdminAPI == nil {
				return fmt.Errorf("module %s: route %s: no administration API to mount it on", m.Name, r.Key())
			}
			a.MountAPI(h.AdminAPI, r)
			continue
		}
		if e == nil {
			return fmt.Errorf("module %s: route %s: no %q host to mount it on", m.Name, r.Key(), r.Host)
		}
		a.Mount(e, r)
	}
	return nil
}

// Mount registers a module's route on the echo instance of its host, behind its permission,
// its body limit and the forgery check. Administration API routes go to MountAPI.
func (a *Authenticator) Mount(e *echo.Echo, r module.Route) {
	a.HandleUpload(e, string(r.Host), r.Method, r.Path, cmp.Or(r.BodyLimit, DefaultBodyLimit), r.Handler, r.Permission)
}

// MountAPI registers a route of the administration API on its group, which AdminAPI guards
// (the automation token or a platform administrator's session; scopes narrow the rest).
func (a *Authenticator) MountAPI(g *echo.Group, r module.Route) {
	a.routes[string(r.Host)+" "+r.Method+" "+r.Path] = r.Permission
	var m []echo.MiddlewareFunc
	if r.BodyLimit > 0 {
		m = append(m, limitBody(r.BodyLimit))
	}
	g.Add(r.Method, r.Path, r.Handler, m...)
}

// RoutePermission returns the permission a registered route needs, and whether it was
// registered through Handle.
func (a *Authenticator) RoutePermission(host, method, path string) (Permission, bool) {
	p, ok := a.routes[host+" "+method+" "+path]
	return p, ok
}

// AdminAPI guards the administration API: the automation token (constant-time compare) or
// the session of a platform administrator. It records the caller's scope for the handlers.
func (a *Authenticator) AdminAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, token := credentials(c)
		if a.isAutomation(token) {
			tenant.SetScope(c, tenant.Scope{All: true, Actor: "api:admin-token"})
			return next(c)
		}
		v := ViewerOf(c)
		if v == nil {
			if token != "" && len(a.automation) == 0 {
				return fault.New(fault.ErrUnauthorized, "jeton refusé : aucun jeton d'automatisation n'est configuré (CARTABLE_ADMIN_TOKEN) et ce n'est pas un jeton de session valide")
			}
			return fault.New(fault.ErrUnauthorized, "identifiez-vous : en-tête Authorization: Bearer <CARTABLE_ADMIN_TOKEN>, ou session d'un administrateur régional ou départemental")
		}
		if !v.Can(PermTenantsManage) {
			return fault.New(fault.ErrForbidden, "réservé aux administrateurs régionaux et départementaux")
		}
		// A browser's cookie alone does not carry a change: a page of another subdomain could
		// post with it. Scripts send their session in a header, which pages cannot forge.
		if m := c.Request().Method; token == "" && m != http.MethodGet && m != http.MethodHead {
			return fault.New(fault.ErrForbidden, "pour modifier par l'API, envoyez votre jeton de session dans l'en-tête X-Session-Token (le cookie seul ne suffit pas)")
		}
		sc := tenant.Scope{All: v.PlatformRole == RoleAdminRegion, Actor: "user:" + v.Login}
		if !sc.All {
			sc.Organisation = v.Departement
		}
		tenant.SetScope(c, sc)
		return next(c)
	}
}
