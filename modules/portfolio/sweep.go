package portfolio

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// SweepPortfolioFiles is the hourly job that removes the portfolio's blobs no row knows any
// more: a document deleted, a report card withdrawn, a leaver's portfolio purged or a copy
// from another establishment abandoned remove their blobs after their commit, and a crash
// between the two would otherwise keep a pupil's file that nobody can reach nor delete.
type SweepPortfolioFiles struct{}

// Kind names the job in River.
func (SweepPortfolioFiles) Kind() string { return "sweep_portfolio_files" }

// NewSweeper wires the sweep of the portfolio's files on the queue (jobs.Work).
func NewSweeper(svc *Service, tenants files.Establishments) *files.Sweeper[SweepPortfolioFiles] {
	return files.NewSweeper[SweepPortfolioFiles]("Nettoyage des fichiers de portfolio supprimés", svc, tenants)
}

// SweepFiles removes the establishment's portfolio blobs (every module's: submissions,
// report cards, documents, copies) that no row knows and that are older than
// files.OrphanAge; it returns how many it removed.
func (s *Service) SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var keys []string
	if err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT blob_key FROM portfolio_files`).Scan(&keys).Error
	}); err != nil {
		return 0, fmt.Errorf("portfolio: file keys: %w", err)
	}
	return s.files.SweepKeys(ctx, t, keys, s.now())
}

// DropFiles removes every portfolio blob of an establishment purged for good.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.Drop(ctx, t)
}
