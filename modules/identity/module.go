package identity

import (
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web/module"
)

// Module declares identity's pages: login, recovery, settings and the establishment chooser
// on the portal, and the logout page on every host (each page's "Se déconnecter" form posts
// to its own host; GET shows a confirmation, only a POST with the anti-forgery token signs
// out).
func (u *UI) Module() module.Module {
	routes := []module.Route{
		module.Get(module.Portal, "/connexion", Public, u.login),
		module.Get(module.Portal, "/recuperation", Public, u.recovery),
		module.Get(module.Portal, "/parametres", Public, u.settings),
		module.Get(module.Portal, "/erreur-connexion", Public, u.flowError),
		module.Get(module.Portal, "/choix", Public, u.choose),
		// "Mon compte" and "Mes enfants": on an establishment's host for its members, on the
		// portal for anyone signed in (no establishment roles there: the handlers send
		// anonymous people to log in). A login from the portal lands on /accueil.
		module.Get(module.Portal, "/accueil", Public, u.landing),
		module.Get(module.Portal, "/compte", Public, u.account),
		module.Get(module.Portal, "/enfants", Public, u.childrenPage),
		module.Get(module.Tenant, "/compte", PermMe, u.account),
		module.Get(module.Tenant, "/enfants", PermMe, u.childrenPage),
	}
	for _, h := range []module.Host{module.Portal, module.Admin, module.Tenant} {
		routes = append(routes, module.Get(h, "/deconnexion", Public, u.confirmLogout), module.Post(h, "/deconnexion", Public, u.logout))
	}
	return module.Module{
		Name:   "identity",
		Grants: Grants,
		Routes: routes,
		Menu: []module.MenuEntry{
			{Text: "Accueil", Href: "/", Permission: PermHome, Order: 0},
			{Text: "Mes enfants", HrefFor: u.childrenLink, Permission: PermMe, Roles: []Role{RoleResponsable}, Order: 5},
			{Host: module.Portal, Text: "Accueil", Href: "/", Order: 0},
			{Host: module.Portal, Text: "Mes établissements", Href: "/choix", Order: 1},
			{Host: module.Portal, Text: "Mes enfants", HrefFor: u.childrenLink, Order: 2},
		},
		Templates:   Templates,
		Export:      u.Export,
		ExportAbout: ExportAbout,
	}
}

// childrenLink is "Mes enfants" for a parent: on an establishment's host for its members, on
// the portal for whoever has children in any establishment.
func (u *UI) childrenLink(c echo.Context) string {
	v := ViewerOf(c)
	if v == nil || v.PlatformRole != "" || u.family == nil {
		return ""
	}
	if v.Tenant != nil {
		if !v.Member || !v.Has(RoleResponsable) {
			return ""
		}
		return "/enfants"
	}
	kids, err := u.family.Of(c.Request().Context(), v.IdentityID)
	if err != nil || len(kids) == 0 {
		return ""
	}
	return "/enfants"
}
