package identity

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
)

// SetFamily gives the pages their children look-up (Mes enfants, the landing after login).
func (u *UI) SetFamily(f *Family) { u.family = f }

// signIn sends an anonymous browser to the login page, to come back here.
func (u *UI) signIn(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, u.portalURL+"/connexion?return_to="+url.QueryEscape(web.RequestURL(c)))
}

// landing is where a login from the portal arrives: a parent on their children, anyone else
// on their establishments (straight into the only one, see choose).
func (u *UI) landing(c echo.Context) error {
	v := ViewerOf(c)
	if v == nil {
		return u.signIn(c)
	}
	if v.PlatformRole == "" && u.family != nil {
		kids, err := u.family.Of(c.Request().Context(), v.IdentityID)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			return c.Redirect(http.StatusSeeOther, u.portalURL+"/enfants")
		}
	}
	return c.Redirect(http.StatusSeeOther, u.portalURL+"/choix")
}

type accountPage struct {
	Name, Login    string
	Here           string   // the establishment of the host, empty on the portal
	Roles          []string // held here (or the platform role)
	CardURL        string   // the person's card in this establishment's directory
	Establishments []choice
	ChooserURL     string
	PasswordURL    string
	ChildrenURL    string // when the person is a parent
	AdminURL       string // platform administrators' console
}

// account is "Mon compte": who I am, my roles here, my establishments, my password.
// Notification preferences will be one more section of it.
func (u *UI) account(c echo.Context) error {
	v := ViewerOf(c)
	if v == nil {
		return u.signIn(c)
	}
	ctx := c.Request().Context()
	ests, err := u.auth.store.Establishments(ctx, v.IdentityID)
	if err != nil {
		return err
	}
	p := accountPage{Name: v.Name(), Login: v.Login, ChooserURL: u.portalURL + "/choix", PasswordURL: u.portalURL + "/parametres"}
	for _, r := range v.Roles {
		p.Roles = append(p.Roles, r.Label())
	}
	if v.Tenant != nil {
		p.Here = v.Tenant.Name
		if v.Member {
			p.CardURL = "/annuaire/personnes/" + v.PersonID.String()
		}
	}
	for _, e := range ests {
		p.Establishments = append(p.Establishments, choice{Name: e.Name, URL: u.tenantURL(e.Slug), Roles: roleLabels(e.Roles)})
	}
	if u.family != nil {
		kids, err := u.family.Of(ctx, v.IdentityID)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			p.ChildrenURL = "/enfants"
		}
	}
	if v.PlatformRole != "" {
		p.AdminURL = u.adminURL
	}
	return c.Render(http.StatusOK, "account.html", web.Page{Title: "Mon compte", Tenant: web.TenantOf(c), Data: p})
}

func roleLabels(rs Roles) string {
	labels := make([]string, 0, len(rs))
	for _, r := range rs {
		labels = append(labels, r.Label())
	}
	return strings.Join(labels, ", ")
}

type childView struct {
	Name, Class, Establishment string
	MarksURL, ReportsURL       string
	ExportURL                  string // the export of their personal data (privacy)
}

// childrenPage is "Mes enfants": every child of the parent, in all their establishments,
// with the way to their marks and report cards (on the child's establishment's host).
func (u *UI) childrenPage(c echo.Context) error {
	v := ViewerOf(c)
	if v == nil {
		return u.signIn(c)
	}
	var list []childView
	if u.family != nil {
		kids, err := u.family.Of(c.Request().Context(), v.IdentityID)
		if err != nil {
			return err
		}
		for _, k := range kids {
			base := u.tenantURL(k.Slug)
			list = append(list, childView{Name: k.Name(), Class: k.ClassLabel, Establishment: k.Establishment,
				MarksURL: base + "notes/eleves/" + k.ID.String(), ReportsURL: base + "bulletins",
				ExportURL: "/compte/donnees?enfant=" + url.QueryEscape(k.UAI+":"+k.ID.String()) + "#enfants"})
		}
	}
	return c.Render(http.StatusOK, "children.html", web.Page{Title: "Mes enfants", Tenant: web.TenantOf(c), Data: map[string]any{
		"Children": list, "ChooserURL": u.portalURL + "/choix"}})
}
