package transfer

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// Export writes the transfers of person's portfolio into t, or out of t (module.Exporter).
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return w.JSON([]Transfer{})
	}
	var xs []Transfer
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tenant.WithPlatform(tx, t, func(ptx *gorm.DB) error {
			return ptx.Raw(selectTransfer+` WHERE (x.to_tenant = ? AND x.to_person = ?) OR (x.from_tenant = ? AND x.from_person = ?)
				ORDER BY x.asked_at, x.id`, t.ID, person, t.ID, person).Scan(&xs).Error
		})
	})
	if err != nil {
		return fmt.Errorf("transfer: export of %s: %w", person, err)
	}
	if xs == nil {
		xs = []Transfer{}
	}
	return w.JSON(xs)
}
