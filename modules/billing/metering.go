package billing

// Metering: what each establishment uses, day by day (Europe/Paris).
//
// Two sources feed it. The session middleware tells SignIns of every request of a member
// (identity.SignInRecorder): the first one of a person in an establishment on a day writes
// a row of billing_signins with the person's profile. MeterDay, run by the job
// billing_meter_day, then writes each live establishment's day: per profile, the people
// who signed in (active) and the active memberships (accounts), and the bytes of its files
// (the tenant schema's file_space). Re-running a day writes the same figures; a closed
// month's days are frozen by the database (trigger BIL01) and MeterDay leaves them alone.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/cartable-ent/cartable/web/module"
)

// The profiles the metering counts, one per person and establishment.
const (
	ProfileEleve       = "eleve"
	ProfileEnseignant  = "enseignant"
	ProfilePersonnel   = "personnel" // every other staff role: direction, vie scolaire, admin, inspecteur…
	ProfileResponsable = "responsable"
)

// Profiles lists every profile, in the order the consoles show them.
var Profiles = []string{ProfileEleve, ProfileEnseignant, ProfilePersonnel, ProfileResponsable}

// ProfileOf is the one profile a person with these roles in an establishment is counted
// under: a pupil first (what the tariff counts), then a teacher, then any other staff role,
// and a parent only when they are nothing else there (a teacher whose child is a pupil of
// the school is counted as a teacher). profileSQL says the same in SQL.
func ProfileOf(roles []module.Role) string {
	switch {
	case slices.Contains(roles, module.RoleEleve):
		return ProfileEleve
	case slices.Contains(roles, module.RoleEnseignant):
		return ProfileEnseignant
	case len(roles) > 0 && !slices.ContainsFunc(roles, func(r module.Role) bool { return r != module.RoleResponsable }):
		return ProfileResponsable
	}
	return ProfilePersonnel
}

// profileSQL is ProfileOf over a text[] column of roles.
func profileSQL(col string) string {
	return `CASE WHEN 'eleve' = ANY(` + col + `) THEN 'eleve'
		WHEN 'enseignant' = ANY(` + col + `) THEN 'enseignant'
		WHEN cardinality(` + col + `) > 0 AND ` + col + ` <@ ARRAY['responsable']::text[] THEN 'responsable'
		ELSE 'personnel' END`
}

// SignIns records who signed in where and on which day (billing_signins), for the
// metering: it is the identity middleware's SignInRecorder. Only the first request of a
// person in an establishment on a day (as this process knows it) reaches the database.
type SignIns struct {
	db  *gorm.DB
	now func() time.Time
	// seen are the (establishment, day, person) this process already recorded.
	seen *lru.Cache[signInKey, struct{}]
}

type signInKey struct {
	tenant, identity uuid.UUID
	day              int64 // days since the epoch, Europe/Paris
}

// signInsSeen is how many sign-ins one process remembers: a region's busy day.
const signInsSeen = 300_000

// NewSignIns records sign-ins with the store's pool and clock.
func NewSignIns(s *Store) *SignIns {
	seen, _ := lru.New[signInKey, struct{}](signInsSeen) // only fails for a size ≤ 0
	return &SignIns{db: s.db, now: s.now, seen: seen}
}

// SignedIn records that identityID, a member of t with these roles, used it today (Paris),
// unless this process already did (identity.SignInRecorder). The profile is that of the
// day's first request.
func (r *SignIns) SignedIn(ctx context.Context, t *tenant.Tenant, identityID uuid.UUID, roles []module.Role) error {
	day := DayOf(r.now())
	key := signInKey{tenant: t.ID, identity: identityID, day: day.Unix() / 86400}
	if r.seen.Contains(key) {
		return nil
	}
	err := r.db.WithContext(ctx).Exec(`INSERT INTO platform.billing_signins (tenant_id, day, identity_id, profile)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, t.ID, day, identityID, ProfileOf(roles)).Error
	if err != nil {
		return fmt.Errorf("billing: record the sign-in of %s in %s: %w", identityID, t.UAI, err)
	}
	r.seen.Add(key, struct{}{})
	return nil
}

// meterParallel bounds the establishments whose file space is read at once.
const meterParallel = 4

// MeterDay writes day's metering (a date, read in Europe/Paris) for every live
// establishment (active or suspended) that existed that day: billing_usage_days per
// profile and billing_storage_days. Re-running it rewrites the same figures. A day of a
// closed month is frozen: MeterDay then writes nothing and returns nil.
//
// Accounts and bytes are those at the time of the run (memberships and file_space keep no
// history): the job meters yesterday and today every 3 hours, so a day's last figures are
// those of its end (within 3 hours); re-metering an older day writes today's accounts and
// bytes with that day's sign-ins. An establishment whose file space cannot be read (a schema not yet
// migrated) is left out of the storage and named in the error; the others are written.
func (s *Store) MeterDay(ctx context.Context, day time.Time) error {
	_, err := s.meterDay(ctx, day)
	return err
}

// meterDay is MeterDay, telling whether the day was skipped because its month is closed.
func (s *Store) meterDay(ctx context.Context, day time.Time) (frozen bool, err error) {
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	db := s.db.WithContext(ctx)
	if frozen, err := monthClosed(db, day); err != nil || frozen {
		return frozen, err
	}
	var tenants []tenant.Tenant
	if err := db.Where("status <> ? AND (created_at AT TIME ZONE 'Europe/Paris')::date <= ?", tenant.StatusDeleted, day).
		Order("uai").Find(&tenants).Error; err != nil {
		return false, fmt.Errorf("billing: meter %s: list the establishments: %w", day.Format("2006-01-02"), err)
	}
	stored, bytes, storageErr := s.storage(ctx, tenants)
	// The sign-ins are found by their primary key (tenant_id, day, …): billing_signins has
	// no index on the day alone.
	ids := pgarray.UUIDs(tenantIDs(tenants))

	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO platform.billing_usage_days (tenant_id, day, profile, active, accounts, metered_at)
			SELECT t.id, ?::date, p.profile, coalesce(si.n, 0), coalesce(m.n, 0), ?
			FROM platform.tenants t
			CROSS JOIN unnest(?::text[]) AS p(profile)
			LEFT JOIN (SELECT tenant_id, profile, count(*) AS n FROM platform.billing_signins
				WHERE tenant_id = ANY(?::uuid[]) AND day = ?::date GROUP BY tenant_id, profile) si ON si.tenant_id = t.id AND si.profile = p.profile
			LEFT JOIN (SELECT tenant_id, `+profileSQL("roles")+` AS profile, count(*) AS n FROM platform.memberships
				WHERE active GROUP BY 1, 2) m ON m.tenant_id = t.id AND m.profile = p.profile
			WHERE t.id = ANY(?::uuid[])
			ON CONFLICT (tenant_id, day, profile) DO UPDATE SET active = excluded.active, accounts = excluded.accounts, metered_at = excluded.metered_at
			WHERE (billing_usage_days.active, billing_usage_days.accounts) IS DISTINCT FROM (excluded.active, excluded.accounts)`,
			day, s.now(), pgarray.Text(Profiles), ids, day, ids).Error; err != nil {
			return err
		}
		if len(stored) == 0 {
			return nil
		}
		return tx.Exec(`INSERT INTO platform.billing_storage_days (tenant_id, day, bytes, metered_at)
			SELECT id, ?::date, b, ? FROM unnest(?::uuid[], ?::bigint[]) AS s(id, b)
			ON CONFLICT (tenant_id, day) DO UPDATE SET bytes = excluded.bytes, metered_at = excluded.metered_at
			WHERE billing_storage_days.bytes <> excluded.bytes`,
			day, s.now(), pgarray.UUIDs(stored), pgarray.Text(bytes)).Error
	})
	if isFrozen(err) { // the month was closed meanwhile
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("billing: meter %s: %w", day.Format("2006-01-02"), err)
	}
	return false, storageErr
}

// storage reads the bytes of files of each establishment (its schema's file_space), a few
// at a time. It returns the establishments read and their bytes, and what could not be.
func (s *Store) storage(ctx context.Context, tenants []tenant.Tenant) (ids []uuid.UUID, bytes []string, err error) {
	db := tenant.NewDB(s.db)
	got := make([]int64, len(tenants))
	failed := make([]error, len(tenants))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(meterParallel, len(tenants)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b := &pgx.Batch{}
				b.Queue(`SELECT coalesce(sum(bytes), 0)::bigint FROM {t}.file_space`).QueryRow(func(row pgx.Row) error {
					return row.Scan(&got[i])
				})
				if err := db.ReadBatch(ctx, &tenants[i], b); err != nil {
					failed[i] = fmt.Errorf("billing: read the file space of %s: %w", tenants[i].UAI, err)
				}
			}
		}()
	}
	for i := range tenants {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range tenants {
		if failed[i] == nil {
			ids, bytes = append(ids, tenants[i].ID), append(bytes, strconv.FormatInt(got[i], 10))
		}
	}
	return ids, bytes, errors.Join(failed...)
}

func tenantIDs(ts []tenant.Tenant) []uuid.UUID {
	out := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// monthClosed tells whether day's month is closed (its metering frozen).
func monthClosed(db *gorm.DB, day time.Time) (bool, error) {
	var closed bool
	if err := db.Raw(`SELECT EXISTS (SELECT 1 FROM platform.billing_months WHERE month = ?)`, MonthOf(day)).Scan(&closed).Error; err != nil {
		return false, fmt.Errorf("billing: is the month of %s closed: %w", day.Format("2006-01-02"), err)
	}
	return closed, nil
}

// isFrozen tells whether err is the refusal of trigger BIL01: a closed month's metering.
func isFrozen(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Hint == "BIL01"
}

// parisDay renders a date for messages: 16/11/2026.
func parisDay(d time.Time) string { return d.Format("02/01/2006") }
