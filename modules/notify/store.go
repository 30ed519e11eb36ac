package notify

import (
	"errors"
	"fmt"
	"time"

	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// store is the notifications' SQL, bound to one tenant transaction. The directory's people
// table is read for who is active and their e-mail address.
type store struct{ tx *gorm.DB }

// noticeBatch holds a Notify call's rows as columns, inserted in one statement each
// (unnest): notifying the guardians of a whole lycée is a few statements, not thousands.
type noticeBatch struct {
	ids, kinds, titles, bodies, links []string
	rNotification, rPerson, rKind     []string
}

func (b *noticeBatch) add(id uuid.UUID, n Notice) {
	b.ids = append(b.ids, id.String())
	b.kinds = append(b.kinds, string(n.Kind))
	b.titles = append(b.titles, n.Title)
	b.bodies = append(b.bodies, n.Body)
	b.links = append(b.links, n.Link)
	for _, p := range n.Recipients {
		b.rNotification = append(b.rNotification, id.String())
		b.rPerson = append(b.rPerson, p.String())
		b.rKind = append(b.rKind, string(n.Kind))
	}
}

func (st store) insertNotifications(b noticeBatch, now time.Time) error {
	err := st.tx.Exec(`INSERT INTO notifications (id, kind, title, body, link, created_at)
		SELECT * , ?::timestamptz FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[])`,
		now, pgarray.Text(b.ids), pgarray.Text(b.kinds), pgarray.Text(b.titles), pgarray.Text(b.bodies), pgarray.Text(b.links)).Error
	if err != nil {
		return fmt.Errorf("notify: insert %d notifications: %w", len(b.ids), err)
	}
	return nil
}

// insertRecipients writes one row per active person told, with what their preference (or
// the kind's default) makes of it, and one mail row for each immediate e-mail to a person
// with an address; it returns the mails' ids.
func (st store) insertRecipients(b noticeBatch, now, sendAfter time.Time) ([]uuid.UUID, error) {
	if len(b.rPerson) == 0 {
		return nil, nil
	}
	dk, dv := defaultColumns()
	ids, err := scanIDs(st.tx.Raw(`WITH r AS (
			SELECT DISTINCT x.n, x.p, x.k FROM unnest(?::uuid[], ?::uuid[], ?::text[]) AS x(n, p, k)
		), told AS (
			SELECT r.n, r.p, p.email,
				CASE WHEN coalesce(p.email, '') = '' THEN 'off' ELSE coalesce(pr.delivery, d.delivery) END AS mail
			FROM r JOIN people p ON p.id = r.p AND (p.active OR r.k = ?)
			JOIN unnest(?::text[], ?::text[]) AS d(kind, delivery) ON d.kind = r.k
			LEFT JOIN notification_preferences pr ON pr.person_id = r.p AND pr.kind = r.k
		), ins AS (
			INSERT INTO notification_recipients (notification_id, person_id, created_at, mail)
			SELECT n, p, ?, mail FROM told
		)
		INSERT INTO notification_mails (id, person_id, notification_id, address, send_after, created_at)
		SELECT gen_random_uuid(), p, n, email, ?, ? FROM told WHERE mail = 'immediate'
		RETURNING id`,
		pgarray.Text(b.rNotification), pgarray.Text(b.rPerson), pgarray.Text(b.rKind), string(KindRetention), pgarray.Text(dk), pgarray.Text(dv), now, sendAfter, now))
	if err != nil {
		return nil, fmt.Errorf("notify: insert %d recipients: %w", len(b.rPerson), err)
	}
	return ids, nil
}

func (st store) list(person, before uuid.UUID, limit int) ([]Notification, error) {
	var out []Notification
	q := `SELECT n.id, n.kind, n.title, n.body, n.link, r.created_at, r.read_at
		FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
		WHERE r.person_id = ?`
	args := []any{person}
	if before != uuid.Nil {
		q += ` AND (r.created_at, r.notification_id) < (SELECT created_at, notification_id FROM notification_recipients WHERE person_id = ? AND notification_id = ?)`
		args = append(args, person, before)
	}
	q += ` ORDER BY r.created_at DESC, r.notification_id DESC LIMIT ?`
	if err := st.tx.Raw(q, append(args, limit)...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("notify: list notifications of %s: %w", person, err)
	}
	return out, nil
}

func (st store) unread(person uuid.UUID) (int, error) {
	var n int
	if err := st.tx.Raw(`SELECT count(*) FROM notification_recipients WHERE person_id = ? AND read_at IS NULL`, person).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("notify: unread count of %s: %w", person, err)
	}
	return n, nil
}

// markRead marks person's notification id read (every unread one when id is nil); the
// person is part of the condition, so nobody marks another's.
func (st store) markRead(person uuid.UUID, id *uuid.UUID, now time.Time) (int, error) {
	q := st.tx.Exec(`UPDATE notification_recipients SET read_at = coalesce(read_at, ?)
		WHERE person_id = ? AND (?::uuid IS NULL OR notification_id = ?) AND (?::uuid IS NOT NULL OR read_at IS NULL)`,
		now, person, id, id, id)
	if q.Error != nil {
		return 0, fmt.Errorf("notify: mark read for %s: %w", person, q.Error)
	}
	return int(q.RowsAffected), nil
}

// settingsKey is where the establishment's quiet hours are kept (settings table).
const settingsKey = "notify.quiet_hours"

func (st store) quietHours() (QuietHours, error) {
	var raw []string
	if err := st.tx.Raw(`SELECT value::text FROM settings WHERE key = ?`, settingsKey).Scan(&raw).Error; err != nil {
		return QuietHours{}, fmt.Errorf("notify: read quiet hours: %w", err)
	}
	if len(raw) == 0 {
		return DefaultQuietHours, nil
	}
	return parseQuietSetting(raw[0])
}

func (st store) setQuietHours(q QuietHours, now time.Time) error {
	err := st.tx.Exec(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?::jsonb, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		settingsKey, q.setting(), now).Error
	if err != nil {
		return fmt.Errorf("notify: save quiet hours: %w", err)
	}
	return nil
}

func (st store) preferences(person uuid.UUID) (map[Kind]Delivery, error) {
	var rows []struct {
		Kind     Kind
		Delivery Delivery
	}
	if err := st.tx.Raw(`SELECT kind, delivery FROM notification_preferences WHERE person_id = ?`, person).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("notify: preferences of %s: %w", person, err)
	}
	out := map[Kind]Delivery{}
	for _, k := range Kinds {
		out[k] = DefaultDelivery[k]
	}
	for _, r := range rows {
		out[r.Kind] = r.Delivery
	}
	return out, nil
}

func (st store) setPreferences(person uuid.UUID, p map[Kind]Delivery) error {
	var kinds, values []string
	for k, d := range p {
		kinds, values = append(kinds, string(k)), append(values, string(d))
	}
	err := st.tx.Exec(`INSERT INTO notification_preferences (person_id, kind, delivery)
		SELECT ?, k, d FROM unnest(?::text[], ?::text[]) AS x(k, d)
		ON CONFLICT (person_id, kind) DO UPDATE SET delivery = excluded.delivery`, person, pgarray.Text(kinds), pgarray.Text(values)).Error
	if err != nil {
		return fmt.Errorf("notify: save preferences of %s: %w", person, err)
	}
	return nil
}

// scanIDs reads a query's one column of identifiers.
func scanIDs(q *gorm.DB) ([]uuid.UUID, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// errNoMail is a mail row that does not exist (its person was purged meanwhile).
var errNoMail = errors.New("notify: mail not found")
