package tenant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/singleflight"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/web/fault"
)

// Options configure a Registry. Zero values take the documented defaults.
type Options struct {
	// TenantMigrations applied to every tenant schema; default migrations.Tenant().
	TenantMigrations migrations.Set
	// PlatformMigrations of the platform schema; default migrations.Platform().
	PlatformMigrations migrations.Set
	// Retention of a deleted tenant's schema before purge; default 90 days.
	Retention time.Duration
	// CacheTTL of host → tenant look-ups, misses included; default 5 s.
	CacheTTL time.Duration
	// FilesDir holds each tenant's files in a folder named after its schema; may be empty.
	FilesDir string
	// Blobs is the blob store of the modules' documents (each tenant's under BlobPrefix):
	// exported and restored with the tenant; may be nil.
	Blobs  *blob.Bucket
	Logger *slog.Logger
	Now    func() time.Time
}

// Registry is the platform's list of establishments and their owners. It provisions,
// suspends, deletes and restores tenants, and gives tenant-scoped access through DB().
type Registry struct {
	gdb        *gorm.DB
	db         *DB
	opts       Options
	rolePrefix string
	cache      *slugCache
	lookups    singleflight.Group // host look-ups missing the cache, one per slug at a time
}

// NewRegistry binds a registry to a pool opened with Open.
func NewRegistry(ctx context.Context, gdb *gorm.DB, opts Options) (*Registry, error) {
	if opts.TenantMigrations == nil {
		opts.TenantMigrations = migrations.Tenant()
	}
	if opts.PlatformMigrations == nil {
		opts.PlatformMigrations = migrations.Platform()
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var dbName string
	if err := gdb.WithContext(ctx).Raw(`SELECT current_database()`).Scan(&dbName).Error; err != nil {
		return nil, fmt.Errorf("tenant: read database name: %w", err)
	}
	return &Registry{
		gdb:        gdb,
		db:         NewDB(gdb),
		opts:       opts,
		rolePrefix: rolePrefix(dbName),
		cache:      newSlugCache(opts.CacheTTL),
	}, nil
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// rolePrefix derives the tenant roles' prefix from the database name: roles are global to a
// PostgreSQL cluster, databases are not, so two deployments on one cluster do not collide.
func rolePrefix(dbName string) string {
	p := nonIdent.ReplaceAllString(strings.ToLower(dbName), "_")
	if len(p) > 30 {
		p = p[:30]
	}
	return p
}

// DB gives tenant-scoped access to tenant data.
func (r *Registry) DB() *DB { return r.db }

// LatestTenantVersion is the schema version every tenant should be at.
func (r *Registry) LatestTenantVersion() int { return r.opts.TenantMigrations.Latest() }

// MigratePlatform brings the platform schema to the latest version. Safe to run concurrently.
func (r *Registry) MigratePlatform(ctx context.Context) (from, to int, err error) {
	err = r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := liftTimeouts(tx); err != nil {
			return err
		}
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('cartable.migrate.platform'))`).Error; err != nil {
			return err
		}
		if err := tx.Exec(`CREATE SCHEMA IF NOT EXISTS platform`).Error; err != nil {
			return err
		}
		if err := tx.Exec(`SELECT set_config('search_path', 'platform', true)`).Error; err != nil {
			return err
		}
		var e error
		from, to, e = migrations.Apply(ctx, tx, r.opts.PlatformMigrations)
		return e
	})
	if err != nil {
		return from, to, fmt.Errorf("tenant: migrate platform: %w", err)
	}
	return from, to, nil
}

// PlatformVersion reads the platform schema's version (0 when it was never migrated).
func (r *Registry) PlatformVersion(ctx context.Context) (int, error) {
	var v int
	err := r.gdb.WithContext(ctx).Raw(`SELECT coalesce((SELECT max(version) FROM platform.schema_migrations), 0)`).Scan(&v).Error
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return 0, nil
		}
		return 0, fmt.Errorf("tenant: platform version: %w", err)
	}
	return v, nil
}

// PlatformCurrent tells whether the platform schema is at the version this binary expects.
func (r *Registry) PlatformCurrent(ctx context.Context) (bool, error) {
	v, err := r.PlatformVersion(ctx)
	return v == r.opts.PlatformMigrations.Latest(), err
}

// NewTenant is a provisioning request.
type NewTenant struct {
	UAI  string `json:"uai"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Slug string `json:"slug,omitempty"`
}

// Provision opens an establishment: its registry row, its role, its schema migrated to the
// latest version, all in one transaction. Repeating an identical request returns the same
// tenant with created == false; the same UAI with other fields is a conflict.
func (r *Registry) Provision(ctx context.Context, req NewTenant, actor string) (t *Tenant, created bool, err error) {
	t, err = r.prepare(ctx, req)
	if err != nil {
		return nil, false, err
	}
	existing, err := r.Get(ctx, string(t.UAI))
	if err == nil {
		return existing, false, sameTenant(existing, t, req.Slug != "")
	}
	if !errors.Is(err, fault.ErrNotFound) {
		return nil, false, err
	}
	if err := r.pickSlug(ctx, t, req.Slug != ""); err != nil {
		return nil, false, err
	}
	err = r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := r.create(ctx, tx, t, r.opts.TenantMigrations); err != nil {
			return err
		}
		return Audit(tx, actor, "tenant.provision", string(t.UAI), map[string]any{"name": t.Name, "kind": t.Kind, "slug": t.Slug})
	})
	if isUniqueViolation(err) {
		// A concurrent request won the race: answer as if it had come first.
		if existing, gerr := r.Get(ctx, string(t.UAI)); gerr == nil {
			return existing, false, sameTenant(existing, t, req.Slug != "")
		}
		return nil, false, fault.NewField(fault.ErrConflict, "slug", "le sous-domaine « %s » vient d'être pris par un autre établissement ; réessayez", t.Slug)
	}
	if err != nil {
		return nil, false, fmt.Errorf("tenant: provision %s: %w", t.UAI, err)
	}
	r.cache.clear()
	r.opts.Logger.Info("tenant provisioned", "uai", t.UAI, "slug", t.Slug, "actor", actor)
	return t, true, nil
}

// prepare validates a request and fills what follows from it (owner, schema, role).
func (r *Registry) prepare(ctx context.Context, req NewTenant) (*Tenant, error) {
	uai, err := ParseUAI(req.UAI)
	if err != nil {
		return nil, err
	}
	name := strings.Join(strings.Fields(req.Name), " ")
	if n := len([]rune(name)); n < 3 || n > 200 {
		return nil, fault.Invalidf("name", "le nom de l'établissement doit compter de 3 à 200 caractères")
	}
	kind := Kind(strings.TrimSpace(req.Kind))
	if !kind.valid() {
		return nil, fault.Invalidf("kind", "le type « %s » est inconnu ; types possibles : lycee, lycee-pro, lycee-agricole, erea, college", req.Kind)
	}
	slug := strings.ToLower(strings.TrimSpace(req.Slug))
	if slug != "" {
		if err := CheckSlug(slug); err != nil {
			return nil, err
		}
	}
	dep, err := r.Organisation(ctx, uai.Departement())
	if errors.Is(err, fault.ErrNotFound) {
		return nil, fault.Invalidf("uai", "l'UAI %s relève du département %s, qui n'est pas desservi par Cartable (départements : 24, 33, 40, 47, 64)", uai, uai.Departement())
	}
	if err != nil {
		return nil, err
	}
	owner := RegionCode
	if kind == KindCollege {
		if !dep.OptedIn(r.opts.Now()) {
			if dep.OptedOut(r.opts.Now()) {
				return nil, fault.NewField(fault.ErrConflict, "uai", "le département %s (%s) a quitté Cartable le %s : ses collèges ne peuvent plus être ouverts (une nouvelle adhésion le permettrait)", dep.Name, dep.Code, dep.OptOutDate.Format("02/01/2006"))
			}
			if dep.OptInDate != nil {
				return nil, fault.NewField(fault.ErrConflict, "uai", "le département %s (%s) n'adhère à Cartable qu'à partir du %s : ses collèges ne peuvent pas encore être ouverts", dep.Name, dep.Code, dep.OptInDate.Format("02/01/2006"))
			}
			return nil, fault.NewField(fault.ErrConflict, "uai", "le département %s (%s) n'a pas adhéré à Cartable : ses collèges ne peuvent pas être ouverts", dep.Name, dep.Code)
		}
		owner = dep.Code
	}
	schema := uai.SchemaName()
	return &Tenant{
		ID: uuid.New(), UAI: uai, Name: name, Kind: kind, OrganisationCode: owner, Slug: slug,
		SchemaName: schema, RoleName: r.rolePrefix + "_" + schema, Status: StatusActive,
	}, nil
}

// pickSlug chooses the subdomain: the one asked for, which must be free, or one derived from
// the name, made unique with the UAI when needed.
func (r *Registry) pickSlug(ctx context.Context, t *Tenant, explicit bool) error {
	if explicit {
		if other, err := r.bySlugLive(ctx, t.Slug); err == nil {
			return fault.NewField(fault.ErrConflict, "slug", "le sous-domaine « %s » est déjà celui de %s (%s)", t.Slug, other.Name, other.UAI)
		} else if !errors.Is(err, fault.ErrNotFound) {
			return err
		}
		return nil
	}
	base := Slugify(t.Name)
	if base == "" || IsReservedSlug(base) {
		base = "etab"
	}
	for _, cand := range []string{base, trimSlug(base + "-" + strings.ToLower(string(t.UAI)))} {
		if _, err := r.bySlugLive(ctx, cand); errors.Is(err, fault.ErrNotFound) {
			t.Slug = cand
			return nil
		} else if err != nil {
			return err
		}
	}
	return fault.NewField(fault.ErrConflict, "slug", "aucun sous-domaine libre pour « %s » : indiquez-en un", t.Name)
}

func trimSlug(s string) string {
	if len(s) <= 63 {
		return s
	}
	return strings.Trim(s[len(s)-63:], "-")
}

func sameTenant(existing, asked *Tenant, slugGiven bool) error {
	if existing.Name == asked.Name && existing.Kind == asked.Kind && (!slugGiven || existing.Slug == asked.Slug) {
		return nil
	}
	return fault.NewField(fault.ErrConflict, "uai", "l'UAI %s est déjà ouvert sous le nom « %s » (type %s, sous-domaine %s) ; modifier un établissement n'est pas une création", existing.UAI, existing.Name, existing.Kind, existing.Slug)
}

// create inserts t and makes its role and schema at the versions of set, inside tx.
func (r *Registry) create(ctx context.Context, tx *gorm.DB, t *Tenant, set migrations.Set) error {
	if err := tx.Create(t).Error; err != nil {
		return err
	}
	role, schema := pgx.Identifier{t.RoleName}.Sanitize(), pgx.Identifier{t.SchemaName}.Sanitize()
	for _, stmt := range []string{
		`CREATE ROLE ` + role + ` NOLOGIN NOINHERIT`,
		`GRANT ` + role + ` TO CURRENT_USER`,
		`CREATE SCHEMA ` + schema + ` AUTHORIZATION ` + role,
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if err := enterSchema(tx, t.SchemaName, t.RoleName); err != nil {
		return err
	}
	_, to, err := migrations.Apply(ctx, tx, set)
	if err != nil {
		return err
	}
	if err := leaveSchema(tx); err != nil {
		return err
	}
	now := r.opts.Now().UTC()
	t.SchemaVersion, t.MigratedAt = to, &now
	return tx.Model(t).Updates(map[string]any{"schema_version": to, "migrated_at": now}).Error
}

// Get returns the live (active or suspended) tenant with this UAI.
func (r *Registry) Get(ctx context.Context, uai string) (*Tenant, error) {
	u, err := ParseUAI(uai)
	if err != nil {
		return nil, err
	}
	var t Tenant
	err = r.gdb.WithContext(ctx).Where("uai = ? AND status <> ?", u, StatusDeleted).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fault.New(fault.ErrNotFound, "aucun établissement ouvert avec l'UAI %s", u)
	}
	if err != nil {
		return nil, fmt.Errorf("tenant: get %s: %w", u, err)
	}
	return &t, nil
}

func (r *Registry) bySlugLive(ctx context.Context, slug string) (*Tenant, error) {
	var t Tenant
	err := r.gdb.WithContext(ctx).Where("slug = ? AND status <> ?", slug, StatusDeleted).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fault.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("tenant: by slug %q: %w", slug, err)
	}
	return &t, nil
}

// BySlug returns the live tenant served at this subdomain, from a short cache that also
// remembers misses. Unknown slugs give fault.ErrNotFound.
func (r *Registry) BySlug(ctx context.Context, slug string) (*Tenant, error) {
	t, ok, gen := r.cache.get(slug, r.opts.Now())
	if ok {
		if t == nil {
			return nil, fault.ErrNotFound
		}
		return t, nil
	}
	// One database look-up per slug at a time: a burst of requests to a host just out of
	// the cache waits for the first.
	v, err, _ := r.lookups.Do(slug, func() (any, error) {
		// Not the first caller's own end: the others wait on this look-up too.
		t, err := r.bySlugLive(context.WithoutCancel(ctx), slug)
		if err != nil && !errors.Is(err, fault.ErrNotFound) {
			return nil, err
		}
		r.cache.put(slug, t, r.opts.Now(), gen)
		return t, nil
	})
	if err != nil {
		return nil, err
	}
	if t, _ = v.(*Tenant); t == nil {
		return nil, fault.ErrNotFound
	}
	return t, nil
}

// ListFilter narrows List.
type ListFilter struct {
	Status       Status // empty: active and suspended
	Organisation string // empty: all
}

// List returns tenants ordered by name.
func (r *Registry) List(ctx context.Context, f ListFilter) ([]Tenant, error) {
	q := r.gdb.WithContext(ctx).Order("name, uai")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	} else {
		q = q.Where("status <> ?", StatusDeleted)
	}
	if f.Organisation != "" {
		q = q.Where("organisation_code = ?", f.Organisation)
	}
	var ts []Tenant
	if err := q.Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("tenant: list: %w", err)
	}
	return ts, nil
}

// Suspend makes the tenant unreachable (a clear page, no data) without touching its data.
func (r *Registry) Suspend(ctx context.Context, uai, actor string) (*Tenant, error) {
	return r.setStatus(ctx, uai, actor, StatusSuspended)
}

// Resume reopens a suspended tenant.
func (r *Registry) Resume(ctx context.Context, uai, actor string) (*Tenant, error) {
	return r.setStatus(ctx, uai, actor, StatusActive)
}

func (r *Registry) setStatus(ctx context.Context, uai, actor string, s Status) (*Tenant, error) {
	t, err := r.Get(ctx, uai)
	if err != nil {
		return nil, err
	}
	if t.Status == s {
		return t, nil
	}
	now := r.opts.Now().UTC()
	var suspendedAt *time.Time
	if s == StatusSuspended {
		suspendedAt = &now
	}
	err = r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(t).Updates(map[string]any{"status": s, "suspended_at": suspendedAt, "updated_at": now}).Error; err != nil {
			return err
		}
		return Audit(tx, actor, "tenant."+map[Status]string{StatusActive: "resume", StatusSuspended: "suspend"}[s], string(t.UAI), nil)
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: set %s %s: %w", t.UAI, s, err)
	}
	t.Status, t.SuspendedAt, t.UpdatedAt = s, suspendedAt, now
	r.cache.clear()
	return t, nil
}

// Delete soft-deletes a tenant: it disappears at once (host, lists), its schema and role are
// renamed and kept until the retention period ends, then Purge removes them.
func (r *Registry) Delete(ctx context.Context, uai, actor string) (*Tenant, error) {
	t, err := r.Get(ctx, uai)
	if err != nil {
		return nil, err
	}
	now := r.opts.Now().UTC()
	suffix := deletedSuffix(now)
	newSchema, newRole := t.SchemaName+suffix, t.RoleName+suffix
	purge := now.Add(r.opts.Retention)
	err = r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, stmt := range []string{
			`ALTER SCHEMA ` + pgx.Identifier{t.SchemaName}.Sanitize() + ` RENAME TO ` + pgx.Identifier{newSchema}.Sanitize(),
			`ALTER ROLE ` + pgx.Identifier{t.RoleName}.Sanitize() + ` RENAME TO ` + pgx.Identifier{newRole}.Sanitize(),
		} {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		if err := tx.Model(t).Updates(map[string]any{
			"status": StatusDeleted, "deleted_at": now, "purge_after": purge, "updated_at": now,
			"schema_name": newSchema, "role_name": newRole,
		}).Error; err != nil {
			return err
		}
		return Audit(tx, actor, "tenant.delete", string(t.UAI), map[string]any{"schema": newSchema, "purge_after": purge})
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: delete %s: %w", t.UAI, err)
	}
	if dir := r.filesDir(t.SchemaName); dir != "" {
		if err := renameIfExists(dir, r.filesDir(newSchema)); err != nil {
			r.opts.Logger.Error("tenant files not renamed", "uai", t.UAI, "err", err)
		}
	}
	t.Status, t.DeletedAt, t.PurgeAfter, t.SchemaName, t.RoleName = StatusDeleted, &now, &purge, newSchema, newRole
	r.cache.clear()
	return t, nil
}

// Purge removes for good the deleted tenants whose retention ended before now: schema,
// role and files. The registry row stays, marked purged, as a record.
func (r *Registry) Purge(ctx context.Context, now time.Time, actor string) ([]Tenant, error) {
	var due []Tenant
	err := r.gdb.WithContext(ctx).Where("status = ? AND purged_at IS NULL AND purge_after <= ?", StatusDeleted, now).
		Order("purge_after").Find(&due).Error
	if err != nil {
		return nil, fmt.Errorf("tenant: list tenants to purge: %w", err)
	}
	var done []Tenant
	for _, t := range due {
		err := r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, stmt := range []string{
				`DROP SCHEMA IF EXISTS ` + pgx.Identifier{t.SchemaName}.Sanitize() + ` CASCADE`,
				`DROP ROLE IF EXISTS ` + pgx.Identifier{t.RoleName}.Sanitize(),
			} {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%s: %w", stmt, err)
				}
			}
			// Its people's memberships go, and the accounts of those who belong nowhere else
			// and administer nothing; their Kratos identities, now known to no account, are
			// removed by the orphan reconciliation.
			var members []string
			if err := tx.Raw(`DELETE FROM platform.memberships WHERE tenant_id = ? RETURNING identity_id::text`, t.ID).Scan(&members).Error; err != nil {
				return fmt.Errorf("forget the memberships: %w", err)
			}
			if len(members) > 0 {
				if err := tx.Exec(`SELECT 1 FROM platform.accounts WHERE identity_id::text IN ? ORDER BY identity_id FOR UPDATE`, members).Error; err != nil {
					return fmt.Errorf("lock the accounts: %w", err)
				}
				if err := tx.Exec(`DELETE FROM platform.accounts a WHERE a.identity_id::text IN ?
					AND NOT EXISTS (SELECT 1 FROM platform.memberships m WHERE m.identity_id = a.identity_id)
					AND NOT EXISTS (SELECT 1 FROM platform.platform_admins p WHERE p.identity_id = a.identity_id)`, members).Error; err != nil {
					return fmt.Errorf("remove the accounts: %w", err)
				}
			}
			if err := tx.Model(&t).Update("purged_at", now.UTC()).Error; err != nil {
				return err
			}
			return Audit(tx, actor, "tenant.purge", string(t.UAI), map[string]any{"schema": t.SchemaName})
		})
		if err != nil {
			return done, fmt.Errorf("tenant: purge %s: %w", t.UAI, err)
		}
		if dir := r.filesDir(t.SchemaName); dir != "" {
			if err := os.RemoveAll(dir); err != nil {
				return done, fmt.Errorf("tenant: purge files of %s: %w", t.UAI, err)
			}
		}
		// A crash before this leaves blobs without a schema: the modules' sweeps remove the
		// purged establishments' (attendance.Sweeper).
		if err := r.dropBlobs(ctx, &t); err != nil {
			return done, fmt.Errorf("tenant: purge documents of %s: %w", t.UAI, err)
		}
		done = append(done, t)
	}
	return done, nil
}

// Organisations lists the région and the départements.
func (r *Registry) Organisations(ctx context.Context) ([]Organisation, error) {
	var os []Organisation
	if err := r.gdb.WithContext(ctx).Order("kind DESC, code").Find(&os).Error; err != nil {
		return nil, fmt.Errorf("tenant: list organisations: %w", err)
	}
	return os, nil
}

// Organisation returns the région ("region") or a département by its code ("33", "033").
func (r *Registry) Organisation(ctx context.Context, code string) (*Organisation, error) {
	code = strings.TrimSpace(code)
	if code != RegionCode {
		code = strings.TrimLeft(code, "0")
	}
	var o Organisation
	err := r.gdb.WithContext(ctx).Where("code = ?", code).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fault.New(fault.ErrNotFound, "aucun département « %s » dans la région (départements : 24, 33, 40, 47, 64)", code)
	}
	if err != nil {
		return nil, fmt.Errorf("tenant: organisation %s: %w", code, err)
	}
	return &o, nil
}

// OptIn records that a département joins Cartable for its collèges from the given day.
// Changing the date is allowed; collèges already open stay open. A département that had
// left (billing's opt-out) re-joins: its opt-out is cleared (its collèges suspended by the
// opt-out stay suspended until someone resumes them).
func (r *Registry) OptIn(ctx context.Context, code string, effective time.Time, actor string) (*Organisation, error) {
	o, err := r.Organisation(ctx, code)
	if err != nil {
		return nil, err
	}
	if o.Kind != "departement" {
		return nil, fault.Invalidf("code", "seul un département adhère ; la région porte déjà les lycées")
	}
	day := time.Date(effective.Year(), effective.Month(), effective.Day(), 0, 0, 0, 0, time.UTC)
	now := r.opts.Now().UTC()
	err = r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(o).Updates(map[string]any{"opt_in_date": day, "opted_in_at": now, "updated_at": now,
			"opt_out_date": nil, "opted_out_at": nil}).Error; err != nil {
			return err
		}
		details := map[string]any{"effective_date": day.Format("2006-01-02")}
		if o.OptOutDate != nil {
			details["cleared_opt_out_date"] = o.OptOutDate.Format("2006-01-02")
		}
		return Audit(tx, actor, "departement.opt_in", o.Code, details)
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: opt-in %s: %w", o.Code, err)
	}
	o.OptInDate, o.OptedInAt, o.OptOutDate, o.OptedOutAt = &day, &now, nil, nil
	return o, nil
}

// deletedSuffix marks a deleted tenant's schema and role: the time, readable, and a random
// part so that deleting the same UAI twice within a second does not collide.
func deletedSuffix(now time.Time) string {
	b := make([]byte, 2)
	rand.Read(b)
	return "_d" + now.Format(deletedSuffixLayout) + hex.EncodeToString(b)
}

// Audit writes one line of platform.audit_log in tx, so that an action and its trace are
// committed together or not at all: the registry's own actions, and the other platform
// modules' (billing, the console).
func Audit(tx *gorm.DB, actor, action, subject string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO platform.audit_log (actor, action, subject, details) VALUES (?, ?, ?, ?)`, actor, action, subject, string(b)).Error
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// slugCache remembers host look-ups for a short time: live tenants in a bounded LRU,
// misses in one of their own (random host names cannot push the live tenants out), each key
// evicted alone.
type slugCache struct {
	mu     sync.Mutex
	ttl    time.Duration
	hits   *expirable.LRU[string, slugEntry]
	misses *expirable.LRU[string, time.Time] // slug → until when it is known unknown
	gen    uint64                            // bumped by clear: a look-up that began before a change does not cache its answer
}

type slugEntry struct {
	t       *Tenant
	expires time.Time
}

const slugCacheMax = 10000

func newSlugCache(ttl time.Duration) *slugCache {
	return &slugCache{ttl: ttl,
		hits:   expirable.NewLRU[string, slugEntry](slugCacheMax, nil, ttl),
		misses: expirable.NewLRU[string, time.Time](slugCacheMax, nil, ttl)}
}

// get returns the cached answer for slug (nil: known unknown), and the generation to give
// put after a miss.
func (c *slugCache) get(slug string, now time.Time) (*Tenant, bool, uint64) {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	if until, ok := c.misses.Get(slug); ok && !now.After(until) {
		return nil, true, gen
	}
	if e, ok := c.hits.Get(slug); ok && !now.After(e.expires) {
		return e.t, true, gen
	}
	return nil, false, gen
}

// put caches the answer of a look-up that began at generation gen, unless the registry
// changed since (a miss read just before a provisioning must not hide the new tenant).
func (c *slugCache) put(slug string, t *Tenant, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if t == nil {
		c.misses.Add(slug, now.Add(c.ttl))
		return
	}
	c.hits.Add(slug, slugEntry{t: t, expires: now.Add(c.ttl)})
}

func (c *slugCache) clear() {
	c.mu.Lock()
	c.hits.Purge()
	c.misses.Purge()
	c.gen++
	c.mu.Unlock()
}

// Platform returns the pool for the stores of platform-schema tables (accounts,
// memberships). Its connections look in no tenant schema: tenant data stays behind DB.Tx.
func (r *Registry) Platform() *gorm.DB { return r.gdb }
