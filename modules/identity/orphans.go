package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Orphans finds the Kratos identities that no platform account row knows: what a crash
// between Kratos and PostgreSQL leaves behind. Nobody can use them (every access goes
// through a membership), so the reconciliation removes them once they are older than a
// grace period (an import in progress has not committed its accounts yet; a retry adopts
// the identities of its failed run before that).
type Orphans struct {
	Kratos *Kratos
	DB     *gorm.DB // the platform pool
}

// ReconcileOrphans removes the orphan identities created before createdBefore; it returns
// how many identities Kratos holds and how many were removed.
func (o Orphans) ReconcileOrphans(ctx context.Context, createdBefore time.Time) (seen, removed int, err error) {
	var doomed []uuid.UUID
	err = o.Kratos.EachIdentity(ctx, func(page []Identity) error {
		seen += len(page)
		ids := make([]uuid.UUID, len(page))
		for i, idt := range page {
			ids[i] = idt.ID
		}
		var known []uuid.UUID
		if err := o.DB.WithContext(ctx).Raw(`SELECT identity_id FROM platform.accounts WHERE identity_id IN ?`, ids).Scan(&known).Error; err != nil {
			return fmt.Errorf("identity: read accounts: %w", err)
		}
		has := make(map[uuid.UUID]bool, len(known))
		for _, id := range known {
			has[id] = true
		}
		for _, idt := range page {
			if !has[idt.ID] && !idt.CreatedAt.IsZero() && idt.CreatedAt.Before(createdBefore) {
				doomed = append(doomed, idt.ID)
			}
		}
		return nil
	})
	if err != nil {
		return seen, 0, err
	}
	if err := o.Kratos.DeleteAccounts(ctx, doomed); err != nil {
		return seen, 0, err
	}
	return seen, len(doomed), nil
}
