package identity

import (
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web/module"
)

// Module declares identity's pages: login, recovery, settings and the establishment chooser
// on the portal, and the logout page on every host (each page's "Se déconnecter" form posts
// to its own host; GET shows a confirmation, only a POST with the anti-forgery token signs
// out). console is the administration host's home.
func (u *UI) Module(console echo.HandlerFunc) module.Module {
	routes := []module.Route{
		module.Get(module.Portal, "/connexion", Public, u.login),
		module.Get(module.Portal, "/recuperation", Public, u.recovery),
		module.Get(module.Portal, "/parametres", Public, u.settings),
		module.Get(module.Portal, "/erreur-connexion", Public, u.flowError),
		module.Get(module.Portal, "/choix", Public, u.choose),
		module.Get(module.Admin, "/console", PermTenantsManage, console),
	}
	for _, h := range []module.Host{module.Portal, module.Admin, module.Tenant} {
		routes = append(routes, module.Get(h, "/deconnexion", Public, u.confirmLogout), module.Post(h, "/deconnexion", Public, u.logout))
	}
	return module.Module{
		Name:      "identity",
		Grants:    ownGrants(),
		Routes:    routes,
		Templates: Templates,
	}
}

// ownGrants are identity's permissions as the table holds them before any module's.
func ownGrants() module.Grants {
	g := module.Grants{}
	for _, r := range slices.Concat(EstablishmentRoles, []Role{RoleAdminRegion, RoleAdminDepartement}) {
		for _, p := range Granted(r) {
			if p == PermHome || p == PermMe || p == PermTenantsManage {
				g[r] = append(g[r], p)
			}
		}
	}
	return g
}
