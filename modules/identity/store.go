package identity

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Roles is a set of roles stored as a PostgreSQL text[].
type Roles []Role

// Value writes the roles as an array literal (role names are plain lower-case words).
func (r Roles) Value() (driver.Value, error) {
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = string(x)
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}

// Scan reads a text[] such as {eleve,responsable}.
func (r *Roles) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*r = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("identity: cannot scan %T into Roles", src)
	}
	s = strings.Trim(s, "{}")
	*r = (*r)[:0]
	if s == "" {
		return nil
	}
	for _, p := range strings.Split(s, ",") {
		*r = append(*r, Role(strings.Trim(p, `"`)))
	}
	return nil
}

// Store reads and writes accounts, memberships and platform administrators (platform schema).
type Store struct {
	gdb    *gorm.DB
	access *accessCache
}

// NewStore binds the store to the application's pool. Its Access results are cached only
// once ListenForChanges runs.
func NewStore(gdb *gorm.DB) *Store {
	return &Store{gdb: gdb, access: newAccessCache(accessCacheSize, accessCacheTTL)}
}

// ListenForChanges keeps the Access cache in step with the database, until ctx ends or the
// pool closes: PostgreSQL notifies every server of each change of memberships, platform
// roles, revoked sessions and establishments' states (migrations/platform/0005), and the
// entries concerned are forgotten. Until it listens, and whenever it loses its connection,
// every Access reads the database.
func (s *Store) ListenForChanges(ctx context.Context, log *slog.Logger) {
	pool, err := s.gdb.DB()
	if err != nil {
		log.Error("access cache: no pool, the cache stays off", "err", err)
		return
	}
	s.access.listen(ctx, pool, log)
}

// Access is what an identity holds in one establishment.
type Access struct {
	Member       bool // an active membership
	PersonID     uuid.UUID
	Roles        Roles
	PlatformRole Role   // admin_regional or admin_departemental, if any
	Departement  string // for admin_departemental
	Revoked      bool   // the session was signed out (on any server): it gives nothing
}

// Access returns the identity's membership in the tenant and its platform role. tenantID
// may be uuid.Nil (platform hosts: the platform role only). sessionID is checked against
// the revoked sessions. Results are cached (30 s at most, forgotten as soon as the database
// announces a change, see ListenForChanges); a miss reads them in one query.
func (s *Store) Access(ctx context.Context, identityID, tenantID uuid.UUID, sessionID string) (Access, error) {
	return s.access.get(ctx, accessKey{identityID, tenantID, sessionID}, func(ctx context.Context) (Access, error) {
		return s.readAccess(ctx, identityID, tenantID, sessionID)
	})
}

func (s *Store) readAccess(ctx context.Context, identityID, tenantID uuid.UUID, sessionID string) (Access, error) {
	var row struct {
		PersonID    *uuid.UUID
		Roles       Roles
		Active      *bool
		Role        *string
		Departement *string
		Revoked     bool
	}
	err := s.gdb.WithContext(ctx).Raw(`SELECT m.person_id, m.roles, m.active, pa.role, pa.departement_code AS departement,
			EXISTS (SELECT 1 FROM platform.revoked_sessions r WHERE r.session_id = ?) AS revoked
		FROM (SELECT 1) one
		LEFT JOIN platform.memberships m ON m.identity_id = ? AND m.tenant_id = ?
		LEFT JOIN platform.platform_admins pa ON pa.identity_id = ?`, sessionID, identityID, tenantID, identityID).Scan(&row).Error
	if err != nil {
		return Access{}, fmt.Errorf("identity: access of %s: %w", identityID, err)
	}
	if row.Revoked {
		return Access{Revoked: true}, nil
	}
	var a Access
	if row.PersonID != nil && row.Active != nil && *row.Active {
		a.Member, a.PersonID, a.Roles = true, *row.PersonID, row.Roles
	}
	if row.Role != nil {
		a.PlatformRole = Role(*row.Role)
	}
	if row.Departement != nil {
		a.Departement = *row.Departement
	}
	return a, nil
}

// RecordRevocation notes that a session was signed out, for every server, as long as their
// session caches may keep it (until); expired notes go at the same time.
func (s *Store) RecordRevocation(ctx context.Context, sessionID string, until time.Time) error {
	db := s.gdb.WithContext(ctx)
	if err := db.Exec(`DELETE FROM platform.revoked_sessions WHERE expires_at < now()`).Error; err != nil {
		return fmt.Errorf("identity: prune revoked sessions: %w", err)
	}
	err := db.Exec(`INSERT INTO platform.revoked_sessions (session_id, expires_at) VALUES (?, ?)
		ON CONFLICT (session_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`, sessionID, until).Error
	if err != nil {
		return fmt.Errorf("identity: record revoked session: %w", err)
	}
	s.access.forget("s:"+sessionID, nil) // here at once; the other servers on notification
	return nil
}

// Establishment is one place an identity may enter.
type Establishment struct {
	UAI      tenant.UAI
	Name     string
	Slug     string
	Roles    Roles
	PersonID uuid.UUID // the identity's person there
}

// Establishments lists the active establishments where the identity is an active member.
func (s *Store) Establishments(ctx context.Context, identityID uuid.UUID) ([]Establishment, error) {
	var out []Establishment
	err := s.gdb.WithContext(ctx).Raw(`SELECT t.uai, t.name, t.slug, m.roles, m.person_id FROM platform.memberships m
		JOIN platform.tenants t ON t.id = m.tenant_id
		WHERE m.identity_id = ? AND m.active AND t.status = 'active' ORDER BY t.name`, identityID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("identity: establishments of %s: %w", identityID, err)
	}
	return out, nil
}

// Account is a platform account.
type Account struct {
	IdentityID uuid.UUID
	Login      string
	AAFID      *string
}

// AccountsByAAF returns the accounts already known for these AAF join keys (a parent seen
// in another establishment keeps one account).
func AccountsByAAF(tx *gorm.DB, aafIDs []string) (map[string]Account, error) {
	out := map[string]Account{}
	if len(aafIDs) == 0 {
		return out, nil
	}
	var rows []Account
	for start := 0; start < len(aafIDs); start += 5000 {
		end := min(start+5000, len(aafIDs))
		if err := tx.Raw(`SELECT identity_id, login, aaf_id FROM platform.accounts WHERE aaf_id IN ?`, aafIDs[start:end]).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("identity: accounts by AAF id: %w", err)
		}
		for _, a := range rows {
			out[*a.AAFID] = a
		}
	}
	return out, nil
}

// TakenLogins returns the existing logins built on these bases (the base itself, or the
// base followed by digits).
func TakenLogins(tx *gorm.DB, bases []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(bases); start += 5000 {
		end := min(start+5000, len(bases))
		var logins []string
		if err := tx.Raw(`SELECT login FROM platform.accounts WHERE regexp_replace(login, '[0-9]+$', '') IN ?`, bases[start:end]).Scan(&logins).Error; err != nil {
			return nil, fmt.Errorf("identity: logins: %w", err)
		}
		for _, l := range logins {
			out[l] = true
		}
	}
	return out, nil
}

// InsertAccounts records new accounts.
func InsertAccounts(tx *gorm.DB, accounts []Account) error {
	for start := 0; start < len(accounts); start += 1000 {
		end := min(start+1000, len(accounts))
		if err := tx.Table("platform.accounts").Create(accounts[start:end]).Error; err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				// Another import (of another establishment) opened the same person or login a
				// moment ago: retrying attaches it.
				return fault.Wrap(fault.ErrConflict, err, "un autre import vient d'ouvrir certains de ces comptes : relancez votre import dans un instant, il les rattachera ; rien n'a été importé")
			}
			return fmt.Errorf("identity: insert accounts: %w", err)
		}
	}
	return nil
}

// Membership is an identity's place in an establishment.
type Membership struct {
	IdentityID uuid.UUID
	TenantID   uuid.UUID
	PersonID   uuid.UUID
	Roles      Roles
	Active     bool
}

// UpsertMemberships writes memberships (insert or update roles, person and state), a
// thousand rows per statement.
func UpsertMemberships(tx *gorm.DB, ms []Membership) error {
	for start := 0; start < len(ms); start += 1000 {
		chunk := ms[start:min(start+1000, len(ms))]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*5)
		sb.WriteString(`INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles, active, updated_at) VALUES `)
		for i, m := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?::text[], ?, now())")
			args = append(args, m.IdentityID, m.TenantID, m.PersonID, m.Roles, m.Active)
		}
		sb.WriteString(` ON CONFLICT (identity_id, tenant_id) DO UPDATE SET person_id = EXCLUDED.person_id, roles = EXCLUDED.roles,
				active = EXCLUDED.active, updated_at = now()
			WHERE (memberships.person_id, memberships.roles, memberships.active) IS DISTINCT FROM (EXCLUDED.person_id, EXCLUDED.roles, EXCLUDED.active)`)
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("identity: memberships: %w", err)
		}
	}
	return nil
}

// ActiveElsewhere tells whether the identity is an active member of another establishment.
func ActiveElsewhere(tx *gorm.DB, identityID, tenantID uuid.UUID) (bool, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM platform.memberships m JOIN platform.tenants t ON t.id = m.tenant_id
		WHERE m.identity_id = ? AND m.tenant_id <> ? AND m.active AND t.status <> 'deleted'`, identityID, tenantID).Scan(&n).Error
	return n > 0, err
}

// GrantPlatformRole makes an account a regional or departmental administrator.
func (s *Store) GrantPlatformRole(ctx context.Context, identityID uuid.UUID, role Role, departement string) error {
	if role != RoleAdminRegion && role != RoleAdminDepartement {
		return errors.New("identity: not a platform role: " + string(role))
	}
	var dep any
	if role == RoleAdminDepartement {
		dep = departement
	}
	return s.gdb.WithContext(ctx).Exec(`INSERT INTO platform.platform_admins (identity_id, role, departement_code) VALUES (?, ?, ?)
		ON CONFLICT (identity_id) DO UPDATE SET role = EXCLUDED.role, departement_code = EXCLUDED.departement_code`, identityID, role, dep).Error
}

// CreatePlatformAccount records an account that has no establishment (platform administrator).
func (s *Store) CreatePlatformAccount(ctx context.Context, a Account) error {
	return s.gdb.WithContext(ctx).Exec(`INSERT INTO platform.accounts (identity_id, login) VALUES (?, ?) ON CONFLICT DO NOTHING`, a.IdentityID, a.Login).Error
}

// Records gives the directory the platform's account records, inside its transactions.
type Records struct {
	// Access, when set, is this server's store: told of the memberships written, its cache
	// answers the next request from the database, even before PostgreSQL's notification.
	Access *Store
}

// AccountsByAAF is the package function of the same name.
func (Records) AccountsByAAF(tx *gorm.DB, ids []string) (map[string]Account, error) {
	return AccountsByAAF(tx, ids)
}

// TakenLogins is the package function of the same name.
func (Records) TakenLogins(tx *gorm.DB, bases []string) (map[string]bool, error) {
	return TakenLogins(tx, bases)
}

// InsertAccounts is the package function of the same name.
func (Records) InsertAccounts(tx *gorm.DB, as []Account) error { return InsertAccounts(tx, as) }

// UpsertMemberships is the package function of the same name.
func (r Records) UpsertMemberships(tx *gorm.DB, ms []Membership) error {
	if r.Access != nil {
		for _, m := range ms {
			r.Access.access.changing(m.IdentityID)
		}
	}
	return UpsertMemberships(tx, ms)
}

// ActiveElsewhere is the package function of the same name.
func (Records) ActiveElsewhere(tx *gorm.DB, identityID, tenantID uuid.UUID) (bool, error) {
	return ActiveElsewhere(tx, identityID, tenantID)
}
