package attendance

import (
	"context"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// SweepDocuments is the hourly job that removes the documents' blobs no row knows any more
// (Service.SweepFiles) in every establishment.
type SweepDocuments struct{}

// Kind names the job in River.
func (SweepDocuments) Kind() string { return "sweep_attendance_documents" }

// Establishments lists the establishments whose schema exists (the sweep walks them) and
// those purged for good (their documents go with them).
type Establishments interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
	Purged(ctx context.Context) ([]tenant.Tenant, error)
}

// Sweeper is attendance's work on the job queue (jobs.Work): the shared files sweep, every
// hour, over live establishments (SweepFiles) and purged ones (DropFiles).
type Sweeper = files.Sweeper[SweepDocuments]

// NewSweeper wires the documents' sweep on the queue.
func NewSweeper(svc *Service, tenants Establishments) *Sweeper {
	return files.NewSweeper[SweepDocuments]("Nettoyage des justificatifs d'absence supprimés", svc, tenants)
}
