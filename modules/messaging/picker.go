package messaging

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The recipient picker offers only people the sender may reach (the same condition as
// MayWrite), searched by name or by class or group, and whole groups of a class: « tous les
// responsables de 2nde 1 », expanded at send time and filtered by the rules again then.

// Audience is everyone of a profile tied to a class or group whom the sender may reach.
type Audience struct {
	ClassID    uuid.UUID `json:"class_id"`
	ClassLabel string    `json:"class_label"`
	Profile    Profile   `json:"profile"`
	Count      int       `json:"count"` // reachable members now
}

// groupProfiles are the profiles a class's group can be made of.
var groupProfiles = []Profile{Eleve, Responsable, Enseignant}

// Token is how the form names the group: "groupe:<class>:<profile>".
func (g Audience) Token() string { return "groupe:" + g.ClassID.String() + ":" + string(g.Profile) }

// Label is « Tous les responsables de 2nde 1 ».
func (g Audience) Label() string {
	return fmt.Sprintf("Tous les %s de %s", strings.ToLower(g.Profile.Label()), g.ClassLabel)
}

// Candidates are what the picker offers for a search.
type Candidates struct {
	Query  string     `json:"query"`
	People []Person   `json:"people"`
	Groups []Audience `json:"groups"`
	More   bool       `json:"more"` // more people match: narrow the search
}

// Limits of one search: a phone shows a short list.
const (
	maxPeople = 40
	maxGroups = 30
	maxQuery  = 100
)

// likePattern is the search as a LIKE pattern on lowercased text ("" matches all).
func likePattern(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
	return "%" + q + "%"
}

// Reachable lists the people and groups sender may write to that match query (a name, a
// class or a group), by name.
func (s *Service) Reachable(ctx context.Context, t *tenant.Tenant, sender uuid.UUID, query string) (*Candidates, error) {
	query = strings.TrimSpace(query)
	if len([]rune(query)) > maxQuery {
		return nil, fault.NewField(fault.ErrInvalid, "recherche", "la recherche ne peut dépasser %d caractères", maxQuery)
	}
	out := &Candidates{Query: query}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		r, err := reachOf(tx, sender)
		if err != nil {
			return err
		}
		if out.People, err = reachablePeople(tx, r.cond, r.args, likePattern(query)); err != nil {
			return err
		}
		if len(out.People) > maxPeople {
			out.People, out.More = out.People[:maxPeople], true
		}
		out.Groups, err = reachableGroups(tx, r.cond, r.args, likePattern(query))
		return err
	})
	return out, err
}

// classLabelSQL is a person's class (division) this school year, or ”.
const classLabelSQL = `coalesce((SELECT c.label FROM class_members m JOIN classes c ON c.id = m.class_id
	JOIN school_years y ON y.code = c.school_year AND y.current
	WHERE m.person_id = p.id AND c.kind = 'classe' ORDER BY c.code LIMIT 1), '')`

// personRow is a person as read for the picker: their roles and class make their label.
type personRow struct {
	ID         uuid.UUID
	FirstName  string
	LastName   string
	Roles      string // comma-separated
	ClassLabel string
}

func (r personRow) person() Person {
	var labels []string
	for _, role := range strings.Split(r.Roles, ",") {
		if role != "" {
			labels = append(labels, identity.Role(role).Label())
		}
	}
	label := strings.Join(labels, ", ")
	if r.ClassLabel != "" {
		label += " (" + r.ClassLabel + ")"
	}
	return Person{ID: r.ID, FirstName: r.FirstName, LastName: r.LastName, Label: label}
}

func reachablePeople(tx *gorm.DB, cond string, args []any, like string) ([]Person, error) {
	var rows []personRow
	q := `SELECT p.id, p.first_name, p.last_name, array_to_string(p.roles, ',') AS roles, ` + classLabelSQL + ` AS class_label
		FROM people p
		WHERE p.active AND ` + cond + ` AND (lower(p.last_name || ' ' || p.first_name) LIKE ? OR lower(p.first_name || ' ' || p.last_name) LIKE ?
			OR EXISTS (SELECT 1 FROM class_members m JOIN classes c ON c.id = m.class_id JOIN school_years y ON y.code = c.school_year AND y.current
				WHERE m.person_id = p.id AND lower(c.label) LIKE ?))
		ORDER BY lower(p.last_name), lower(p.first_name), p.id LIMIT ?`
	if err := tx.Raw(q, append(args, like, like, like, maxPeople+1)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: reachable people: %w", err)
	}
	out := make([]Person, len(rows))
	for i, r := range rows {
		out[i] = r.person()
	}
	return out, nil
}

// groupMembersSQL lists, for the classes cls, each (class, profile, person) a group of the
// class is made of: its pupils, their legal guardians, its teachers.
const groupMembersSQL = `SELECT m.class_id, 'eleve' AS profile, m.person_id FROM class_members m WHERE m.class_id IN (SELECT id FROM cls)
	UNION SELECT m.class_id, 'responsable', g.guardian_id FROM class_members m JOIN guardianships g ON g.pupil_id = m.person_id AND g.legal
		JOIN people c ON c.id = m.person_id AND c.active WHERE m.class_id IN (SELECT id FROM cls)
	UNION SELECT te.class_id, 'enseignant', te.teacher_id FROM teachings te WHERE te.class_id IN (SELECT id FROM cls)
	UNION SELECT pt.class_id, 'enseignant', pt.teacher_id FROM principal_teachers pt WHERE pt.class_id IN (SELECT id FROM cls)`

func reachableGroups(tx *gorm.DB, cond string, args []any, like string) ([]Audience, error) {
	var out []Audience
	q := `WITH cls AS (SELECT c.id, c.label, c.kind, c.code FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE lower(c.label) LIKE ?),
		mem AS (` + groupMembersSQL + `)
		SELECT cls.id AS class_id, cls.label AS class_label, mem.profile, count(*) AS count
		FROM mem JOIN cls ON cls.id = mem.class_id JOIN people p ON p.id = mem.person_id
		WHERE p.active AND mem.profile = ANY(p.roles) AND ` + cond + `
		GROUP BY cls.id, cls.label, cls.kind, cls.code, mem.profile
		ORDER BY cls.kind, cls.code, array_position(ARRAY['eleve', 'responsable', 'enseignant'], mem.profile) LIMIT ?`
	if err := tx.Raw(q, append(append([]any{like}, args...), maxGroups)...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("messaging: reachable groups: %w", err)
	}
	return out, nil
}

// expandGroup is the members of a group the sender may reach:
// the group's other members are left out, not refused, as the picker said.
func (r reach) expandGroup(tx *gorm.DB, class uuid.UUID, profile Profile) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	q := `WITH cls AS (SELECT ?::uuid AS id), mem AS (` + groupMembersSQL + `)
		SELECT DISTINCT p.id FROM mem JOIN people p ON p.id = mem.person_id
		WHERE mem.profile = ? AND p.active AND mem.profile = ANY(p.roles) AND ` + r.cond
	if err := tx.Raw(q, append([]any{class, string(profile)}, r.args...)...).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("messaging: expand group %s/%s: %w", class, profile, err)
	}
	return ids, nil
}
