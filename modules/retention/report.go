package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// Report is the région's report of the retention's purges (platform.retention_runs).
type Report struct {
	db  *gorm.DB // the platform's pool
	now func() time.Time
}

// NewReport binds the report to the platform's pool; now is the clock (nil: time.Now).
func NewReport(db *gorm.DB, now func() time.Time) *Report {
	if now == nil {
		now = time.Now
	}
	return &Report{db: db, now: now}
}

// Purged records one run of a purge in t: count rows (people, messages, registers…) and
// bytes of files of kind removed. Every module's purge reports through it
// (messaging.PurgeReport, attendance.PurgeReport).
func (r *Report) Purged(ctx context.Context, t *tenant.Tenant, kind string, count, bytes int64) error {
	if _, ok := kindOf(kind); !ok {
		return fmt.Errorf("retention: unknown kind %q", kind)
	}
	if count < 0 || bytes < 0 {
		return fmt.Errorf("retention: %s of %s: negative figures (%d, %d)", kind, t.UAI, count, bytes)
	}
	now := r.now()
	err := r.db.WithContext(ctx).Exec(`INSERT INTO platform.retention_runs (day, tenant_id, kind, count, bytes, ran_at) VALUES (?, ?, ?, ?, ?, ?)`,
		now.In(directory.SchoolZone).Format(time.DateOnly), t.ID, kind, count, bytes, now).Error
	if err != nil {
		return fmt.Errorf("retention: report %s of %s: %w", kind, t.UAI, err)
	}
	return nil
}

// Line is one establishment's and kind's figures over the report's days.
type Line struct {
	TenantID    uuid.UUID
	UAI, Name   string
	Kind        string
	Runs        int
	Count       int64
	Bytes       int64
	LastRun     time.Time
	LastRemoved *time.Time // the last run that removed something
}

// Lines sums the runs since the day since (Europe/Paris dates, inclusive), per establishment
// and kind, in the establishments' UAI order and the kinds' order.
func (r *Report) Lines(ctx context.Context, since time.Time) ([]Line, error) {
	var out []Line
	err := r.db.WithContext(ctx).Raw(`SELECT r.tenant_id, t.uai, t.name, r.kind, count(*) AS runs, sum(r.count) AS count, sum(r.bytes) AS bytes,
			max(r.ran_at) AS last_run, max(r.ran_at) FILTER (WHERE r.count > 0) AS last_removed
		FROM platform.retention_runs r JOIN platform.tenants t ON t.id = r.tenant_id
		WHERE r.day >= ?
		GROUP BY r.tenant_id, t.uai, t.name, r.kind
		ORDER BY t.uai, array_position(?::text[], r.kind), r.kind`, since.In(directory.SchoolZone).Format(time.DateOnly), kindCodes()).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("retention: report since %s: %w", since.Format(time.DateOnly), err)
	}
	return out, nil
}

// forget removes the report's rows older than its keeping period at now.
func (r *Report) forget(ctx context.Context, now time.Time) (int64, error) {
	res := r.db.WithContext(ctx).Exec(`DELETE FROM platform.retention_runs WHERE day < ?`,
		now.In(directory.SchoolZone).AddDate(-reportKeep, 0, 0).Format(time.DateOnly))
	if res.Error != nil {
		return 0, fmt.Errorf("retention: forget the old report: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// kindCodes are the kinds' codes in Kinds' order, as a PostgreSQL array literal.
func kindCodes() string {
	s := "{"
	for i, k := range Kinds {
		if i > 0 {
			s += ","
		}
		s += k.Code
	}
	return s + "}"
}
