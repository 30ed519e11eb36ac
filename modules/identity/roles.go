// Package identity answers "who is this, and what may they do here": Kratos sessions checked
// on every request, the person's membership in the establishment, roles, and the one table of
// permissions that every handler asks.
package identity

import (
	"slices"
	"sync"

	"github.com/cartable-ent/cartable/web/module"
)

// Role is what a person is in an establishment, or on the platform.
type Role = module.Role

// Establishment roles, then platform roles (defined with the module contract, which every
// module's grants name).
const (
	RoleEleve            = module.RoleEleve
	RoleResponsable      = module.RoleResponsable
	RoleEnseignant       = module.RoleEnseignant
	RoleVieScolaire      = module.RoleVieScolaire
	RoleDirection        = module.RoleDirection
	RoleAdmin            = module.RoleAdmin
	RolePersonnel        = module.RolePersonnel
	RoleInspecteur       = module.RoleInspecteur
	RoleAdminRegion      = module.RoleAdminRegion
	RoleAdminDepartement = module.RoleAdminDepartement
)

// EstablishmentRoles lists the roles held within an establishment, in display order.
var EstablishmentRoles = module.EstablishmentRoles

// Permission is one thing a handler may do.
type Permission = module.Permission

// Permissions of the platform and of the first modules. A module declares which roles hold
// them in its own Grants (modules/*/module.go); later modules name their permissions in their
// own package.
const (
	PermHome          Permission = "home.view"         // the establishment's home page
	PermMe            Permission = "me.view"           // one's own account, children
	PermClassesList   Permission = "directory.classes" // class lists and their members
	PermPeopleView    Permission = "directory.people"  // any person's card in the establishment
	PermPeopleDetails Permission = "directory.details" // birth dates, logins on cards
	PermPeopleManage  Permission = "directory.manage"  // create, edit, deactivate, reset passwords
	PermImport        Permission = "directory.import"  // AAF/CSV imports and credentials
	PermTenantsManage Permission = "platform.tenants"  // provisioning (platform hosts)
	PermMarksView     Permission = "grades.view"       // marks and report cards one may see (own, children's, pupils')
	PermMarksTeach    Permission = "grades.teach"      // evaluations, marks entry, appréciations of one's classes
	PermMarksOversee  Permission = "grades.oversee"    // periods, coefficients, class tables, publication
)

// Grants are identity's own permissions: everyone's home and account, the platform
// administrators' consoles. Every module's are merged in by Grant.
var Grants = module.Grants{
	RoleEleve:            {PermHome, PermMe},
	RoleResponsable:      {PermHome, PermMe},
	RolePersonnel:        {PermHome, PermMe},
	RoleEnseignant:       {PermHome, PermMe},
	RoleVieScolaire:      {PermHome, PermMe},
	RoleDirection:        {PermHome, PermMe},
	RoleAdmin:            {PermHome, PermMe},
	RoleInspecteur:       {PermHome, PermMe},
	RoleAdminRegion:      {PermHome, PermMe, PermTenantsManage},
	RoleAdminDepartement: {PermHome, PermMe, PermTenantsManage},
}

// grants is the one table deciding what each role may do.
var (
	grantsMu sync.RWMutex
	grants   = map[Role][]Permission{}
)

func init() { Grant(Grants) }

// Grant merges a module's grants into the table (twice the same grant is one). Modules call
// it from their declaration, so any program or test that links a module knows its rules.
func Grant(g module.Grants) {
	grantsMu.Lock()
	defer grantsMu.Unlock()
	for r, ps := range g {
		for _, p := range ps {
			if !slices.Contains(grants[r], p) {
				grants[r] = append(grants[r], p)
			}
		}
	}
}

// Granted returns the permissions a role holds, in the order they were granted.
func Granted(r Role) []Permission {
	grantsMu.RLock()
	defer grantsMu.RUnlock()
	return slices.Clone(grants[r])
}

// Can tells whether any of roles grants p.
func Can(roles []Role, p Permission) bool {
	grantsMu.RLock()
	defer grantsMu.RUnlock()
	for _, r := range roles {
		if slices.Contains(grants[r], p) {
			return true
		}
	}
	return false
}
