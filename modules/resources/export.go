package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the resources' file of a personal data export.
const ExportAbout = "Ressources numériques : les licences qui vous ont été attribuées, vos ouvertures de ressources " +
	"(date, ressource, ce qui a été transmis à l'éditeur en plus de votre pseudonyme) et les scores qu'un outil a renvoyés pour vous."

type exportedLicence struct {
	ResourceID uuid.UUID `json:"-"`
	Resource   string    `json:"ressource" gorm:"-"`
	Profile    string    `json:"profil"`
	AssignedAt time.Time `json:"attribuee_le"`
	StartsOn   time.Time `json:"debut_abonnement"`
	EndsOn     time.Time `json:"fin_abonnement"`
}

type exportedLaunch struct {
	ResourceID  uuid.UUID  `json:"-"`
	Resource    string     `json:"ressource" gorm:"-"`
	Shared      Strings    `json:"transmis"`
	CreatedAt   time.Time  `json:"ouverte_le"`
	CompletedAt *time.Time `json:"authentifiee_le,omitempty"`
}

type exportedScore struct {
	Label            string    `json:"activite"`
	ScoreGiven       *string   `json:"score,omitempty"`
	ScoreMaximum     *string   `json:"score_maximum,omitempty"`
	ActivityProgress string    `json:"progression,omitempty"`
	GradingProgress  string    `json:"correction,omitempty"`
	Comment          string    `json:"commentaire,omitempty"`
	ScoredAt         time.Time `json:"le"`
}

// Export is resources' exporter (web/module): licences, launches and scores in t. Nothing at
// the platform's level (the catalogue is the région's, not people's).
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil
	}
	licences := []exportedLicence{}
	launches := []exportedLaunch{}
	scores := []exportedScore{}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT s.resource_id, l.profile, l.assigned_at, s.starts_on, s.ends_on FROM resource_licences l
			JOIN resource_subscriptions s ON s.id = l.subscription_id WHERE l.person_id = ? ORDER BY l.assigned_at`, person).Scan(&licences).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT resource_id, shared, created_at, completed_at FROM resource_launches WHERE person_id = ? ORDER BY created_at`,
			person).Scan(&launches).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT i.label, sc.score_given::text AS score_given, sc.score_maximum::text AS score_maximum, sc.activity_progress,
				sc.grading_progress, sc.comment, sc.scored_at
			FROM lti_scores sc JOIN lti_line_items i ON i.id = sc.line_item_id WHERE sc.person_id = ? ORDER BY sc.scored_at`, person).Scan(&scores).Error
	})
	if err != nil {
		return fmt.Errorf("resources: export %s: %w", person, err)
	}
	if len(licences)+len(launches)+len(scores) == 0 {
		return nil
	}
	ids := map[uuid.UUID]bool{}
	for _, l := range licences {
		ids[l.ResourceID] = true
	}
	for _, l := range launches {
		ids[l.ResourceID] = true
	}
	titles := map[uuid.UUID]string{}
	if len(ids) > 0 {
		list := make([]uuid.UUID, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		var rows []struct {
			ID    uuid.UUID
			Title string
		}
		if err := s.cat.DB().WithContext(ctx).Raw(`SELECT id, title FROM platform.resources WHERE id IN ?`, list).Scan(&rows).Error; err != nil {
			return fmt.Errorf("resources: export titles: %w", err)
		}
		for _, r := range rows {
			titles[r.ID] = r.Title
		}
	}
	for i := range licences {
		licences[i].Resource = titles[licences[i].ResourceID]
	}
	for i := range launches {
		launches[i].Resource = titles[launches[i].ResourceID]
	}
	return w.JSON(map[string]any{"licences": licences, "ouvertures": launches, "scores": scores})
}
