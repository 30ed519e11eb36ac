package resources

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Licences of per-person subscriptions: who an assignment covers, how many licences are
// used and left, giving them within the limit and taking them back. Every function runs in
// the caller's transaction, the subscription's row locked (lockSubscription) when it writes,
// so that two assignments at once never give more licences than bought.

// profileSQL is the licence profile of a row of people (p), as ProfileOf decides it from
// roles: pupils "eleve", teachers and staff "enseignant", parents NULL.
const profileSQL = `CASE WHEN 'eleve' = ANY(p.roles) THEN 'eleve'
	WHEN p.roles && ARRAY['enseignant','direction','vie_scolaire','personnel','admin']::text[] THEN 'enseignant' END`

// covered is a person an assignment covers, with their licence profile.
type covered struct {
	PersonID uuid.UUID
	Profile  string
}

// lockSubscription reads a subscription and locks its row until the transaction ends.
func lockSubscription(tx *gorm.DB, id uuid.UUID) (*Subscription, error) {
	var sub Subscription
	err := tx.Raw(`SELECT * FROM resource_subscriptions WHERE id = ? FOR UPDATE`, id).Scan(&sub).Error
	if err != nil {
		return nil, fmt.Errorf("resources: lock subscription %s: %w", id, err)
	}
	if sub.ID == uuid.Nil {
		return nil, errSubscriptionNotFound
	}
	return &sub, nil
}

// coveredBy are the active people of the establishment an assignment of sub covers: those of
// the subscription's target, narrowed to the assignment's profile, class or group (its
// members and the teachers teaching it) or person; ordered by name.
func coveredBy(tx *gorm.DB, sub *Subscription, a *Assignment) ([]covered, error) {
	var profiles []string
	for _, p := range []string{ProfileEleve, ProfileEnseignant} {
		if TargetHas(sub.Target, p) && (a.Profile == nil || *a.Profile == p) {
			profiles = append(profiles, p)
		}
	}
	if len(profiles) == 0 {
		return nil, nil
	}
	where, args := "", map[string]any{"profiles": profiles}
	switch a.TargetKind {
	case "classe", "groupe":
		where = ` AND (p.id IN (SELECT person_id FROM class_members WHERE class_id = @class)
			OR p.id IN (SELECT teacher_id FROM teachings WHERE class_id = @class))`
		args["class"] = *a.ClassID
	case "personne":
		where = ` AND p.id = @person`
		args["person"] = *a.PersonID
	}
	var out []covered
	err := tx.Raw(`SELECT id AS person_id, profile FROM (SELECT p.id, p.last_name, p.first_name, `+profileSQL+` AS profile
		FROM people p WHERE p.active`+where+`) x WHERE profile IN @profiles ORDER BY lower(last_name), lower(first_name), id`, args).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("resources: people of assignment %s: %w", a.ID, err)
	}
	return out, nil
}

// LicenceUsage is how many licences of a subscription are given, per profile.
type LicenceUsage struct {
	Eleves      int
	Enseignants int
}

// Total is the licences given, both profiles.
func (u LicenceUsage) Total() int { return u.Eleves + u.Enseignants }

func (u LicenceUsage) of(profile string) int {
	if profile == ProfileEleve {
		return u.Eleves
	}
	return u.Enseignants
}

// usageOf counts the licences given of the subscriptions ids.
func usageOf(tx *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]LicenceUsage, error) {
	out := map[uuid.UUID]LicenceUsage{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		SubscriptionID uuid.UUID
		Profile        string
		N              int
	}
	if err := tx.Raw(`SELECT subscription_id, profile, count(*) AS n FROM resource_licences WHERE subscription_id IN ? GROUP BY 1, 2`, ids).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("resources: count licences: %w", err)
	}
	for _, r := range rows {
		u := out[r.SubscriptionID]
		if r.Profile == ProfileEleve {
			u.Eleves = r.N
		} else {
			u.Enseignants = r.N
		}
		out[r.SubscriptionID] = u
	}
	return out, nil
}

// Left is how many licences of profile are still free under sub with used given, or -1
// (unlimited). Under a global number both profiles draw on the same count.
func Left(sub *Subscription, used LicenceUsage, profile string) int {
	limit := sub.LimitFor(profile)
	switch {
	case limit < 0:
		return -1
	case sub.LicenceMode == LicencesGlobal:
		return max(0, limit-used.Total())
	}
	return max(0, limit-used.of(profile))
}

// profileWord names the licences of a profile in a sentence: « licences élèves ».
func profileWord(sub *Subscription, profile string) string {
	if sub.LicenceMode == LicencesGlobal {
		return "licences"
	}
	if profile == ProfileEleve {
		return "licences élèves"
	}
	return "licences enseignants et personnels"
}

// fits refuses wanted licences (new ones, per profile) that do not fit under sub: the
// refusal gives the count left and the count asked.
func fits(sub *Subscription, used LicenceUsage, wanted LicenceUsage) string {
	if sub.LicenceMode == LicencesIllimite {
		return ""
	}
	if sub.LicenceMode == LicencesGlobal {
		if left := Left(sub, used, ProfileEleve); wanted.Total() > left {
			return fmt.Sprintf("Il reste %s ; cette attribution en demande %d.", nWord(left, "licence", "licences"), wanted.Total())
		}
		return ""
	}
	for _, p := range []string{ProfileEleve, ProfileEnseignant} {
		if left := Left(sub, used, p); wanted.of(p) > left {
			word := profileWord(sub, p)
			if left <= 1 {
				word = strings.Replace(strings.Replace(word, "licences", "licence", 1), "élèves", "élève", 1)
			}
			return fmt.Sprintf("Il reste %d %s ; cette attribution en demande %d.", left, word, wanted.of(p))
		}
	}
	return ""
}

func nWord(n int, one, many string) string {
	if n <= 1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

// licensed are the people holding a licence of the subscription.
func licensed(tx *gorm.DB, sub uuid.UUID) (map[uuid.UUID]uuid.UUID, error) {
	var rows []struct{ PersonID, AssignmentID uuid.UUID }
	if err := tx.Raw(`SELECT person_id, assignment_id FROM resource_licences WHERE subscription_id = ?`, sub).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("resources: licences of %s: %w", sub, err)
	}
	out := make(map[uuid.UUID]uuid.UUID, len(rows))
	for _, r := range rows {
		out[r.PersonID] = r.AssignmentID
	}
	return out, nil
}

// withdrawn are the people whose licence of the subscription a manager took back: no
// assignment to a profile, class or group gives it to them again (one to them by name does).
func withdrawn(tx *gorm.DB, sub uuid.UUID) (map[uuid.UUID]bool, error) {
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT person_id FROM resource_licence_withdrawals WHERE subscription_id = ?`, sub).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("resources: withdrawn licences of %s: %w", sub, err)
	}
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func assignmentsOf(tx *gorm.DB, sub uuid.UUID) ([]*Assignment, error) {
	var out []*Assignment
	if err := tx.Where("subscription_id = ?", sub).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("resources: assignments of %s: %w", sub, err)
	}
	return out, nil
}

// relicense keeps the licences of sub that one of keep still covers: a licence whose
// assignment is not in keep, or no longer covers its person (they left the class, the
// establishment), moves to the first of keep that covers the person, or is freed. It
// returns how many licences it freed.
func relicense(tx *gorm.DB, sub *Subscription, keep []*Assignment) (int, error) {
	have, err := licensed(tx, sub.ID)
	if err != nil {
		return 0, err
	}
	covers := make([]map[uuid.UUID]bool, len(keep))
	index := map[uuid.UUID]int{}
	for i, a := range keep {
		people, err := coveredBy(tx, sub, a)
		if err != nil {
			return 0, err
		}
		covers[i] = map[uuid.UUID]bool{}
		for _, p := range people {
			covers[i][p.PersonID] = true
		}
		index[a.ID] = i
	}
	var freed []uuid.UUID
	moves := map[uuid.UUID][]uuid.UUID{}
	for person, from := range have {
		if i, ok := index[from]; ok && covers[i][person] {
			continue
		}
		j := slices.IndexFunc(covers, func(c map[uuid.UUID]bool) bool { return c[person] })
		if j < 0 {
			freed = append(freed, person)
			continue
		}
		moves[keep[j].ID] = append(moves[keep[j].ID], person)
	}
	for to, people := range moves {
		if err := tx.Exec(`UPDATE resource_licences SET assignment_id = ? WHERE subscription_id = ? AND person_id IN ?`, to, sub.ID, people).Error; err != nil {
			return 0, fmt.Errorf("resources: move licences of %s: %w", sub.ID, err)
		}
	}
	if len(freed) > 0 {
		if err := tx.Exec(`DELETE FROM resource_licences WHERE subscription_id = ? AND person_id IN ?`, sub.ID, freed).Error; err != nil {
			return 0, fmt.Errorf("resources: free licences of %s: %w", sub.ID, err)
		}
	}
	return len(freed), nil
}

// newcomers are the people an assignment covers who hold no licence of its subscription,
// per profile. For the nightly job (byManager false) those whose licence a manager took back
// stay out; an assignment a manager makes gives it back to them (the caller forgets the
// withdrawal).
func newcomers(tx *gorm.DB, sub *Subscription, a *Assignment, byManager bool) ([]covered, LicenceUsage, error) {
	people, err := coveredBy(tx, sub, a)
	if err != nil {
		return nil, LicenceUsage{}, err
	}
	have, err := licensed(tx, sub.ID)
	if err != nil {
		return nil, LicenceUsage{}, err
	}
	out, err := withdrawn(tx, sub.ID)
	if err != nil {
		return nil, LicenceUsage{}, err
	}
	var fresh []covered
	var u LicenceUsage
	for _, p := range people {
		if _, ok := have[p.PersonID]; ok || (out[p.PersonID] && !byManager) {
			continue
		}
		fresh = append(fresh, p)
		if p.Profile == ProfileEleve {
			u.Eleves++
		} else {
			u.Enseignants++
		}
	}
	return fresh, u, nil
}

// grant gives the people their licence from assignment a.
func grant(tx *gorm.DB, sub *Subscription, a *Assignment, people []covered, now time.Time) error {
	if len(people) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{}
	b.WriteString(`INSERT INTO resource_licences (subscription_id, person_id, assignment_id, profile, assigned_at) VALUES `)
	for i, p := range people {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, sub.ID, p.PersonID, a.ID, p.Profile, now)
	}
	if err := tx.Exec(b.String(), args...).Error; err != nil {
		return fmt.Errorf("resources: give licences of %s: %w", sub.ID, err)
	}
	return nil
}

// topUp gives, for each assignment of sub in the order they were made, a licence to the
// people it covers who have none, while licences are left (the nightly job's newcomers).
// It returns how many it gave.
func topUp(tx *gorm.DB, sub *Subscription, all []*Assignment, now time.Time) (int, error) {
	given := 0
	for _, a := range all {
		fresh, _, err := newcomers(tx, sub, a, false)
		if err != nil {
			return given, err
		}
		used, err := usageOf(tx, []uuid.UUID{sub.ID})
		if err != nil {
			return given, err
		}
		u := used[sub.ID]
		var take []covered
		for _, p := range fresh {
			if l := Left(sub, u, p.Profile); l == 0 {
				continue
			}
			take = append(take, p)
			if p.Profile == ProfileEleve {
				u.Eleves++
			} else {
				u.Enseignants++
			}
		}
		if err := grant(tx, sub, a, take, now); err != nil {
			return given, err
		}
		given += len(take)
	}
	return given, nil
}
