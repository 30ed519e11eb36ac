package notify

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo tells the legal guardians of a demo establishment's first three pupils of an
// absence (immediate e-mails: make dev's mailbox receives them, after the quiet hours), and
// every pupil of a piece of news (the daily digest). The grades' demo marks add their own.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var pupils []struct {
			ID                  uuid.UUID
			FirstName, LastName string
		}
		if err := tx.Raw(`SELECT id, first_name, last_name FROM people WHERE category = 'eleve' AND active
			ORDER BY last_name, first_name`).Scan(&pupils).Error; err != nil {
			return fmt.Errorf("notify: demo pupils: %w", err)
		}
		if len(pupils) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, len(pupils))
		for i, p := range pupils {
			ids[i] = p.ID
		}
		guardians, err := directory.Guardianship{}.LegalGuardians(tx, ids[:min(3, len(ids))])
		if err != nil {
			return err
		}
		// The demo directory has no e-mail addresses (the AAF generator writes none): give these
		// guardians one, so that make dev's mailbox receives their e-mails. Demo data only.
		var told []uuid.UUID
		for _, gs := range guardians {
			told = append(told, gs...)
		}
		if len(told) > 0 {
			if err := tx.Exec(`UPDATE people SET email = coalesce(nullif(login, ''), id::text) || '@demo.cartable.test'
				WHERE id IN ? AND coalesce(email, '') = ''`, told).Error; err != nil {
				return fmt.Errorf("notify: demo addresses: %w", err)
			}
		}
		notices := []Notice{{Kind: KindNews, Recipients: ids, Title: "Portes ouvertes samedi matin",
			Body: "L'établissement ouvre ses portes aux familles de 9 h à 12 h.", Link: "/"}}
		for _, p := range pupils[:min(3, len(pupils))] {
			if gs := guardians[p.ID]; len(gs) > 0 {
				notices = append(notices, Notice{Kind: KindAbsence, Recipients: gs, Title: fmt.Sprintf("Absence de %s %s", p.FirstName, p.LastName),
					Body: "Absent(e) ce matin de 8 h à 10 h, sans justificatif pour l'instant (démonstration)."})
			}
		}
		return s.Notify(tx, t, notices...)
	})
}
