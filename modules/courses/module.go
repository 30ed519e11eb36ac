package courses

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: pupils read the courses published to them, guardians their children's,
// teachers write theirs, the direction reads every course.
var Grants = module.Grants{
	identity.RoleEleve:       {PermRead},
	identity.RoleResponsable: {PermRead},
	identity.RoleEnseignant:  {PermRead, PermWrite},
	identity.RoleDirection:   {PermRead, PermReadAll},
}

func init() { identity.Grant(Grants) }

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Module declares courses: routes, menu entries, pages, demo data.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "courses",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Cours", Href: "/cours", Permission: PermRead,
				Roles: []module.Role{identity.RoleEleve, identity.RoleResponsable, identity.RoleDirection}, Order: 8},
			{Text: "Mes cours", Href: "/cours/gestion", Section: "/cours", Permission: PermWrite, Order: 8},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// routes are courses' pages: the readers' and the authors' (http.go, http_outline.go), the
// files, then the JSON API (api.go, described in openapi.json).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/cours", PermRead, h.list),
		module.Get(t, "/cours/gestion", PermWrite, h.manage),
		module.Get(t, "/cours/eleves/:id", PermRead, h.child),
		module.Get(t, "/cours/nouveau", PermWrite, h.newForm),
		module.Post(t, "/cours/nouveau", PermWrite, h.create),
		module.Get(t, "/cours/:id", PermRead, h.show),
		module.Get(t, "/cours/:id/modifier", PermWrite, h.editForm),
		module.Post(t, "/cours/:id/modifier", PermWrite, h.edit),
		module.Get(t, "/cours/:id/plan", PermWrite, h.outline),
		module.Post(t, "/cours/:id/publier", PermWrite, h.publish),
		module.Post(t, "/cours/:id/retirer", PermWrite, h.unpublish),
		module.Post(t, "/cours/:id/sections", PermWrite, h.addSection),
		module.Post(t, "/cours/:id/coauteurs", PermWrite, h.addCoauthor),
		module.Post(t, "/cours/:id/coauteurs/:person/retirer", PermWrite, h.removeCoauthor),
		module.Get(t, "/cours/:id/copier", PermWrite, h.copyForm),
		module.Post(t, "/cours/:id/copier", PermWrite, h.copy),
		module.Get(t, "/cours/:id/supprimer", PermWrite, h.confirmDelete),
		module.Post(t, "/cours/:id/supprimer", PermWrite, h.delete),
		module.Post(t, "/cours/:id/progression/effacer", PermRead, h.forget),
		module.Post(t, "/cours/sections/:id/pages", PermWrite, h.addPage),
		module.Post(t, "/cours/sections/:id/renommer", PermWrite, h.rename(Sections)),
		module.Post(t, "/cours/sections/:id/monter", PermWrite, h.move(Sections, true)),
		module.Post(t, "/cours/sections/:id/descendre", PermWrite, h.move(Sections, false)),
		module.Post(t, "/cours/sections/:id/supprimer", PermWrite, h.remove(Sections)),
		module.Get(t, "/cours/pages/:id", PermRead, h.page),
		module.Get(t, "/cours/pages/:id/modifier", PermWrite, h.editPage),
		module.Post(t, "/cours/pages/:id/renommer", PermWrite, h.rename(Pages)),
		module.Post(t, "/cours/pages/:id/monter", PermWrite, h.move(Pages, true)),
		module.Post(t, "/cours/pages/:id/descendre", PermWrite, h.move(Pages, false)),
		module.Post(t, "/cours/pages/:id/supprimer", PermWrite, h.remove(Pages)),
		module.Post(t, "/cours/pages/:id/blocs", PermWrite, h.addBlock),
		module.Post(t, "/cours/pages/:id/fichiers", PermWrite, h.attach).WithLimit(uploadLimit),
		module.Get(t, "/cours/blocs/:id/modifier", PermWrite, h.blockForm),
		module.Post(t, "/cours/blocs/:id/modifier", PermWrite, h.editBlock),
		module.Post(t, "/cours/blocs/:id/monter", PermWrite, h.move(Blocks, true)),
		module.Post(t, "/cours/blocs/:id/descendre", PermWrite, h.move(Blocks, false)),
		module.Post(t, "/cours/blocs/:id/supprimer", PermWrite, h.remove(Blocks)),
		module.Get(t, "/cours/fichiers/:id", PermRead, h.download),
		module.Get(t, "/api/v1/cours", PermRead, h.apiList).AsAPI(),
		module.Post(t, "/api/v1/cours", PermWrite, h.apiCreate).AsAPI(),
		module.Get(t, "/api/v1/cours/:id", PermRead, h.apiShow).AsAPI(),
		module.Put(t, "/api/v1/cours/:id", PermWrite, h.apiUpdate).AsAPI(),
		module.Delete(t, "/api/v1/cours/:id", PermWrite, h.apiDelete).AsAPI(),
		module.Post(t, "/api/v1/cours/:id/publier", PermWrite, h.apiPublish(true)).AsAPI(),
		module.Post(t, "/api/v1/cours/:id/retirer", PermWrite, h.apiPublish(false)).AsAPI(),
		module.Post(t, "/api/v1/cours/:id/copier", PermWrite, h.apiCopy).AsAPI(),
		module.Post(t, "/api/v1/cours/:id/sections", PermWrite, h.apiAddSection).AsAPI(),
		module.Post(t, "/api/v1/cours/sections/:id/pages", PermWrite, h.apiAddPage).AsAPI(),
		module.Get(t, "/api/v1/cours/pages/:id", PermRead, h.apiPage).AsAPI(),
		module.Post(t, "/api/v1/cours/pages/:id/blocs", PermWrite, h.apiAddBlock).AsAPI(),
		module.Post(t, "/api/v1/cours/pages/:id/fichiers", PermWrite, h.apiAttach).WithLimit(uploadLimit).AsAPI(),
		module.Post(t, "/api/v1/cours/sections/:id/deplacer", PermWrite, h.apiMove(Sections)).AsAPI(),
		module.Post(t, "/api/v1/cours/pages/:id/deplacer", PermWrite, h.apiMove(Pages)).AsAPI(),
		module.Post(t, "/api/v1/cours/blocs/:id/deplacer", PermWrite, h.apiMove(Blocks)).AsAPI(),
		module.Delete(t, "/api/v1/cours/sections/:id", PermWrite, h.apiRemove(Sections)).AsAPI(),
		module.Delete(t, "/api/v1/cours/pages/:id", PermWrite, h.apiRemove(Pages)).AsAPI(),
		module.Delete(t, "/api/v1/cours/blocs/:id", PermWrite, h.apiRemove(Blocks)).AsAPI(),
	}
}
