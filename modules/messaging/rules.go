package messaging

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant/pgarray"
)

// Who may write to whom is decided here and nowhere else: MayWrite at every send (new
// message, reply, API), reach for the picker. Both build the same SQL from the
// establishment's rules, so the picker never offers someone a send would refuse. Who
// teaches whom, who is whose legal guardian and who is in which class are the directory's
// tables (teachings, principal_teachers, guardianships, class_members), read as the
// school's structure in the caller's transaction.

// Person is someone of the establishment as the messaging names them.
type Person struct {
	ID        uuid.UUID `json:"id"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Label     string    `json:"label,omitempty"` // what they are: « Enseignant », « Élève de 2nde 1 »
}

// Name is « Prénom Nom ».
func (p Person) Name() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// loadRules reads the establishment's rules: the defaults while none are stored.
func loadRules(tx *gorm.DB) (Rules, error) {
	var rows []struct{ FromProfile, ToProfile, Scope string }
	if err := tx.Raw(`SELECT from_profile, to_profile, scope FROM messaging_rules`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("messaging: load rules: %w", err)
	}
	if len(rows) == 0 {
		return DefaultRules(), nil
	}
	r := Rules{}
	for _, row := range rows {
		r[Link{Profile(row.FromProfile), Profile(row.ToProfile)}] = Scope(row.Scope)
	}
	return r, nil
}

// senderProfiles are the profiles of an active person (none for someone who left).
func senderProfiles(tx *gorm.DB, sender uuid.UUID) ([]Profile, error) {
	var roles []string
	if err := tx.Raw(`SELECT unnest(roles) FROM people WHERE id = ? AND active`, sender).Scan(&roles).Error; err != nil {
		return nil, fmt.Errorf("messaging: profiles of %s: %w", sender, err)
	}
	var out []Profile
	for _, r := range roles {
		if p, ok := profileOf(identity.Role(r)); ok && !containsProfile(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func containsProfile(ps []Profile, p Profile) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// reachSQL is the condition on people p (and its arguments) that holds for the people sender
// may write to under rules, given sender's profiles: one OR branch per link whose scope
// is not None. False when no link reaches anyone.
func reachSQL(rules Rules, sender uuid.UUID, from []Profile) (string, []any) {
	var conds []string
	var args []any
	for _, fp := range from {
		for _, tp := range Profiles {
			cond, a := linkSQL(rules.Scope(fp, tp), fp, tp, sender)
			if cond != "" {
				conds = append(conds, cond)
				args = append(args, a...)
			}
		}
	}
	if len(conds) == 0 {
		return "false", nil
	}
	return "p.id <> ? AND (" + strings.Join(conds, " OR ") + ")", append([]any{sender}, args...)
}

// linkSQL is one link's condition on people p: p holds the profile to, and is within scope
// of sender (of profile from).
func linkSQL(scope Scope, from, to Profile, sender uuid.UUID) (string, []any) {
	holds := "p.roles && ?::text[]"
	roles := pgarray.Text(to.roles())
	switch scope {
	case Establishment:
		return "(" + holds + ")", []any{roles}
	case Family:
		switch {
		case from == Responsable && to == Eleve:
			return "(" + holds + " AND p.id IN (SELECT g.pupil_id FROM guardianships g WHERE g.guardian_id = ? AND g.legal))", []any{roles, sender}
		case from == Eleve && to == Responsable:
			return "(" + holds + " AND p.id IN (SELECT g.guardian_id FROM guardianships g WHERE g.pupil_id = ? AND g.legal))", []any{roles, sender}
		}
	case Class, Group:
		classes, cargs := classesOf(from, sender, scope == Class)
		members := membersOf(to)
		// classes appears once per use in members: repeat its arguments as often.
		var args []any
		args = append(args, roles)
		for range strings.Count(members, "%CLASSES%") {
			args = append(args, cargs...)
		}
		return "(" + holds + " AND p.id IN (" + strings.ReplaceAll(members, "%CLASSES%", classes) + "))", args
	}
	return "", nil
}

// classesOf is the query of the classes of this school year (divisions only, or groups too)
// that tie sender, of profile from, to others: a pupil's own, a teacher's taught ones and
// those they are professeur principal of, a guardian's children's.
func classesOf(from Profile, sender uuid.UUID, divisionsOnly bool) (string, []any) {
	var own string
	var args []any
	switch from {
	case Enseignant:
		own = `SELECT te.class_id FROM teachings te WHERE te.teacher_id = ? UNION SELECT pt.class_id FROM principal_teachers pt WHERE pt.teacher_id = ?`
		args = []any{sender, sender}
	case Responsable:
		own = `SELECT m.class_id FROM guardianships g JOIN class_members m ON m.person_id = g.pupil_id JOIN people c ON c.id = g.pupil_id AND c.active WHERE g.guardian_id = ? AND g.legal`
		args = []any{sender}
	default:
		own = `SELECT m.class_id FROM class_members m WHERE m.person_id = ?`
		args = []any{sender}
	}
	kind := ""
	if divisionsOnly {
		kind = " AND c.kind = 'classe'"
	}
	return `SELECT c.id FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current WHERE c.id IN (` + own + `)` + kind, args
}

// membersOf is the query of the people of profile to tied to the classes %CLASSES%: their
// pupils (or staff members), their teachers, their pupils' legal guardians.
func membersOf(to Profile) string {
	switch to {
	case Enseignant:
		return `SELECT te.teacher_id FROM teachings te WHERE te.class_id IN (%CLASSES%) UNION SELECT pt.teacher_id FROM principal_teachers pt WHERE pt.class_id IN (%CLASSES%)`
	case Responsable:
		return `SELECT g.guardian_id FROM guardianships g JOIN class_members m ON m.person_id = g.pupil_id JOIN people c ON c.id = g.pupil_id AND c.active WHERE g.legal AND m.class_id IN (%CLASSES%)`
	}
	return `SELECT m.person_id FROM class_members m WHERE m.class_id IN (%CLASSES%)`
}

// Refusal is a recipient the rules do not let the sender write to.
type Refusal = Person

// reach is the rules' condition for one sender, built once per transaction.
type reach struct {
	cond string // on people p
	args []any
}

// reachOf reads the establishment's rules and the sender's profiles in tx.
func reachOf(tx *gorm.DB, sender uuid.UUID) (reach, error) {
	rules, err := loadRules(tx)
	if err != nil {
		return reach{}, err
	}
	from, err := senderProfiles(tx, sender)
	if err != nil {
		return reach{}, err
	}
	cond, args := reachSQL(rules, sender, from)
	return reach{cond, args}, nil
}

// MayWrite tells which of recipients sender may not write to under the establishment's
// rules, in tx: none means the send is allowed. Unknown people and people who left are
// refused too (named « destinataire inconnu »): a forged form learns nothing more.
func MayWrite(tx *gorm.DB, sender uuid.UUID, recipients []uuid.UUID) ([]Refusal, error) {
	if len(recipients) == 0 {
		return nil, nil
	}
	r, err := reachOf(tx, sender)
	if err != nil {
		return nil, err
	}
	return r.refused(tx, sender, recipients)
}

func (r reach) refused(tx *gorm.DB, sender uuid.UUID, recipients []uuid.UUID) ([]Refusal, error) {
	var refused []Refusal
	q := `SELECT x.id, coalesce(p.first_name, '') AS first_name, coalesce(p.last_name, 'destinataire inconnu') AS last_name
		FROM unnest(?::uuid[]) AS x(id) LEFT JOIN people p ON p.id = x.id AND p.active
		WHERE p.id IS NULL OR NOT EXISTS (SELECT 1 FROM people p WHERE p.id = x.id AND p.active AND ` + r.cond + `)
		ORDER BY p.last_name, p.first_name`
	if err := tx.Raw(q, append([]any{pgarray.UUIDs(recipients)}, r.args...)...).Scan(&refused).Error; err != nil {
		return nil, fmt.Errorf("messaging: may %s write to %d people: %w", sender, len(recipients), err)
	}
	return refused, nil
}
