package news

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: everyone reads the posts addressed to them; teachers and the vie scolaire
// contribute (their posts wait for validation); the direction publishes, validates and
// manages every post.
var Grants = module.Grants{
	identity.RoleEleve:       {PermRead},
	identity.RoleResponsable: {PermRead},
	identity.RolePersonnel:   {PermRead},
	identity.RoleAdmin:       {PermRead},
	identity.RoleEnseignant:  {PermRead, PermWrite},
	identity.RoleVieScolaire: {PermRead, PermWrite},
	identity.RoleDirection:   {PermRead, PermWrite, PermPublish},
}

func init() { identity.Grant(Grants) }

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Module declares news: routes, menu entries, pages and the home page's headlines.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "news",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Actualités", Href: "/actualites", Permission: PermRead, Order: 2},
			{Text: "Gérer les actualités", Href: "/actualites/gestion", Permission: PermWrite, Order: 30},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		HomePanel:   h.homePanel,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// routes are news's pages: the reader's (http.go), then the authors' and direction's
// (http_manage.go), the files (http_files.go), then the JSON API (api.go, described in openapi.json).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/actualites", PermRead, h.list),
		module.Get(t, "/actualites/:id", PermRead, h.show),
		module.Get(t, "/actualites/gestion", PermWrite, h.manage),
		module.Get(t, "/actualites/nouvelle", PermWrite, h.newForm),
		module.Post(t, "/actualites/nouvelle", PermWrite, h.create),
		module.Get(t, "/actualites/:id/modifier", PermWrite, h.editForm),
		module.Post(t, "/actualites/:id/modifier", PermWrite, h.edit),
		module.Get(t, "/actualites/:id/supprimer", PermWrite, h.confirmDelete),
		module.Post(t, "/actualites/:id/supprimer", PermWrite, h.delete),
		module.Post(t, "/actualites/:id/publier", PermPublish, h.publish),
		module.Post(t, "/actualites/:id/renvoyer", PermPublish, h.sendBack),
		module.Post(t, "/actualites/:id/pieces", PermWrite, h.attach).WithLimit(uploadLimit),
		module.Post(t, "/actualites/pieces/:id/supprimer", PermWrite, h.detach),
		module.Get(t, "/actualites/pieces/:id", PermRead, h.download),
		module.Get(t, "/api/v1/actualites", PermRead, h.apiList).AsAPI(),
		module.Get(t, "/api/v1/actualites/gestion", PermWrite, h.apiManaged).AsAPI(),
		module.Post(t, "/api/v1/actualites", PermWrite, h.apiCreate).AsAPI(),
		module.Get(t, "/api/v1/actualites/:id", PermRead, h.apiShow).AsAPI(),
		module.Put(t, "/api/v1/actualites/:id", PermWrite, h.apiUpdate).AsAPI(),
		module.Delete(t, "/api/v1/actualites/:id", PermWrite, h.apiDelete).AsAPI(),
		module.Post(t, "/api/v1/actualites/:id/publier", PermPublish, h.apiPublish).AsAPI(),
		module.Post(t, "/api/v1/actualites/:id/renvoyer", PermPublish, h.apiSendBack).AsAPI(),
		module.Post(t, "/api/v1/actualites/:id/pieces", PermWrite, h.apiAttach).WithLimit(uploadLimit).AsAPI(),
		module.Get(t, "/api/v1/actualites/pieces/:id", PermRead, h.download).AsAPI(),
		module.Delete(t, "/api/v1/actualites/pieces/:id", PermWrite, h.apiDetach).AsAPI(),
	}
}
