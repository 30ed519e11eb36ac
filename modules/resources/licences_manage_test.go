package resources_test

// The managers' side on a real PostgreSQL: licence limits (an assignment that does not fit
// is refused with the count and writes nothing; freed licences are reusable; two
// assignments at once never over-assign), assignment to a class gives its pupils the
// resource and no one else, revocation takes it back, forged form values are refused in
// French, the nightly job (newcomers, leavers, the journal's year).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

// manageSite is a site with two establishments, a catalogue and alpha's people.
type manageSite struct {
	s            *moduletest.Site
	svc          *resources.Service
	alpha, bravo *tenant.Tenant
	// the catalogue: an LTI textbook (deployments dep-1, dep-2), a plain-link dictionary,
	// a withdrawn resource
	textbook, dictionary, withdrawn uuid.UUID
	physics                         uuid.UUID // another LTI resource of the same tool
	ltiTool                         uuid.UUID
	direction, teacher, parent      directorytest.Member
	bravoDirection, bravoPupil      directorytest.Member
	class1, class2, bravoClass      uuid.UUID
	pupils1, pupils2                []directorytest.Member
}

func newManageSite(t *testing.T) *manageSite {
	t.Helper()
	s := moduletest.New(t, moduletest.Options{Templates: []fs.FS{resources.Templates}, LogWarnings: true})
	m := &manageSite{s: s, alpha: s.Establishment(71, "Lycée Alpha"), bravo: s.Establishment(72, "Lycée Bravo")}
	pub, tool, link := uuid.New(), uuid.New(), uuid.New()
	m.ltiTool = tool
	m.textbook, m.dictionary, m.withdrawn, m.physics = uuid.New(), uuid.New(), uuid.New(), uuid.New()
	salt := strings.Repeat("s", 32)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO platform.resource_publishers (id, name) VALUES (?, 'Éditions Test')`, []any{pub}},
		{`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, client_id, login_url, launch_url, jwks_url, deployment_ids, pseudonym_salt)
			VALUES (?, ?, 'Outil Manuels', 'lti', ?, 'https://tool.test/login', 'https://tool.test/launch', 'https://tool.test/jwks', '{dep-1,dep-2}', ?)`,
			[]any{tool, pub, "client-" + tool.String(), []byte(salt)}},
		{`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, pseudonym_salt) VALUES (?, ?, 'Lien', 'lien', ?)`, []any{link, pub, []byte(salt)}},
		{`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type) VALUES (?, ?, ?, 'Manuel de mathématiques 2nde', 'manuel')`, []any{m.textbook, pub, tool}},
		{`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type) VALUES (?, ?, ?, 'Manuel de physique', 'manuel')`, []any{m.physics, pub, tool}},
		{`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type, target_url) VALUES (?, ?, ?, 'Dictionnaire en ligne', 'dictionnaire', 'https://dico.test/')`, []any{m.dictionary, pub, link}},
		{`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type, active) VALUES (?, ?, ?, 'Atlas retiré', 'autre', false)`, []any{m.withdrawn, pub, link}},
	} {
		if err := s.Reg.Platform().Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("catalogue: %v", err)
		}
	}
	m.svc = resources.NewService(s.Reg.DB(), resources.NewCatalogue(s.Reg.Platform()), s.Clock.Now)
	// The module serves the admin and portal hosts too (the catalogue, the LTI endpoints).
	s.Srv.Admin().Use(s.Auth.Platform)
	if err := s.Auth.MountModule(identity.Hosts{Portal: s.Srv.Portal(), Admin: s.Srv.Admin(), Tenant: s.Srv.Tenants(),
		AdminAPI: s.Srv.AdminAPI().Group("", s.Auth.AdminAPI)}, resources.NewHandler(m.svc).Module()); err != nil {
		t.Fatal(err)
	}
	m.direction = s.Member(m.alpha, identity.RoleDirection, "Diane", "Proviseure")
	m.teacher = s.Member(m.alpha, identity.RoleEnseignant, "Claire", "Documentaliste")
	m.parent = s.Member(m.alpha, identity.RoleResponsable, "Gérard", "Parent")
	m.bravoDirection = s.Member(m.bravo, identity.RoleDirection, "Bruno", "Bravo")
	m.bravoPupil = s.Member(m.bravo, identity.RoleEleve, "Léo", "Bravo")
	m.class1, m.class2, m.bravoClass = uuid.New(), uuid.New(), uuid.New()
	s.Exec(m.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', ?), (?, 'classe', '2NDE2', '2nde 2', ?)`,
		m.class1, s.Year(), m.class2, s.Year())
	s.Exec(m.bravo, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1 Bravo', ?)`, m.bravoClass, s.Year())
	for i := range 3 {
		p := s.Member(m.alpha, identity.RoleEleve, "Élève", "Un"+string(rune('A'+i)))
		s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, m.class1, p.PersonID)
		m.pupils1 = append(m.pupils1, p)
	}
	for i := range 2 {
		p := s.Member(m.alpha, identity.RoleEleve, "Élève", "Deux"+string(rune('A'+i)))
		s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, m.class2, p.PersonID)
		m.pupils2 = append(m.pupils2, p)
	}
	return m
}

func (m *manageSite) boss() resources.Actor {
	return resources.Actor{PersonID: m.direction.PersonID, Roles: []identity.Role{identity.RoleDirection}}
}

// has tells whether person (a pupil) has the resource today.
func (m *manageSite) has(t *testing.T, person uuid.UUID, resource uuid.UUID) bool {
	t.Helper()
	list, err := m.svc.MyResources(t.Context(), m.alpha, resources.Actor{PersonID: person, Roles: []identity.Role{identity.RoleEleve}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Resource.ID == resource {
			return true
		}
	}
	return false
}

func (m *manageSite) subscribe(t *testing.T, f resources.SubscriptionForm) uuid.UUID {
	t.Helper()
	if f.Resource == "" {
		f.Resource = m.textbook.String()
	}
	if f.StartsOn == "" {
		f.StartsOn, f.EndsOn = "2026-09-01", "2027-07-05"
	}
	id, err := m.svc.CreateSubscription(t.Context(), m.alpha, m.boss(), f)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return id
}

func wantRefused(t *testing.T, err error, field, part string) {
	t.Helper()
	var errs resources.ManageErrors
	if !errors.As(err, &errs) {
		t.Fatalf("want a refusal of %s saying %q, got %v", field, part, err)
	}
	if !strings.Contains(errs[field], part) {
		t.Fatalf("refusal of %s: %q, want it to say %q (all: %v)", field, errs[field], part, errs)
	}
}

func TestLicenceLimitsManage(t *testing.T) {
	m := newManageSite(t)
	ctx, s := t.Context(), m.s
	sub := m.subscribe(t, resources.SubscriptionForm{Kind: resources.KindPersonne, Target: resources.TargetEleves, LicenceMode: resources.LicencesParProfil,
		LicencesEleves: "4", LicencesEnseignants: "0", DeploymentID: "dep-2"})

	first, given, err := m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: m.class1.String()})
	if err != nil || given != 3 {
		t.Fatalf("assign 2nde 1: %d given, %v", given, err)
	}
	if !m.has(t, m.pupils1[0].PersonID, m.textbook) || m.has(t, m.pupils2[0].PersonID, m.textbook) {
		t.Fatal("the textbook: want it for 2nde 1's pupils only")
	}
	if m.has(t, m.pupils1[0].PersonID, m.dictionary) {
		t.Fatal("a pupil has a resource never subscribed to")
	}

	_, _, err = m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: m.class2.String()})
	wantRefused(t, err, "cible", "Il reste 1 licence élève ; cette attribution en demande 2.")
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_assignments WHERE subscription_id = ?`, sub); n != 1 {
		t.Errorf("after the refusal: %d assignments, want 1", n)
	}
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences WHERE subscription_id = ?`, sub); n != 3 {
		t.Errorf("after the refusal: %d licences, want 3", n)
	}

	// Freed licences are reusable at once.
	if _, freed, err := m.svc.RevokeAssignment(ctx, m.alpha, m.boss(), first); err != nil || freed != 3 {
		t.Fatalf("revoke: %d freed, %v", freed, err)
	}
	if m.has(t, m.pupils1[0].PersonID, m.textbook) {
		t.Fatal("revoked, the pupil still has the textbook")
	}
	if _, given, err := m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: m.class2.String()}); err != nil || given != 2 {
		t.Fatalf("assign 2nde 2 after the revocation: %d, %v", given, err)
	}
	if !m.has(t, m.pupils2[1].PersonID, m.textbook) {
		t.Fatal("2nde 2's pupil lacks the textbook")
	}
	// One person's licence taken back: free again, and no class assignment gives it back.
	if err := m.svc.RevokeLicence(ctx, m.alpha, m.boss(), sub, m.pupils2[1].PersonID); err != nil {
		t.Fatal(err)
	}
	if m.has(t, m.pupils2[1].PersonID, m.textbook) {
		t.Fatal("the licence taken back still opens the textbook")
	}
	if r, err := m.svc.SyncLicences(ctx, m.alpha); err != nil || r.Given != 0 {
		t.Fatalf("the night after a withdrawal: %+v, %v", r, err)
	}
	// The subscription's page lists the withdrawal.
	if d, err := m.svc.Subscription(ctx, m.alpha, m.boss(), sub); err != nil || len(d.Withdrawn) != 1 || d.Withdrawn[0].PersonID != m.pupils2[1].PersonID {
		t.Fatalf("withdrawals shown: %+v, %v", d, err)
	}
	// A manager's new assignment that covers the pupil (a group) gives it back and forgets
	// the withdrawal.
	group := uuid.New()
	s.Exec(m.alpha, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'groupe', 'LV2', 'Allemand LV2', ?)`, group, s.Year())
	s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, group, m.pupils2[1].PersonID)
	if _, given, err := m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "groupe", Group: group.String()}); err != nil || given != 1 {
		t.Fatalf("assign the group after a withdrawal: %d, %v", given, err)
	}
	if !m.has(t, m.pupils2[1].PersonID, m.textbook) {
		t.Fatal("a new assignment covering the withdrawn pupil did not give the licence back")
	}
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licence_withdrawals WHERE subscription_id = ?`, sub); n != 0 {
		t.Errorf("after a new assignment: %d withdrawals, want 0", n)
	}
	// The same group, class or person twice: refused, nothing written.
	before := s.Count(m.alpha, `SELECT count(*) FROM resource_assignments WHERE subscription_id = ?`, sub)
	_, _, err = m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "groupe", Group: group.String()})
	wantRefused(t, err, "groupe", "Le groupe Allemand LV2 a déjà cette attribution")
	_, _, err = m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: m.class2.String()})
	wantRefused(t, err, "classe", "La classe 2nde 2 a déjà cette attribution")
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_assignments WHERE subscription_id = ?`, sub); n != before {
		t.Errorf("after refused duplicates: %d assignments, want %d", n, before)
	}
	// An overlapping second subscription to the same resource: refused with the other's dates.
	overlap := resources.SubscriptionForm{Resource: m.textbook.String(), StartsOn: "2027-01-01", EndsOn: "2027-12-31", Kind: resources.KindEtablissement,
		Target: resources.TargetTous, LicenceMode: resources.LicencesIllimite, DeploymentID: "dep-1"}
	_, err = m.svc.CreateSubscription(ctx, m.alpha, m.boss(), overlap)
	wantRefused(t, err, "debut", "déjà abonné à « Manuel de mathématiques 2nde » du 01/09/2026 au 05/07/2027")
	overlap.StartsOn = "2027-07-06"
	next, err := m.svc.CreateSubscription(ctx, m.alpha, m.boss(), overlap)
	if err != nil {
		t.Fatalf("the next period: %v", err)
	}
	overlap.StartsOn = "2027-07-01"
	wantRefused(t, m.svc.UpdateSubscription(ctx, m.alpha, m.boss(), next, overlap), "debut", "du 01/09/2026 au 05/07/2027")
	s.Exec(m.alpha, `DELETE FROM resource_subscriptions WHERE id = ?`, next)

	// Its type cannot change while it has assignments.
	err = m.svc.UpdateSubscription(ctx, m.alpha, m.boss(), sub, resources.SubscriptionForm{Resource: m.textbook.String(), StartsOn: "2026-09-01", EndsOn: "2027-07-05",
		Kind: resources.KindEtablissement, Target: resources.TargetEleves, LicenceMode: resources.LicencesIllimite, DeploymentID: "dep-2"})
	wantRefused(t, err, "type", "retirez d'abord les attributions")
	// The licences bought cannot go under those given.
	err = m.svc.UpdateSubscription(ctx, m.alpha, m.boss(), sub, resources.SubscriptionForm{Resource: m.textbook.String(), StartsOn: "2026-09-01", EndsOn: "2027-07-05",
		Kind: resources.KindPersonne, Target: resources.TargetEleves, LicenceMode: resources.LicencesParProfil, LicencesEleves: "1", LicencesEnseignants: "0", DeploymentID: "dep-2"})
	wantRefused(t, err, "licences_eleves", "2 sont déjà attribuées")

	t.Run("a revoked assignment's licences move to another that covers their person", func(t *testing.T) {
		s.Exec(m.alpha, `INSERT INTO subjects (code, label) VALUES ('PC', 'Physique-chimie') ON CONFLICT DO NOTHING`)
		s.Exec(m.alpha, `INSERT INTO teachings (teacher_id, class_id, subject_code) VALUES (?, ?, 'PC')`, m.teacher.PersonID, m.class1)
		sub := m.subscribe(t, resources.SubscriptionForm{Resource: m.physics.String(), Kind: resources.KindPersonne, Target: resources.TargetTous, LicenceMode: resources.LicencesIllimite, DeploymentID: "dep-1"})
		class, given, err := m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: m.class1.String()})
		if err != nil || given != 4 {
			t.Fatalf("2nde 1 with its teacher: %d given, %v", given, err)
		}
		teacher := resources.Actor{PersonID: m.teacher.PersonID, Roles: []identity.Role{identity.RoleEnseignant}}
		if list, err := m.svc.MyResources(ctx, m.alpha, teacher); err != nil || len(list) == 0 {
			t.Fatalf("the class's teacher lacks the resource: %v %v", list, err)
		}
		if _, given, err := m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "personne", Person: m.pupils1[2].PersonID.String()}); err != nil || given != 0 {
			t.Fatalf("by name, already licensed: %d, %v", given, err)
		}
		if _, freed, err := m.svc.RevokeAssignment(ctx, m.alpha, m.boss(), class); err != nil || freed != 3 {
			t.Fatalf("revoke the class: %d freed, %v", freed, err)
		}
		if !m.has(t, m.pupils1[2].PersonID, m.physics) || m.has(t, m.pupils1[0].PersonID, m.physics) {
			t.Error("after the class's revocation: want the pupil named alone to keep the resource, the others to lose it")
		}
		if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences l JOIN resource_assignments a ON a.id = l.assignment_id
			WHERE l.subscription_id = ? AND a.target_kind = 'personne'`, sub); n != 1 {
			t.Errorf("the kept licence: %d under the assignment by name", n)
		}
		s.Exec(m.alpha, `DELETE FROM resource_subscriptions WHERE id = ?`, sub)
	})

	t.Run("two assignments at once never over-assign", func(t *testing.T) {
		sub := m.subscribe(t, resources.SubscriptionForm{StartsOn: "2027-09-01", EndsOn: "2028-07-05", Kind: resources.KindPersonne, Target: resources.TargetEleves,
			LicenceMode: resources.LicencesGlobal, Licences: "4", DeploymentID: "dep-1"})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, class := range []uuid.UUID{m.class1, m.class2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: class.String()})
			}()
		}
		wg.Wait()
		if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences WHERE subscription_id = ?`, sub); n > 4 {
			t.Fatalf("%d licences given out of 4", n)
		}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("want exactly one of the two assignments refused: %v / %v", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil {
				wantRefused(t, err, "cible", "Il reste")
			}
		}
	})

	t.Run("two overlapping subscriptions at once: one is refused", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		ids := make([]uuid.UUID, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids[i], errs[i] = m.svc.CreateSubscription(ctx, m.alpha, m.boss(), resources.SubscriptionForm{Resource: m.physics.String(), StartsOn: "2030-09-01", EndsOn: "2031-07-05",
					Kind: resources.KindEtablissement, Target: resources.TargetTous, LicenceMode: resources.LicencesIllimite, DeploymentID: "dep-1"})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("want exactly one of the two subscriptions refused: %v / %v", errs[0], errs[1])
		}
		for i, err := range errs {
			if err != nil {
				wantRefused(t, err, "debut", "du 01/09/2030 au 05/07/2031")
			} else {
				s.Exec(m.alpha, `DELETE FROM resource_subscriptions WHERE id = ?`, ids[i])
			}
		}
	})

	t.Run("typed dates, no count for a profile outside the public", func(t *testing.T) {
		id, err := m.svc.CreateSubscription(ctx, m.alpha, m.boss(), resources.SubscriptionForm{Resource: m.textbook.String(), StartsOn: "01/09/2028", EndsOn: "05/07/2029",
			Kind: resources.KindPersonne, Target: resources.TargetEleves, LicenceMode: resources.LicencesParProfil, LicencesEleves: "30", DeploymentID: "dep-1"})
		if err != nil {
			t.Fatal(err)
		}
		if n := s.Count(m.alpha, `SELECT count(*) FROM resource_subscriptions WHERE id = ? AND starts_on = '2028-09-01' AND licences_enseignants = 0`, id); n != 1 {
			t.Error("typed dates or the teachers' count were not kept")
		}
	})

	t.Run("forged values are refused in French", func(t *testing.T) {
		boss := m.boss()
		base := resources.SubscriptionForm{Resource: m.textbook.String(), StartsOn: "2026-09-01", EndsOn: "2027-07-05", Kind: resources.KindPersonne,
			Target: resources.TargetTous, LicenceMode: resources.LicencesGlobal, Licences: "10", DeploymentID: "dep-1"}
		for _, c := range []struct {
			name, field, says string
			edit              func(*resources.SubscriptionForm)
		}{
			{"resource not in the catalogue", "ressource", "choisissez une ressource du catalogue", func(f *resources.SubscriptionForm) { f.Resource = uuid.NewString() }},
			{"withdrawn resource", "ressource", "retirée du catalogue", func(f *resources.SubscriptionForm) { f.Resource = m.withdrawn.String() }},
			{"negative count", "licences", "un nombre entier de 0 à 1 000 000", func(f *resources.SubscriptionForm) { f.Licences = "-3" }},
			{"negative per-profile count", "licences_eleves", "un nombre entier", func(f *resources.SubscriptionForm) {
				f.LicenceMode, f.LicencesEleves, f.LicencesEnseignants = resources.LicencesParProfil, "-1", "2"
			}},
			{"deployment of no tool", "deploiement", "l'un des déploiements", func(f *resources.SubscriptionForm) { f.DeploymentID = "dep-9" }},
			{"end before start", "fin", "la fin doit tomber le jour du début ou après", func(f *resources.SubscriptionForm) { f.EndsOn = "2026-08-01" }},
			{"licences for the whole establishment", "mode", "choisissez « illimitées »", func(f *resources.SubscriptionForm) { f.Kind = resources.KindEtablissement }},
			{"unknown target", "public", "Public :", func(f *resources.SubscriptionForm) { f.Target = "parents" }},
		} {
			f := base
			c.edit(&f)
			_, err := m.svc.CreateSubscription(ctx, m.alpha, boss, f)
			wantRefused(t, err, c.field, c.says)
		}
		_, _, err := m.svc.Assign(ctx, m.alpha, boss, sub, resources.AssignmentForm{To: "classe", Class: m.bravoClass.String()})
		wantRefused(t, err, "classe", "n'est pas de l'établissement")
		_, _, err = m.svc.Assign(ctx, m.alpha, boss, sub, resources.AssignmentForm{To: "personne", Person: m.bravoPupil.PersonID.String()})
		wantRefused(t, err, "personne", "n'est pas de l'établissement")
		_, _, err = m.svc.Assign(ctx, m.alpha, boss, sub, resources.AssignmentForm{To: "personne", Person: m.teacher.PersonID.String()})
		wantRefused(t, err, "personne", "pas du public")
		_, _, err = m.svc.Assign(ctx, m.alpha, boss, sub, resources.AssignmentForm{To: "groupe", Group: m.class1.String()})
		wantRefused(t, err, "groupe", "n'est pas de l'établissement")
		whole := m.subscribe(t, resources.SubscriptionForm{Resource: m.dictionary.String(), Kind: resources.KindEtablissement, Target: resources.TargetTous, LicenceMode: resources.LicencesIllimite})
		_, _, err = m.svc.Assign(ctx, m.alpha, boss, whole, resources.AssignmentForm{To: "tous"})
		wantRefused(t, err, "cible", "pour tout l'établissement")
		if !m.has(t, m.pupils2[0].PersonID, m.dictionary) {
			t.Error("the establishment-wide dictionary: a pupil lacks it")
		}
	})
}

func TestNightlyLicencesManage(t *testing.T) {
	m := newManageSite(t)
	ctx, s := t.Context(), m.s
	sub := m.subscribe(t, resources.SubscriptionForm{Kind: resources.KindPersonne, Target: resources.TargetEleves, LicenceMode: resources.LicencesGlobal, Licences: "4", DeploymentID: "dep-1"})
	if _, _, err := m.svc.Assign(ctx, m.alpha, m.boss(), sub, resources.AssignmentForm{To: "classe", Class: m.class1.String()}); err != nil {
		t.Fatal(err)
	}
	// A newcomer in 2nde 1, a pupil moved to 2nde 2, a pupil who left the establishment.
	newcomer := s.Member(m.alpha, identity.RoleEleve, "Nina", "Nouvelle")
	late := s.Member(m.alpha, identity.RoleEleve, "Luc", "Tardif")
	s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?), (?, ?)`, m.class1, newcomer.PersonID, m.class1, late.PersonID)
	s.Exec(m.alpha, `DELETE FROM class_members WHERE class_id = ? AND person_id = ?`, m.class1, m.pupils1[0].PersonID)
	s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, m.class2, m.pupils1[0].PersonID)
	s.Exec(m.alpha, `UPDATE people SET active = false WHERE id = ?`, m.pupils1[1].PersonID)
	// Launches: one of 13 months ago, one of last week.
	now := s.Clock.Now()
	for _, at := range []time.Time{now.AddDate(-1, -1, 0), now.AddDate(0, 0, -7)} {
		s.Exec(m.alpha, `INSERT INTO resource_launches (person_id, subscription_id, resource_id, tool_id, message_hint, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			m.pupils1[2].PersonID, sub, m.textbook, m.ltiTool, uuid.NewString(), at)
	}

	r, err := m.svc.SyncLicences(ctx, m.alpha)
	if err != nil {
		t.Fatal(err)
	}
	// 3 licences, 2 leavers freed: 1 + 2 newcomers = 3 of 4.
	if r.Freed != 2 || r.Given != 2 || r.Swept != 1 {
		t.Errorf("the night: %+v, want 2 freed, 2 given, 1 launch swept", r)
	}
	if !m.has(t, newcomer.PersonID, m.textbook) || !m.has(t, late.PersonID, m.textbook) {
		t.Error("a newcomer of 2nde 1 lacks the textbook")
	}
	if m.has(t, m.pupils1[0].PersonID, m.textbook) {
		t.Error("the pupil who moved to 2nde 2 still has the textbook")
	}
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences WHERE person_id = ?`, m.pupils1[1].PersonID); n != 0 {
		t.Error("the pupil who left still holds a licence")
	}
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_launches`); n != 1 {
		t.Errorf("%d launches kept, want the recent one", n)
	}
	// Within the limit: a third newcomer finds one licence, a fourth none.
	for _, name := range []string{"Trois", "Quatre"} {
		p := s.Member(m.alpha, identity.RoleEleve, "Arrivée", name)
		s.Exec(m.alpha, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, m.class1, p.PersonID)
	}
	if r, err := m.svc.SyncLicences(ctx, m.alpha); err != nil || r.Given != 1 {
		t.Fatalf("the second night: %+v, %v; want 1 given (the limit)", r, err)
	}
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_licences WHERE subscription_id = ?`, sub); n != 4 {
		t.Errorf("%d licences out of 4", n)
	}
	// The queue's job runs the night in every live establishment; bravo's touches nothing of alpha.
	var job interface{ RunAll(context.Context) error }
	for _, w := range m.svc.Jobs(liveList{*m.alpha, *m.bravo}, slog.New(slog.NewTextHandler(io.Discard, nil))) {
		if l, ok := w.(interface{ JobLabels() map[string]string }); ok && l.JobLabels()[resources.SyncLicences{}.Kind()] != "" {
			job, _ = w.(interface{ RunAll(context.Context) error })
		}
	}
	if job == nil {
		t.Fatal("no periodic job syncs the licences")
	}
	// Each establishment's night reports the launches it deleted (retention's report).
	s.Exec(m.alpha, `INSERT INTO resource_launches (person_id, subscription_id, resource_id, tool_id, message_hint, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.pupils1[2].PersonID, sub, m.textbook, m.ltiTool, uuid.NewString(), now.AddDate(-1, 0, -1))
	rep := &purgeReport{}
	m.svc.SetPurgeReport(rep)
	if err := job.RunAll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.Count(m.alpha, `SELECT count(*) FROM resource_launches`); n != 1 {
		t.Errorf("bravo's night: %d launches in alpha", n)
	}
	if got, want := fmt.Sprint(rep.runs), fmt.Sprintf("[%s lancements 1 %s lancements 0]", m.alpha.UAI, m.bravo.UAI); got != want {
		t.Errorf("reported %s, want %s", got, want)
	}
}

// liveList lists establishments for the queue's jobs.
type liveList []tenant.Tenant

func (l liveList) Live(context.Context) ([]tenant.Tenant, error) { return l, nil }

// purgeReport records what the purges report.
type purgeReport struct{ runs []string }

func (r *purgeReport) Purged(_ context.Context, t *tenant.Tenant, kind string, count, bytes int64) error {
	r.runs = append(r.runs, fmt.Sprintf("%s %s %d", t.UAI, kind, count))
	return nil
}
