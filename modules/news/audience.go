package news

import "github.com/google/uuid"

// Audience is to whom a post is addressed.
type Audience string

// The audiences of a post.
const (
	Everyone  Audience = "etablissement" // every member of the establishment
	Class     Audience = "classe"        // a class's pupils, their legal guardians and its teachers
	Group     Audience = "groupe"        // the same for a group
	Staff     Audience = "personnels"    // every member of staff
	Guardians Audience = "responsables"  // every guardian, or the legal guardians of one class's pupils
)

// audiences are the choices of the form, in its order.
var audiences = []Audience{Everyone, Class, Group, Staff, Guardians}

// Label is the audience's French name.
func (a Audience) Label() string {
	switch a {
	case Everyone:
		return "Tout l'établissement"
	case Class:
		return "Une classe"
	case Group:
		return "Un groupe"
	case Staff:
		return "Les personnels"
	case Guardians:
		return "Les parents"
	}
	return string(a)
}

// Target names the audience of a post for people: « Tout l'établissement », « 2nde 1 »,
// « Les parents de 2nde 1 ».
func Target(a Audience, classLabel string) string {
	switch {
	case a == Guardians && classLabel != "":
		return "Les parents de " + classLabel
	case (a == Class || a == Group) && classLabel != "":
		return classLabel
	}
	return a.Label()
}

// inAudience is the SQL condition that person pe is addressed by post p: the one definition
// both the reader's list and the author's read counts use. A class or group post reaches its
// members, their legal guardians, and the people who teach it or are its professeur
// principal; a guardians' post narrowed to a class reaches the legal guardians of its pupils.
// Only active people are counted. The classes are looked up from the person (a few rows by
// index), not the person from each post's class (its whole roster): the sub-queries depend on
// pe only, so PostgreSQL runs them once per person, not once per post.
const inAudience = `pe.active AND (
	p.audience = 'etablissement'
	OR (p.audience = 'personnels' AND pe.category = 'personnel')
	OR (p.audience = 'responsables' AND 'responsable' = ANY (pe.roles) AND (p.class_id IS NULL OR p.class_id IN (
		SELECT m.class_id FROM guardianships g JOIN class_members m ON m.person_id = g.pupil_id WHERE g.guardian_id = pe.id AND g.legal)))
	OR (p.audience IN ('classe', 'groupe') AND p.class_id IN (
		SELECT m.class_id FROM class_members m WHERE m.person_id = pe.id
		UNION ALL SELECT te.class_id FROM teachings te WHERE te.teacher_id = pe.id
		UNION ALL SELECT pt.class_id FROM principal_teachers pt WHERE pt.teacher_id = pe.id
		UNION ALL SELECT m.class_id FROM guardianships g JOIN class_members m ON m.person_id = g.pupil_id
			WHERE g.guardian_id = pe.id AND g.legal)))`

// addressedTo is the SQL condition that post p is addressed to the person given as the
// query's parameter.
const addressedTo = `EXISTS (SELECT 1 FROM people pe WHERE pe.id = @me AND ` + inAudience + `)`

// current is the SQL condition that post p is shown now (@now): published, its publication
// date passed and its expiry not.
const current = `p.state = 'publie' AND coalesce(p.publish_at, p.published_at) <= @now AND (p.expires_at IS NULL OR p.expires_at > @now)`

// ClassChoice is a class or group a post may be addressed to.
type ClassChoice struct {
	ID    uuid.UUID
	Kind  string // classe, groupe
	Label string
}
