package resources

import (
	"embed"
	"io/fs"
	"slices"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: pupils, teachers and staff have a médiacentre; the direction manages the
// establishment's subscriptions (and names référents who may too); the région's
// administrators keep the catalogue. Parents have no resources.
var Grants = module.Grants{
	identity.RoleEleve:       {PermView},
	identity.RoleEnseignant:  {PermView},
	identity.RoleVieScolaire: {PermView},
	identity.RolePersonnel:   {PermView},
	identity.RoleAdmin:       {PermView},
	identity.RoleDirection:   {PermView, PermManage},
	identity.RoleAdminRegion: {PermCatalogue},
}

func init() { identity.Grant(Grants) }

//go:embed templates/*.html
var templatesFS embed.FS

// Templates are the module's pages (the renderer reads templates/*.html of it).
var Templates fs.FS = templatesFS

// Handler serves the resources' pages and APIs.
type Handler struct{ svc *Service }

// NewHandler serves svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Module declares the resources: the catalogue (admin host), the médiacentre, the
// subscriptions and assignments, the LTI launch (tenant and portal hosts), the scores back,
// the GAR-style export and the JSON API.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "resources",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes: slices.Concat(h.catalogueRoutes(), h.mediaRoutes(), h.manageRoutes(), h.ltiRoutes(),
			h.agsRoutes(), h.garRoutes(), h.apiRoutes()),
		Menu:        slices.Concat(h.mediaMenu(), h.agsMenu(), h.manageMenu(), h.garMenu(), h.catalogueMenu()),
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}
