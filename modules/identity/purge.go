package identity

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ForgetMemberships removes the memberships of identityIDs in tenantID, then the accounts
// of those who belong to no other establishment and administer nothing; it returns the
// identities of the accounts removed (to delete from Kratos).
func (Records) ForgetMemberships(tx *gorm.DB, tenantID uuid.UUID, identityIDs []uuid.UUID) ([]uuid.UUID, error) {
	if len(identityIDs) == 0 {
		return nil, nil
	}
	if err := tx.Exec(`DELETE FROM platform.memberships WHERE tenant_id = ? AND identity_id IN ?`, tenantID, identityIDs).Error; err != nil {
		return nil, fmt.Errorf("identity: forget memberships: %w", err)
	}
	// Lock the accounts first: an import attaching one of them elsewhere commits before this
	// goes on, and the DELETE (a new statement) then sees its membership.
	if err := tx.Exec(`SELECT 1 FROM platform.accounts WHERE identity_id IN ? ORDER BY identity_id FOR UPDATE`, identityIDs).Error; err != nil {
		return nil, fmt.Errorf("identity: lock accounts: %w", err)
	}
	var gone []uuid.UUID
	err := tx.Raw(`DELETE FROM platform.accounts a WHERE a.identity_id IN ?
		AND NOT EXISTS (SELECT 1 FROM platform.memberships m WHERE m.identity_id = a.identity_id)
		AND NOT EXISTS (SELECT 1 FROM platform.platform_admins p WHERE p.identity_id = a.identity_id)
		RETURNING a.identity_id`, identityIDs).Scan(&gone).Error
	if err != nil {
		return nil, fmt.Errorf("identity: remove accounts: %w", err)
	}
	return gone, nil
}
