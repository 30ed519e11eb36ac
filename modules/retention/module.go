package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// PermReport is reading the retention's report: the région's administrators only (the
// report spans every establishment, collèges included).
const PermReport identity.Permission = "retention.report"

// Grants: the région's administrators read the report.
var Grants = module.Grants{identity.RoleAdminRegion: {PermReport}}

func init() { identity.Grant(Grants) }

// ExportAbout describes the retention's file of a personal data export (its README).
const ExportAbout = "Si vous avez quitté l'établissement : l'avertissement qui vous a été envoyé avant la suppression " +
	"de votre portfolio (date de suppression prévue, date de l'avertissement)."

// Module declares the console's « Conservation des données » page and its CSV.
func (h *Handler) Module(s *Service) module.Module {
	return module.Module{
		Name:   "retention",
		Grants: Grants,
		Routes: []module.Route{
			module.Get(module.Admin, "/console/conservation", PermReport, h.Page),
			module.Get(module.Admin, "/console/conservation/rapport.csv", PermReport, h.CSV),
		},
		Menu: []module.MenuEntry{{Host: module.Admin, Text: "Conservation des données", Href: "/console/conservation",
			Permission: PermReport, Order: 12}},
		Templates:   Templates,
		Export:      s.Export,
		ExportAbout: ExportAbout,
	}
}

// warningExport is a warning as the person's export shows it.
type warningExport struct {
	PurgeAfter time.Time `json:"suppression_prevue_le"`
	WarnedAt   time.Time `json:"averti_le"`
}

// Export writes the warning person received before their portfolio's purge, if any
// (module.Exporter).
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	out := []warningExport{}
	if t == nil {
		return w.JSON(out)
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT purge_after, warned_at FROM portfolio_purge_warnings WHERE person_id = ?`, person).Scan(&out).Error
	})
	if err != nil {
		return fmt.Errorf("retention: export of %s: %w", person, err)
	}
	return w.JSON(out)
}
