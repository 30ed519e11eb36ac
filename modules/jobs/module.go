package jobs

import (
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Module declares the background jobs' console page and API (région only: see Handler).
func (h *Handler) Module() module.Module {
	return module.Module{
		Name: "jobs",
		Routes: []module.Route{
			module.Get(module.Admin, "/console/taches", identity.PermTenantsManage, h.Console),
			module.Get(module.AdminAPI, "/jobs", identity.PermTenantsManage, h.list).AsAPI(),
		},
		Menu: []module.MenuEntry{{Host: module.Admin, Text: "Tâches de fond", Href: "/console/taches", Permission: identity.PermTenantsManage,
			Roles: []module.Role{identity.RoleAdminRegion}, Order: 10}},
		Templates: Templates,
	}
}
