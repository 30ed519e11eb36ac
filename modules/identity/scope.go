package identity

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Scope is the establishments an actor answers for. An account crosses establishments (a
// parent with children in two lycées, a teacher in two schools): an action on it (recovery
// code, deactivation, renaming, a role) is allowed only when every membership of the
// account lies within the actor's scope. The zero Scope covers nothing.
type Scope struct {
	All         bool      // the région's administrators, the CLI, the automation token
	Departement string    // a département's administrators: the collèges of that département
	Tenant      uuid.UUID // an establishment's staff: that establishment alone
}

// Platform tells whether the scope is a platform administrator's (région or département).
func (s Scope) Platform() bool { return s.All || s.Departement != "" }

// Covers tells whether the establishment t lies within the scope.
func (s Scope) Covers(t *tenant.Tenant) bool {
	switch {
	case t == nil:
		return false
	case s.All:
		return true
	case s.Departement != "":
		return t.OrganisationCode == s.Departement
	}
	return s.Tenant != uuid.Nil && s.Tenant == t.ID
}

// ScopeOfAPI is the scope of an administration API caller (tenant.SetScope).
func ScopeOfAPI(sc tenant.Scope) Scope {
	if sc.All {
		return Scope{All: true}
	}
	return Scope{Departement: sc.Organisation}
}

// Scope is whose accounts the viewer answers for on this host: their platform role's
// establishments when it covers this one (or on a platform host), else this establishment
// alone. A platform administrator who is also a member here keeps their platform scope.
func (v *Viewer) Scope() Scope {
	if v == nil {
		return Scope{}
	}
	var platform Scope
	switch v.PlatformRole {
	case RoleAdminRegion:
		platform = Scope{All: true}
	case RoleAdminDepartement:
		platform = Scope{Departement: v.Departement}
	}
	switch {
	case v.Tenant == nil:
		return platform
	case platform.Covers(v.Tenant):
		return platform
	case v.Member:
		return Scope{Tenant: v.Tenant.ID}
	}
	return Scope{}
}

// ErrOutOfScope is the refusal of an action on an account that is not the actor's alone.
// It names nothing of the other establishments.
func ErrOutOfScope(action string) error {
	return fault.New(fault.ErrForbidden, "%s : ce compte est aussi utilisé en dehors de votre périmètre (un autre établissement, ou l'administration de la plateforme). "+
		"Seul un administrateur de la plateforme dont le périmètre couvre tous les établissements de ce compte (administrateur régional, ou départemental pour les collèges de son département) peut le faire.", action)
}

// OutsideScope returns, among ids, the accounts holding something the scope does not cover:
// a membership (active or not) of an establishment outside it, or a platform role (which only
// the région's administrators cover).
func OutsideScope(tx *gorm.DB, ids []uuid.UUID, sc Scope) (map[uuid.UUID]bool, error) {
	out := map[uuid.UUID]bool{}
	if sc.All || len(ids) == 0 {
		return out, nil
	}
	for start := 0; start < len(ids); start += 5000 {
		chunk := ids[start:min(start+5000, len(ids))]
		var outside string
		var arg any
		switch {
		case sc.Departement != "":
			outside, arg = `t.organisation_code <> ?`, sc.Departement
		case sc.Tenant != uuid.Nil:
			outside, arg = `m.tenant_id <> ?`, sc.Tenant
		default:
			outside, arg = `?`, true // the zero scope covers nothing
		}
		var rows []uuid.UUID
		// A deleted establishment's memberships are a record, not a place the account serves.
		err := tx.Raw(`SELECT m.identity_id FROM platform.memberships m JOIN platform.tenants t ON t.id = m.tenant_id
				WHERE m.identity_id IN ? AND t.status <> 'deleted' AND `+outside+`
			UNION SELECT identity_id FROM platform.platform_admins WHERE identity_id IN ?`, chunk, arg, chunk).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("identity: accounts outside scope: %w", err)
		}
		for _, id := range rows {
			out[id] = true
		}
	}
	return out, nil
}

// OutsideScope is the package function of the same name.
func (Records) OutsideScope(tx *gorm.DB, ids []uuid.UUID, sc Scope) (map[uuid.UUID]bool, error) {
	return OutsideScope(tx, ids, sc)
}
