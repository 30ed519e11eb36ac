// Package transfer carries a pupil's portfolio from one establishment to another (issue 15
// §3). When an AAF import (a platform administrator's work) brings into establishment B a
// pupil whose national join key or account is a pupil's of establishment A who has a
// portfolio there, the pupil is asked, on B's host, whether to bring it; a minor's legal
// guardian (of B's directory) must accept too, and either refusing ends it. On acceptance a
// job, enqueued in the acceptance's transaction, copies the items and their files into B,
// each file checked against its SHA-256 before anything is written in B; both
// establishments' audit logs record it. B receives nothing else; A keeps its copy until its
// own retention removes it. An unanswered question expires.
//
// The questions are platform rows (platform.portfolio_transfers): they name two
// establishments, so they belong to neither.
package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Status is where a transfer is.
type Status string

// The statuses of a transfer.
const (
	Asked    Status = "asked"    // waiting for the pupil (and a guardian for a minor)
	Accepted Status = "accepted" // every answer needed is yes: the copy is enqueued
	Refused  Status = "refused"  // the pupil or a guardian said no
	Expired  Status = "expired"  // nobody answered in time
	Copying  Status = "copying"  // the job is copying
	Done     Status = "done"     // copied into B
	Failed   Status = "failed"   // the copy failed (a file altered in A): nothing was written in B
)

// Label is the status in French.
func (s Status) Label() string {
	switch s {
	case Asked:
		return "En attente de réponse"
	case Accepted:
		return "Acceptée, copie prévue"
	case Refused:
		return "Refusée"
	case Expired:
		return "Expirée sans réponse"
	case Copying:
		return "Copie en cours"
	case Done:
		return "Portfolio apporté"
	case Failed:
		return "Échec de la copie"
	}
	return string(s)
}

// Answer is a yes or a no.
type Answer string

// The answers.
const (
	Accept Answer = "accepted"
	Refuse Answer = "refused"
)

// Lifetime is how long a question waits for its answers.
const Lifetime = 60 * 24 * time.Hour

// AdultAge is the age from which a pupil answers alone.
const AdultAge = 18

// Line is one line of what a transfer brings: a school year's items of one kind.
type Line struct {
	Year  string         `json:"year"`
	Kind  portfolio.Kind `json:"kind"`
	Count int            `json:"count"`
}

// KindLabel is the line's kind in French.
func (l Line) KindLabel() string { return l.Kind.Label() }

// Transfer is one question and what became of it.
type Transfer struct {
	ID                 uuid.UUID  `json:"id"`
	FromTenant         uuid.UUID  `json:"-"`
	ToTenant           uuid.UUID  `json:"-"`
	FromPerson         uuid.UUID  `json:"-"`
	ToPerson           uuid.UUID  `json:"pupil_id"`
	IdentityID         *uuid.UUID `json:"-"`
	Status             Status     `json:"status"`
	AskedAt            time.Time  `json:"asked_at"`
	ExpiresAt          time.Time  `json:"expires_at"`
	Summary            Lines      `json:"summary" gorm:"type:jsonb"`
	Items              int        `json:"items"`
	Files              int        `json:"files"`
	Bytes              int64      `json:"bytes"`
	PupilAnswer        *Answer    `json:"pupil_answer"`
	PupilAnsweredAt    *time.Time `json:"pupil_answered_at"`
	GuardianAnswer     *Answer    `json:"guardian_answer"`
	GuardianID         *uuid.UUID `json:"-"`
	GuardianAnsweredAt *time.Time `json:"guardian_answered_at"`
	CopiedItems        int        `json:"copied_items"`
	CopiedFiles        int        `json:"copied_files"`
	CopiedBytes        int64      `json:"copied_bytes"`
	CopiedAt           *time.Time `json:"copied_at"`
	OriginLoggedAt     *time.Time `json:"-"`
	Failure            string     `json:"failure,omitempty"`
	UpdatedAt          time.Time  `json:"-"`

	// Read with the row: the establishments' names and UAIs.
	FromUAI  string `json:"from_uai" gorm:"->;column:from_uai"`
	FromName string `json:"from_name" gorm:"->;column:from_name"`
	ToUAI    string `json:"to_uai" gorm:"->;column:to_uai"`
	ToName   string `json:"to_name" gorm:"->;column:to_name"`
}

// TableName places transfers in the platform schema.
func (Transfer) TableName() string { return "platform.portfolio_transfers" }

// SizeText is the total size of the files in French.
func (t Transfer) SizeText() string { return fault.ByteSize(t.Bytes) }

// Open tells whether the question still waits for an answer at now.
func (t Transfer) Open(now time.Time) bool { return t.Status == Asked && now.Before(t.ExpiresAt) }

// Lines is a transfer's summary as its jsonb column keeps it.
type Lines []Line

// Scan reads the jsonb column.
func (l *Lines) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("transfer: summary of type %T", v)
	}
	return json.Unmarshal(b, l)
}

// Queue enqueues a job in the caller's transaction ((*jobs.Queue).InsertTx).
type Queue interface {
	InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error
}

// Admitter admits files into an establishment's space (files.Space), or refuses them.
type Admitter interface {
	Admit(ctx context.Context, t *tenant.Tenant, cs []files.Checked) error
}

// Service detects, asks, and carries portfolios between establishments.
type Service struct {
	db        *tenant.DB
	platform  *gorm.DB // the application's pool, for platform rows outside a tenant
	portfolio *portfolio.Service
	bucket    *blob.Bucket // SetBucket: the blob store of both establishments' documents
	space     Admitter     // SetSpace; nil: no quota
	queue     Queue        // SetQueue; nil: acceptances are not copied (tests of consent)
	guardians directory.Guardianship
	log       *slog.Logger
	now       func() time.Time
}

// NewService wires the transfers; platform is the registry's pool, now the clock (nil: time.Now).
func NewService(db *tenant.DB, platform *gorm.DB, folio *portfolio.Service, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, platform: platform, portfolio: folio, log: log, now: now}
}

// SetBucket wires the blob store the documents are copied within.
func (s *Service) SetBucket(b *blob.Bucket) { s.bucket = b }

// SetSpace makes the copied documents count against the receiving establishment's quota.
func (s *Service) SetSpace(a Admitter) { s.space = a }

// SetQueue wires the job queue the copies are enqueued on.
func (s *Service) SetQueue(q Queue) { s.queue = q }

// ErrNotFound is the answer to whoever may not know a transfer exists.
var ErrNotFound = fault.New(fault.ErrNotFound, "cette proposition de transfert de portfolio n'existe pas, ou ne vous concerne pas")

const selectTransfer = `SELECT x.*, a.uai AS from_uai, a.name AS from_name, b.uai AS to_uai, b.name AS to_name
	FROM platform.portfolio_transfers x JOIN platform.tenants a ON a.id = x.from_tenant JOIN platform.tenants b ON b.id = x.to_tenant`

// tenantByID reads an establishment's registry row.
func tenantByID(db *gorm.DB, id uuid.UUID) (*tenant.Tenant, error) {
	var t tenant.Tenant
	if err := db.Raw(`SELECT * FROM platform.tenants WHERE id = ?`, id).Scan(&t).Error; err != nil {
		return nil, fmt.Errorf("transfer: establishment %s: %w", id, err)
	}
	if t.ID == uuid.Nil || t.Status == tenant.StatusDeleted {
		return nil, fmt.Errorf("transfer: establishment %s: %w", id, fault.ErrNotFound)
	}
	return &t, nil
}

// Of is one transfer, by id.
func (s *Service) Of(ctx context.Context, id uuid.UUID) (*Transfer, error) {
	var x Transfer
	if err := s.platform.WithContext(ctx).Raw(selectTransfer+` WHERE x.id = ?`, id).Scan(&x).Error; err != nil {
		return nil, fmt.Errorf("transfer: read %s: %w", id, err)
	}
	if x.ID == uuid.Nil {
		return nil, ErrNotFound
	}
	return &x, nil
}

// List is the latest transfers of the platform, newest first (the région's console).
func (s *Service) List(ctx context.Context, limit int) ([]Transfer, error) {
	var out []Transfer
	err := s.platform.WithContext(ctx).Raw(selectTransfer+` ORDER BY x.asked_at DESC, x.id LIMIT ?`, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("transfer: list: %w", err)
	}
	return out, nil
}

// minor tells whether someone born on birth is under AdultAge on day (no birth date: a minor,
// the careful answer).
func minor(birth *time.Time, day time.Time) bool {
	if birth == nil {
		return true
	}
	return birth.AddDate(AdultAge, 0, 0).After(day)
}
