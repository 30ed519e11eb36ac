package messaging

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/cartable-ent/cartable/web/fault"
)

// What happens to a message around its send: a saved draft leaves the drafts when sent
// (drafts.go), staff may send an announcement nobody can answer, and a sender may recall a
// message nobody has read yet within RecallWindow.

// fieldNoReply is the compose form's « Les destinataires ne peuvent pas répondre » box.
const fieldNoReply = "sans_reponse"

// announcers are the profiles that may send a message without reply.
var announcers = []Profile{Direction, VieScolaire, Enseignant}

// mayAnnounce tells whether sender holds a profile that may send a message without reply.
func mayAnnounce(tx *gorm.DB, sender uuid.UUID) (bool, error) {
	profiles, err := senderProfiles(tx, sender)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(profiles, func(p Profile) bool { return slices.Contains(announcers, p) }), nil
}

// beforeSend runs in Send's transaction before anything is stored: the draft being sent
// leaves the drafts (someone else's, or one already sent, is not found: it cannot be sent
// twice), an answer to an announcement without reply is refused, and only staff may send one.
func beforeSend(tx *gorm.DB, sender uuid.UUID, d Draft) error {
	if d.draftID != uuid.Nil {
		res := tx.Exec(`DELETE FROM message_drafts WHERE id = ? AND author_id = ?`, d.draftID, sender)
		if res.Error != nil {
			return fmt.Errorf("messaging: send draft %s: %w", d.draftID, res.Error)
		}
		if res.RowsAffected == 0 {
			return errDraftNotFound
		}
	}
	if d.ReplyTo != uuid.Nil {
		if err := refuseNoReply(tx, sender, d.ReplyTo); err != nil {
			return err
		}
	}
	return checkNoReply(tx, sender, d.NoReply)
}

// checkNoReply refuses the « sans réponse » box to someone who is not staff.
func checkNoReply(tx *gorm.DB, sender uuid.UUID, noReply bool) error {
	if !noReply {
		return nil
	}
	ok, err := mayAnnounce(tx, sender)
	if err != nil {
		return err
	}
	if !ok {
		return fault.NewField(fault.ErrInvalid, fieldNoReply, "seuls la direction, la vie scolaire et les enseignants peuvent envoyer un message sans réponse : décochez « Les destinataires ne peuvent pas répondre »")
	}
	return nil
}

// afterInsert marks the stored message as an announcement without reply.
func afterInsert(tx *gorm.DB, msg uuid.UUID, d Draft) error {
	if !d.NoReply {
		return nil
	}
	if err := tx.Exec(`UPDATE messages SET no_reply = true WHERE id = ?`, msg).Error; err != nil {
		return fmt.Errorf("messaging: mark %s without reply: %w", msg, err)
	}
	return nil
}

// refuseNoReply refuses person's answer to message id when it is an announcement without
// reply that someone else sent (its sender may still add to the conversation).
func refuseNoReply(tx *gorm.DB, person, id uuid.UUID) error {
	var closed []bool
	if err := tx.Raw(`SELECT no_reply FROM messages WHERE id = ? AND no_reply AND sender_id IS DISTINCT FROM ?`, id, person).Scan(&closed).Error; err != nil {
		return fmt.Errorf("messaging: may %s answer %s: %w", person, id, err)
	}
	if len(closed) > 0 {
		return fault.New(fault.ErrConflict, "ce message est une annonce sans réponse : ses destinataires ne peuvent pas y répondre. Pour une question, écrivez un nouveau message")
	}
	return nil
}

// RecallWindow is how long after sending a message may be recalled (while nobody read it).
const RecallWindow = 60 * time.Minute

// annotate marks th's messages recalled, without reply, and recallable by person at now.
func annotate(tx *gorm.DB, th *Thread, person uuid.UUID, now time.Time) error {
	var rows []struct {
		ID         uuid.UUID
		RecalledAt *time.Time
		NoReply    bool
		Recallable bool
	}
	if err := tx.Raw(`SELECT m.id, m.recalled_at, m.no_reply,
			(m.sender_id = ? AND m.recalled_at IS NULL AND m.sent_at >= ?
				AND NOT EXISTS (SELECT 1 FROM message_copies c WHERE c.message_id = m.id AND c.role <> 'de' AND c.read_at IS NOT NULL)) AS recallable
		FROM messages m WHERE m.conversation_id = ? AND (m.recalled_at IS NOT NULL OR m.no_reply OR m.sender_id = ?)`,
		person, now.Add(-RecallWindow), th.ID, person).Scan(&rows).Error; err != nil {
		return fmt.Errorf("messaging: states of conversation %s: %w", th.ID, err)
	}
	for _, r := range rows {
		for i := range th.Messages {
			if m := &th.Messages[i]; m.ID == r.ID {
				m.RecalledAt, m.NoReply, m.Recallable = r.RecalledAt, r.NoReply, r.Recallable && m.Mine()
			}
		}
	}
	return nil
}

// MayReply tells whether the viewer may answer the message: not an announcement without
// reply, unless they sent it.
func (m ThreadMessage) MayReply() bool { return !m.NoReply || m.Mine() }

// RecalledWhen is when the message was recalled, as the thread shows it.
func (m ThreadMessage) RecalledWhen() string {
	if m.RecalledAt == nil {
		return ""
	}
	return frenchTime(*m.RecalledAt)
}

// Recallable is a message its sender is about to recall (the confirmation page).
type Recallable struct {
	Message      uuid.UUID `json:"message"`
	Conversation uuid.UUID `json:"conversation"`
	Subject      string    `json:"subject"`
	SentAt       time.Time `json:"sent_at"`
	RecalledAt   time.Time `json:"recalled_at,omitzero"`
	Recipients   int       `json:"recipients"`
}

// When is the sending time as the page shows it.
func (r Recallable) When() string { return frenchTime(r.SentAt) }

// Deadline is the last moment of the recall, as the page shows it.
func (r Recallable) Deadline() string { return frenchTime(r.SentAt.Add(RecallWindow)) }

// CheckRecall tells whether person may recall message id now: not found unless they sent
// it, a conflict saying why once it is too late.
func (s *Service) CheckRecall(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (*Recallable, error) {
	var out *Recallable
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		out, _, err = recallable(tx, person, id, s.now(), false)
		return err
	})
	return out, err
}

// Recall recalls message id that person sent: every recipient's copy is removed (the
// sender's stays and says « Message rappelé le … »), within RecallWindow of sending and
// while no recipient has read it. The notifications already recorded stay (the notify
// module cannot withdraw one); their link leads to nothing for the recipients.
func (s *Service) Recall(ctx context.Context, t *tenant.Tenant, person, id uuid.UUID) (*Recallable, error) {
	now := s.now()
	var out *Recallable
	var gone pgarray.UUIDs
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if out, gone, err = recallable(tx, person, id, now, true); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM message_copies WHERE message_id = ? AND role <> 'de'`, id).Error; err != nil {
			return fmt.Errorf("messaging: recall %s: %w", id, err)
		}
		if err := tx.Exec(`UPDATE messages SET recalled_at = ? WHERE id = ?`, now, id).Error; err != nil {
			return fmt.Errorf("messaging: recall %s: %w", id, err)
		}
		out.RecalledAt = now
		return s.withdrawNotice(tx, t, out.Conversation, id)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range gone {
		s.counts.Remove(countKey(t, p))
	}
	return out, nil
}

// recallable reads message id as its sender person may recall it at now, with its
// recipients. With lock, the message and its copies are locked: a recipient opening it
// meanwhile either marked it read first (refused) or finds it gone.
func recallable(tx *gorm.DB, person, id uuid.UUID, now time.Time, lock bool) (*Recallable, pgarray.UUIDs, error) {
	forUpdate := ""
	if lock {
		forUpdate = " FOR UPDATE OF m"
	}
	var ms []struct {
		ConversationID uuid.UUID
		Subject        string
		SentAt         time.Time
		RecalledAt     *time.Time
	}
	if err := tx.Raw(`SELECT m.conversation_id, v.subject, m.sent_at, m.recalled_at FROM messages m
		JOIN message_copies c ON c.message_id = m.id AND c.person_id = ? AND c.role = 'de'
		JOIN conversations v ON v.id = m.conversation_id WHERE m.id = ? AND m.sender_id = ?`+forUpdate, person, id, person).Scan(&ms).Error; err != nil {
		return nil, nil, fmt.Errorf("messaging: recall %s: %w", id, err)
	}
	if len(ms) == 0 {
		return nil, nil, notFound
	}
	m := ms[0]
	if m.RecalledAt != nil {
		return nil, nil, fault.New(fault.ErrConflict, "ce message a déjà été rappelé, le %s", frenchTime(*m.RecalledAt))
	}
	var copies []struct {
		PersonID uuid.UUID
		Read     bool
	}
	q := `SELECT person_id, read_at IS NOT NULL AS read FROM message_copies WHERE message_id = ? AND role <> 'de'`
	if lock {
		q += ` FOR UPDATE`
	}
	if err := tx.Raw(q, id).Scan(&copies).Error; err != nil {
		return nil, nil, fmt.Errorf("messaging: recipients of %s: %w", id, err)
	}
	out := &Recallable{Message: id, Conversation: m.ConversationID, Subject: m.Subject, SentAt: m.SentAt, Recipients: len(copies)}
	if now.Sub(m.SentAt) > RecallWindow {
		return out, nil, fault.New(fault.ErrConflict, "ce message ne peut plus être rappelé : il a été envoyé le %s, et un message se rappelle dans les %d minutes qui suivent son envoi", frenchTime(m.SentAt), int(RecallWindow.Minutes()))
	}
	ids := make(pgarray.UUIDs, 0, len(copies))
	for _, c := range copies {
		if c.Read {
			return out, nil, fault.New(fault.ErrConflict, "ce message ne peut plus être rappelé : un de ses destinataires l'a déjà lu")
		}
		ids = append(ids, c.PersonID)
	}
	return out, ids, nil
}

// InactiveShown are the first recipients who never opened their account, as the page
// after a send names them; InactiveMore counts the others.
func (s *Sent) InactiveShown() []Person { return s.Inactive[:min(len(s.Inactive), inactiveShown)] }

// InactiveMore is how many never-activated recipients the page does not name.
func (s *Sent) InactiveMore() int { return max(0, len(s.Inactive)-inactiveShown) }

const inactiveShown = 30

// withdrawer is a Notifier that can take a notification back (notify.Service).
type withdrawer interface {
	Withdraw(tx *gorm.DB, t *tenant.Tenant, kind notify.Kind, link string) (int, error)
}

// withdrawNotice takes back a recalled message's notification: out of its recipients' lists
// and digests, its e-mails not sent yet never sent (one already sent cannot be).
func (s *Service) withdrawNotice(tx *gorm.DB, t *tenant.Tenant, conv, msg uuid.UUID) error {
	w, ok := s.notify.(withdrawer)
	if !ok {
		return nil
	}
	_, err := w.Withdraw(tx, t, notify.KindMessage, messageLink(conv, msg))
	return err
}
