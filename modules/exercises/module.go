package exercises

import (
	"slices"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: teachers have a bank, exercises, assignments and results; pupils do the
// exercises given to their classes and groups. Nobody else reads a bank or an attempt.
var Grants = module.Grants{
	identity.RoleEnseignant: {PermWrite},
	identity.RoleEleve:      {PermTake},
}

func init() { identity.Grant(Grants) }

// Module declares the exercises: routes (the JSON API in api.go, described in openapi.json),
// menu entries, pages.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "exercises",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  slices.Concat(h.routes(), h.importRoutes(), h.apiRoutes(), h.fileRoutes(), h.confirmRoutes()),
		Menu: append([]module.MenuEntry{
			{Text: "Exercices", Href: "/exercices", Permission: PermTake, Roles: []module.Role{identity.RoleEleve}, Order: 9},
			{Text: "Mes exercices", Href: "/exercices/gestion", Section: "/exercices", Permission: PermWrite, Order: 9},
		}, importMenu()...),
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: exportAbout,
	}
}

// routes are the pupils' pages (their list, the attempt) and the teachers' (their exercises
// and bank, an exercise with its assignments, the results with « into the marks »).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/exercices", PermTake, h.list),
		module.Post(t, "/exercices/affectations/:id/commencer", PermTake, h.start),
		module.Get(t, "/exercices/tentatives/:id", PermTake, h.attempt),
		module.Post(t, "/exercices/tentatives/:id/questions/:pos", PermTake, h.save),
		module.Post(t, "/exercices/tentatives/:id/remettre", PermTake, h.submit),
		module.Get(t, "/exercices/gestion", PermWrite, h.manage),
		module.Get(t, "/exercices/nouveau", PermWrite, h.exerciseForm),
		module.Post(t, "/exercices/nouveau", PermWrite, h.saveExercise),
		module.Get(t, "/exercices/:id", PermWrite, h.exercise),
		module.Get(t, "/exercices/:id/modifier", PermWrite, h.exerciseForm),
		module.Post(t, "/exercices/:id/modifier", PermWrite, h.saveExercise),
		module.Get(t, "/exercices/:id/donner", PermWrite, h.assignForm),
		module.Post(t, "/exercices/:id/donner", PermWrite, h.assign),
		module.Get(t, "/exercices/affectations/:id/resultats", PermWrite, h.results),
		module.Post(t, "/exercices/affectations/:id/notes", PermWrite, h.toMarks),
		module.Post(t, "/exercices/banque/categories", PermWrite, h.createCategory),
		module.Post(t, "/exercices/banque/categories/:id/supprimer", PermWrite, h.deleteCategory),
		module.Post(t, "/exercices/banque/questions/:id/partage", PermWrite, h.shareQuestion),
		module.Post(t, "/exercices/banque/questions/:id/copier", PermWrite, h.copyQuestion),
		module.Post(t, "/exercices/banque/questions/:id/supprimer", PermWrite, h.deleteQuestion),
		module.Get(t, "/exercices/corrections/:id", PermWrite, h.review),
		module.Post(t, "/exercices/corrections/:id/questions/:pos", PermWrite, h.reviewQuestion),
	}
}
