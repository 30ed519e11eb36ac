package cahier

import (
	"context"
	"fmt"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// SweepCahierFiles is the hourly job that removes the séances' and work's blobs no row knows
// any more (a séance or work deleted takes its file rows with it, not its blobs).
type SweepCahierFiles struct{}

// Kind names the job in River.
func (SweepCahierFiles) Kind() string { return "sweep_cahier_files" }

// NewSweeper wires the sweep of the cahier's files on the queue (jobs.Work).
func NewSweeper(svc *Service, tenants files.Establishments) *files.Sweeper[SweepCahierFiles] {
	return files.NewSweeper[SweepCahierFiles]("Nettoyage des pièces jointes du cahier de textes supprimées", svc, tenants)
}

// SweepFiles removes the establishment's cahier blobs (attachments, archives) that no row
// knows and that are older than files.OrphanAge; it returns how many it removed.
func (s *Service) SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var keys []string
	if err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT blob_key FROM cahier_files UNION ALL SELECT blob_key FROM cahier_archives`).Scan(&keys).Error
	}); err != nil {
		return 0, fmt.Errorf("cahier: file keys: %w", err)
	}
	return s.files.SweepKeys(ctx, t, keys, s.now())
}

// DropFiles removes every cahier blob of an establishment purged for good.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.Drop(ctx, t)
}
