package attendance

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes attendance's file of a personal data export.
const ExportAbout = "Vie scolaire : vos absences, retards et départs (date, heures, motif, état, commentaire de la vie " +
	"scolaire) ; pour un responsable légal, les justifications et les déclarations d'absence qu'il a envoyées, avec " +
	"leurs réponses et leurs documents (sous « fichiers/attendance/ »)."

type exportedAbsence struct {
	Kind     string    `json:"type"`
	OnDate   time.Time `json:"date"`
	StartsAt string    `json:"debut"`
	EndsAt   string    `json:"fin"`
	Minutes  int       `json:"minutes,omitempty"`
	Motif    string    `json:"motif,omitempty"`
	State    string    `json:"etat"`
	Comment  string    `json:"commentaire,omitempty"`
}

type exportedJustification struct {
	ID        uuid.UUID `json:"-"`
	OnDate    time.Time `json:"date_de_l_absence"`
	Motif     string    `json:"motif"`
	Comment   string    `json:"commentaire,omitempty"`
	State     string    `json:"etat"`
	Answer    string    `json:"reponse,omitempty"`
	CreatedAt time.Time `json:"envoyee_le"`
	Files     []string  `json:"documents,omitempty" gorm:"-"`
}

// Export is attendance's exporter (web/module): the pupil's events, the guardian's
// justifications and declarations with their documents. Nothing at the platform's level.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil
	}
	absences := []exportedAbsence{}
	justs, decls := []exportedJustification{}, []exportedJustification{}
	var docs []struct {
		Owner uuid.UUID
		Attachment
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT a.kind, a.on_date, to_char(a.starts_at, 'HH24:MI') AS starts_at, to_char(a.ends_at, 'HH24:MI') AS ends_at, a.minutes,
				CASE WHEN m.id IS NULL THEN '' WHEN m.shown THEN m.label ELSE 'motif confidentiel' END AS motif, a.state, a.comment
			FROM absences a LEFT JOIN absence_motifs m ON m.id = a.motif_id
			WHERE a.pupil_id = ? ORDER BY a.on_date, a.starts_at`, person).Scan(&absences).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT j.id, a.on_date, m.label AS motif, j.comment, j.state, j.answer, j.created_at
			FROM justifications j JOIN absences a ON a.id = j.absence_id JOIN absence_motifs m ON m.id = j.motif_id
			WHERE j.guardian_id = ? ORDER BY j.created_at`, person).Scan(&justs).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT d.id, d.on_date, m.label AS motif, d.comment, d.state, d.answer, d.created_at
			FROM absence_declarations d JOIN absence_motifs m ON m.id = d.motif_id
			WHERE d.guardian_id = ? ORDER BY d.created_at`, person).Scan(&decls).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT coalesce(f.justification_id, f.declaration_id) AS owner, f.id, f.blob_key AS key, f.name, f.content_type, f.size, f.sha256, f.created_at
			FROM attendance_files f
			LEFT JOIN justifications j ON j.id = f.justification_id LEFT JOIN absence_declarations d ON d.id = f.declaration_id
			WHERE j.guardian_id = ? OR d.guardian_id = ? ORDER BY f.created_at, f.id`, person, person).Scan(&docs).Error
	})
	if err != nil {
		return fmt.Errorf("attendance: export %s: %w", person, err)
	}
	if len(absences)+len(justs)+len(decls) == 0 {
		return nil
	}
	paths := map[uuid.UUID][]string{}
	if len(docs) > 0 && s.files == nil {
		return errNoStore
	}
	for _, d := range docs {
		p, err := s.files.Export(ctx, t, d.stored(), w)
		if err != nil {
			return fmt.Errorf("attendance: export document %s: %w", d.ID, err)
		}
		paths[d.Owner] = append(paths[d.Owner], p)
	}
	for i := range justs {
		justs[i].Files = paths[justs[i].ID]
	}
	for i := range decls {
		decls[i].Files = paths[decls[i].ID]
	}
	return w.JSON(map[string]any{"absences": absences, "justifications_envoyees": justs, "declarations_envoyees": decls})
}
