package courses

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the courses' file of a personal data export.
const ExportAbout = "Cours en ligne : pour un élève, les pages de cours qu'il a ouvertes (cours, page, première et dernière " +
	"ouverture) ; pour un enseignant, les cours dont il est l'auteur ou le co-auteur (titre, description, état, dates)."

type exportedView struct {
	Course       string    `json:"cours"`
	Page         string    `json:"page"`
	FirstSeenAt  time.Time `json:"premiere_ouverture"`
	LastOpenedAt time.Time `json:"derniere_ouverture"`
}

type exportedCourse struct {
	Title       string     `json:"titre"`
	Description string     `json:"description,omitempty"`
	SchoolYear  string     `json:"annee_scolaire"`
	State       string     `json:"etat"`
	Role        string     `json:"role"`
	CreatedAt   time.Time  `json:"cree_le"`
	UpdatedAt   time.Time  `json:"modifie_le"`
	PublishedAt *time.Time `json:"publie_le,omitempty"`
}

// Export is courses' exporter (web/module): a pupil's page views, a teacher's courses.
// Nothing at the platform's level.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil
	}
	views := []exportedView{}
	courses := []exportedCourse{}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT c.title AS course, p.title AS page, v.first_seen_at, v.last_opened_at
			FROM course_views v JOIN courses c ON c.id = v.course_id JOIN course_pages p ON p.id = v.page_id
			WHERE v.pupil_id = ? ORDER BY v.first_seen_at, p.title`, person).Scan(&views).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT c.title, c.description, c.school_year, c.state, CASE WHEN c.author_id = ? THEN 'auteur' ELSE 'co-auteur' END AS role,
				c.created_at, c.updated_at, c.published_at
			FROM courses c WHERE c.author_id = ? OR EXISTS (SELECT 1 FROM course_coauthors a WHERE a.course_id = c.id AND a.person_id = ?)
			ORDER BY c.created_at, c.id`, person, person, person).Scan(&courses).Error
	})
	if err != nil {
		return fmt.Errorf("courses: export %s: %w", person, err)
	}
	if len(views)+len(courses) == 0 {
		return nil
	}
	return w.JSON(map[string]any{"pages_ouvertes": views, "cours": courses})
}
