package console

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// Store reads and writes the console's platform tables: the audit log (platform.audit_log,
// which the registry writes for every change it makes) and the establishments' sizes.
type Store struct {
	db *gorm.DB
}

// NewStore binds the store to the platform pool (tenant.Registry.Platform).
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Entry is one line of the audit log.
type Entry struct {
	ID      int64
	At      time.Time
	Actor   string
	Action  string
	Subject string
	Details string
}

// JournalFilter narrows the audit log.
type JournalFilter struct {
	// Departement, when set, keeps what concerns that département: its opt-in and its
	// collèges (a département's administrator sees nothing else).
	Departement string
	Subject     string // an establishment's UAI or a département's code; empty: all
	Limit       int    // default 100
}

// Journal returns the latest audit entries, newest first.
func (s *Store) Journal(ctx context.Context, f JournalFilter) ([]Entry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := s.db.WithContext(ctx).Table("platform.audit_log").Select("id, at, actor, action, subject, details::text AS details")
	if f.Departement != "" {
		// The log names establishments by UAI only, and a deleted collège's UAI may be opened
		// again by the région as a lycée: a UAI ever held outside the département is not its.
		q = q.Where(`subject = ? OR (subject IN (SELECT uai FROM platform.tenants WHERE organisation_code = ?)
			AND subject NOT IN (SELECT uai FROM platform.tenants WHERE organisation_code <> ?))`, f.Departement, f.Departement, f.Departement)
	}
	if f.Subject != "" {
		q = q.Where("subject = ?", f.Subject)
	}
	var out []Entry
	if err := q.Order("id DESC").Limit(f.Limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("console: read the audit log: %w", err)
	}
	return out, nil
}

// Record adds an entry for an action the registry does not record itself (an export, an
// AAF import).
func (s *Store) Record(ctx context.Context, actor, action, subject string, details map[string]any) error {
	if err := tenant.Audit(s.db.WithContext(ctx), actor, action, subject, details); err != nil {
		return fmt.Errorf("console: record %s of %s: %w", action, subject, err)
	}
	return nil
}

// Size is how big an establishment is: its accounts (memberships) and the space its
// schema takes in the database (0: not known yet).
type Size struct {
	TenantID       uuid.UUID
	Accounts       int
	ActiveAccounts int
	Bytes          int64
}

// Sizes measures the establishments in one query. Exact sizes (pg_total_relation_size)
// look at every file of every table and index, about 0.1 ms each: right for one
// establishment, seconds for a whole région. Otherwise the space is PostgreSQL's estimate
// (pages counted by VACUUM and ANALYZE; 0 until they first ran).
func (s *Store) Sizes(ctx context.Context, ts []tenant.Tenant, exact bool) (map[uuid.UUID]Size, error) {
	out := map[uuid.UUID]Size{}
	if len(ts) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	space := `SELECT n.nspname, sum(c.relpages::bigint + coalesce(toast.relpages, 0)) * current_setting('block_size')::bigint AS bytes
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
			WHERE n.nspname IN (SELECT schema_name FROM listed) GROUP BY n.nspname`
	if exact {
		space = `SELECT n.nspname, sum(pg_total_relation_size(c.oid)) AS bytes
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname IN (SELECT schema_name FROM listed) GROUP BY n.nspname`
	}
	var rows []Size
	err := s.db.WithContext(ctx).Raw(`WITH listed AS (SELECT id, schema_name FROM platform.tenants WHERE id IN ?),
		accounts AS (SELECT tenant_id, count(*) AS accounts, count(*) FILTER (WHERE active) AS active_accounts
			FROM platform.memberships WHERE tenant_id IN (SELECT id FROM listed) GROUP BY tenant_id),
		space AS (`+space+`)
		SELECT l.id AS tenant_id, coalesce(a.accounts, 0) AS accounts, coalesce(a.active_accounts, 0) AS active_accounts,
			coalesce(sp.bytes, 0) AS bytes
		FROM listed l LEFT JOIN accounts a ON a.tenant_id = l.id LEFT JOIN space sp ON sp.nspname = l.schema_name`, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("console: sizes of %d establishments: %w", len(ts), err)
	}
	for _, r := range rows {
		out[r.TenantID] = r
	}
	return out, nil
}
