// Package directory is each establishment's directory: people, classes and groups,
// subjects, who teaches what, family links, and the imports that fill it (AAF, CSV) with the
// accounts they open.
package directory

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // SchoolZone on machines without a zoneinfo database

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// Categories of people, as in the AAF.
const (
	CategoryEleve       = "eleve"
	CategoryResponsable = "responsable"
	CategoryPersonnel   = "personnel"
)

// Person is one member of the establishment's community.
type Person struct {
	ID            uuid.UUID      `json:"id" gorm:"type:uuid;primaryKey"`
	IdentityID    *uuid.UUID     `json:"-" gorm:"type:uuid"`
	AAFID         *string        `json:"aaf_id,omitempty" gorm:"column:aaf_id"`
	Category      string         `json:"category"`
	Roles         identity.Roles `json:"roles" gorm:"type:text[]"`
	Title         string         `json:"title,omitempty"`
	LastName      string         `json:"last_name"`
	FirstName     string         `json:"first_name"`
	BirthDate     *time.Time     `json:"birth_date,omitempty" gorm:"type:date"`
	Login         string         `json:"login,omitempty"`
	Email         *string        `json:"email,omitempty"`
	MEF           *string        `json:"mef,omitempty" gorm:"column:mef"`
	Functions     Strings        `json:"functions,omitempty" gorm:"type:jsonb"`
	Active        bool           `json:"active"`
	DeactivatedAt *time.Time     `json:"deactivated_at,omitempty"`
	PurgeAfter    *time.Time     `json:"purge_after,omitempty"`
	Source        string         `json:"source"`
	SourceAttrs   Attrs          `json:"-" gorm:"type:jsonb"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// TableName is the people table of the tenant schema in scope.
func (Person) TableName() string { return "people" }

// FullName is "First LAST".
func (p *Person) FullName() string { return p.FirstName + " " + p.LastName }

// Class is a class (division) or a group.
type Class struct {
	ID         uuid.UUID `json:"id" gorm:"type:uuid;primaryKey"`
	Kind       string    `json:"kind"` // classe or groupe
	Code       string    `json:"code"`
	Label      string    `json:"label"`
	SchoolYear string    `json:"school_year"`
}

// TableName is the classes table of the tenant schema in scope.
func (Class) TableName() string { return "classes" }

// Strings is a JSON array of strings in a jsonb column.
type Strings []string

// Value encodes the list as JSON.
func (s Strings) Value() (driver.Value, error) {
	if s == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(s))
	return string(b), err
}

// Scan decodes a JSON array.
func (s *Strings) Scan(src any) error { return scanJSON(src, s) }

// Attrs are source attributes (AAF names → values) in a jsonb column.
type Attrs map[string][]string

// Value encodes the attributes as JSON (keys sorted by encoding/json).
func (a Attrs) Value() (driver.Value, error) {
	if a == nil {
		return nil, nil
	}
	b, err := json.Marshal(map[string][]string(a))
	return string(b), err
}

// Scan decodes a JSON object.
func (a *Attrs) Scan(src any) error { return scanJSON(src, a) }

func scanJSON(src, dst any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		return json.Unmarshal([]byte(v), dst)
	case []byte:
		return json.Unmarshal(v, dst)
	}
	return fmt.Errorf("directory: cannot scan %T as JSON", src)
}

// Accounts is what the directory needs from the identity server.
type Accounts interface {
	CreateAccounts(ctx context.Context, accounts []identity.NewAccount) ([]uuid.UUID, error)
	DeleteAccounts(ctx context.Context, ids []uuid.UUID) error
	SetActive(ctx context.Context, id uuid.UUID, active bool) error
	UpdateNames(ctx context.Context, id uuid.UUID, first, last string) error
	RecoveryCode(ctx context.Context, id uuid.UUID) (code, link string, err error)
	FindByLogin(ctx context.Context, login string) (*identity.Identity, error)
	Adopt(ctx context.Context, id uuid.UUID, a identity.NewAccount) error
}

// AccountRecords is what the directory needs from the platform's account records; every
// method runs inside the directory's own transaction.
type AccountRecords interface {
	AccountsByAAF(tx *gorm.DB, aafIDs []string) (map[string]identity.Account, error)
	TakenLogins(tx *gorm.DB, bases []string) (map[string]bool, error)
	InsertAccounts(tx *gorm.DB, accounts []identity.Account) error
	UpsertMemberships(tx *gorm.DB, ms []identity.Membership) error
	ActiveElsewhere(tx *gorm.DB, identityID, tenantID uuid.UUID) (bool, error)
	OutsideScope(tx *gorm.DB, ids []uuid.UUID, sc identity.Scope) (map[uuid.UUID]bool, error)
}

// Service runs the directory of every establishment.
type Service struct {
	db       *tenant.DB
	accounts Accounts
	records  AccountRecords
	log      *slog.Logger
	now      func() time.Time
	box      *credentialBox // encrypts the initial passwords kept with import runs
	queue    JobQueue
	arrivals Arrivals                      // SetArrivals; nil: nobody listens
	me       *expirable.LRU[meKey, keptMe] // /api/v1/me's answers (MeJSON)
	// InitialHashCost is the bcrypt cost of the random initial passwords (default 6: their
	// strength is their ~50 bits of entropy; chosen passwords get Kratos' own cost).
	InitialHashCost int
}

// NewService wires the directory. now is the clock (nil: time.Now).
func NewService(db *tenant.DB, accounts Accounts, records AccountRecords, log *slog.Logger, now func() time.Time) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, accounts: accounts, records: records, log: log, now: now, box: ephemeralBox(), me: newKeptMe(), InitialHashCost: 6}
}

// SchoolZone is the time zone of the establishments' calendar: a school day, a school year
// and a period are dates in Paris time (at 00:30 on 1 September in Paris it is still
// 31 August in UTC).
var SchoolZone = mustLoadZone("Europe/Paris")

func mustLoadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name) // the time/tzdata import makes this work everywhere
	if err != nil {
		panic(err)
	}
	return loc
}

// SchoolYearOf returns the school year containing the instant day (read in SchoolZone):
// "2026-2027" from September 2026 to August 2027.
func SchoolYearOf(day time.Time) (code string, start, end time.Time) {
	day = day.In(SchoolZone)
	y := day.Year()
	if day.Month() < time.September {
		y--
	}
	start = time.Date(y, time.September, 1, 0, 0, 0, 0, time.UTC)
	end = time.Date(y+1, time.July, 7, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("%d-%d", y, y+1), start, end
}

// ensureSchoolYear makes sure the current school year exists and returns its code.
func (s *Service) ensureSchoolYear(tx *gorm.DB) (string, error) {
	var code string
	if err := tx.Raw(`SELECT code FROM school_years WHERE current`).Scan(&code).Error; err != nil {
		return "", err
	}
	if code != "" {
		return code, nil
	}
	code, start, end := SchoolYearOf(s.now())
	err := tx.Exec(`INSERT INTO school_years (code, starts_on, ends_on, current) VALUES (?, ?, ?, true)
		ON CONFLICT (code) DO UPDATE SET current = true`, code, start, end).Error
	return code, err
}
