package jobs

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Module declares the background jobs' console page and API (région only: see Handler).
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "jobs",
		OpenAPI: openAPI,
		Routes: []module.Route{
			module.Get(module.Admin, "/console/taches", identity.PermTenantsManage, h.Console),
			module.Get(module.AdminAPI, "/jobs", identity.PermTenantsManage, h.list).AsAPI(),
		},
		Menu: []module.MenuEntry{{Host: module.Admin, Text: "Tâches de fond", Href: "/console/taches", Permission: identity.PermTenantsManage,
			Roles: []module.Role{identity.RoleAdminRegion}, Order: 10}},
		Templates: Templates,
		// A job's arguments name establishments and records, kept a few days for the console.
		Export: module.NothingPersonal,
		ExportAbout: "Aucune donnée personnelle : les tâches de fond ne gardent que des références d'établissements et " +
			"d'enregistrements, quelques jours, pour la console de la Région.",
	}
}

// openAPI describes the module's JSON API: its paths and schemas, merged into the platform's
// document (web.MergeOpenAPI).
//
//go:embed openapi.json
var openAPI []byte
