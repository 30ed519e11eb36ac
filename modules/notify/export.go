package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the notifications' file of a personal data export (its README).
const ExportAbout = "Vos notifications dans l'établissement (titre, texte, lien, date, lecture), " +
	"vos préférences de réception par type de notification, et les courriels que ces notifications vous ont envoyés " +
	"(adresse, état, date d'envoi)."

// exported is the notifications' part of a personal data export.
type exported struct {
	Notifications []exportedNotification `json:"notifications"`
	Preferences   []exportedPreference   `json:"preferences"`
	Mails         []exportedMail         `json:"courriels"`
}

type exportedNotification struct {
	Kind      Kind       `json:"type"`
	KindLabel string     `json:"type_libelle"`
	Title     string     `json:"titre"`
	Body      string     `json:"texte,omitempty"`
	Link      string     `json:"lien,omitempty"`
	CreatedAt time.Time  `json:"date"`
	ReadAt    *time.Time `json:"lue_le,omitempty"`
}

type exportedPreference struct {
	Kind      Kind     `json:"type"`
	KindLabel string   `json:"type_libelle"`
	Delivery  Delivery `json:"reception"`
	Chosen    bool     `json:"choisie"` // false: the kind's default
}

type exportedMail struct {
	Address   string     `json:"adresse"`
	State     string     `json:"etat"`
	DigestDay *time.Time `json:"resume_du,omitempty"`
	SentAt    *time.Time `json:"envoye_le,omitempty"`
	CreatedAt time.Time  `json:"cree_le"`
}

// Export writes person's notifications, preferences and e-mails in t (module.Exporter):
// only the rows that name them as recipient.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil // nothing at the platform's level
	}
	out := exported{Notifications: []exportedNotification{}, Preferences: []exportedPreference{}, Mails: []exportedMail{}}
	err := s.db.SnapshotTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT n.kind, n.title, n.body, n.link, r.created_at, r.read_at
			FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.person_id = ? ORDER BY r.created_at, n.id`, person).Scan(&out.Notifications).Error; err != nil {
			return err
		}
		var chosen []struct {
			Kind     Kind
			Delivery Delivery
		}
		if err := tx.Raw(`SELECT kind, delivery FROM notification_preferences WHERE person_id = ?`, person).Scan(&chosen).Error; err != nil {
			return err
		}
		for _, k := range Kinds {
			p := exportedPreference{Kind: k, KindLabel: k.Label(), Delivery: DefaultDelivery[k]}
			for _, c := range chosen {
				if c.Kind == k {
					p.Delivery, p.Chosen = c.Delivery, true
				}
			}
			out.Preferences = append(out.Preferences, p)
		}
		return tx.Raw(`SELECT address, state, digest_day, sent_at, created_at FROM notification_mails
			WHERE person_id = ? ORDER BY created_at, id`, person).Scan(&out.Mails).Error
	})
	if err != nil {
		return fmt.Errorf("notify: export of %s: %w", person, err)
	}
	for i := range out.Notifications {
		out.Notifications[i].KindLabel = out.Notifications[i].Kind.Label()
	}
	return w.JSON(out)
}
