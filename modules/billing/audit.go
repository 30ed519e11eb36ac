package billing

import (
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
)

// audit writes one line of platform.audit_log in tx, so that a billing action and its trace
// are committed together or not at all. Actions are named billing.* (the console's journal
// names them in French); subject is the payer ('region' or a département's code) or an
// establishment's UAI.
func audit(tx *gorm.DB, actor, action, subject string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO platform.audit_log (actor, action, subject, details) VALUES (?, ?, ?, ?)`,
		actor, action, subject, string(b)).Error; err != nil {
		return fmt.Errorf("billing: audit %s of %s: %w", action, subject, err)
	}
	return nil
}
