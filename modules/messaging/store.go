package messaging

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/cartable-ent/cartable/web/fault"
)

// store is the messagerie's SQL, bound to a tenant transaction. People's names and
// accounts are read from the directory's people table, as the school's structure.
type store struct{ tx *gorm.DB }

type conversation struct {
	ID      uuid.UUID
	Subject string
}

// notFound is the one answer for a message one holds no copy of, whether it exists or not.
var notFound = fault.New(fault.ErrNotFound, "message introuvable")

// conversationOf is the conversation of message id, if person holds a copy of it.
func (st store) conversationOf(person, id uuid.UUID) (conversation, error) {
	var c []conversation
	if err := st.tx.Raw(`SELECT v.id, v.subject FROM message_copies c JOIN messages m ON m.id = c.message_id
		JOIN conversations v ON v.id = m.conversation_id WHERE c.message_id = ? AND c.person_id = ?`, id, person).Scan(&c).Error; err != nil {
		return conversation{}, fmt.Errorf("messaging: conversation of %s: %w", id, err)
	}
	if len(c) == 0 {
		return conversation{}, notFound
	}
	return c[0], nil
}

func (st store) insertConversation(id uuid.UUID, subject string, now time.Time) error {
	if err := st.tx.Exec(`INSERT INTO conversations (id, subject, created_at) VALUES (?, ?, ?)`, id, subject, now).Error; err != nil {
		return fmt.Errorf("messaging: new conversation: %w", err)
	}
	return nil
}

func (st store) insertMessage(id, conv, sender uuid.UUID, body string, f Format, html string, now time.Time) error {
	if err := st.tx.Exec(`INSERT INTO messages (id, conversation_id, sender_id, body, format, body_html, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, conv, sender, body, string(f), html, now).Error; err != nil {
		return fmt.Errorf("messaging: new message: %w", err)
	}
	return nil
}

// insertCopies stores the sender's copy (read) and every recipient's in one statement,
// however many recipients.
func (st store) insertCopies(msg, sender uuid.UUID, ids pgarray.UUIDs, roles pgarray.Text, now time.Time) error {
	if err := st.tx.Exec(`INSERT INTO message_copies (message_id, person_id, role, sent_at, read_at)
		SELECT ?::uuid, x.id, x.role, ?::timestamptz, NULL FROM unnest(?::uuid[], ?::text[]) AS x(id, role)
		UNION ALL SELECT ?::uuid, ?::uuid, 'de', ?::timestamptz, ?::timestamptz`,
		msg, now, ids, roles, msg, sender, now, now).Error; err != nil {
		return fmt.Errorf("messaging: copies of %s for %d recipients: %w", msg, len(ids), err)
	}
	return nil
}

// inactive lists the recipients who never activated their account (no identity yet, or
// never signed in here: account_activations, recorded by identity), by name.
func (st store) inactive(ids pgarray.UUIDs) ([]Person, error) {
	var out []Person
	if err := st.tx.Raw(`SELECT id, first_name, last_name FROM people p WHERE id = ANY(?::uuid[])
			AND (identity_id IS NULL OR NOT EXISTS (SELECT 1 FROM account_activations a WHERE a.person_id = p.id))
		ORDER BY lower(last_name), lower(first_name)`, ids).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("messaging: recipients without an account: %w", err)
	}
	return out, nil
}

func (st store) name(person uuid.UUID) (string, error) {
	var p Person
	if err := st.tx.Raw(`SELECT id, first_name, last_name FROM people WHERE id = ?`, person).Scan(&p).Error; err != nil {
		return "", fmt.Errorf("messaging: name of %s: %w", person, err)
	}
	return p.Name(), nil
}

func (st store) unread(person uuid.UUID) (int, error) {
	var n int
	if err := st.tx.Raw(`SELECT count(*) FROM message_copies WHERE person_id = ? AND read_at IS NULL AND trashed_at IS NULL AND role <> 'de'`, person).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("messaging: unread of %s: %w", person, err)
	}
	return n, nil
}

type itemRow struct {
	MessageID, ConversationID uuid.UUID
	Subject                   string
	SentAt                    time.Time
	Read                      bool
	Role                      string
	SenderID                  *uuid.UUID
	SenderFirst, SenderLast   string
	Snippet                   string
	Recipients                string
	RecipientCount            int
	Recalled                  bool
}

// folder reads one page of a folder: the copies' index gives it newest first.
func (st store) folder(person uuid.UUID, f Folder, before uuid.UUID, limit int) ([]Item, error) {
	where, order := `c.trashed_at IS NULL AND c.role <> 'de'`, `c.sent_at DESC, c.message_id DESC`
	key := `(c.sent_at, c.message_id) < (SELECT b.sent_at, b.message_id FROM message_copies b WHERE b.person_id = c.person_id AND b.message_id = ?)`
	recipients := `'' AS recipients, 0 AS recipient_count`
	switch f {
	case Outbox:
		where = `c.trashed_at IS NULL AND c.role = 'de'`
		recipients = `(SELECT string_agg(n, ', ') FROM (SELECT r.first_name || ' ' || r.last_name AS n FROM message_copies o JOIN people r ON r.id = o.person_id
				WHERE o.message_id = c.message_id AND o.role <> 'de' ORDER BY o.role, r.last_name LIMIT 3) x) AS recipients,
			(SELECT count(*) FROM message_copies o WHERE o.message_id = c.message_id AND o.role <> 'de') AS recipient_count`
	case Trash:
		where, order = `c.trashed_at IS NOT NULL`, `c.trashed_at DESC, c.message_id DESC`
		key = `(c.trashed_at, c.message_id) < (SELECT b.trashed_at, b.message_id FROM message_copies b WHERE b.person_id = c.person_id AND b.message_id = ?)`
	}
	args := []any{person}
	if before != uuid.Nil {
		where += ` AND ` + key
		args = append(args, before)
	}
	var rows []itemRow
	q := `SELECT c.message_id, m.conversation_id, v.subject, c.sent_at, c.read_at IS NOT NULL AS read, c.role, m.sender_id,
			coalesce(p.first_name, '') AS sender_first, coalesce(p.last_name, '') AS sender_last, left(m.body, 140) AS snippet, m.recalled_at IS NOT NULL AS recalled, ` + recipients + `
		FROM message_copies c JOIN messages m ON m.id = c.message_id JOIN conversations v ON v.id = m.conversation_id
		LEFT JOIN people p ON p.id = m.sender_id
		WHERE c.person_id = ? AND ` + where + ` ORDER BY ` + order + ` LIMIT ?`
	if err := st.tx.Raw(q, append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: folder %s of %s: %w", f, person, err)
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		it := Item{Message: r.MessageID, Conversation: r.ConversationID, Subject: r.Subject, SentAt: r.SentAt, Read: r.Read, Role: Role(r.Role),
			Snippet: r.Snippet, From: Person{FirstName: r.SenderFirst, LastName: r.SenderLast}, Recalled: r.Recalled}
		if r.SenderID != nil {
			it.From.ID = *r.SenderID
		}
		if f == Outbox {
			it.To = r.Recipients
			if more := r.RecipientCount - 3; more > 0 {
				it.To += fmt.Sprintf(" et %d autre(s)", more)
			}
		}
		out[i] = it
	}
	return out, nil
}

// thread reads conversation id as person sees it: the messages they hold a copy of.
func (st store) thread(person, id uuid.UUID) (*Thread, error) {
	var rows []struct {
		ID, ConversationID      uuid.UUID
		Subject                 string
		SenderID                *uuid.UUID
		SenderFirst, SenderLast string
		SentAt                  time.Time
		BodyHTML                string
		Role                    string
		Trashed                 bool
	}
	if err := st.tx.Raw(`SELECT m.id, m.conversation_id, v.subject, m.sender_id, coalesce(p.first_name, '') AS sender_first,
			coalesce(p.last_name, 'Personne partie') AS sender_last, m.sent_at, m.body_html, c.role, c.trashed_at IS NOT NULL AS trashed
		FROM messages m JOIN conversations v ON v.id = m.conversation_id
		JOIN message_copies c ON c.message_id = m.id AND c.person_id = ?
		LEFT JOIN people p ON p.id = m.sender_id
		WHERE m.conversation_id = ? ORDER BY m.sent_at, m.id`, person, id).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: conversation %s: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, notFound
	}
	th := &Thread{ID: id, Subject: rows[0].Subject}
	index := map[uuid.UUID]int{}
	ids := make(pgarray.UUIDs, len(rows))
	for i, r := range rows {
		m := ThreadMessage{ID: r.ID, From: Person{FirstName: r.SenderFirst, LastName: r.SenderLast}, SentAt: r.SentAt,
			HTML: safeHTML(r.BodyHTML), Role: Role(r.Role), Trashed: r.Trashed}
		if r.SenderID != nil {
			m.From.ID = *r.SenderID
		}
		th.Messages = append(th.Messages, m)
		index[r.ID] = i
		ids[i] = r.ID
	}
	// Blind copies are shown to the message's sender, and to each blind recipient, themselves.
	var recips []struct {
		MessageID, PersonID uuid.UUID
		Role                string
		FirstName, LastName string
	}
	if err := st.tx.Raw(`SELECT c.message_id, c.person_id, c.role, p.first_name, p.last_name
		FROM message_copies c JOIN messages m ON m.id = c.message_id JOIN people p ON p.id = c.person_id
		WHERE c.message_id = ANY(?::uuid[]) AND c.role <> 'de' AND (c.role <> 'cci' OR c.person_id = ? OR m.sender_id = ?)
		ORDER BY c.message_id, lower(p.last_name), lower(p.first_name)`, ids, person, person).Scan(&recips).Error; err != nil {
		return nil, fmt.Errorf("messaging: recipients in conversation %s: %w", id, err)
	}
	for _, r := range recips {
		m := &th.Messages[index[r.MessageID]]
		p := Person{ID: r.PersonID, FirstName: r.FirstName, LastName: r.LastName}
		switch Role(r.Role) {
		case To:
			m.To = append(m.To, p)
		case Cc:
			m.Cc = append(m.Cc, p)
		case Bcc:
			m.Bcc = append(m.Bcc, p)
		}
	}
	return th, nil
}

// markRead marks read what person received in conversation id.
func (st store) markRead(person, id uuid.UUID, now time.Time) error {
	if err := st.tx.Exec(`UPDATE message_copies c SET read_at = ? FROM messages m
		WHERE m.id = c.message_id AND m.conversation_id = ? AND c.person_id = ? AND c.read_at IS NULL`, now, id, person).Error; err != nil {
		return fmt.Errorf("messaging: mark conversation %s read: %w", id, err)
	}
	return nil
}

// replyRecipients are whom a reply to message id goes to: its sender, or (for one's own
// message) its recipients in « À »; with all, also the others in « À » and « Cc ». Blind
// copies are never answered to, nor the person themself.
func (st store) replyRecipients(person, id uuid.UUID, all bool) (to, cc []uuid.UUID, err error) {
	var rows []struct {
		PersonID uuid.UUID
		Role     string
	}
	if err := st.tx.Raw(`SELECT c.person_id, c.role FROM message_copies c WHERE c.message_id = ? AND c.person_id <> ? AND c.role <> 'cci'
		ORDER BY c.role`, id, person).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("messaging: reply to %s: %w", id, err)
	}
	var sender uuid.UUID
	if err := st.tx.Raw(`SELECT coalesce(sender_id, '00000000-0000-0000-0000-000000000000') FROM messages WHERE id = ?`, id).Row().Scan(&sender); err != nil {
		return nil, nil, fmt.Errorf("messaging: reply to %s: %w", id, err)
	}
	for _, r := range rows {
		switch {
		case Role(r.Role) == From || (sender == person && Role(r.Role) == To):
			to = append(to, r.PersonID)
		case all && Role(r.Role) == To:
			to = append(to, r.PersonID)
		case all && Role(r.Role) == Cc:
			cc = append(cc, r.PersonID)
		}
	}
	return to, cc, nil
}

// move puts person's copy in or out of the corbeille.
func (st store) move(person, id uuid.UUID, trash bool, now time.Time) error {
	var at any
	if trash {
		at = now
	}
	res := st.tx.Exec(`UPDATE message_copies SET trashed_at = ? WHERE message_id = ? AND person_id = ?`, at, id, person)
	if res.Error != nil {
		return fmt.Errorf("messaging: move %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound
	}
	return nil
}

func (st store) trashedSubject(person, id uuid.UUID) (string, error) {
	var subjects []string
	if err := st.tx.Raw(`SELECT v.subject FROM message_copies c JOIN messages m ON m.id = c.message_id JOIN conversations v ON v.id = m.conversation_id
		WHERE c.message_id = ? AND c.person_id = ? AND c.trashed_at IS NOT NULL`, id, person).Scan(&subjects).Error; err != nil {
		return "", fmt.Errorf("messaging: trashed %s: %w", id, err)
	}
	if len(subjects) == 0 {
		return "", notFound
	}
	return subjects[0], nil
}

// deleteCopy deletes person's copy from the corbeille, then the message and its
// conversation if nobody keeps a copy of them.
func (st store) deleteCopy(person, id uuid.UUID) error {
	res := st.tx.Exec(`DELETE FROM message_copies WHERE message_id = ? AND person_id = ? AND trashed_at IS NOT NULL`, id, person)
	if res.Error != nil {
		return fmt.Errorf("messaging: delete %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound
	}
	if err := st.tx.Exec(`WITH gone AS (DELETE FROM messages m WHERE m.id = ? AND NOT EXISTS (SELECT 1 FROM message_copies c WHERE c.message_id = m.id)
			RETURNING conversation_id)
		DELETE FROM conversations v WHERE v.id IN (SELECT conversation_id FROM gone)
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.id <> ?)`, id, id).Error; err != nil {
		return fmt.Errorf("messaging: delete %s: %w", id, err)
	}
	return nil
}

// describe names people and classes (the compose form's chosen recipients).
func (st store) describe(people, classes []uuid.UUID) (map[uuid.UUID]string, map[uuid.UUID]string, error) {
	names, labels := map[uuid.UUID]string{}, map[uuid.UUID]string{}
	var ps []Person
	if err := st.tx.Raw(`SELECT id, first_name, last_name FROM people WHERE id = ANY(?::uuid[]) AND active`, pgarray.UUIDs(people)).Scan(&ps).Error; err != nil {
		return nil, nil, fmt.Errorf("messaging: describe recipients: %w", err)
	}
	for _, p := range ps {
		names[p.ID] = p.Name()
	}
	var cs []struct {
		ID    uuid.UUID
		Label string
	}
	if err := st.tx.Raw(`SELECT id, label FROM classes WHERE id = ANY(?::uuid[])`, pgarray.UUIDs(classes)).Scan(&cs).Error; err != nil {
		return nil, nil, fmt.Errorf("messaging: describe groups: %w", err)
	}
	for _, c := range cs {
		labels[c.ID] = c.Label
	}
	return names, labels, nil
}

func (st store) delivery(person, id uuid.UUID) (*Sent, error) {
	var ids []uuid.UUID
	if err := st.tx.Raw(`SELECT o.person_id FROM message_copies c JOIN message_copies o ON o.message_id = c.message_id AND o.role <> 'de'
		WHERE c.message_id = ? AND c.person_id = ? AND c.role = 'de'`, id, person).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("messaging: delivery of %s: %w", id, err)
	}
	if len(ids) == 0 {
		return nil, notFound
	}
	inactive, err := st.inactive(ids)
	if err != nil {
		return nil, err
	}
	out := &Sent{Message: id, Recipients: len(ids), Inactive: inactive}
	var due []time.Time
	if err := st.tx.Raw(`SELECT due_at FROM message_notices WHERE message_id = ? AND notified_at IS NULL`, id).Scan(&due).Error; err != nil {
		return nil, fmt.Errorf("messaging: notice of %s: %w", id, err)
	}
	if len(due) == 1 {
		out.NoticeAt = &due[0]
	}
	return out, nil
}

// search finds, among the messages person holds a copy of (corbeille included), those whose
// body or subject match query (websearch syntax, French stemming), newest first.
func (st store) search(person uuid.UUID, query string, limit int) ([]Item, error) {
	var rows []itemRow
	// The GIN indexes find the matching messages of the establishment, the copies' primary
	// key keeps the person's: fast while a search matches up to some thousands of messages.
	if err := st.tx.Raw(`WITH q AS (SELECT websearch_to_tsquery('french', ?) AS q),
		hits AS (SELECT m.id FROM messages m, q WHERE m.search @@ q.q
			UNION SELECT m.id FROM conversations v JOIN messages m ON m.conversation_id = v.id, q WHERE v.search @@ q.q)
		SELECT c.message_id, m.conversation_id, v.subject, c.sent_at, c.read_at IS NOT NULL AS read, c.role, m.sender_id,
			coalesce(p.first_name, '') AS sender_first, coalesce(p.last_name, '') AS sender_last, left(m.body, 140) AS snippet
		FROM hits JOIN message_copies c ON c.message_id = hits.id AND c.person_id = ?
		JOIN messages m ON m.id = c.message_id JOIN conversations v ON v.id = m.conversation_id
		LEFT JOIN people p ON p.id = m.sender_id
		ORDER BY c.sent_at DESC, c.message_id DESC LIMIT ?`, query, person, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: search of %s: %w", person, err)
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		out[i] = Item{Message: r.MessageID, Conversation: r.ConversationID, Subject: r.Subject, SentAt: r.SentAt, Read: r.Read, Role: Role(r.Role),
			Snippet: r.Snippet, From: Person{FirstName: r.SenderFirst, LastName: r.SenderLast}}
		if r.SenderID != nil {
			out[i].From.ID = *r.SenderID
		}
	}
	return out, nil
}
