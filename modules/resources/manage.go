package resources

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The managers' side of an establishment's resources: subscriptions, assignments and
// licences, référents, what each tool is told, the journal of launches. Every method checks
// mustManage first, in the same transaction as its work.

// ManageErrors are a refused form's messages, by field (the form's input names), in French.
type ManageErrors map[string]string

func (e ManageErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k, v := range e {
		keys = append(keys, k+" : "+v)
	}
	sort.Strings(keys)
	return "Formulaire refusé : " + strings.Join(keys, " ; ")
}

// Unwrap makes a refused form an invalid request for the error handler.
func (e ManageErrors) Unwrap() error { return fault.ErrInvalid }

var errSubscriptionNotFound = fault.New(fault.ErrNotFound, "Abonnement introuvable : il a peut-être été supprimé.")

// SubscriptionForm is a subscription as typed in the form.
type SubscriptionForm struct {
	Resource            string // a resource id of the catalogue
	StartsOn, EndsOn    string // 2006-01-02
	Kind                string // etablissement, personne
	Target              string // eleves, enseignants, tous
	LicenceMode         string // illimite, global, par_profil
	Licences            string
	LicencesEleves      string
	LicencesEnseignants string
	DeploymentID        string
}

// FormOf is the form of an existing subscription.
func FormOf(s *Subscription) SubscriptionForm {
	f := SubscriptionForm{Resource: s.ResourceID.String(), StartsOn: s.StartsOn.Format(time.DateOnly), EndsOn: s.EndsOn.Format(time.DateOnly),
		Kind: s.Kind, Target: s.Target, LicenceMode: s.LicenceMode, DeploymentID: s.DeploymentID}
	itoa := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	f.Licences, f.LicencesEleves, f.LicencesEnseignants = itoa(s.Licences), itoa(s.LicencesEleves), itoa(s.LicencesEnseignants)
	return f
}

// licenceCount reads a count of licences typed in field, or records its error.
func licenceCount(errs ManageErrors, field, label, v string) *int {
	v = strings.TrimSpace(strings.ReplaceAll(v, " ", ""))
	if v == "" {
		errs[field] = label + " : indiquez un nombre de licences."
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1000000 {
		errs[field] = label + " : un nombre entier de 0 à 1 000 000."
		return nil
	}
	return &n
}

// checkSubscription validates f against the catalogue and, for a change, the licences
// already given (used) and whether assignments exist; it returns the row to write.
func checkSubscription(snap *Snapshot, f SubscriptionForm, old *Subscription, used LicenceUsage, assigned bool) (*Subscription, error) {
	errs := ManageErrors{}
	sub := &Subscription{}
	if old != nil {
		*sub = *old
	}
	id, err := uuid.Parse(strings.TrimSpace(f.Resource))
	r, tool, _, ok := snap.Resource(id)
	switch {
	case err != nil || !ok:
		errs["ressource"] = "Ressource : choisissez une ressource du catalogue."
	case !r.Active && (old == nil || old.ResourceID != r.ID):
		errs["ressource"] = "Ressource : « " + r.Title + " » est retirée du catalogue ; choisissez-en une autre."
	default:
		sub.ResourceID, sub.ToolID = r.ID, tool.ID
		sub.DeploymentID = ""
		if tool.LTI() {
			d := strings.TrimSpace(f.DeploymentID)
			if d == "" && len(tool.DeploymentIDs) == 1 {
				d = tool.DeploymentIDs[0]
			}
			if !slices.Contains(tool.DeploymentIDs, d) {
				errs["deploiement"] = "Déploiement : choisissez l'un des déploiements de l'outil « " + tool.Name + " »."
			}
			sub.DeploymentID = d
		}
	}
	start, err1 := parseDay(f.StartsOn)
	end, err2 := parseDay(f.EndsOn)
	switch {
	case err1 != nil:
		errs["debut"] = "Début : indiquez la date de début (jj/mm/aaaa)."
	case err2 != nil:
		errs["fin"] = "Fin : indiquez la date de fin (jj/mm/aaaa)."
	case end.Before(start):
		errs["fin"] = "Fin : la fin doit tomber le jour du début ou après."
	case end.Sub(start) > 10*366*24*time.Hour:
		errs["fin"] = "Fin : un abonnement dure dix ans au plus."
	default:
		sub.StartsOn, sub.EndsOn = start, end
	}
	if f.Kind != KindEtablissement && f.Kind != KindPersonne {
		errs["type"] = "Type : choisissez « tout l'établissement » ou « par personne »."
	} else {
		if old != nil && old.Kind != f.Kind && assigned {
			errs["type"] = "Type : retirez d'abord les attributions de cet abonnement pour changer son type."
		}
		sub.Kind = f.Kind
	}
	if !slices.Contains([]string{TargetEleves, TargetEnseignants, TargetTous}, f.Target) {
		errs["public"] = "Public : choisissez les élèves, les enseignants et personnels, ou tous."
	} else {
		if !TargetHas(f.Target, ProfileEleve) && used.Eleves > 0 {
			errs["public"] = fmt.Sprintf("Public : %s déjà attribuées à des élèves ; retirez-les avant de changer le public.", nWord(used.Eleves, "licence est", "licences sont"))
		}
		if !TargetHas(f.Target, ProfileEnseignant) && used.Enseignants > 0 {
			errs["public"] = fmt.Sprintf("Public : %s déjà attribuées à des enseignants ou personnels ; retirez-les avant de changer le public.", nWord(used.Enseignants, "licence est", "licences sont"))
		}
		sub.Target = f.Target
	}
	sub.Licences, sub.LicencesEleves, sub.LicencesEnseignants = nil, nil, nil
	switch f.LicenceMode {
	case LicencesIllimite:
	case LicencesGlobal:
		if sub.Licences = licenceCount(errs, "licences", "Nombre de licences", f.Licences); sub.Licences != nil && *sub.Licences < used.Total() {
			errs["licences"] = fmt.Sprintf("Nombre de licences : %d sont déjà attribuées ; indiquez au moins %d ou retirez des attributions.", used.Total(), used.Total())
		}
	case LicencesParProfil:
		// A profile outside the public needs no count: none of its licences can be given.
		if !TargetHas(f.Target, ProfileEleve) && strings.TrimSpace(f.LicencesEleves) == "" {
			f.LicencesEleves = "0"
		}
		if !TargetHas(f.Target, ProfileEnseignant) && strings.TrimSpace(f.LicencesEnseignants) == "" {
			f.LicencesEnseignants = "0"
		}
		if sub.LicencesEleves = licenceCount(errs, "licences_eleves", "Licences élèves", f.LicencesEleves); sub.LicencesEleves != nil && *sub.LicencesEleves < used.Eleves {
			errs["licences_eleves"] = fmt.Sprintf("Licences élèves : %d sont déjà attribuées ; indiquez au moins %d ou retirez des attributions.", used.Eleves, used.Eleves)
		}
		if sub.LicencesEnseignants = licenceCount(errs, "licences_enseignants", "Licences enseignants et personnels", f.LicencesEnseignants); sub.LicencesEnseignants != nil && *sub.LicencesEnseignants < used.Enseignants {
			errs["licences_enseignants"] = fmt.Sprintf("Licences enseignants et personnels : %d sont déjà attribuées ; indiquez au moins %d ou retirez des attributions.", used.Enseignants, used.Enseignants)
		}
	default:
		errs["mode"] = "Licences : choisissez illimitées, un nombre global ou un nombre par profil."
	}
	if f.Kind == KindEtablissement && f.LicenceMode != LicencesIllimite && errs["mode"] == "" {
		errs["mode"] = "Licences : un abonnement de tout l'établissement ne compte pas de licences ; choisissez « illimitées »."
	}
	sub.LicenceMode = f.LicenceMode
	if len(errs) > 0 {
		return nil, errs
	}
	return sub, nil
}

// parseDay reads a date as the date field sends it (2026-09-01) or as typed (01/09/2026).
func parseDay(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d, nil
	}
	return time.Parse("02/01/2006", v)
}

// SubscriptionLine is a subscription with its resource and the licences used and left.
type SubscriptionLine struct {
	Subscription *Subscription
	Resource     *Resource // nil: no longer in the catalogue
	Tool         *Tool
	Publisher    *Publisher
	Used         LicenceUsage
	Assignments  int
}

// Left is the licences of profile still free, -1 for unlimited.
func (l SubscriptionLine) Left(profile string) int { return Left(l.Subscription, l.Used, profile) }

// Limit is the licences of profile bought, -1 for unlimited.
func (l SubscriptionLine) Limit(profile string) int { return l.Subscription.LimitFor(profile) }

// Title is the resource's title, or a placeholder for one gone from the catalogue.
func (l SubscriptionLine) Title() string {
	if l.Resource == nil {
		return "Ressource retirée du catalogue"
	}
	return l.Resource.Title
}

// titleIn is a resource's title in the catalogue.
func titleIn(snap *Snapshot, id uuid.UUID) string {
	if r, _, _, ok := snap.Resource(id); ok {
		return r.Title
	}
	return "cette ressource"
}

func lineOf(snap *Snapshot, sub *Subscription, used LicenceUsage) SubscriptionLine {
	l := SubscriptionLine{Subscription: sub, Used: used}
	if r, tool, pub, ok := snap.Resource(sub.ResourceID); ok {
		l.Resource, l.Tool, l.Publisher = r, tool, pub
	}
	return l
}

// Subscriptions are the establishment's subscriptions, the newest period first.
func (s *Service) Subscriptions(ctx context.Context, t *tenant.Tenant, a Actor) ([]SubscriptionLine, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []SubscriptionLine
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var subs []*Subscription
		if err := tx.Order("ends_on DESC, starts_on, id").Find(&subs).Error; err != nil {
			return fmt.Errorf("resources: list subscriptions: %w", err)
		}
		ids := make([]uuid.UUID, len(subs))
		for i, sub := range subs {
			ids[i] = sub.ID
		}
		used, err := usageOf(tx, ids)
		if err != nil {
			return err
		}
		var counts []struct {
			SubscriptionID uuid.UUID
			N              int
		}
		if len(ids) > 0 {
			if err := tx.Raw(`SELECT subscription_id, count(*) AS n FROM resource_assignments WHERE subscription_id IN ? GROUP BY 1`, ids).Scan(&counts).Error; err != nil {
				return fmt.Errorf("resources: count assignments: %w", err)
			}
		}
		for _, sub := range subs {
			l := lineOf(snap, sub, used[sub.ID])
			for _, c := range counts {
				if c.SubscriptionID == sub.ID {
					l.Assignments = c.N
				}
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// ActiveResources are the catalogue's resources open to new subscriptions, by title.
func (s *Service) ActiveResources(ctx context.Context) ([]*Resource, *Snapshot, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []*Resource
	for _, r := range snap.Ordered {
		if _, _, _, ok := snap.Resource(r.ID); ok && r.Active {
			out = append(out, r)
		}
	}
	return out, snap, nil
}

// CreateSubscription records a subscription.
func (s *Service) CreateSubscription(ctx context.Context, t *tenant.Tenant, a Actor, f SubscriptionForm) (uuid.UUID, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id := uuid.New()
	err = s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		sub, err := checkSubscription(snap, f, nil, LicenceUsage{}, false)
		if err != nil {
			return err
		}
		sub.ID, sub.CreatedAt = id, s.now()
		if err := refuseOverlap(tx, sub, titleIn(snap, sub.ResourceID)); err != nil {
			return err
		}
		if a.PersonID != uuid.Nil {
			sub.CreatedBy = &a.PersonID
		}
		if err := tx.Create(sub).Error; err != nil {
			return fmt.Errorf("resources: create subscription: %w", err)
		}
		return nil
	})
	return id, err
}

// SubscriptionDetail is a subscription's page: its line, assignments, licensed people.
type SubscriptionDetail struct {
	SubscriptionLine
	Assignments []AssignmentLine
	Licensed    []LicensedPerson
	Withdrawn   []WithdrawnPerson
}

// WithdrawnPerson is a person whose licence a manager took back: no assignment to a class,
// group or profile gives it again at night, until a manager's new assignment covers them.
type WithdrawnPerson struct {
	PersonID    uuid.UUID
	Name        string
	WithdrawnAt time.Time
}

// AssignmentLine is an assignment with what it names and the licences it gave.
type AssignmentLine struct {
	Assignment *Assignment
	Label      string
	Licences   int
}

// LicensedPerson is a person holding a licence of the subscription.
type LicensedPerson struct {
	PersonID   uuid.UUID
	Name       string
	Profile    string
	AssignedAt time.Time
}

func (s *Service) subscription(tx *gorm.DB, id uuid.UUID) (*Subscription, error) {
	var sub Subscription
	if err := tx.Where("id = ?", id).Take(&sub).Error; err != nil {
		if isNotFound(err) {
			return nil, errSubscriptionNotFound
		}
		return nil, fmt.Errorf("resources: read subscription %s: %w", id, err)
	}
	return &sub, nil
}

// Subscription is one subscription with its assignments and licences.
func (s *Service) Subscription(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (*SubscriptionDetail, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var d SubscriptionDetail
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		sub, err := s.subscription(tx, id)
		if err != nil {
			return err
		}
		used, err := usageOf(tx, []uuid.UUID{id})
		if err != nil {
			return err
		}
		d.SubscriptionLine = lineOf(snap, sub, used[id])
		var rows []struct {
			Assignment
			Label    string
			Licences int
		}
		if err := tx.Raw(`SELECT a.*, coalesce(c.label, coalesce(p.last_name || ' ' || p.first_name, '')) AS label,
			(SELECT count(*) FROM resource_licences l WHERE l.assignment_id = a.id) AS licences
			FROM resource_assignments a LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN people p ON p.id = a.person_id
			WHERE a.subscription_id = ? ORDER BY a.created_at, a.id`, id).Scan(&rows).Error; err != nil {
			return fmt.Errorf("resources: assignments of %s: %w", id, err)
		}
		for _, r := range rows {
			as := r.Assignment
			d.Assignments = append(d.Assignments, AssignmentLine{Assignment: &as, Label: assignmentLabel(&as, r.Label), Licences: r.Licences})
		}
		if err := tx.Raw(`SELECT l.person_id, p.last_name || ' ' || p.first_name AS name, l.profile, l.assigned_at
			FROM resource_licences l JOIN people p ON p.id = l.person_id WHERE l.subscription_id = ?
			ORDER BY l.profile, lower(p.last_name), lower(p.first_name), p.id`, id).Scan(&d.Licensed).Error; err != nil {
			return fmt.Errorf("resources: licences of %s: %w", id, err)
		}
		if err := tx.Raw(`SELECT w.person_id, p.last_name || ' ' || p.first_name AS name, w.withdrawn_at
			FROM resource_licence_withdrawals w JOIN people p ON p.id = w.person_id WHERE w.subscription_id = ?
			ORDER BY lower(p.last_name), lower(p.first_name), p.id`, id).Scan(&d.Withdrawn).Error; err != nil {
			return fmt.Errorf("resources: withdrawals of %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// assignmentLabel says whom an assignment names, in French.
func assignmentLabel(a *Assignment, name string) string {
	switch a.TargetKind {
	case "tous":
		return "Tout le public de l'abonnement"
	case "profil":
		if a.Profile != nil && *a.Profile == ProfileEleve {
			return "Tous les élèves"
		}
		return "Tous les enseignants et personnels"
	case "classe":
		return "Classe " + name
	case "groupe":
		return "Groupe " + name
	}
	return name
}

// UpdateSubscription changes a subscription; the licences already given must still fit.
func (s *Service) UpdateSubscription(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f SubscriptionForm) error {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		old, err := lockSubscription(tx, id)
		if err != nil {
			return err
		}
		used, err := usageOf(tx, []uuid.UUID{id})
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Assignment{}).Where("subscription_id = ?", id).Count(&n).Error; err != nil {
			return fmt.Errorf("resources: count assignments: %w", err)
		}
		sub, err := checkSubscription(snap, f, old, used[id], n > 0)
		if err != nil {
			return err
		}
		if err := refuseOverlap(tx, sub, titleIn(snap, sub.ResourceID)); err != nil {
			return err
		}
		if err := tx.Model(&Subscription{}).Where("id = ?", id).Updates(map[string]any{"resource_id": sub.ResourceID, "tool_id": sub.ToolID,
			"deployment_id": sub.DeploymentID, "starts_on": sub.StartsOn, "ends_on": sub.EndsOn, "kind": sub.Kind, "target": sub.Target,
			"licence_mode": sub.LicenceMode, "licences": sub.Licences, "licences_eleves": sub.LicencesEleves, "licences_enseignants": sub.LicencesEnseignants}).Error; err != nil {
			return fmt.Errorf("resources: update subscription %s: %w", id, err)
		}
		return nil
	})
}

// DeleteSubscription deletes a subscription, its assignments, licences and launches.
func (s *Service) DeleteSubscription(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		if _, err := lockSubscription(tx, id); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM resource_subscriptions WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("resources: delete subscription %s: %w", id, err)
		}
		return nil
	})
}

// AssignmentForm is an assignment as chosen: to whom (tous, profil, classe, groupe,
// personne) and the profile, class, group or person picked.
type AssignmentForm struct {
	To      string
	Profile string
	Class   string
	Group   string
	Person  string
}

// checkAssignment validates f for sub: the class, group or person must be of this
// establishment (and the person of the subscription's public).
func checkAssignment(tx *gorm.DB, sub *Subscription, f AssignmentForm) (*Assignment, error) {
	errs := ManageErrors{}
	a := &Assignment{SubscriptionID: sub.ID, TargetKind: f.To}
	pickClass := func(field, kind, raw, label string) {
		id, err := uuid.Parse(strings.TrimSpace(raw))
		if err != nil {
			errs[field] = label + " : choisissez dans la liste."
			return
		}
		var n int64
		if err := tx.Table("classes").Where("id = ? AND kind = ?", id, kind).Count(&n).Error; err != nil || n == 0 {
			errs[field] = label + " : choisissez dans la liste ; celle indiquée n'est pas de l'établissement."
			return
		}
		a.ClassID = &id
	}
	switch f.To {
	case "tous":
	case "profil":
		p := f.Profile
		if (p != ProfileEleve && p != ProfileEnseignant) || !TargetHas(sub.Target, p) {
			errs["profil"] = "Profil : choisissez un profil du public de l'abonnement."
		} else {
			a.Profile = &p
		}
	case "classe":
		pickClass("classe", "classe", f.Class, "Classe")
	case "groupe":
		pickClass("groupe", "groupe", f.Group, "Groupe")
	case "personne":
		id, err := uuid.Parse(strings.TrimSpace(f.Person))
		if err != nil {
			errs["personne"] = "Personne : choisissez dans la liste."
			break
		}
		var p []covered
		if err := tx.Raw(`SELECT p.id AS person_id, `+profileSQL+` AS profile FROM people p WHERE p.id = ? AND p.active`, id).Scan(&p).Error; err != nil {
			return nil, fmt.Errorf("resources: read person: %w", err)
		}
		switch {
		case len(p) == 0:
			errs["personne"] = "Personne : choisissez dans la liste ; celle indiquée n'est pas de l'établissement."
		case !TargetHas(sub.Target, p[0].Profile):
			errs["personne"] = "Personne : elle n'est pas du public de l'abonnement."
		default:
			a.PersonID = &id
		}
	default:
		errs["cible"] = "Attribuer à : choisissez tout le public, un profil, une classe, un groupe ou une personne."
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return a, nil
}

// refuseTwice refuses an assignment the subscription already has (same profile, class,
// group or person), saying who has it.
func refuseTwice(tx *gorm.DB, as *Assignment) error {
	q := tx.Model(&Assignment{}).Where("subscription_id = ? AND target_kind = ?", as.SubscriptionID, as.TargetKind)
	field, who := "cible", "Tout le public de l'abonnement a"
	switch {
	case as.Profile != nil:
		q, field, who = q.Where("profile = ?", *as.Profile), "profil", "Tous les enseignants et personnels ont"
		if *as.Profile == ProfileEleve {
			who = "Tous les élèves ont"
		}
	case as.ClassID != nil:
		q, field = q.Where("class_id = ?", *as.ClassID), as.TargetKind
		var label string
		if err := tx.Raw(`SELECT label FROM classes WHERE id = ?`, *as.ClassID).Scan(&label).Error; err != nil {
			return fmt.Errorf("resources: read class: %w", err)
		}
		who = "La classe " + label + " a"
		if as.TargetKind == "groupe" {
			who = "Le groupe " + label + " a"
		}
	case as.PersonID != nil:
		q, field = q.Where("person_id = ?", *as.PersonID), "personne"
		var name string
		if err := tx.Raw(`SELECT first_name || ' ' || last_name FROM people WHERE id = ?`, *as.PersonID).Scan(&name).Error; err != nil {
			return fmt.Errorf("resources: read person: %w", err)
		}
		who = name + " a"
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return fmt.Errorf("resources: same assignment: %w", err)
	}
	if n > 0 {
		return ManageErrors{field: who + " déjà cette attribution : rien n'a été ajouté."}
	}
	return nil
}

// refuseOverlap refuses a subscription whose period overlaps another of the establishment
// to the same resource, giving the other's dates.
func refuseOverlap(tx *gorm.DB, sub *Subscription, title string) error {
	// Two subscriptions to the same resource at once: the second waits for the first's
	// transaction, then sees it (the lock is the establishment's and the resource's).
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ' resource ' || ?, 0))`, sub.ResourceID.String()).Error; err != nil {
		return fmt.Errorf("resources: lock the resource's subscriptions: %w", err)
	}
	var other []Subscription
	if err := tx.Where("resource_id = ? AND id <> ? AND starts_on <= ? AND ends_on >= ?", sub.ResourceID, sub.ID, sub.EndsOn, sub.StartsOn).
		Order("starts_on, id").Limit(1).Find(&other).Error; err != nil {
		return fmt.Errorf("resources: overlapping subscriptions: %w", err)
	}
	if len(other) == 0 {
		return nil
	}
	o := other[0]
	return ManageErrors{"debut": "Période : l'établissement est déjà abonné à « " + title + " » du " + dayFR(o.StartsOn) + " au " + dayFR(o.EndsOn) +
		" ; choisissez une période qui ne chevauche pas celle-ci, ou modifiez cet abonnement."}
}

// notPerPerson refuses an assignment of an establishment-wide subscription.
const notPerPerson = "Cet abonnement est pour tout l'établissement : son public l'a sans attribution."

// Assign assigns a per-person subscription: everyone it covers who has no licence gets one,
// or, when they do not all fit, nobody (the refusal gives the counts).
func (s *Service) Assign(ctx context.Context, t *tenant.Tenant, a Actor, subID uuid.UUID, f AssignmentForm) (uuid.UUID, int, error) {
	var id uuid.UUID
	var given int
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return id, 0, err
	}
	err = s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		sub, err := lockSubscription(tx, subID)
		if err != nil {
			return err
		}
		if sub.Kind != KindPersonne {
			return ManageErrors{"cible": notPerPerson}
		}
		if r, _, _, ok := snap.Resource(sub.ResourceID); !ok || !r.Active {
			return ManageErrors{"cible": "Cette ressource est retirée du catalogue par la région : plus personne ne peut l'ouvrir, elle ne s'attribue plus."}
		}
		as, err := checkAssignment(tx, sub, f)
		if err != nil {
			return err
		}
		if err := refuseTwice(tx, as); err != nil {
			return err
		}
		fresh, wanted, err := newcomers(tx, sub, as, true)
		if err != nil {
			return err
		}
		used, err := usageOf(tx, []uuid.UUID{sub.ID})
		if err != nil {
			return err
		}
		if msg := fits(sub, used[sub.ID], wanted); msg != "" {
			return ManageErrors{"cible": msg}
		}
		as.ID, as.CreatedAt = uuid.New(), s.now()
		if a.PersonID != uuid.Nil {
			as.CreatedBy = &a.PersonID
		}
		if err := tx.Create(as).Error; err != nil {
			return fmt.Errorf("resources: create assignment: %w", err)
		}
		// A manager's new assignment gives back the licences taken from the people it covers.
		if cov, err := coveredBy(tx, sub, as); err != nil {
			return err
		} else if len(cov) > 0 {
			ids := make([]uuid.UUID, len(cov))
			for i, p := range cov {
				ids[i] = p.PersonID
			}
			if err := tx.Exec(`DELETE FROM resource_licence_withdrawals WHERE subscription_id = ? AND person_id IN ?`, sub.ID, ids).Error; err != nil {
				return fmt.Errorf("resources: forget withdrawals: %w", err)
			}
		}
		id, given = as.ID, len(fresh)
		return grant(tx, sub, as, fresh, as.CreatedAt)
	})
	return id, given, err
}

var (
	errAssignmentNotFound = fault.New(fault.ErrNotFound, "Attribution introuvable : elle a peut-être déjà été retirée.")
	errLicenceNotFound    = fault.New(fault.ErrNotFound, "Licence introuvable : elle a peut-être déjà été retirée.")
	errReferentNotFound   = fault.New(fault.ErrNotFound, "Référent introuvable : il a peut-être déjà été retiré.")
)

// AssignmentSubscription is the subscription of an assignment of the establishment.
func (s *Service) AssignmentSubscription(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (uuid.UUID, error) {
	var sub uuid.UUID
	err := s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var as Assignment
		if err := tx.Where("id = ?", id).Take(&as).Error; err != nil {
			if isNotFound(err) {
				return errAssignmentNotFound
			}
			return fmt.Errorf("resources: read assignment %s: %w", id, err)
		}
		sub = as.SubscriptionID
		return nil
	})
	return sub, err
}

// RevokeAssignment removes an assignment: its licences move to another assignment of the
// subscription that covers their person, or are freed. It returns the subscription and the
// licences freed.
func (s *Service) RevokeAssignment(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (uuid.UUID, int, error) {
	var subID uuid.UUID
	var freed int
	err := s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var as Assignment
		if err := tx.Where("id = ?", id).Take(&as).Error; err != nil {
			if isNotFound(err) {
				return fault.New(fault.ErrNotFound, "Attribution introuvable : elle a peut-être déjà été retirée.")
			}
			return fmt.Errorf("resources: read assignment %s: %w", id, err)
		}
		sub, err := lockSubscription(tx, as.SubscriptionID)
		if err != nil {
			return err
		}
		all, err := assignmentsOf(tx, sub.ID)
		if err != nil {
			return err
		}
		keep := slices.DeleteFunc(all, func(x *Assignment) bool { return x.ID == id })
		if freed, err = relicense(tx, sub, keep); err != nil {
			return err
		}
		subID = sub.ID
		if err := tx.Exec(`DELETE FROM resource_assignments WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("resources: delete assignment %s: %w", id, err)
		}
		return nil
	})
	return subID, freed, err
}

// RevokeLicence takes one person's licence back: the nightly job no longer gives it to them
// through a class, group or profile assigned; a manager's next assignment covering them does.
func (s *Service) RevokeLicence(ctx context.Context, t *tenant.Tenant, a Actor, subID, person uuid.UUID) error {
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		sub, err := lockSubscription(tx, subID)
		if err != nil {
			return err
		}
		res := tx.Exec(`DELETE FROM resource_licences WHERE subscription_id = ? AND person_id = ?`, sub.ID, person)
		if res.Error != nil {
			return fmt.Errorf("resources: revoke licence: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fault.New(fault.ErrNotFound, "Licence introuvable : elle a peut-être déjà été retirée.")
		}
		if err := tx.Exec(`DELETE FROM resource_assignments WHERE subscription_id = ? AND target_kind = 'personne' AND person_id = ?`, sub.ID, person).Error; err != nil {
			return fmt.Errorf("resources: revoke licence: %w", err)
		}
		if err := tx.Exec(`INSERT INTO resource_licence_withdrawals (subscription_id, person_id, withdrawn_by, withdrawn_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, sub.ID, person, actorRef(a.PersonID), s.now()).Error; err != nil {
			return fmt.Errorf("resources: record withdrawal: %w", err)
		}
		return nil
	})
}

func actorRef(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Pick is an entry of a picker: a class, group or person of the establishment.
type Pick struct {
	ID    uuid.UUID
	Label string
}

// Pickers are the classes and groups of the current school year and the people of a
// subscription's public, to assign it.
type Pickers struct {
	Classes []Pick
	Groups  []Pick
	People  []Pick
}

// AssignPickers are the choices of the assignment form of sub.
func (s *Service) AssignPickers(ctx context.Context, t *tenant.Tenant, a Actor, sub *Subscription) (Pickers, error) {
	var p Pickers
	err := s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var cs []struct {
			ID    uuid.UUID
			Kind  string
			Label string
		}
		if err := tx.Raw(`SELECT id, kind, label FROM classes WHERE school_year >= coalesce((SELECT code FROM school_years WHERE current), '')
			ORDER BY kind, label`).Scan(&cs).Error; err != nil {
			return fmt.Errorf("resources: classes: %w", err)
		}
		for _, c := range cs {
			if c.Kind == "groupe" {
				p.Groups = append(p.Groups, Pick{c.ID, c.Label})
			} else {
				p.Classes = append(p.Classes, Pick{c.ID, c.Label})
			}
		}
		var people []struct {
			ID      uuid.UUID
			Name    string
			Profile string
		}
		if err := tx.Raw(`SELECT id, name, profile FROM (SELECT p.id, p.last_name || ' ' || p.first_name AS name, p.last_name, p.first_name, `+profileSQL+` AS profile
			FROM people p WHERE p.active) x WHERE profile IN ? ORDER BY lower(last_name), lower(first_name), id`, targetsProfiles(sub.Target)).Scan(&people).Error; err != nil {
			return fmt.Errorf("resources: people: %w", err)
		}
		for _, x := range people {
			label := x.Name + " (élève)"
			if x.Profile == ProfileEnseignant {
				label = x.Name + " (personnel)"
			}
			p.People = append(p.People, Pick{x.ID, label})
		}
		return nil
	})
	return p, err
}

func targetsProfiles(target string) []string {
	var out []string
	for _, p := range []string{ProfileEleve, ProfileEnseignant} {
		if TargetHas(target, p) {
			out = append(out, p)
		}
	}
	return out
}
