package tenant

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
)

// MigrationResult is what happened to one tenant during a migration run.
type MigrationResult struct {
	UAI      UAI
	Schema   string
	From, To int
	Err      error
}

// MigrationReport sums up a run over all tenants.
type MigrationReport struct {
	Results []MigrationResult // one per tenant, in registry order
	Changed int               // tenants that moved to a newer version
	Failed  int               // tenants left at their previous version by an error
}

// MigrateTenants brings every live tenant schema to the latest version, at most parallel at a
// time. Each tenant migrates in its own transaction under its own lock: one that fails is
// rolled back to its previous version, recorded, and the others go on. Re-running with
// nothing to apply changes nothing.
func (r *Registry) MigrateTenants(ctx context.Context, parallel int) (MigrationReport, error) {
	if parallel <= 0 {
		parallel = 4
	}
	ts, err := r.List(ctx, ListFilter{})
	if err != nil {
		return MigrationReport{}, err
	}
	rep := MigrationReport{Results: make([]MigrationResult, len(ts))}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(parallel, len(ts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rep.Results[i] = r.migrateTenant(ctx, &ts[i])
			}
		}()
	}
	for i := range ts {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, res := range rep.Results {
		switch {
		case res.Err != nil:
			rep.Failed++
		case res.To != res.From:
			rep.Changed++
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("tenant: migration run interrupted: %w", err)
	}
	return rep, nil
}

// migrateTenant applies the pending migrations of one tenant and records the outcome.
func (r *Registry) migrateTenant(ctx context.Context, t *Tenant) MigrationResult {
	res := MigrationResult{UAI: t.UAI, Schema: t.SchemaName, From: t.SchemaVersion, To: t.SchemaVersion}
	started := r.opts.Now().UTC()
	err := r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := liftTimeouts(tx); err != nil {
			return err
		}
		// Enter the schema and take its migration lock in one round trip.
		if err := tx.Exec(`SELECT set_config('search_path', ?, true), set_config('role', ?, true), pg_advisory_xact_lock(hashtext('cartable.migrate.' || ?))`,
			`"`+t.SchemaName+`"`, t.RoleName, t.SchemaName).Error; err != nil {
			return fmt.Errorf("enter schema: %w", err)
		}
		from, to, err := migrations.Apply(ctx, tx, r.opts.TenantMigrations)
		res.From, res.To = from, to
		return err
	})
	if err != nil {
		res.To = res.From
		res.Err = err
	}
	if err == nil && res.From == res.To && t.SchemaVersion == res.To && t.MigrationError == nil {
		return res // nothing applied, nothing to record
	}
	if rerr := r.recordMigration(ctx, t, res, started); rerr != nil && res.Err == nil {
		res.Err = rerr
	}
	return res
}

func (r *Registry) recordMigration(ctx context.Context, t *Tenant, res MigrationResult, started time.Time) error {
	finished := r.opts.Now().UTC()
	var msg *string
	if res.Err != nil {
		s := res.Err.Error()
		msg = &s
	}
	return r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Tenant{}).Where("id = ?", t.ID).Updates(map[string]any{
			"schema_version": res.To, "migration_error": msg, "migrated_at": finished,
		}).Error; err != nil {
			return fmt.Errorf("tenant: record migration of %s: %w", t.UAI, err)
		}
		return tx.Exec(`INSERT INTO platform.tenant_migration_runs (tenant_id, started_at, finished_at, from_version, to_version, error)
			VALUES (?, ?, ?, ?, ?, ?)`, t.ID, started, finished, res.From, res.To, msg).Error
	})
}

// Behind lists the live tenants that are not at the latest version or whose last migration
// failed, from the registry's records.
func (r *Registry) Behind(ctx context.Context) ([]Tenant, error) {
	var ts []Tenant
	err := r.gdb.WithContext(ctx).Where("status <> ? AND (schema_version < ? OR migration_error IS NOT NULL)", StatusDeleted, r.LatestTenantVersion()).
		Order("name").Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("tenant: list tenants behind: %w", err)
	}
	return ts, nil
}
