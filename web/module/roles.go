package module

import "slices"

// Establishment roles, then platform roles.
const (
	RoleEleve            Role = "eleve"
	RoleResponsable      Role = "responsable" // parent or other relative; legal guardianship is per pupil
	RoleEnseignant       Role = "enseignant"
	RoleVieScolaire      Role = "vie_scolaire" // CPE and vie scolaire
	RoleDirection        Role = "direction"
	RoleAdmin            Role = "admin" // the establishment's ENT administrator
	RolePersonnel        Role = "personnel"
	RoleInspecteur       Role = "inspecteur" // an inspector given read access (the cahier de textes, its visas)
	RoleAdminRegion      Role = "admin_regional"
	RoleAdminDepartement Role = "admin_departemental"
)

// EstablishmentRoles lists the roles held within an establishment, in display order.
var EstablishmentRoles = []Role{RoleEleve, RoleResponsable, RoleEnseignant, RoleVieScolaire, RoleDirection, RoleAdmin, RolePersonnel, RoleInspecteur}

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
	case RoleInspecteur:
		return "Inspecteur / Inspectrice pédagogique"
	case RoleAdminRegion:
		return "Administrateur régional"
	case RoleAdminDepartement:
		return "Administrateur départemental"
	}
	return string(r)
}

// Valid tells whether r is a known establishment role.
func (r Role) Valid() bool { return slices.Contains(EstablishmentRoles, r) }
