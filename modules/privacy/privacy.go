// Package privacy is the personal data export (issue 15, RGPD right of access and
// portability): any person asks for everything the ENT holds about them, a legal guardian for
// their minor child; a job assembles, within minutes, one ZIP with, for every establishment
// the person belongs to, one JSON file per module (each module's Exporter, see web/module)
// and their files, the platform's part (the account) and a README in French; the requester
// downloads it from their account page for 7 days, then a periodic job deletes it.
//
// The ZIP is streamed into the blob store under a random key chosen at the request and
// rewritten whole by a retry; the export is ready only once the blob is closed and its
// checksum recorded, so a job killed mid-way leaves nothing anyone can download.
package privacy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// Kept is how long a ready export can be downloaded.
const Kept = 7 * 24 * time.Hour

// stuckAfter is how long an export may stay in preparation before the sweep calls it failed
// (the job retries for about three hours).
const stuckAfter = 24 * time.Hour

// Status is an export's state, as stored.
type Status string

// The states.
const (
	Pending Status = "en_preparation"
	Ready   Status = "prete"
	Expired Status = "expiree"
	Failed  Status = "echec"
)

// Label is the state in French.
func (s Status) Label() string {
	switch s {
	case Pending:
		return "En préparation"
	case Ready:
		return "Prête"
	case Expired:
		return "Expirée"
	case Failed:
		return "Échec"
	}
	return string(s)
}

// Export is one export as its requester sees it.
type Export struct {
	ID              uuid.UUID  `json:"id"`
	Subject         string     `json:"-"`
	SubjectIdentity *uuid.UUID `json:"-"`
	SubjectTenant   *uuid.UUID `json:"-"`
	SubjectPerson   *uuid.UUID `json:"-"`
	SubjectName     string     `json:"subject_name"`
	RequestedBy     uuid.UUID  `json:"-"`
	Status          Status     `json:"status"`
	BlobKey         string     `json:"-"`
	SHA256          *string    `json:"sha256,omitempty" gorm:"column:sha256"`
	Size            *int64     `json:"size,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	ReadyAt         *time.Time `json:"ready_at,omitempty"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
}

// TableName is the platform's table.
func (Export) TableName() string { return "platform.personal_exports" }

// ForChild tells whether the export is of a child, asked for by a guardian.
func (e Export) ForChild() bool {
	return e.SubjectIdentity == nil || *e.SubjectIdentity != e.RequestedBy
}

// Child names a pupil as a guardian asks for their export: their establishment and their
// person there.
type Child struct {
	UAI    string    `json:"establishment"`
	Person uuid.UUID `json:"person"`
}

// Queue enqueues a job in the caller's transaction (jobs.Queue).
type Queue interface {
	InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error
}

// Guardianship answers whether a person is a pupil's legal guardian in the establishment of
// tx (directory.Guardianship).
type Guardianship interface {
	IsLegalGuardian(tx *gorm.DB, guardian, pupil uuid.UUID) (bool, error)
}

// Tenants finds an establishment by its UAI (tenant.Registry).
type Tenants interface {
	Get(ctx context.Context, uai string) (*tenant.Tenant, error)
}

// Service keeps the exports and makes them.
type Service struct {
	platform *gorm.DB
	db       *tenant.DB
	tenants  Tenants
	bucket   *blob.Bucket
	guard    Guardianship
	queue    Queue
	modules  []module.Module
	now      func() time.Time
}

// NewService binds the exports to the platform schema (platform), the establishments (db,
// tenants), the blob store and the guardianship rule; now nil is time.Now.
func NewService(platform *gorm.DB, db *tenant.DB, tenants Tenants, bucket *blob.Bucket, guard Guardianship, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{platform: platform, db: db, tenants: tenants, bucket: bucket, guard: guard, now: now}
}

// SetQueue gives the service the queue its jobs go on (cmd/cartable, once built).
func (s *Service) SetQueue(q Queue) { s.queue = q }

// SetModules gives the service the modules whose exporters make an export, in their order
// (cmd/cartable, once the list is built: this module is in it).
func (s *Service) SetModules(mods []module.Module) { s.modules = mods }

// Request records an export of the requester's own data (child nil; name is theirs, as the
// page and the README show it) or of their minor child, and enqueues its making, in one
// transaction. A guardian asking for a child who is not theirs gets ErrNotFound; a second
// request while one is in preparation, ErrConflict.
func (s *Service) Request(ctx context.Context, requester uuid.UUID, name string, child *Child) (*Export, error) {
	if s.queue == nil {
		return nil, fault.New(fault.ErrUnavailable, "la file des tâches n'est pas disponible : réessayez plus tard")
	}
	e := &Export{ID: uuid.New(), RequestedBy: requester, Status: Pending, BlobKey: newKey(), CreatedAt: s.now()}
	if child == nil {
		e.Subject = "identity:" + requester.String()
		e.SubjectIdentity = &requester
		e.SubjectName = name
	} else if err := s.childSubject(ctx, requester, *child, e); err != nil {
		return nil, err
	}
	err := s.platform.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			var pg *pgconn.PgError
			if errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == "personal_exports_one_pending" {
				if e.ForChild() {
					return fault.New(fault.ErrConflict, "un export des données de %s est déjà en préparation : attendez qu'il soit prêt", e.SubjectName)
				}
				return fault.New(fault.ErrConflict, "un export de vos données est déjà en préparation : attendez qu'il soit prêt")
			}
			return fmt.Errorf("privacy: record export: %w", err)
		}
		return s.queue.InsertTx(tx, nil, BuildJob{Export: e.ID}, s.now())
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// childSubject fills e's subject with the child's, after checking that requester is their
// legal guardian and that they are a minor; anything else is ErrNotFound (the requester may
// not know the pupil exists) or a French refusal.
func (s *Service) childSubject(ctx context.Context, requester uuid.UUID, c Child, e *Export) error {
	notFound := fault.New(fault.ErrNotFound, "cet élève n'est pas un enfant dont vous êtes responsable légal")
	uai, err := tenant.ParseUAI(c.UAI)
	if err != nil || c.Person == uuid.Nil {
		return notFound
	}
	t, err := s.tenants.Get(ctx, string(uai))
	if errors.Is(err, fault.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if t.Status != tenant.StatusActive {
		return notFound
	}
	var guardian struct{ PersonID uuid.UUID }
	if err := s.platform.WithContext(ctx).Raw(`SELECT person_id FROM platform.memberships WHERE identity_id = ? AND tenant_id = ? AND active`,
		requester, t.ID).Scan(&guardian).Error; err != nil {
		return fmt.Errorf("privacy: membership of %s: %w", requester, err)
	}
	if guardian.PersonID == uuid.Nil {
		return notFound
	}
	var pupil struct {
		FirstName, LastName string
		BirthDate           *time.Time
		IdentityID          *uuid.UUID
	}
	legal := false
	if err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if legal, err = s.guard.IsLegalGuardian(tx, guardian.PersonID, c.Person); err != nil || !legal {
			return err
		}
		return tx.Raw(`SELECT first_name, last_name, birth_date, identity_id FROM people WHERE id = ? AND category = 'eleve'`, c.Person).Scan(&pupil).Error
	}); err != nil {
		return fmt.Errorf("privacy: child %s at %s: %w", c.Person, t.UAI, err)
	}
	if !legal || pupil.FirstName == "" {
		return notFound
	}
	name := pupil.FirstName + " " + pupil.LastName
	if pupil.BirthDate != nil && !pupil.BirthDate.AddDate(18, 0, 0).After(s.now()) {
		return fault.New(fault.ErrConflict, "%s est majeur : il ou elle demande l'export de ses données depuis son propre compte", name)
	}
	e.SubjectName = name
	e.SubjectTenant, e.SubjectPerson = &t.ID, &c.Person
	e.Subject = "person:" + t.ID.String() + ":" + c.Person.String()
	if pupil.IdentityID != nil {
		e.SubjectIdentity = pupil.IdentityID
		e.Subject = "identity:" + pupil.IdentityID.String()
	}
	return nil
}

// newKey is a blob key no one can guess: 128 random bits under the platform's prefix.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "platform/exports/" + hex.EncodeToString(b) + ".zip"
}

// List returns the exports the requester asked for, newest first.
func (s *Service) List(ctx context.Context, requester uuid.UUID) ([]Export, error) {
	var out []Export
	if err := s.platform.WithContext(ctx).Raw(`SELECT * FROM platform.personal_exports WHERE requested_by = ? ORDER BY created_at DESC, id LIMIT 50`,
		requester).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("privacy: exports of %s: %w", requester, err)
	}
	return out, nil
}

// Ready returns the requester's export id if it can be downloaded now; anyone else, and an
// export not ready or expired, gets ErrNotFound.
func (s *Service) Ready(ctx context.Context, requester, id uuid.UUID) (*Export, error) {
	var e Export
	err := s.platform.WithContext(ctx).Raw(`SELECT * FROM platform.personal_exports WHERE id = ? AND requested_by = ? AND status = 'prete' AND expires_at > ?`,
		id, requester, s.now()).Scan(&e).Error
	if err != nil {
		return nil, fmt.Errorf("privacy: export %s: %w", id, err)
	}
	if e.ID == uuid.Nil {
		return nil, fault.New(fault.ErrNotFound, "cet export n'existe pas ou n'est plus disponible")
	}
	return &e, nil
}

// Open reads a ready export's ZIP from the blob store.
func (s *Service) Open(ctx context.Context, e *Export) (*blob.Reader, error) {
	r, err := s.bucket.NewReader(ctx, e.BlobKey, nil)
	if err != nil {
		return nil, fmt.Errorf("privacy: open export %s: %w", e.ID, err)
	}
	return r, nil
}

// Sweep deletes the ready exports whose time is over (their blob, then their state becomes
// expired) and calls failed the ones stuck in preparation; it returns how many expired.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	var due []Export
	if err := s.platform.WithContext(ctx).Raw(`SELECT * FROM platform.personal_exports
		WHERE (status = 'prete' AND expires_at <= ?) OR (status = 'en_preparation' AND created_at <= ?) ORDER BY created_at`,
		now, now.Add(-stuckAfter)).Scan(&due).Error; err != nil {
		return 0, fmt.Errorf("privacy: exports due: %w", err)
	}
	expired := 0
	for _, e := range due {
		if err := s.bucket.Delete(ctx, e.BlobKey); err != nil && !notExist(err) {
			return expired, fmt.Errorf("privacy: delete export %s: %w", e.ID, err)
		}
		next := Expired
		if e.Status == Pending {
			next = Failed
		}
		if err := s.platform.WithContext(ctx).Exec(`UPDATE platform.personal_exports SET status = ? WHERE id = ? AND status = ?`, next, e.ID, e.Status).Error; err != nil {
			return expired, fmt.Errorf("privacy: expire export %s: %w", e.ID, err)
		}
		if next == Expired {
			expired++
		}
	}
	return expired, nil
}

// fail records that an export could not be made (its job gave up).
func (s *Service) fail(ctx context.Context, id uuid.UUID) error {
	var key string
	if err := s.platform.WithContext(ctx).Raw(`UPDATE platform.personal_exports SET status = 'echec' WHERE id = ? AND status = 'en_preparation' RETURNING blob_key`, id).Scan(&key).Error; err != nil {
		return fmt.Errorf("privacy: record failure of %s: %w", id, err)
	}
	if key != "" {
		if err := s.bucket.Delete(ctx, key); err != nil && !notExist(err) {
			return fmt.Errorf("privacy: delete failed export %s: %w", id, err)
		}
	}
	return nil
}

// export is the module's own exporter: at the platform's level, the exports of the person's
// data that were asked for (by them or a guardian), without their keys.
func (s *Service) export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t != nil {
		return nil
	}
	var rows []struct {
		CreatedAt  time.Time  `json:"demande_le"`
		Status     Status     `json:"etat"`
		ByGuardian bool       `json:"demande_par_un_responsable"`
		ReadyAt    *time.Time `json:"prete_le,omitempty"`
		ExpiresAt  *time.Time `json:"disponible_jusqu_au,omitempty"`
		SHA256     *string    `json:"sha256,omitempty" gorm:"column:sha256"`
		Size       *int64     `json:"taille,omitempty"`
	}
	if err := s.platform.WithContext(ctx).Raw(`SELECT created_at, status, requested_by <> subject_identity AS by_guardian, ready_at, expires_at, sha256, size
		FROM platform.personal_exports WHERE subject_identity = ? ORDER BY created_at`, person).Scan(&rows).Error; err != nil {
		return fmt.Errorf("privacy: exports of %s: %w", person, err)
	}
	if len(rows) == 0 {
		return nil
	}
	return w.JSON(map[string]any{"exports": rows})
}
