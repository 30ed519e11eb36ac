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

// ReconcileOrphans removes the orphan identities not created nor changed since
// createdBefore (a retry that adopts an identity changes it); it returns how many identities
// Kratos holds and how many were removed. Each page is settled as it is read: its candidates
// are checked against the accounts once more just before they go, so an identity an import
// recorded meanwhile stays.
func (o Orphans) ReconcileOrphans(ctx context.Context, createdBefore time.Time) (seen, removed int, err error) {
	err = o.Kratos.EachIdentity(ctx, func(page []Identity) error {
		seen += len(page)
		var candidates []uuid.UUID
		for _, idt := range page {
			if t := idt.LastTouched(); !t.IsZero() && t.Before(createdBefore) {
				candidates = append(candidates, idt.ID)
			}
		}
		if len(candidates) == 0 {
			return nil
		}
		var known []uuid.UUID
		if err := o.DB.WithContext(ctx).Raw(`SELECT identity_id FROM platform.accounts WHERE identity_id IN ?`, candidates).Scan(&known).Error; err != nil {
			return fmt.Errorf("identity: read accounts: %w", err)
		}
		has := make(map[uuid.UUID]bool, len(known))
		for _, id := range known {
			has[id] = true
		}
		var doomed []uuid.UUID
		for _, id := range candidates {
			if !has[id] {
				doomed = append(doomed, id)
			}
		}
		if err := o.Kratos.DeleteAccounts(ctx, doomed); err != nil {
			return err
		}
		removed += len(doomed)
		return nil
	})
	return seen, removed, err
}
