package grades

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the grades' file of a personal data export.
const ExportAbout = "Vos notes publiées (évaluation, matière, date, barème, coefficient, note ou mention Abs/Disp/NN, " +
	"commentaire), les appréciations et l'avis du conseil de classe de vos bulletins publiés ; pour un enseignant, " +
	"les évaluations qu'il a créées (sans les notes de ses élèves, qui sont les leurs)."

type exportedMark struct {
	Evaluation  string    `json:"evaluation"`
	Subject     string    `json:"matiere"`
	Class       string    `json:"classe"`
	OnDate      time.Time `json:"date"`
	Scale       string    `json:"bareme"`
	Coefficient string    `json:"coefficient"`
	Value       *string   `json:"note,omitempty"`
	Code        *string   `json:"mention,omitempty"`
	Comment     string    `json:"commentaire,omitempty"`
}

type exportedAppreciation struct {
	SchoolYear string `json:"annee_scolaire"`
	Period     string `json:"periode"`
	Subject    string `json:"matiere,omitempty"`
	Text       string `json:"texte"`
}

type exportedEvaluation struct {
	Title     string    `json:"titre"`
	Subject   string    `json:"matiere"`
	Class     string    `json:"classe"`
	OnDate    time.Time `json:"date"`
	Published bool      `json:"publiee"`
}

// Export is grades' exporter (web/module): a pupil's published marks and report cards'
// texts, a teacher's evaluations. Nothing at the platform's level.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil
	}
	marks := []exportedMark{}
	apps, council := []exportedAppreciation{}, []exportedAppreciation{}
	evals := []exportedEvaluation{}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT e.title AS evaluation, coalesce(s.label, e.subject_code) AS subject, c.label AS class, e.on_date,
				e.scale::text AS scale, e.coefficient::text AS coefficient, m.value::text AS value, m.code, m.comment
			FROM marks m JOIN evaluations e ON e.id = m.evaluation_id JOIN classes c ON c.id = e.class_id
			LEFT JOIN subjects s ON s.code = e.subject_code
			WHERE m.pupil_id = ? AND e.published ORDER BY e.on_date, e.title`, person).Scan(&marks).Error; err != nil {
			return err
		}
		published := `EXISTS (SELECT 1 FROM report_publications rp JOIN class_members cm ON cm.class_id = rp.class_id AND cm.person_id = a.pupil_id
			WHERE rp.period_id = a.period_id)`
		if err := tx.Raw(`SELECT p.school_year, p.kind || ' ' || p.number AS period, coalesce(s.label, a.subject_code) AS subject, a.text
			FROM appreciations a JOIN periods p ON p.id = a.period_id LEFT JOIN subjects s ON s.code = a.subject_code
			WHERE a.pupil_id = ? AND `+published+` ORDER BY p.starts_on, subject`, person).Scan(&apps).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT p.school_year, p.kind || ' ' || p.number AS period, a.text
			FROM council_comments a JOIN periods p ON p.id = a.period_id
			WHERE a.pupil_id = ? AND `+published+` ORDER BY p.starts_on`, person).Scan(&council).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT e.title, coalesce(s.label, e.subject_code) AS subject, c.label AS class, e.on_date, e.published
			FROM evaluations e JOIN classes c ON c.id = e.class_id LEFT JOIN subjects s ON s.code = e.subject_code
			WHERE e.teacher_id = ? ORDER BY e.on_date, e.title`, person).Scan(&evals).Error
	})
	if err != nil {
		return fmt.Errorf("grades: export %s: %w", person, err)
	}
	if len(marks)+len(apps)+len(council)+len(evals) == 0 {
		return nil
	}
	out := map[string]any{"notes": marks, "appreciations": apps, "avis_du_conseil_de_classe": council}
	if len(evals) > 0 {
		out["evaluations_creees"] = evals
	}
	return w.JSON(out)
}
