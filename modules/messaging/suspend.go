package messaging

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The direction may suspend the whole messagerie (nobody but the direction sends) or one
// account (that person no longer sends). Reading is never suspended: a family must still
// find what the school wrote. Every send checks, in its own transaction, both suspensions
// (mayWriteNow); the pages show the same decision as a banner (Block).

// Block is why a person may not send now, as the banner and the refusal say it.
type Block struct {
	Establishment bool // the whole messagerie, else the person's account
	Suspension
}

// Text is the block in one French sentence: since when, why, whom to ask.
func (b Block) Text() string {
	if b.Establishment {
		return fmt.Sprintf("La messagerie de l'établissement est suspendue depuis le %s par la direction (motif : %s). Vous pouvez lire vos messages mais pas en envoyer ; pour toute question, adressez-vous à la direction de l'établissement.",
			b.SinceText(), b.Reason)
	}
	return fmt.Sprintf("L'envoi de messages est suspendu pour votre compte depuis le %s (motif : %s). Vous pouvez lire vos messages ; pour en savoir plus ou pour lever la suspension, adressez-vous à la direction de l'établissement.",
		b.SinceText(), b.Reason)
}

// blockOf is what stops person from sending in tx, nil when nothing does. The direction
// sends while the establishment's messagerie is suspended (to explain it, among others).
func blockOf(tx *gorm.DB, person uuid.UUID) (*Block, error) {
	var rows []struct {
		Reason      string
		SuspendedAt time.Time
	}
	if err := tx.Raw(`SELECT reason, suspended_at FROM messaging_suspensions WHERE person_id = ?`, person).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: suspension of %s: %w", person, err)
	}
	if len(rows) > 0 {
		return &Block{Suspension: Suspension{Since: rows[0].SuspendedAt, Reason: rows[0].Reason}}, nil
	}
	set, err := loadSettings(tx)
	if err != nil || set.Suspension == nil {
		return nil, err
	}
	profiles, err := senderProfiles(tx, person)
	if err != nil {
		return nil, err
	}
	if slices.Contains(profiles, Direction) {
		return nil, nil
	}
	return &Block{Establishment: true, Suspension: *set.Suspension}, nil
}

// mayWriteNow refuses a send from person while a suspension stops them (409: the state of
// the establishment, not the person's rights, is in the way).
func mayWriteNow(tx *gorm.DB, person uuid.UUID) error {
	b, err := blockOf(tx, person)
	if err != nil || b == nil {
		return err
	}
	return fault.NewField(fault.ErrConflict, fieldRecipients, "%s", b.Text())
}

// Blocked is what stops person from sending, nil when nothing does (the pages' banner).
func (s *Service) Blocked(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (*Block, error) {
	var b *Block
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		b, err = blockOf(tx, person)
		return err
	})
	return b, err
}

// SuspendedAccount is an account suspended from sending.
type SuspendedAccount struct {
	Person     Person     `json:"person"`
	Suspension Suspension `json:"suspension"`
}

// SuspendAccount stops person from sending, for reason, as by (the direction) decided. A
// person of another establishment, or unknown, is not found; one cannot suspend oneself.
func (s *Service) SuspendAccount(ctx context.Context, t *tenant.Tenant, by, person uuid.UUID, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return fault.NewField(fault.ErrInvalid, fieldReason, "indiquez le motif de la suspension : la personne le verra en essayant d'écrire")
	case len([]rune(reason)) > maxReason:
		return fault.NewField(fault.ErrInvalid, fieldReason, "le motif ne peut dépasser %d caractères", maxReason)
	case by == person:
		return fault.NewField(fault.ErrInvalid, "personne", "vous ne pouvez pas suspendre votre propre compte")
	}
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var n int
		if err := tx.Raw(`SELECT count(*) FROM people WHERE id = ?`, person).Scan(&n).Error; err != nil {
			return fmt.Errorf("messaging: suspend %s: %w", person, err)
		}
		if n == 0 {
			return fault.NewField(fault.ErrNotFound, "personne", "cette personne n'est pas dans l'annuaire de l'établissement")
		}
		if err := tx.Exec(`INSERT INTO messaging_suspensions (person_id, reason, suspended_at, suspended_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET reason = excluded.reason`, person, reason, s.now(), by).Error; err != nil {
			return fmt.Errorf("messaging: suspend %s: %w", person, err)
		}
		return nil
	})
}

// LiftSuspension lets person send again; an account not suspended is not found.
func (s *Service) LiftSuspension(ctx context.Context, t *tenant.Tenant, person uuid.UUID) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM messaging_suspensions WHERE person_id = ?`, person)
		if res.Error != nil {
			return fmt.Errorf("messaging: lift suspension of %s: %w", person, res.Error)
		}
		if res.RowsAffected == 0 {
			return fault.New(fault.ErrNotFound, "ce compte n'est pas suspendu")
		}
		return nil
	})
}

// Suspensions lists the accounts suspended from sending, by name.
func (s *Service) Suspensions(ctx context.Context, t *tenant.Tenant) ([]SuspendedAccount, error) {
	var rows []struct {
		PersonID            uuid.UUID
		FirstName, LastName string
		Reason              string
		SuspendedAt         time.Time
		ByFirst, ByLast     *string
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT s.person_id, p.first_name, p.last_name, s.reason, s.suspended_at, b.first_name AS by_first, b.last_name AS by_last
			FROM messaging_suspensions s JOIN people p ON p.id = s.person_id LEFT JOIN people b ON b.id = s.suspended_by
			ORDER BY lower(p.last_name), lower(p.first_name)`).Scan(&rows).Error; err != nil {
			return fmt.Errorf("messaging: suspended accounts: %w", err)
		}
		return nil
	})
	out := make([]SuspendedAccount, len(rows))
	for i, r := range rows {
		out[i] = SuspendedAccount{Person: Person{ID: r.PersonID, FirstName: r.FirstName, LastName: r.LastName},
			Suspension: Suspension{Since: r.SuspendedAt, Reason: r.Reason}}
		if r.ByFirst != nil && r.ByLast != nil {
			out[i].Suspension.By = Person{FirstName: *r.ByFirst, LastName: *r.ByLast}.Name()
		}
	}
	return out, err
}

// FindPeople finds the establishment's active people whose name contains query (the
// suspensions page's search), 20 at most, by name.
func (s *Service) FindPeople(ctx context.Context, t *tenant.Tenant, query string) ([]Person, error) {
	query = strings.TrimSpace(query)
	if query == "" || len([]rune(query)) > 100 {
		return nil, nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(query)) + "%"
	var out []Person
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT id, first_name, last_name FROM people WHERE active AND lower(first_name || ' ' || last_name) LIKE ?
			ORDER BY lower(last_name), lower(first_name) LIMIT 20`, like).Scan(&out).Error; err != nil {
			return fmt.Errorf("messaging: find people: %w", err)
		}
		return nil
	})
	return out, err
}
