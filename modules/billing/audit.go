package billing

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// audit writes one line of platform.audit_log in tx (tenant.Audit), so that a billing action
// and its trace are committed together or not at all. Actions are named billing.* (the
// console's journal names them in French); subject is the payer ('region' or a
// département's code) or an establishment's UAI.
func audit(tx *gorm.DB, actor, action, subject string, details map[string]any) error {
	if err := tenant.Audit(tx, actor, action, subject, details); err != nil {
		return fmt.Errorf("billing: audit %s of %s: %w", action, subject, err)
	}
	return nil
}
