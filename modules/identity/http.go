package identity

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
)

// Templates are the identity pages (login, recovery, settings, chooser).
//
//go:embed templates/*.html
var Templates embed.FS

// UI serves the French pages of Kratos' self-service flows on the portal host, the chooser
// of establishments, and logout.
type UI struct {
	auth       *Authenticator
	browserURL string // Kratos' public API as browsers reach it (auth.<base>)
	portalURL  string
	adminURL   string
	tenantURL  func(slug string) string
	family     *Family // children of parents; nil: nobody is shown as a parent
}

// NewUI returns the login pages. browserURL is Kratos' public URL seen by browsers.
func NewUI(a *Authenticator, browserURL, portalURL, adminURL string, tenantURL func(string) string) *UI {
	return &UI{auth: a, browserURL: strings.TrimSuffix(browserURL, "/"), portalURL: strings.TrimSuffix(portalURL, "/"), adminURL: adminURL, tenantURL: tenantURL}
}

type flowPage struct {
	Heading string
	Intro   string
	Form    formView
	Links   []link
}

type link struct{ Href, Text string }

// startFlow sends the browser to Kratos to open a new flow of that kind.
func (u *UI) startFlow(c echo.Context, kind, returnTo string) error {
	q := url.Values{}
	if returnTo != "" {
		q.Set("return_to", returnTo)
	}
	target := u.browserURL + "/self-service/" + kind + "/browser"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	return c.Redirect(http.StatusSeeOther, target)
}

func (u *UI) login(c echo.Context) error {
	id := c.QueryParam("flow")
	if id == "" {
		ret := c.QueryParam("return_to")
		if ret == "" {
			ret = u.portalURL + "/accueil"
		}
		return u.startFlow(c, "login", ret)
	}
	f, resp, err := u.auth.kratos.Public.FrontendAPI.GetLoginFlow(c.Request().Context()).Id(id).Cookie(c.Request().Header.Get("Cookie")).Execute()
	if err != nil {
		if resp != nil && resp.StatusCode < 500 {
			return u.startFlow(c, "login", "") // expired or foreign flow: start again
		}
		return unavailable(err)
	}
	form := formOf(f.Ui, "login", "password")
	if wait, err := strconv.Atoi(c.QueryParam("attente")); err == nil && wait > 0 {
		// Sent back here by the login throttle of the auth host (authproxy.go).
		form.Messages = append([]message{{Error: true, Text: "Trop de tentatives de connexion. Patientez " +
			frenchDuration(time.Duration(wait)*time.Second) + " avant de réessayer."}}, form.Messages...)
	}
	return c.Render(http.StatusOK, "flow.html", web.Page{Title: "Connexion", Data: flowPage{
		Heading: "Connexion à Cartable",
		Intro:   "Saisissez l'identifiant et le mot de passe de votre fiche de connexion.",
		Form:    form,
		Links:   []link{{u.portalURL + "/recuperation", "Mot de passe oublié ?"}},
	}})
}

func (u *UI) confirmLogout(c echo.Context) error {
	if ViewerOf(c) == nil {
		return c.Redirect(http.StatusSeeOther, u.portalURL+"/")
	}
	return c.Render(http.StatusOK, "logout.html", web.Page{Title: "Se déconnecter", Tenant: web.TenantOf(c)})
}

// logout ends the request's session at once: revoked at Kratos, dropped from the session
// cache (that entry only), and the browser's cookie cleared. A session token (apps) is
// signed out the same way and answered 204.
func (u *UI) logout(c echo.Context) error {
	cookie, token := credentials(c)
	s, err := u.auth.session(c)
	if err != nil {
		return err
	}
	if s != nil {
		if err := u.auth.kratos.RevokeSession(c.Request().Context(), s); err != nil {
			return err
		}
		// The other servers may hold it in their session caches for a few seconds more.
		if err := u.auth.noteSignedOut(c.Request().Context(), s); err != nil {
			return err
		}
	}
	u.auth.kratos.Evict(cookie, token)
	if cookie == "" && token != "" {
		return c.NoContent(http.StatusNoContent)
	}
	if cookie != "" {
		c.SetCookie(u.expiredSessionCookie())
	}
	return c.Redirect(http.StatusSeeOther, u.portalURL+"/?deconnexion=ok")
}

// expiredSessionCookie clears Kratos' session cookie, shared by every host of the base
// domain (the portal's host), Secure when the portal is served over https.
func (u *UI) expiredSessionCookie() *http.Cookie {
	ck := &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if p, err := url.Parse(u.portalURL); err == nil {
		ck.Domain, ck.Secure = p.Hostname(), p.Scheme == "https"
	}
	return ck
}

func (u *UI) recovery(c echo.Context) error {
	id := c.QueryParam("flow")
	if id == "" {
		return c.Render(http.StatusOK, "flow.html", web.Page{Title: "Mot de passe oublié", Data: flowPage{
			Heading: "Mot de passe oublié",
			Intro:   "Demandez à la vie scolaire ou à l'administrateur de votre établissement un code de récupération : il vous donnera un lien et un code pour choisir un nouveau mot de passe.",
		}})
	}
	f, resp, err := u.auth.kratos.Public.FrontendAPI.GetRecoveryFlow(c.Request().Context()).Id(id).Cookie(c.Request().Header.Get("Cookie")).Execute()
	if err != nil {
		if resp != nil && resp.StatusCode < 500 {
			return c.Redirect(http.StatusSeeOther, u.portalURL+"/recuperation")
		}
		return unavailable(err)
	}
	return c.Render(http.StatusOK, "flow.html", web.Page{Title: "Récupération du compte", Data: flowPage{
		Heading: "Récupération du compte",
		Intro:   "Saisissez le code que votre établissement vous a remis.",
		Form:    formOf(f.Ui, "recovery", "code"),
	}})
}

func (u *UI) settings(c echo.Context) error {
	id := c.QueryParam("flow")
	if id == "" {
		return u.startFlow(c, "settings", "")
	}
	f, resp, err := u.auth.kratos.Public.FrontendAPI.GetSettingsFlow(c.Request().Context()).Id(id).Cookie(c.Request().Header.Get("Cookie")).Execute()
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return c.Redirect(http.StatusSeeOther, u.portalURL+"/connexion?return_to="+url.QueryEscape(u.portalURL+"/parametres"))
		}
		if resp != nil && resp.StatusCode < 500 {
			return u.startFlow(c, "settings", "")
		}
		return unavailable(err)
	}
	return c.Render(http.StatusOK, "flow.html", web.Page{Title: "Changer de mot de passe", Data: flowPage{
		Heading: "Changer de mot de passe",
		Intro:   "Choisissez un mot de passe d'au moins 8 caractères, que vous n'utilisez nulle part ailleurs.",
		Form:    formOf(f.Ui, "settings", "password"),
		Links:   []link{{u.portalURL + "/compte", "Retour à mon compte"}, {u.portalURL + "/choix", "Mes établissements"}},
	}})
}

func (u *UI) flowError(c echo.Context) error {
	msg := "La connexion n'a pas abouti. Recommencez depuis le portail."
	if id := c.QueryParam("id"); id != "" {
		// Kratos' own words (English, sometimes internal) go to the log, not to the page.
		if fe, _, err := u.auth.kratos.Public.FrontendAPI.GetFlowError(c.Request().Context()).Id(id).Execute(); err == nil && fe.Error != nil {
			c.Logger().Warnf("login flow error %s: %v", id, fe.Error["message"])
			if code, ok := fe.Error["code"].(float64); ok && code == http.StatusForbidden {
				msg = "La connexion a été refusée : la page de connexion a expiré ou a été ouverte ailleurs. Recommencez depuis le portail."
			}
		}
	}
	return c.Render(http.StatusBadRequest, "flow.html", web.Page{Title: "Erreur de connexion", Data: flowPage{
		Heading: "Erreur de connexion", Intro: msg, Links: []link{{u.portalURL + "/connexion", "Se connecter"}},
	}})
}

type choice struct{ Name, URL, Roles string }

// choose lists the signed-in person's establishments; with a single one it goes straight there.
func (u *UI) choose(c echo.Context) error {
	v := ViewerOf(c)
	if v == nil {
		return c.Redirect(http.StatusSeeOther, u.portalURL+"/connexion")
	}
	ests, err := u.auth.store.Establishments(c.Request().Context(), v.IdentityID)
	if err != nil {
		return err
	}
	if len(ests) == 1 && v.PlatformRole == "" {
		return c.Redirect(http.StatusSeeOther, u.tenantURL(ests[0].Slug))
	}
	var list []choice
	for _, e := range ests {
		list = append(list, choice{Name: e.Name, URL: u.tenantURL(e.Slug), Roles: roleLabels(e.Roles)})
	}
	admin := ""
	if v.PlatformRole != "" {
		admin = u.adminURL
	}
	return c.Render(http.StatusOK, "choose.html", web.Page{Title: "Mes établissements", Data: map[string]any{
		"Choices": list, "AdminURL": admin, "Role": v.PlatformRole.Label(), "SettingsURL": u.portalURL + "/parametres", "AccountURL": u.portalURL + "/compte",
	}})
}

func unavailable(err error) error {
	return &echo.HTTPError{Code: http.StatusServiceUnavailable, Message: "le service d'identification ne répond pas", Internal: err}
}
