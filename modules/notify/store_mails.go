package notify

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// mailRow is one e-mail to send (notification_mails).
type mailRow struct {
	ID             uuid.UUID
	PersonID       uuid.UUID
	NotificationID *uuid.UUID
	DigestDay      *time.Time
	Address        string
	State          string
	Off            bool // its person turned the notification's kind off since
}

// lockMail reads mail id and locks it for the claiming transaction.
func (st store) lockMail(id uuid.UUID) (mailRow, error) {
	var rows []mailRow
	if err := st.tx.Raw(`SELECT m.id, m.person_id, m.notification_id, m.digest_day, m.address, m.state, coalesce(p.delivery = 'off', false) AS off
		FROM notification_mails m LEFT JOIN notifications n ON n.id = m.notification_id
		LEFT JOIN notification_preferences p ON p.person_id = m.person_id AND p.kind = n.kind
		WHERE m.id = ? FOR UPDATE OF m`, id).Scan(&rows).Error; err != nil {
		return mailRow{}, fmt.Errorf("notify: lock mail %s: %w", id, err)
	}
	if len(rows) == 0 {
		return mailRow{}, errNoMail
	}
	return rows[0], nil
}

func (st store) claimMail(id uuid.UUID, now time.Time) error {
	if err := st.tx.Exec(`UPDATE notification_mails SET state = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id = ?`, now, id).Error; err != nil {
		return fmt.Errorf("notify: claim mail %s: %w", id, err)
	}
	return nil
}

func (st store) settleMail(id uuid.UUID, state string, now time.Time) error {
	err := st.tx.Exec(`UPDATE notification_mails SET state = ?, sent_at = CASE WHEN ? = 'sent' THEN ?::timestamptz END WHERE id = ?`,
		state, state, now, id).Error
	if err != nil {
		return fmt.Errorf("notify: record mail %s %s: %w", id, state, err)
	}
	return nil
}

// mailItems are the notifications an e-mail carries: its one notification, or the digest's.
func (st store) mailItems(row mailRow) ([]Notification, error) {
	var out []Notification
	var err error
	if row.NotificationID != nil {
		err = st.tx.Raw(`SELECT id, kind, title, body, link, created_at FROM notifications WHERE id = ?`, *row.NotificationID).Scan(&out).Error
	} else {
		err = st.tx.Raw(`SELECT n.id, n.kind, n.title, n.body, n.link, r.created_at
			FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.digest_mail = ? ORDER BY r.created_at, n.id`, row.ID).Scan(&out).Error
	}
	if err != nil {
		return nil, fmt.Errorf("notify: content of mail %s: %w", row.ID, err)
	}
	return out, nil
}

// planDigests writes, for each active person with an address and notifications waiting for
// a digest (created up to now), the digest of day and hands those notifications to it; it
// returns the new digests' ids. A person who already has the day's digest gets none.
func (st store) planDigests(day, now, sendAfter time.Time) ([]uuid.UUID, error) {
	ids, err := scanIDs(st.tx.Raw(`WITH due AS (
			SELECT r.person_id, min(p.email) AS email FROM notification_recipients r
			JOIN people p ON p.id = r.person_id AND p.active AND coalesce(p.email, '') <> ''
			WHERE r.mail = 'digest' AND r.digest_mail IS NULL AND r.created_at <= ?
			GROUP BY r.person_id
		), m AS (
			INSERT INTO notification_mails (id, person_id, digest_day, address, send_after, created_at)
			SELECT gen_random_uuid(), person_id, ?::date, email, ?, ? FROM due
			ON CONFLICT (person_id, digest_day) DO NOTHING
			RETURNING id, person_id
		), handed AS (
			UPDATE notification_recipients r SET digest_mail = m.id FROM m
			WHERE r.person_id = m.person_id AND r.mail = 'digest' AND r.digest_mail IS NULL AND r.created_at <= ?
		)
		SELECT id FROM m`, now, day.Format("2006-01-02"), sendAfter, now, now))
	if err != nil {
		return nil, fmt.Errorf("notify: plan digests of %s: %w", day.Format("2006-01-02"), err)
	}
	return ids, nil
}
