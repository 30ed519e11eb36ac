package timetable

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Permissions of the timetable.
const (
	// PermView: one's own week, a legal guardian's children's (the service checks whose).
	PermView module.Permission = "timetable.view"
	// PermBrowse: any class's, group's, teacher's or room's week (staff).
	PermBrowse module.Permission = "timetable.browse"
	// PermManage: the day profile, the slots by hand or CSV, their exceptions (direction).
	PermManage module.Permission = "timetable.manage"
)

// Grants: everyone sees their own week (parents their children's), staff see anyone's and
// any room's, direction and administrators enter the timetable.
var Grants = module.Grants{
	identity.RoleEleve:            {PermView},
	identity.RoleResponsable:      {PermView},
	identity.RoleEnseignant:       {PermView, PermBrowse},
	identity.RoleVieScolaire:      {PermView, PermBrowse},
	identity.RolePersonnel:        {PermView, PermBrowse},
	identity.RoleDirection:        managers,
	identity.RoleAdmin:            managers,
	identity.RoleAdminRegion:      managers,
	identity.RoleAdminDepartement: managers,
}

var managers = []module.Permission{PermView, PermBrowse, PermManage}

func init() { identity.Grant(Grants) }

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Module declares the timetable: routes, menu entries, pages and demo timetables.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "timetable",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Emploi du temps", Href: "/emploi-du-temps", Section: "/emploi-du-temps", Permission: PermView,
				Roles: []module.Role{identity.RoleEleve, identity.RoleResponsable, identity.RoleEnseignant}, Order: 5},
			// Teachers reach the others' weeks from their own; other staff start from the choice.
			{Text: "Emplois du temps", Href: "/emploi-du-temps/consulter", Section: "/emploi-du-temps", Permission: PermBrowse,
				Roles: []module.Role{identity.RoleVieScolaire, identity.RoleDirection, identity.RoleAdmin, identity.RolePersonnel,
					identity.RoleAdminRegion, identity.RoleAdminDepartement}, Order: 6},
			{Text: "Gérer l'emploi du temps", Href: "/emploi-du-temps/gestion", Section: "/emploi-du-temps/gestion", Permission: PermManage, Order: 7},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}
