package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Drafts (folder « Brouillons »): a message being written, kept with its recipients as the
// form's tokens, private to its author. The rules and the sending budget are checked when
// it is sent, by Send itself; sending removes it in the same transaction.

// maxDrafts is how many drafts one person keeps (a form posted in a loop cannot fill the
// database).
const maxDrafts = 200

// errDraftNotFound is the one answer for a draft that is not the person's, or is gone.
var errDraftNotFound = fault.New(fault.ErrNotFound, "brouillon introuvable")

// SavedDraft is a draft as stored: what was written, and when it was last saved.
type SavedDraft struct {
	ID uuid.UUID
	Draft
	ReplySubject string // the conversation's subject, for a reply
	UpdatedAt    time.Time
}

// DraftItem is a draft as the Brouillons folder lists it.
type DraftItem struct {
	ID           uuid.UUID  `json:"id"`
	Subject      string     `json:"subject"`
	ReplyTo      *uuid.UUID `json:"reponse_a,omitempty"`
	ReplySubject string     `json:"reply_subject,omitempty"`
	Recipients   int        `json:"recipients"`
	Snippet      string     `json:"snippet"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Title is the draft's name in the list.
func (i DraftItem) Title() string {
	switch {
	case i.ReplySubject != "":
		return "Réponse : " + i.ReplySubject
	case strings.TrimSpace(i.Subject) != "":
		return i.Subject
	}
	return "(sans objet)"
}

// When is the last save as the list shows it.
func (i DraftItem) When() string { return frenchTime(i.UpdatedAt) }

// validateDraft checks what a draft may hold: anything unfinished, within the limits of a
// message, but not nothing at all.
func validateDraft(d Draft) error {
	n := 0
	for role, tokens := range d.Recipients {
		if !slices.Contains(recipientRoles, role) {
			return fault.NewField(fault.ErrInvalid, fieldRecipients, "rôle de destinataire inconnu : %q", role)
		}
		for _, raw := range tokens {
			if _, err := parseToken(raw); err != nil {
				return err
			}
		}
		n += len(tokens)
	}
	subject := strings.TrimSpace(d.Subject)
	switch {
	case n == 0 && subject == "" && strings.TrimSpace(d.Body) == "":
		return fault.NewField(fault.ErrInvalid, fieldBody, "le brouillon est vide : écrivez un objet, un message ou choisissez un destinataire avant de l'enregistrer")
	case len([]rune(subject)) > maxSubject:
		return fault.NewField(fault.ErrInvalid, fieldSubject, "l'objet ne peut dépasser %d caractères (il en a %d)", maxSubject, len([]rune(subject)))
	case len([]rune(d.Body)) > maxBody:
		return fault.NewField(fault.ErrInvalid, fieldBody, "le message ne peut dépasser %d caractères (il en a %d)", maxBody, len([]rune(d.Body)))
	case d.Format != Text && d.Format != Markdown:
		return fault.NewField(fault.ErrInvalid, "format", "choisissez « texte » ou « Markdown »")
	case n > maxRecipients:
		return fault.NewField(fault.ErrInvalid, fieldRecipients, "%d destinataires au plus par message (choisissez des groupes)", maxRecipients)
	}
	return nil
}

// SaveDraft stores d as author's draft id (uuid.Nil: a new one) and returns its id. A
// reply's draft needs a copy of the message answered; only staff may tick « sans réponse ».
func (s *Service) SaveDraft(ctx context.Context, t *tenant.Tenant, author, id uuid.UUID, d Draft) (uuid.UUID, error) {
	if err := validateDraft(d); err != nil {
		return uuid.Nil, err
	}
	recipients := map[Role][]string{}
	for _, r := range recipientRoles {
		recipients[r] = append([]string{}, d.Recipients[r]...)
	}
	raw, err := json.Marshal(recipients)
	if err != nil {
		return uuid.Nil, fmt.Errorf("messaging: draft recipients: %w", err)
	}
	now := s.now()
	var replyTo *uuid.UUID
	if d.ReplyTo != uuid.Nil {
		replyTo = &d.ReplyTo
	}
	err = s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		if replyTo != nil {
			if _, err := (store{tx}).conversationOf(author, d.ReplyTo); err != nil {
				return err
			}
			if err := refuseNoReply(tx, author, d.ReplyTo); err != nil {
				return err
			}
		}
		if err := checkNoReply(tx, author, d.NoReply); err != nil {
			return err
		}
		if id != uuid.Nil {
			res := tx.Exec(`UPDATE message_drafts SET recipients = ?::jsonb, subject = ?, body = ?, format = ?, no_reply = ?, reply_to = ?, updated_at = ?
				WHERE id = ? AND author_id = ?`, string(raw), d.Subject, d.Body, string(d.Format), d.NoReply, replyTo, now, id, author)
			if res.Error != nil {
				return fmt.Errorf("messaging: save draft %s: %w", id, res.Error)
			}
			if res.RowsAffected == 0 {
				return errDraftNotFound
			}
			return nil
		}
		var n int
		if err := tx.Raw(`SELECT count(*) FROM message_drafts WHERE author_id = ?`, author).Scan(&n).Error; err != nil {
			return fmt.Errorf("messaging: drafts of %s: %w", author, err)
		}
		if n >= maxDrafts {
			return fault.New(fault.ErrConflict, "vous avez déjà %d brouillons, le maximum : envoyez ou supprimez-en avant d'en enregistrer un autre", n)
		}
		id = uuid.New()
		if err := tx.Exec(`INSERT INTO message_drafts (id, author_id, reply_to, recipients, subject, body, format, no_reply, created_at, updated_at)
			VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)`, id, author, replyTo, string(raw), d.Subject, d.Body, string(d.Format), d.NoReply, now, now).Error; err != nil {
			return fmt.Errorf("messaging: new draft: %w", err)
		}
		return nil
	})
	return id, err
}

// Drafts lists author's drafts, the last saved first.
func (s *Service) Drafts(ctx context.Context, t *tenant.Tenant, author uuid.UUID) ([]DraftItem, error) {
	var rows []struct {
		ID           uuid.UUID
		Subject      string
		ReplyTo      *uuid.UUID
		ReplySubject string
		Recipients   int
		Snippet      string
		UpdatedAt    time.Time
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT d.id, d.subject, d.reply_to, coalesce(v.subject, '') AS reply_subject, left(d.body, 140) AS snippet, d.updated_at,
				(SELECT coalesce(sum(jsonb_array_length(r.value)), 0) FROM jsonb_each(d.recipients) r) AS recipients
			FROM message_drafts d LEFT JOIN messages m ON m.id = d.reply_to LEFT JOIN conversations v ON v.id = m.conversation_id
			WHERE d.author_id = ? ORDER BY d.updated_at DESC, d.id DESC`, author).Scan(&rows).Error; err != nil {
			return fmt.Errorf("messaging: drafts of %s: %w", author, err)
		}
		return nil
	})
	out := make([]DraftItem, len(rows))
	for i, r := range rows {
		out[i] = DraftItem{ID: r.ID, Subject: r.Subject, ReplyTo: r.ReplyTo, ReplySubject: r.ReplySubject, Recipients: r.Recipients, Snippet: r.Snippet, UpdatedAt: r.UpdatedAt}
	}
	return out, err
}

// LoadDraft returns author's draft id (not found for anyone else's).
func (s *Service) LoadDraft(ctx context.Context, t *tenant.Tenant, author, id uuid.UUID) (*SavedDraft, error) {
	var out *SavedDraft
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		out, err = loadDraft(tx, author, id)
		return err
	})
	return out, err
}

func loadDraft(tx *gorm.DB, author, id uuid.UUID) (*SavedDraft, error) {
	var rows []struct {
		Recipients   string
		Subject      string
		Body         string
		Format       string
		NoReply      bool
		ReplyTo      *uuid.UUID
		ReplySubject string
		UpdatedAt    time.Time
	}
	if err := tx.Raw(`SELECT d.recipients::text AS recipients, d.subject, d.body, d.format, d.no_reply, d.reply_to, coalesce(v.subject, '') AS reply_subject, d.updated_at
		FROM message_drafts d LEFT JOIN messages m ON m.id = d.reply_to LEFT JOIN conversations v ON v.id = m.conversation_id
		WHERE d.id = ? AND d.author_id = ?`, id, author).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: draft %s: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, errDraftNotFound
	}
	r := rows[0]
	d := &SavedDraft{ID: id, ReplySubject: r.ReplySubject, UpdatedAt: r.UpdatedAt,
		Draft: Draft{Subject: r.Subject, Body: r.Body, Format: Format(r.Format), NoReply: r.NoReply, Recipients: map[Role][]string{}, draftID: id}}
	if r.ReplyTo != nil {
		d.ReplyTo = *r.ReplyTo
	}
	if err := json.Unmarshal([]byte(r.Recipients), &d.Recipients); err != nil {
		return nil, fmt.Errorf("messaging: recipients of draft %s: %w", id, err)
	}
	return d, nil
}

// DeleteDraft deletes author's draft id.
func (s *Service) DeleteDraft(ctx context.Context, t *tenant.Tenant, author, id uuid.UUID) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM message_drafts WHERE id = ? AND author_id = ?`, id, author)
		if res.Error != nil {
			return fmt.Errorf("messaging: delete draft %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errDraftNotFound
		}
		return nil
	})
}

// SendDraft sends author's draft id as Send does (every rule of a send applies); it leaves
// the drafts in the send's transaction, and stays there if the send is refused.
func (s *Service) SendDraft(ctx context.Context, t *tenant.Tenant, author, id uuid.UUID) (*Sent, error) {
	d, err := s.LoadDraft(ctx, t, author, id)
	if err != nil {
		return nil, err
	}
	return s.Send(ctx, t, author, d.Draft)
}
