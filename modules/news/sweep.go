package news

import (
	"context"
	"fmt"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// SweepPostFiles is the hourly job that removes the posts' blobs no row knows any more
// (Service.SweepFiles) in every establishment.
type SweepPostFiles struct{}

// Kind names the job in River.
func (SweepPostFiles) Kind() string { return "sweep_news_files" }

// NewSweeper wires the posts' files' sweep on the queue (jobs.Work).
func NewSweeper(svc *Service, tenants files.Establishments) *files.Sweeper[SweepPostFiles] {
	return files.NewSweeper[SweepPostFiles]("Nettoyage des pièces jointes d'actualités supprimées", svc, tenants)
}

// SweepFiles removes the establishment's post blobs that no row knows and that are older
// than files.OrphanAge: those a crash left between the blob's write and the transaction's
// commit, and those whose removal after a deletion failed. It returns how many it removed.
func (s *Service) SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var keys []string
	if err := s.read(ctx, t, func(st store) error {
		if err := st.tx.Raw(`SELECT blob_key FROM news_files`).Scan(&keys).Error; err != nil {
			return fmt.Errorf("news: file keys: %w", err)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	return s.files.SweepKeys(ctx, t, keys, s.now())
}

// DropFiles removes every post blob of an establishment purged for good.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.Drop(ctx, t)
}
