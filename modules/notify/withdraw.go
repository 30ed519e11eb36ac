package notify

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// Withdraw takes back, in tx (the caller's change), the notifications of kind whose link is
// link: they leave their recipients' lists and digests to come, and their e-mails not yet
// handed to the mail server are not sent. An e-mail already sent or being sent cannot be
// taken back; it stays recorded. It returns how many people lost a notification.
func (s *Service) Withdraw(tx *gorm.DB, t *tenant.Tenant, kind Kind, link string) (int, error) {
	var people []uuid.UUID
	err := tx.Raw(`WITH n AS (SELECT id FROM notifications WHERE kind = ? AND link = ?),
			m AS (DELETE FROM notification_mails WHERE notification_id IN (SELECT id FROM n) AND state = 'pending')
		DELETE FROM notification_recipients WHERE notification_id IN (SELECT id FROM n) RETURNING person_id`, kind, link).
		Scan(&people).Error
	if err != nil {
		return 0, fmt.Errorf("notify: withdraw %s %s: %w", kind, link, err)
	}
	if err := tx.Exec(`DELETE FROM notifications n WHERE kind = ? AND link = ?
		AND NOT EXISTS (SELECT 1 FROM notification_mails WHERE notification_id = n.id)`, kind, link).Error; err != nil {
		return 0, fmt.Errorf("notify: withdraw %s %s: %w", kind, link, err)
	}
	for _, p := range people {
		s.menuCounts.Remove(countKey(t, p))
	}
	return len(people), nil
}
