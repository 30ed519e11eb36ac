package messaging

// Messaging hours. notify's quiet hours hold back e-mails of every kind, but the
// notification itself is in the application at once; the messagerie's hours go further for
// messages only: a message sent at 21:30 is delivered at once (it is in the recipients'
// réception), but nobody is told of it before the hours start (07:00 the next morning,
// school time). The send's transaction records the notice as due then (message_notices)
// and enqueues a job for that time; the job claims the row and notifies in one transaction,
// so a message is told once, and a message deleted meanwhile is told nothing. Other
// modules' notifications keep notify's rule alone.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// JobQueue enqueues a job in the caller's transaction (jobs.Queue).
type JobQueue interface {
	InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error
}

// SetQueue wires the job queue the deferred notifications are planned on (cmd/cartable).
// Without one, a message is notified at once whatever the hour.
func (s *Service) SetQueue(q JobQueue) { s.queue = q }

// TellMessage is the job that tells a message's recipients once the messaging hours start.
type TellMessage struct {
	TenantUAI string    `json:"tenant_uai"`
	Message   uuid.UUID `json:"message"`
	Due       time.Time `json:"due"`
}

// Kind names the job in River.
func (TellMessage) Kind() string { return "messaging_tell_message" }

// tellRecipients notifies a just-sent message's recipients, in the send's transaction: at
// once within the messaging hours, else from their next start, which it returns.
func (s *Service) tellRecipients(tx *gorm.DB, t *tenant.Tenant, msg, conv, sender uuid.UUID, ids []uuid.UUID, subject string, now time.Time) (*time.Time, error) {
	if s.notify == nil {
		return nil, nil
	}
	set, err := loadSettings(tx)
	if err != nil {
		return nil, err
	}
	if due := set.Hours.nextStart(now); due.After(now) && s.queue != nil {
		if err := tx.Exec(`INSERT INTO message_notices (message_id, due_at) VALUES (?, ?)`, msg, due).Error; err != nil {
			return nil, fmt.Errorf("messaging: defer the notice of %s: %w", msg, err)
		}
		return &due, s.queue.InsertTx(tx, t, TellMessage{TenantUAI: string(t.UAI), Message: msg, Due: due}, due)
	}
	return nil, s.notifyMessage(tx, t, msg, conv, sender, ids, subject)
}

// messageLink is where a message's notification leads: the message in its conversation. It
// is also how a recall finds the notification to take back.
func messageLink(conv, msg uuid.UUID) string {
	return "/messagerie/conversations/" + conv.String() + "#m-" + msg.String()
}

func (s *Service) notifyMessage(tx *gorm.DB, t *tenant.Tenant, msg, conv, sender uuid.UUID, ids []uuid.UUID, subject string) error {
	name, err := store{tx}.name(sender)
	if err != nil {
		return err
	}
	if sender == uuid.Nil {
		name = "une personne partie"
	}
	return s.notify.Notify(tx, t, notify.Notice{Kind: notify.KindMessage, Recipients: ids,
		Title: truncate("Nouveau message de "+name, 200), Body: subject, Link: messageLink(conv, msg)})
}

// TellDeferred runs a TellMessage job: before its due time it tells nothing and says how
// long to wait; then, once, it tells the recipients who still hold the message. It says
// whether it told.
func (s *Service) TellDeferred(ctx context.Context, t *tenant.Tenant, job TellMessage) (told bool, wait time.Duration, err error) {
	if s.notify == nil {
		return false, 0, errors.New("messaging: notifications are not wired")
	}
	now := s.now()
	if now.Before(job.Due) {
		return false, job.Due.Sub(now), nil
	}
	err = s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE message_notices SET notified_at = ? WHERE message_id = ? AND notified_at IS NULL`, now, job.Message)
		if res.Error != nil {
			return fmt.Errorf("messaging: claim the notice of %s: %w", job.Message, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // told already, or the message is gone
		}
		var m struct {
			ConversationID uuid.UUID
			SenderID       *uuid.UUID
			Subject        string
		}
		if err := tx.Raw(`SELECT m.conversation_id, m.sender_id, v.subject FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.id = ?`,
			job.Message).Scan(&m).Error; err != nil {
			return fmt.Errorf("messaging: deferred notice of %s: %w", job.Message, err)
		}
		var ids []uuid.UUID
		if err := tx.Raw(`SELECT person_id FROM message_copies WHERE message_id = ? AND role <> 'de'`, job.Message).Scan(&ids).Error; err != nil {
			return fmt.Errorf("messaging: recipients of %s: %w", job.Message, err)
		}
		if len(ids) == 0 {
			return nil
		}
		sender := uuid.Nil
		if m.SenderID != nil {
			sender = *m.SenderID
		}
		told = true
		return s.notifyMessage(tx, t, job.Message, m.ConversationID, sender, ids, m.Subject)
	})
	return told, 0, err
}

type tellWorker struct {
	river.WorkerDefaults[TellMessage]
	j *Jobs
}

func (w *tellWorker) Work(ctx context.Context, job *river.Job[TellMessage]) error {
	t, err := w.j.tenants.Get(ctx, job.Args.TenantUAI)
	if err != nil {
		return err
	}
	_, wait, err := w.j.svc.TellDeferred(ctx, t, job.Args)
	if err == nil && wait > 0 {
		// River ran it early: its clock (PostgreSQL's) is ahead of the application's.
		return river.JobSnooze(wait)
	}
	return err
}
