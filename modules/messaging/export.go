package messaging

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the messagerie's file of a personal data export (its README).
const ExportAbout = "Les messages que vous avez envoyés et reçus dans la messagerie de l'établissement : conversation, " +
	"expéditeur, destinataires que vous pouviez voir, date, texte, votre dossier (lu, corbeille) et leurs pièces jointes " +
	"(dossier « fichiers », chemin indiqué pour chaque pièce), ainsi que vos brouillons. Un message rappelé par son " +
	"expéditeur figure sans son texte pour ses destinataires. Les autres conversations de l'établissement n'y figurent pas."

// exportedMessages is the messagerie's part of a personal data export.
type exportedMessages struct {
	Messages []exportedMessage `json:"messages"`
	Drafts   []exportedDraft   `json:"brouillons"`
}

type exportedMessage struct {
	ID           uuid.UUID        `json:"id"`
	Conversation uuid.UUID        `json:"conversation"`
	Subject      string           `json:"objet"`
	Sender       string           `json:"expediteur"` // empty: purged from the directory
	Recipients   []exportedPerson `json:"destinataires"`
	Role         string           `json:"votre_role"` // de, a, cc, cci
	SentAt       time.Time        `json:"envoye_le"`
	Body         string           `json:"texte,omitempty"`
	Format       string           `json:"format"`
	Recalled     *time.Time       `json:"rappele_le,omitempty"`
	ReadAt       *time.Time       `json:"lu_le,omitempty"`
	TrashedAt    *time.Time       `json:"corbeille_le,omitempty"`
	Files        []exportedFile   `json:"pieces_jointes"`
}

type exportedPerson struct {
	Name string `json:"nom"`
	Role string `json:"role"`
}

type exportedFile struct {
	Name        string `json:"nom"`
	ContentType string `json:"type"`
	Size        int64  `json:"taille"`
	SHA256      string `json:"sha256"`
	Path        string `json:"fichier,omitempty"` // in the export's archive
}

type exportedDraft struct {
	Subject   string    `json:"objet"`
	Body      string    `json:"texte"`
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"cree_le"`
	UpdatedAt time.Time `json:"modifie_le"`
}

// Export writes the messages person sent or received in t, with their attachments, and
// their drafts (module.Exporter). A message is theirs when they hold a copy of it (sent,
// received, in the trash); the blind copies of others are shown only to the sender. A
// message recalled by its sender is exported without its text to its recipients (they no
// longer read it either).
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil // nothing at the platform's level
	}
	out := exportedMessages{Messages: []exportedMessage{}, Drafts: []exportedDraft{}}
	var atts []Attachment
	err := s.db.SnapshotTx(ctx, t, func(tx *gorm.DB) error {
		var rows []struct {
			ID, ConversationID            uuid.UUID
			Subject, Sender, Role, Body   string
			Format                        string
			SentAt                        time.Time
			RecalledAt, ReadAt, TrashedAt *time.Time
		}
		if err := tx.Raw(`SELECT m.id, m.conversation_id, v.subject, coalesce(p.first_name || ' ' || p.last_name, '') AS sender,
				c.role, CASE WHEN m.recalled_at IS NOT NULL AND c.role <> 'de' THEN '' ELSE m.body END AS body,
				m.format, m.sent_at, m.recalled_at, c.read_at, c.trashed_at
			FROM message_copies c JOIN messages m ON m.id = c.message_id JOIN conversations v ON v.id = m.conversation_id
			LEFT JOIN people p ON p.id = m.sender_id
			WHERE c.person_id = ? ORDER BY m.sent_at, m.id`, person).Scan(&rows).Error; err != nil {
			return err
		}
		index := make(map[uuid.UUID]int, len(rows))
		ids := make([]uuid.UUID, len(rows))
		for i, r := range rows {
			index[r.ID], ids[i] = i, r.ID
			out.Messages = append(out.Messages, exportedMessage{ID: r.ID, Conversation: r.ConversationID, Subject: r.Subject, Sender: r.Sender,
				Recipients: []exportedPerson{}, Role: r.Role, SentAt: r.SentAt, Body: r.Body, Format: r.Format, Recalled: r.RecalledAt,
				ReadAt: r.ReadAt, TrashedAt: r.TrashedAt, Files: []exportedFile{}})
		}
		if len(ids) == 0 {
			return nil
		}
		// The recipients as the person saw them: to and cc for everyone, bcc for the sender.
		var recipients []struct {
			MessageID  uuid.UUID
			Name, Role string
		}
		if err := tx.Raw(`SELECT o.message_id, p.first_name || ' ' || p.last_name AS name, o.role
			FROM message_copies o JOIN people p ON p.id = o.person_id
			JOIN message_copies mine ON mine.message_id = o.message_id AND mine.person_id = ?
			WHERE o.message_id IN ? AND o.role <> 'de' AND (o.role <> 'cci' OR mine.role = 'de' OR o.person_id = ?)
			ORDER BY o.message_id, o.role, p.last_name, p.first_name`, person, ids, person).Scan(&recipients).Error; err != nil {
			return err
		}
		for _, r := range recipients {
			m := &out.Messages[index[r.MessageID]]
			m.Recipients = append(m.Recipients, exportedPerson{Name: r.Name, Role: r.Role})
		}
		// A recalled message's attachments go with its text.
		if err := tx.Raw(`SELECT f.id, f.message_id, f.blob_key AS key, f.name, f.content_type, f.size, f.sha256
			FROM message_files f JOIN message_copies c ON c.message_id = f.message_id AND c.person_id = ?
			JOIN messages m ON m.id = f.message_id
			WHERE m.recalled_at IS NULL OR c.role = 'de' ORDER BY f.message_id, f.created_at, f.id`, person).Scan(&atts).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT subject, body, format, created_at, updated_at FROM message_drafts WHERE author_id = ? ORDER BY created_at, id`,
			person).Scan(&out.Drafts).Error
	})
	if err != nil {
		return fmt.Errorf("messaging: export of %s: %w", person, err)
	}
	index := make(map[uuid.UUID]int, len(out.Messages))
	for i, m := range out.Messages {
		index[m.ID] = i
	}
	for _, a := range atts {
		f := exportedFile{Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
		if s.files == nil {
			return errNoStore
		}
		fc, err := s.files.Open(ctx, t, a.stored())
		if err != nil {
			return fmt.Errorf("messaging: export of %s: %w", person, err)
		}
		f.Path, err = w.File(a.Name, fc)
		if cerr := fc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("messaging: export of %s: attachment %s: %w", person, a.ID, err)
		}
		m := &out.Messages[index[a.MessageID]]
		m.Files = append(m.Files, f)
	}
	return w.JSON(out)
}
