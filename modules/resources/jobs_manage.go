package resources

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/tenant"
)

// SyncLicences is the nightly job of the per-person subscriptions: in every establishment,
// licences follow the assignments (leavers lose theirs, newcomers get one while licences are
// left) and launches older than a year are deleted (connection logs, DOMAIN.md).
type SyncLicences struct{}

// Kind names the job in River.
func (SyncLicences) Kind() string { return "resources_sync_licences" }

func (s *Service) manageJobs(tenants jobs.TenantLister, log *slog.Logger) []jobs.Work {
	return []jobs.Work{jobs.NewEachEstablishment[SyncLicences]("Licences des ressources numériques et purge du journal des ouvertures", 24*time.Hour, tenants,
		func(ctx context.Context, t *tenant.Tenant) error {
			r, err := s.SyncLicences(ctx, t)
			if err == nil && log != nil && (r.Given+r.Freed+r.Swept) > 0 {
				log.Info("resources: licences synced", "uai", t.UAI, "given", r.Given, "freed", r.Freed, "launches_swept", r.Swept)
			}
			if err == nil && s.report != nil {
				err = s.report.Purged(ctx, t, ReportKind, int64(r.Swept), 0)
			}
			return err
		})}
}

// PurgeReport records what a retention purge removed in an establishment (the région's
// report of the retention, wired by cmd/cartable).
type PurgeReport interface {
	Purged(ctx context.Context, t *tenant.Tenant, kind string, count, bytes int64) error
}

// ReportKind is the kind of data the launches' purge reports (retention.Kinds).
const ReportKind = "lancements"

// SetPurgeReport makes the nightly sync report, per establishment, the launches it deleted.
func (s *Service) SetPurgeReport(r PurgeReport) { s.report = r }

// SyncReport is what a night's sync did in one establishment.
type SyncReport struct {
	Given, Freed, Swept int
}

// SyncLicences runs the night's work in t at the service's clock: for each per-person
// subscription not yet ended, licences of people no assignment covers any more are freed
// (or move to another assignment that covers them), then newcomers get theirs within the
// limit; launches of more than a year are deleted. Each subscription is its own
// transaction, its row locked like an assignment's.
func (s *Service) SyncLicences(ctx context.Context, t *tenant.Tenant) (SyncReport, error) {
	var r SyncReport
	now := s.now()
	var subs []uuid.UUID
	if err := s.read(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM resource_subscriptions WHERE kind = 'personne' AND ends_on >= ? ORDER BY id`, s.Today().Format(time.DateOnly)).Scan(&subs).Error
	}); err != nil {
		return r, fmt.Errorf("resources: subscriptions to sync: %w", err)
	}
	for _, id := range subs {
		if err := s.write(ctx, t, func(tx *gorm.DB) error {
			sub, err := lockSubscription(tx, id)
			if err != nil {
				return err
			}
			all, err := assignmentsOf(tx, id)
			if err != nil {
				return err
			}
			freed, err := relicense(tx, sub, all)
			if err != nil {
				return err
			}
			given, err := topUp(tx, sub, all, now)
			if err != nil {
				return err
			}
			r.Freed += freed
			r.Given += given
			return nil
		}); err != nil {
			return r, err
		}
	}
	err := s.write(ctx, t, func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM resource_launches WHERE created_at < ?`, now.AddDate(-1, 0, 0))
		r.Swept = int(res.RowsAffected)
		if res.Error != nil {
			return fmt.Errorf("resources: sweep launches: %w", res.Error)
		}
		return nil
	})
	return r, err
}
