package resources

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// ltiRoutes: opening a resource on the establishment's host (the LTI login initiation, or a
// plain link), and the platform's public side on the portal host (its keys, the OIDC
// authentication endpoint that the person's session cookie reaches).
func (h *Handler) ltiRoutes() []module.Route {
	return []module.Route{
		module.Post(module.Tenant, "/ressources/:id/ouvrir", PermView, h.open),
		module.Get(module.Tenant, "/ressources/lancements/:id", PermView, h.opened),
		module.Get(module.Tenant, "/ressources/:id/lien", PermView, h.link),
		module.Get(module.Portal, "/lti/jwks.json", module.Public, h.jwks),
		module.Get(module.Portal, "/lti/auth", module.Public, h.auth),
		module.Post(module.Portal, "/lti/auth", module.Public, h.auth),
	}
}

// open starts a launch, then (303) shows the page that sends the browser to the tool's
// login initiation or the plain link's page. The form's own answer does not leave the
// establishment's host: the pages' Content-Security-Policy (form-action) would refuse a
// redirect of the form to the publisher's site.
func (h *Handler) open(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	class := uuid.Nil
	if v := c.FormValue("classe"); v != "" {
		if class, err = uuid.Parse(v); err != nil {
			return fault.NewField(fault.ErrInvalid, "classe", "Classe : choisissez une des classes proposées")
		}
	}
	op, err := h.svc.Open(c.Request().Context(), web.TenantOf(c), requestActor(c), id, class)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/ressources/lancements/"+op.LaunchID.String())
}

// opened is the page « Ouverture de … »: it sends the browser on at once (the Refresh
// header, no script needed) and has a link for those whose browser does not.
func (h *Handler) opened(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	op, err := h.svc.Opened(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Refresh", "0; url="+op.URL)
	return c.Render(http.StatusOK, "lti_opening.html", web.Page{Title: "Ouverture de « " + op.Title + " »", Tenant: web.TenantOf(c), Data: op})
}

// link opens a plain-link resource (a new tab of the médiacentre): a 303 to its page.
func (h *Handler) link(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	// A GET that writes the journal: only from the establishment's own pages. A link or an
	// image of another site (another establishment's host included) would otherwise record
	// launches in the person's name; it is sent to « Mes ressources », where the link is.
	if site := c.Request().Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return c.Redirect(http.StatusSeeOther, "/ressources")
	}
	op, err := h.svc.OpenLink(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return redirectAway(c, op.URL)
}

// redirectAway sends the browser to another site, telling it nothing of where it was.
func redirectAway(c echo.Context, to string) error {
	hd := c.Response().Header()
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusSeeOther, to)
}

// jwks publishes the platform's public keys.
func (h *Handler) jwks(c echo.Context) error {
	b, err := h.svc.JWKS(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/json", b)
}

// auth is the OIDC authentication endpoint: a page that posts the id_token (or an OIDC
// error) to the tool's redirect_uri.
func (h *Handler) auth(c echo.Context) error {
	var who uuid.UUID
	if v := identity.ViewerOf(c); v != nil {
		who = v.IdentityID
	}
	f := c.FormValue
	resp, err := h.svc.Authenticate(c.Request().Context(), who, AuthRequest{
		Scope: f("scope"), ResponseType: f("response_type"), ResponseMode: f("response_mode"), Prompt: f("prompt"),
		ClientID: f("client_id"), RedirectURI: f("redirect_uri"), LoginHint: f("login_hint"), MessageHint: f("lti_message_hint"),
		Nonce: f("nonce"), State: f("state"),
	})
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	// The page's own policy: its one script (by hash) may post its form to the tool.
	if u, err := url.Parse(resp.RedirectURI); err == nil && u.Host != "" {
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src '"+formPostScript+"'; form-action 'self' "+
			u.Scheme+"://"+u.Host+"; frame-ancestors 'none'")
	}
	title := "Ouverture de la ressource"
	if resp.Error != "" {
		title = "Ouverture refusée"
	}
	return c.Render(http.StatusOK, "lti_form_post.html", web.Page{Title: title, Data: resp})
}

// formPostScript is the CSP source of the form post page's script: its SHA-256.
var formPostScript = func() string {
	b, err := fs.ReadFile(templatesFS, "templates/lti_form_post.html")
	if err != nil {
		panic(err)
	}
	m := regexp.MustCompile(`<script>([^<]*)</script>`).FindSubmatch(b)
	if m == nil {
		panic("resources: lti_form_post.html has no script")
	}
	sum := sha256.Sum256(m[1])
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}()
