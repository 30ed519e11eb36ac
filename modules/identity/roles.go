// Package identity answers "who is this, and what may they do here": Kratos sessions checked
// on every request, the person's membership in the establishment, roles, and the one table of
// permissions that every handler asks.
package identity

import "slices"

// Role is what a person is in an establishment, or on the platform.
type Role string

// Establishment roles, then platform roles.
const (
	RoleEleve            Role = "eleve"
	RoleResponsable      Role = "responsable" // parent or other relative; legal guardianship is per pupil
	RoleEnseignant       Role = "enseignant"
	RoleVieScolaire      Role = "vie_scolaire" // CPE and vie scolaire
	RoleDirection        Role = "direction"
	RoleAdmin            Role = "admin" // the establishment's ENT administrator
	RolePersonnel        Role = "personnel"
	RoleAdminRegion      Role = "admin_regional"
	RoleAdminDepartement Role = "admin_departemental"
)

// EstablishmentRoles lists the roles held within an establishment, in display order.
var EstablishmentRoles = []Role{RoleEleve, RoleResponsable, RoleEnseignant, RoleVieScolaire, RoleDirection, RoleAdmin, RolePersonnel}

// Label is the role's French name.
func (r Role) Label() string {
	switch r {
	case RoleEleve:
		return "Élève"
	case RoleResponsable:
		return "Responsable"
	case RoleEnseignant:
		return "Enseignant"
	case RoleVieScolaire:
		return "Vie scolaire"
	case RoleDirection:
		return "Direction"
	case RoleAdmin:
		return "Administrateur de l'établissement"
	case RolePersonnel:
		return "Personnel"
	case RoleAdminRegion:
		return "Administrateur régional"
	case RoleAdminDepartement:
		return "Administrateur départemental"
	}
	return string(r)
}

// Valid tells whether r is a known establishment role.
func (r Role) Valid() bool { return slices.Contains(EstablishmentRoles, r) }

// Permission is one thing a handler may do.
type Permission string

// Permissions. Adding a route means naming the permission it needs here.
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

// grants is the one table deciding what each role may do.
var grants = map[Role][]Permission{
	RoleEleve:            {PermHome, PermMe, PermMarksView},
	RoleResponsable:      {PermHome, PermMe, PermMarksView},
	RolePersonnel:        {PermHome, PermMe},
	RoleEnseignant:       {PermHome, PermMe, PermClassesList, PermPeopleView, PermMarksView, PermMarksTeach},
	RoleVieScolaire:      {PermHome, PermMe, PermClassesList, PermPeopleView, PermPeopleDetails, PermMarksView},
	RoleDirection:        {PermHome, PermMe, PermClassesList, PermPeopleView, PermPeopleDetails, PermPeopleManage, PermImport, PermMarksView, PermMarksTeach, PermMarksOversee},
	RoleAdmin:            {PermHome, PermMe, PermClassesList, PermPeopleView, PermPeopleDetails, PermPeopleManage, PermImport, PermMarksView, PermMarksTeach, PermMarksOversee},
	RoleAdminRegion:      {PermHome, PermMe, PermClassesList, PermPeopleView, PermPeopleDetails, PermPeopleManage, PermImport, PermTenantsManage, PermMarksView, PermMarksTeach, PermMarksOversee},
	RoleAdminDepartement: {PermHome, PermMe, PermClassesList, PermPeopleView, PermPeopleDetails, PermPeopleManage, PermImport, PermTenantsManage, PermMarksView, PermMarksTeach, PermMarksOversee},
}

// Can tells whether any of roles grants p.
func Can(roles []Role, p Permission) bool {
	for _, r := range roles {
		if slices.Contains(grants[r], p) {
			return true
		}
	}
	return false
}
