// Package tenant is the platform registry of establishments and everything that makes one
// PostgreSQL schema per establishment safe: provisioning and lifecycle, the tenant-scoped
// transaction helper, host → tenant resolution, migrations across all schemas, and the
// export/import archive.
package tenant

import (
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/web/fault"
)

// Kind is the type of an establishment.
type Kind string

// The kinds of establishment. Lycées and EREA belong to the région, collèges to their département.
const (
	KindLycee           Kind = "lycee"
	KindLyceePro        Kind = "lycee-pro"
	KindLyceeAgricole   Kind = "lycee-agricole"
	KindEREA            Kind = "erea"
	KindCollege         Kind = "college"
	RegionCode               = "region"
	DefaultCacheTTL          = 5 * time.Second
	DefaultRetention         = 90 * 24 * time.Hour
	deletedSuffixLayout      = "20060102150405"
)

// Kinds lists every kind, in the order shown to users.
var Kinds = []Kind{KindLycee, KindLyceePro, KindLyceeAgricole, KindEREA, KindCollege}

// Label is the French name of the kind.
func (k Kind) Label() string {
	switch k {
	case KindLycee:
		return "Lycée général et technologique"
	case KindLyceePro:
		return "Lycée professionnel"
	case KindLyceeAgricole:
		return "Lycée agricole"
	case KindEREA:
		return "EREA"
	case KindCollege:
		return "Collège"
	}
	return string(k)
}

func (k Kind) valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Status is where a tenant is in its lifecycle.
type Status string

// Tenant statuses.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusDeleted   Status = "deleted"
)

// Tenant is one establishment, with its own schema and role.
type Tenant struct {
	ID               uuid.UUID  `json:"id" gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UAI              UAI        `json:"uai"`
	Name             string     `json:"name"`
	Kind             Kind       `json:"kind"`
	OrganisationCode string     `json:"organisation"`
	Slug             string     `json:"slug"`
	SchemaName       string     `json:"schema"`
	RoleName         string     `json:"-"`
	Status           Status     `json:"status"`
	SchemaVersion    int        `json:"schema_version"`
	MigratedAt       *time.Time `json:"migrated_at,omitempty"`
	MigrationError   *string    `json:"migration_error,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	SuspendedAt      *time.Time `json:"suspended_at,omitempty"`
	DeletedAt        *time.Time `json:"deleted_at,omitempty" gorm:"column:deleted_at"`
	PurgeAfter       *time.Time `json:"purge_after,omitempty"`
	PurgedAt         *time.Time `json:"purged_at,omitempty"`
}

// TableName places the model in the platform schema.
func (Tenant) TableName() string { return "platform.tenants" }

// Organisation is the région or a département: who owns and pays for establishments.
type Organisation struct {
	Code      string     `json:"code" gorm:"primaryKey"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	OptInDate *time.Time `json:"opt_in_date,omitempty" gorm:"type:date"`
	OptedInAt *time.Time `json:"opted_in_at,omitempty"`
	// OptOutDate is the day a département leaves: its collèges are billed until the day
	// before, then suspended (billing.Store.OptOut); OptedOutAt when that was recorded.
	OptOutDate *time.Time `json:"opt_out_date,omitempty" gorm:"type:date"`
	OptedOutAt *time.Time `json:"opted_out_at,omitempty"`
	CreatedAt  time.Time  `json:"-"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// TableName places the model in the platform schema.
func (Organisation) TableName() string { return "platform.organisations" }

// OptedIn tells whether the département's collèges may be provisioned on day: from its
// opt-in date, and before its opt-out date if it left.
func (o *Organisation) OptedIn(day time.Time) bool {
	if o.Kind == "region" {
		return true
	}
	return o.OptInDate != nil && !o.OptInDate.After(day) && !o.OptedOut(day)
}

// OptInRefusal says why the viewer of scope s may not record day as département o's opt-in,
// nil when they may. The région may always (a département re-joining after its opt-out
// goes through it). A département's administrator may record or bring forward their own
// opt-in, but the opt-in date is the day the billing bills its collèges from and the
// opt-out is the région's decision: they may neither postpone an opt-in that has begun
// (its collèges would stop being billed, their share of the platform falling on the
// others) nor clear the opt-out the région recorded.
func (s Scope) OptInRefusal(o *Organisation, day, now time.Time) error {
	if s.All {
		return nil
	}
	if o.OptOutDate != nil {
		return fault.NewField(fault.ErrForbidden, "effective_date",
			"la fin d'adhésion du département %s au %s a été enregistrée par la région : seule la région peut la lever par une nouvelle adhésion",
			o.Code, o.OptOutDate.Format("02/01/2006"))
	}
	if o.OptInDate != nil && !o.OptInDate.After(now) && day.After(*o.OptInDate) {
		return fault.NewField(fault.ErrForbidden, "effective_date",
			"le département %s adhère depuis le %s et ses collèges sont facturés depuis cette date : seule la région peut reporter l'adhésion (au %s)",
			o.Code, o.OptInDate.Format("02/01/2006"), day.Format("02/01/2006"))
	}
	return nil
}

// OptedOut tells whether the département has left Cartable on day (its opt-out date came).
func (o *Organisation) OptedOut(day time.Time) bool {
	return o.OptOutDate != nil && !o.OptOutDate.After(day)
}
