package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes billing's file of a personal data export.
const ExportAbout = "Comptage de l'usage : dans « plateforme/billing.json », les jours où vous vous êtes connecté à chaque " +
	"établissement et le profil compté ce jour-là (la Région et les départements se partagent les coûts selon ces comptes)."

// Export is billing's exporter (web/module): the person's counted sign-in days, at the
// platform's level (person is the Kratos identity). The rest of billing is about
// establishments, not people.
func (s *Store) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t != nil {
		return nil
	}
	var days []struct {
		UAI     string    `json:"etablissement_uai" gorm:"column:uai"`
		Name    string    `json:"etablissement"`
		Day     time.Time `json:"jour"`
		Profile string    `json:"profil"`
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT t.uai, t.name, s.day, s.profile FROM platform.billing_signins s
		JOIN platform.tenants t ON t.id = s.tenant_id WHERE s.identity_id = ? ORDER BY s.day, t.uai`, person).Scan(&days).Error; err != nil {
		return fmt.Errorf("billing: export sign-ins of %s: %w", person, err)
	}
	if len(days) == 0 {
		return nil
	}
	return w.JSON(map[string]any{"jours_de_connexion": days})
}
