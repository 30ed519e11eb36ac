package notify

import (
	"fmt"
	"time"
)

// The cleanup's SQL (cleanup.go). Each statement deletes at most limit rows and says how
// many it deleted.

// undelivered is a recipient row r whose e-mail has not left yet: its own (pending or
// being sent), or its digest's (planned and not sent, or not planned yet).
const undelivered = `(EXISTS (SELECT 1 FROM notification_mails m WHERE m.notification_id = r.notification_id AND m.person_id = r.person_id
		AND m.state IN ('pending', 'sending'))
	OR r.mail = 'digest' AND (r.digest_mail IS NULL
		OR EXISTS (SELECT 1 FROM notification_mails m WHERE m.id = r.digest_mail AND m.state IN ('pending', 'sending'))))`

// cleanRecipients deletes people's rows of notifications read and created before
// readBefore and delivered, and every row created before allBefore.
func (st store) cleanRecipients(readBefore, allBefore time.Time, limit int) (int, error) {
	q := st.tx.Exec(`DELETE FROM notification_recipients WHERE (person_id, notification_id) IN (
			SELECT r.person_id, r.notification_id FROM notification_recipients r
			WHERE r.created_at < ? AND (r.created_at < ? OR r.read_at IS NOT NULL AND NOT `+undelivered+`)
			LIMIT ?)`, readBefore, allBefore, limit)
	if q.Error != nil {
		return 0, fmt.Errorf("notify: clean recipients: %w", q.Error)
	}
	return int(q.RowsAffected), nil
}

// cleanMails deletes e-mail rows created before readBefore whose notification rows are
// gone (the person's, or every one of a digest), once they left; before allBefore, left or
// not.
func (st store) cleanMails(readBefore, allBefore time.Time, limit int) (int, error) {
	q := st.tx.Exec(`DELETE FROM notification_mails WHERE id IN (
			SELECT m.id FROM notification_mails m
			WHERE m.created_at < ? AND (m.created_at < ? OR m.state NOT IN ('pending', 'sending'))
			AND NOT EXISTS (SELECT 1 FROM notification_recipients r WHERE m.notification_id IS NOT NULL
				AND r.notification_id = m.notification_id AND r.person_id = m.person_id)
			AND NOT EXISTS (SELECT 1 FROM notification_recipients r WHERE m.notification_id IS NULL AND r.digest_mail = m.id)
			LIMIT ?)`, readBefore, allBefore, limit)
	if q.Error != nil {
		return 0, fmt.Errorf("notify: clean mails: %w", q.Error)
	}
	return int(q.RowsAffected), nil
}

// cleanNotifications deletes notifications created before readBefore that nobody has any
// more.
func (st store) cleanNotifications(readBefore time.Time, limit int) (int, error) {
	q := st.tx.Exec(`DELETE FROM notifications WHERE id IN (
			SELECT n.id FROM notifications n WHERE n.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM notification_recipients r WHERE r.notification_id = n.id)
			AND NOT EXISTS (SELECT 1 FROM notification_mails m WHERE m.notification_id = n.id)
			LIMIT ?)`, readBefore, limit)
	if q.Error != nil {
		return 0, fmt.Errorf("notify: clean notifications: %w", q.Error)
	}
	return int(q.RowsAffected), nil
}
