package portfolio

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: pupils own their portfolio; teachers list their classes' pupils. Every role of an
// establishment holds PermRead, so that a pupil's portfolio and files answer « introuvable »
// (404) to whoever the rules (reach) give nothing, the vie scolaire and the direction
// included: a minor's legal guardians read all of it, the pupil's teachers of the year what
// the pupil shows them, nobody else anything.
var Grants = grants()

func grants() module.Grants {
	g := module.Grants{}
	for _, r := range identity.EstablishmentRoles {
		g[r] = []module.Permission{PermRead}
	}
	g[identity.RoleEleve] = []module.Permission{PermOwn, PermRead}
	g[identity.RoleEnseignant] = []module.Permission{PermRead, PermTeach}
	return g
}

func init() { identity.Grant(Grants) }

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Handler serves the portfolio's pages and API.
type Handler struct{ svc *Service }

// NewHandler serves svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Module declares the portfolio: routes, menu entries, pages, export.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "portfolio",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Mon portfolio", Href: "/portfolio", Permission: PermOwn, Order: 12},
			{Text: "Portfolios", Href: "/portfolio", Permission: PermRead, Roles: []module.Role{identity.RoleResponsable}, Order: 12},
			{Text: "Portfolios", Href: "/portfolio/classes", Section: "/portfolio", Permission: PermTeach, Order: 12},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: exportAbout,
	}
}

// routes are the portfolio's pages (http.go) and its JSON API (api.go, in openapi.json).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/portfolio", PermRead, h.home),
		module.Get(t, "/portfolio/classes", PermTeach, h.classes),
		module.Get(t, "/portfolio/eleves/:id", PermRead, h.pupil),
		module.Post(t, "/portfolio/documents", PermOwn, h.addDocument).WithLimit(uploadLimit),
		module.Get(t, "/portfolio/documents/:id/supprimer", PermOwn, h.confirmDelete),
		module.Post(t, "/portfolio/documents/:id/supprimer", PermOwn, h.deleteDocument),
		module.Post(t, "/portfolio/visibilite", PermOwn, h.visibility),
		module.Get(t, "/portfolio/fichiers/:id", PermRead, h.download),
		module.Get(t, "/api/v1/portfolio", PermOwn, h.apiOwn).AsAPI(),
		module.Get(t, "/api/v1/portfolio/eleves/:id", PermRead, h.apiPupil).AsAPI(),
		module.Put(t, "/api/v1/portfolio/elements/:id/visibilite", PermOwn, h.apiVisibility).AsAPI(),
		module.Post(t, "/api/v1/portfolio/documents", PermOwn, h.apiAddDocument).WithLimit(uploadLimit).AsAPI(),
		module.Delete(t, "/api/v1/portfolio/documents/:id", PermOwn, h.apiDeleteDocument).AsAPI(),
	}
}
