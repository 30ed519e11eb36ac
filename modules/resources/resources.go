// Package resources is the licensed digital resources (ressources numériques): the région's
// catalogue of publishers, tools and resources (platform schema), each establishment's
// subscriptions, their assignment and licences, the médiacentre (« Mes ressources »), the
// pseudonymous launch as an LTI 1.3 platform, the scores tools send back (LTI AGS) made into
// draft evaluations, the GAR-style directory export and the audit of launches.
//
// A publisher never learns a person's name from Cartable unless the establishment enabled it
// for that tool: the LTI `sub` is a per-tool pseudonym, HMAC(tool's salt, identity id).
package resources

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Permissions of resources.
const (
	// PermView: one's médiacentre and launching what is assigned to one (pupils, teachers, staff).
	PermView identity.Permission = "resources.view"
	// PermManage: subscriptions, assignments, sharing, audit, GAR export (the direction; the
	// service also lets the establishment's référents, named by the direction, do it).
	PermManage identity.Permission = "resources.manage"
	// PermCatalogue: the région's catalogue (admin host).
	PermCatalogue identity.Permission = "resources.catalogue"
)

// Profiles a licence counts in.
const (
	ProfileEleve      = "eleve"
	ProfileEnseignant = "enseignant" // teachers and the other staff
)

// ProfileOf is the licence profile of roles: pupils are "eleve", teachers and staff
// "enseignant"; parents (and nobody) "": they have no resources.
func ProfileOf(roles []identity.Role) string {
	switch {
	case slices.Contains(roles, identity.RoleEleve):
		return ProfileEleve
	case slices.ContainsFunc(roles, func(r identity.Role) bool {
		return r == identity.RoleEnseignant || r == identity.RoleDirection || r == identity.RoleVieScolaire ||
			r == identity.RolePersonnel || r == identity.RoleAdmin
	}):
		return ProfileEnseignant
	}
	return ""
}

// Targets of a subscription.
const (
	TargetEleves      = "eleves"
	TargetEnseignants = "enseignants"
	TargetTous        = "tous"
)

// TargetHas tells whether a subscription's target covers a licence profile.
func TargetHas(target, profile string) bool {
	switch profile {
	case ProfileEleve:
		return target == TargetEleves || target == TargetTous
	case ProfileEnseignant:
		return target == TargetEnseignants || target == TargetTous
	}
	return false
}

// Kinds of subscription and licence modes.
const (
	KindEtablissement = "etablissement" // everyone of the target, automatically
	KindPersonne      = "personne"      // by assignment, within the licences

	LicencesIllimite  = "illimite"
	LicencesGlobal    = "global"
	LicencesParProfil = "par_profil"
)

// Resource types of the catalogue, with their French names.
var ResourceTypes = []struct{ Code, Label string }{
	{"dictionnaire", "Dictionnaire"},
	{"encyclopedie", "Encyclopédie"},
	{"manuel", "Manuel numérique"},
	{"outil", "Outil"},
	{"banque", "Banque de ressources"},
	{"presse", "Presse"},
	{"autre", "Autre"},
}

// TypeLabel is a resource type's French name.
func TypeLabel(code string) string {
	for _, t := range ResourceTypes {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}

// Tool kinds.
const (
	ToolLTI  = "lti"
	ToolLink = "lien"
)

// Publisher is a publisher of the catalogue.
type Publisher struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	Name      string
	Website   string
	CreatedAt time.Time
}

func (Publisher) TableName() string { return "platform.resource_publishers" }

// Tool is how the platform opens a publisher's resources: an LTI 1.3 tool or a plain link.
type Tool struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	PublisherID   uuid.UUID
	Name          string
	Kind          string
	ClientID      *string
	LoginURL      string
	LaunchURL     string
	RedirectURLs  Strings `gorm:"column:redirect_urls"`
	JWKSURL       string  `gorm:"column:jwks_url"`
	PublicKey     string
	DeploymentIDs Strings `gorm:"column:deployment_ids"`
	Scores        bool
	PseudonymSalt []byte
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (Tool) TableName() string { return "platform.resource_tools" }

// LTI tells whether the tool is an LTI 1.3 tool (not a plain link).
func (t *Tool) LTI() bool { return t.Kind == ToolLTI }

// Resource is a resource of the catalogue. Cover holds the image only when read for it
// (the catalogue's snapshot leaves it out).
type Resource struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	PublisherID uuid.UUID
	ToolID      uuid.UUID
	Title       string
	Type        string
	Subjects    Strings
	Levels      Strings
	Description string
	TargetURL   string
	Cover       []byte `gorm:"->:false;<-"`
	CoverType   string
	Active      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (Resource) TableName() string { return "platform.resources" }

// HasCover tells whether the resource has a cover image.
func (r *Resource) HasCover() bool { return r.CoverType != "" }

// Subscription is an establishment's subscription to a resource.
type Subscription struct {
	ID                  uuid.UUID `gorm:"primaryKey"`
	ResourceID          uuid.UUID
	ToolID              uuid.UUID
	DeploymentID        string
	StartsOn            time.Time
	EndsOn              time.Time
	Kind                string
	Target              string
	LicenceMode         string
	Licences            *int
	LicencesEleves      *int
	LicencesEnseignants *int
	CreatedBy           *uuid.UUID
	CreatedAt           time.Time
}

func (Subscription) TableName() string { return "resource_subscriptions" }

// ActiveOn tells whether the subscription is valid on day (a date in Europe/Paris).
func (s *Subscription) ActiveOn(day time.Time) bool {
	d := day.Format(time.DateOnly)
	return s.StartsOn.Format(time.DateOnly) <= d && d <= s.EndsOn.Format(time.DateOnly)
}

// LimitFor is how many licences of profile the subscription has, or -1 for unlimited.
// Under a global number both profiles draw on the same count (see Used).
func (s *Subscription) LimitFor(profile string) int {
	switch s.LicenceMode {
	case LicencesGlobal:
		return *s.Licences
	case LicencesParProfil:
		if profile == ProfileEleve {
			return *s.LicencesEleves
		}
		return *s.LicencesEnseignants
	}
	return -1
}

// Assignment is an assignment of a per-person subscription.
type Assignment struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	SubscriptionID uuid.UUID
	TargetKind     string // tous, profil, classe, groupe, personne
	Profile        *string
	ClassID        *uuid.UUID
	PersonID       *uuid.UUID
	CreatedBy      *uuid.UUID
	CreatedAt      time.Time
}

func (Assignment) TableName() string { return "resource_assignments" }

// Sharing is what an establishment lets a tool know of a person besides the pseudonym.
type Sharing struct {
	ToolID     uuid.UUID `gorm:"primaryKey"`
	ShareName  bool
	ShareEmail bool
	ShareClass bool
	UpdatedBy  *uuid.UUID
	UpdatedAt  time.Time
}

func (Sharing) TableName() string { return "resource_tool_sharing" }

// Launch is one launch of a resource (the audit).
type Launch struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	PersonID       uuid.UUID
	SubscriptionID uuid.UUID
	ResourceID     uuid.UUID
	ToolID         uuid.UUID
	ClassID        *uuid.UUID
	MessageHint    string
	Nonce          *string
	Shared         Strings
	CreatedAt      time.Time
	CompletedAt    *time.Time
}

func (Launch) TableName() string { return "resource_launches" }

// Strings is a text[] column.
type Strings []string

var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// Scan reads a text[].
func (a *Strings) Scan(src any) error {
	if src == nil {
		*a = nil
		return nil
	}
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	var v []string
	if err := m.SQLScanner(&v).Scan(src); err != nil {
		return fmt.Errorf("resources: read text[]: %w", err)
	}
	*a = v
	return nil
}

// GormDataType tells gorm the column's type (without it gorm refuses the field).
func (Strings) GormDataType() string { return "text[]" }

// Value writes a text[] (pgx encodes the slice).
func (a Strings) Value() (driver.Value, error) {
	if a == nil {
		return []string{}, nil
	}
	return []string(a), nil
}
