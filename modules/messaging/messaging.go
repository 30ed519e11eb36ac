// Package messaging is the messagerie of an establishment: who may write to whom (the
// establishment's communication rules, rules.go), the recipient picker that offers only
// people the sender may reach, and conversations with their messages, each person's copy of
// a message in a folder (réception, envoyés, corbeille) with its read mark.
//
// Every send goes through one decision, MayWrite, in the send's transaction: the picker,
// the form, replies and the JSON API cannot disagree about who may be reached.
package messaging

import (
	"slices"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Profile is what a person is for the communication rules: an establishment role, the
// establishment's ENT administrator counting as personnel.
type Profile string

// The profiles, in the matrix's order.
const (
	Eleve       Profile = "eleve"
	Responsable Profile = "responsable"
	Enseignant  Profile = "enseignant"
	VieScolaire Profile = "vie_scolaire"
	Direction   Profile = "direction"
	Personnel   Profile = "personnel"
)

// Profiles lists every profile, in the matrix's order.
var Profiles = []Profile{Eleve, Responsable, Enseignant, VieScolaire, Direction, Personnel}

// Label is the profile's French name, plural as the matrix's headers read.
func (p Profile) Label() string {
	switch p {
	case Eleve:
		return "Élèves"
	case Responsable:
		return "Responsables"
	case Enseignant:
		return "Enseignants"
	case VieScolaire:
		return "Vie scolaire"
	case Direction:
		return "Direction"
	case Personnel:
		return "Personnels"
	}
	return string(p)
}

// Valid tells whether p is a known profile.
func (p Profile) Valid() bool { return slices.Contains(Profiles, p) }

// roles are the people's roles (people.roles) that hold the profile.
func (p Profile) roles() []string {
	if p == Personnel {
		return []string{string(identity.RolePersonnel), string(identity.RoleAdmin)}
	}
	return []string{string(p)}
}

// profileOf is the profile of a role, false for platform roles.
func profileOf(r identity.Role) (Profile, bool) {
	if r == identity.RoleAdmin {
		return Personnel, true
	}
	p := Profile(r)
	return p, p.Valid()
}

// Scope is how far a link between two profiles reaches.
type Scope string

// The scopes, narrowest first.
const (
	// None: no one of the profile may be written to.
	None Scope = "aucun"
	// Family: a legal guardian and their own child (only between élèves and responsables).
	Family Scope = "famille"
	// Class: people who share a class (division) of this school year: a pupil's classmates,
	// the teachers of a pupil's class, the guardians of a teacher's pupils.
	Class Scope = "classe"
	// Group: as Class, counting the groups too (spécialités, languages).
	Group Scope = "groupe"
	// Establishment: everyone of the profile in the establishment.
	Establishment Scope = "etablissement"
)

// Scopes lists the scopes, narrowest first (the matrix's choices).
var Scopes = []Scope{None, Family, Class, Group, Establishment}

// Label is the scope's French name.
func (s Scope) Label() string {
	switch s {
	case None:
		return "Non"
	case Family:
		return "Son enfant / ses responsables"
	case Class:
		return "Même classe"
	case Group:
		return "Mêmes classes et groupes"
	case Establishment:
		return "Tout l'établissement"
	}
	return string(s)
}

// Valid tells whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// familyPair tells whether the Family scope means something from one profile to the other.
func familyPair(from, to Profile) bool {
	return (from == Responsable && to == Eleve) || (from == Eleve && to == Responsable)
}

// Link is one directed link of the rules: from may write to to, as far as Scope reaches.
type Link struct{ From, To Profile }

// Rules are an establishment's communication rules: a scope for every directed link.
type Rules map[Link]Scope

// Scope is the link's scope (None when absent).
func (r Rules) Scope(from, to Profile) Scope {
	if s, ok := r[Link{from, to}]; ok {
		return s
	}
	return None
}

// staff write to everyone and everyone to them (issue 10, DOMAIN.md).
var staff = []Profile{VieScolaire, Direction, Personnel}

// DefaultRules are the safe defaults: staff (vie scolaire, direction, personnels) ↔
// everyone in the establishment; teachers ↔ their colleagues; guardians ↔ the teachers of
// their children; pupils ↔ their teachers; a guardian ↔ their own child; pupils ↔ pupils of
// their class off until the establishment enables it; guardians never to other guardians.
func DefaultRules() Rules {
	r := Rules{}
	for _, from := range Profiles {
		for _, to := range Profiles {
			r[Link{from, to}] = None
		}
	}
	for _, s := range staff {
		for _, p := range Profiles {
			r[Link{s, p}] = Establishment
			r[Link{p, s}] = Establishment
		}
	}
	r[Link{Enseignant, Enseignant}] = Establishment
	for _, p := range []Profile{Eleve, Responsable} {
		r[Link{p, Enseignant}] = Group
		r[Link{Enseignant, p}] = Group
	}
	r[Link{Responsable, Eleve}] = Family
	r[Link{Eleve, Responsable}] = Family
	return r
}

// Equal tells whether two rules give every link the same scope.
func (r Rules) Equal(o Rules) bool {
	for _, from := range Profiles {
		for _, to := range Profiles {
			if r.Scope(from, to) != o.Scope(from, to) {
				return false
			}
		}
	}
	return true
}
