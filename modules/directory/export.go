package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the directory's file of a personal data export.
const ExportAbout = "Votre fiche dans l'annuaire de l'établissement : identité, date de naissance, identifiant de connexion, " +
	"adresse électronique, catégorie et profils, fonctions, formation (MEF), d'où viennent ces données (import AAF, CSV ou saisie) " +
	"et les attributs reçus de l'annuaire académique ; vos classes et groupes, ce que vous y enseignez ; " +
	"vos responsables légaux ou vos enfants (leurs seuls noms et le lien qui vous unit)."

// othersAttrs are the AAF attributes of a person that name other people (their relatives'
// join keys and links): the export leaves them out, the relatives' names come with the
// guardianships.
var othersAttrs = pgArray("ENTElevePersRelEleve", "ENTEleveAutoriteParentale", "ENTEleveParents", "ENTEleveParentsNonLegaux", "ENTPersRelEleveEleve")

func pgArray(vs ...string) string { return "{" + strings.Join(vs, ",") + "}" }

// jsonText is a JSON value the query wrote as text, written as it is.
type jsonText string

// MarshalJSON writes the value itself (null when empty).
func (j jsonText) MarshalJSON() ([]byte, error) {
	if j == "" {
		return []byte("null"), nil
	}
	return []byte(j), nil
}

// exportedPerson is a person's record as the export writes it.
type exportedPerson struct {
	ID            uuid.UUID  `json:"id"`
	NationalKey   *string    `json:"national_key"` // ENTPersonJointure
	Category      string     `json:"category"`
	Roles         jsonText   `json:"roles"`
	Title         string     `json:"title"`
	LastName      string     `json:"last_name"`
	FirstName     string     `json:"first_name"`
	BirthDate     *string    `json:"birth_date"`
	Login         string     `json:"login"`
	Email         *string    `json:"email"`
	MEF           *string    `json:"mef" gorm:"column:mef"`
	Functions     jsonText   `json:"functions"`
	Active        bool       `json:"active"`
	DeactivatedAt *time.Time `json:"deactivated_at"`
	PurgeAfter    *time.Time `json:"purge_after"`
	Source        string     `json:"source"`
	SourceAttrs   jsonText   `json:"source_attributes"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

type exportedClass struct {
	Kind       string `json:"kind"` // classe, groupe
	Code       string `json:"code"`
	Label      string `json:"label"`
	SchoolYear string `json:"school_year"`
}

type exportedTeaching struct {
	exportedClass
	SubjectCode  string `json:"subject_code"`
	SubjectLabel string `json:"subject_label"`
}

type exportedRelative struct {
	Title     string `json:"title"`
	LastName  string `json:"last_name"`
	FirstName string `json:"first_name"`
	Legal     bool   `json:"legal_guardian"`
	Quality   *int   `json:"quality"` // AAF's link: 1 père, 2 mère, …
}

type exported struct {
	Person      *exportedPerson    `json:"person"`
	Classes     []exportedClass    `json:"classes"`
	Teachings   []exportedTeaching `json:"teachings"`
	PrincipalOf []exportedClass    `json:"principal_teacher_of"`
	Guardians   []exportedRelative `json:"guardians"`
	Children    []exportedRelative `json:"children"`
}

// Export writes the person's directory record, classes, groups and family links
// (module.Exporter): of their relatives, only the names and the link.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return w.JSON(exported{Classes: []exportedClass{}, Teachings: []exportedTeaching{}, PrincipalOf: []exportedClass{}, Guardians: []exportedRelative{}, Children: []exportedRelative{}})
	}
	out := exported{Classes: []exportedClass{}, Teachings: []exportedTeaching{}, PrincipalOf: []exportedClass{}, Guardians: []exportedRelative{}, Children: []exportedRelative{}}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var p []exportedPerson
		if err := tx.Raw(`SELECT id, aaf_id AS national_key, category, to_json(roles)::text AS roles, title, last_name, first_name,
				to_char(birth_date, 'YYYY-MM-DD') AS birth_date, login, email, mef, functions::text AS functions, active, deactivated_at, purge_after,
				source, coalesce(source_attrs - ?::text[], 'null'::jsonb)::text AS source_attrs, created_at, updated_at
			FROM people WHERE id = ?`, othersAttrs, person).Scan(&p).Error; err != nil {
			return err
		}
		if len(p) == 0 {
			return nil
		}
		out.Person = &p[0]
		if err := tx.Raw(`SELECT c.kind, c.code, c.label, c.school_year FROM class_members m JOIN classes c ON c.id = m.class_id
			WHERE m.person_id = ? ORDER BY c.school_year, c.kind, c.code`, person).Scan(&out.Classes).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT c.kind, c.code, c.label, c.school_year, s.code AS subject_code, s.label AS subject_label
			FROM teachings te JOIN classes c ON c.id = te.class_id JOIN subjects s ON s.code = te.subject_code
			WHERE te.teacher_id = ? ORDER BY c.school_year, c.kind, c.code, s.code`, person).Scan(&out.Teachings).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT c.kind, c.code, c.label, c.school_year FROM principal_teachers pt JOIN classes c ON c.id = pt.class_id
			WHERE pt.teacher_id = ? ORDER BY c.school_year, c.code`, person).Scan(&out.PrincipalOf).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT p.title, p.last_name, p.first_name, g.legal, g.quality FROM guardianships g JOIN people p ON p.id = g.guardian_id
			WHERE g.pupil_id = ? ORDER BY p.last_name, p.first_name`, person).Scan(&out.Guardians).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT p.title, p.last_name, p.first_name, g.legal, g.quality FROM guardianships g JOIN people p ON p.id = g.pupil_id
			WHERE g.guardian_id = ? ORDER BY p.last_name, p.first_name`, person).Scan(&out.Children).Error
	})
	if err != nil {
		return fmt.Errorf("directory: export of %s: %w", person, err)
	}
	return w.JSON(out)
}
