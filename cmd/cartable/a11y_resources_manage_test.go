package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

// a11yResourcesManage seeds what the direction's resources pages show in the accessibility
// walk: a publisher with an LTI tool and a plain link in the catalogue, an establishment-wide
// subscription and a per-person one assigned to a class (its licences), a référent, a
// launch in the journal. It returns the direction's pages to visit: the list, a
// subscription's form, the assignment page, the deletion's confirmation, the référents,
// the sharing and the journal.
func a11yResourcesManage(t *testing.T, reg *tenant.Registry, now func() time.Time, lycee *tenant.Tenant, directionID, teacherID uuid.UUID) []string {
	t.Helper()
	ctx := context.Background()
	pub, tool, link, textbook, dico := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	salt := []byte(strings.Repeat("a", 32))
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO platform.resource_publishers (id, name) VALUES (?, 'Éditions Accessibles')`, []any{pub}},
		{`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, client_id, login_url, launch_url, jwks_url, deployment_ids, pseudonym_salt)
			VALUES (?, ?, 'Manuels interactifs', 'lti', ?, 'https://manuels.test/login', 'https://manuels.test/launch', 'https://manuels.test/jwks', '{a11y-1,a11y-2}', ?)`,
			[]any{tool, pub, "a11y-" + tool.String(), salt}},
		{`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, pseudonym_salt) VALUES (?, ?, 'Lien accessible', 'lien', ?)`, []any{link, pub, salt}},
		{`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type) VALUES (?, ?, ?, 'Physique-chimie 2nde (accessibilité)', 'manuel')`, []any{textbook, pub, tool}},
		{`INSERT INTO platform.resources (id, publisher_id, tool_id, title, type, target_url) VALUES (?, ?, ?, 'Dictionnaire (accessibilité)', 'dictionnaire', 'https://dico.test/')`, []any{dico, pub, link}},
	} {
		if err := reg.Platform().WithContext(ctx).Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("the resources' catalogue: %v", err)
		}
	}
	svc := resources.NewService(reg.DB(), resources.NewCatalogue(reg.Platform()), now)
	boss := resources.Actor{PersonID: directionID, Roles: []identity.Role{identity.RoleDirection}}
	// The seed runs on the school day's clock, the server on the real one: long periods.
	start := now().AddDate(-1, 0, 0).Format(time.DateOnly)
	end := now().AddDate(5, 0, 0).Format(time.DateOnly)
	if _, err := svc.CreateSubscription(ctx, lycee, boss, resources.SubscriptionForm{Resource: dico.String(), StartsOn: start, EndsOn: end,
		Kind: resources.KindEtablissement, Target: resources.TargetTous, LicenceMode: resources.LicencesIllimite}); err != nil {
		t.Fatalf("the dictionary's subscription: %v", err)
	}
	sub, err := svc.CreateSubscription(ctx, lycee, boss, resources.SubscriptionForm{Resource: textbook.String(), StartsOn: start, EndsOn: end,
		Kind: resources.KindPersonne, Target: resources.TargetTous, LicenceMode: resources.LicencesParProfil, LicencesEleves: "200", LicencesEnseignants: "20", DeploymentID: "a11y-2"})
	if err != nil {
		t.Fatalf("the textbook's subscription: %v", err)
	}
	var classes []uuid.UUID
	if err := reg.DB().ReadTx(ctx, lycee, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.id FROM classes c WHERE c.kind = 'classe' AND EXISTS (SELECT 1 FROM class_members m WHERE m.class_id = c.id) ORDER BY c.label LIMIT 1`).Scan(&classes).Error
	}); err != nil || len(classes) == 0 {
		t.Fatalf("a class for the textbook: %v %v", classes, err)
	}
	if _, _, err := svc.Assign(ctx, lycee, boss, sub, resources.AssignmentForm{To: "classe", Class: classes[0].String()}); err != nil {
		t.Fatalf("assign the textbook: %v", err)
	}
	if err := svc.NameReferent(ctx, lycee, boss, teacherID.String()); err != nil {
		t.Fatalf("name a référent: %v", err)
	}
	if err := reg.DB().Tx(ctx, lycee, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO resource_launches (person_id, subscription_id, resource_id, tool_id, message_hint, shared, created_at, completed_at)
			SELECT person_id, subscription_id, ?, ?, ?, '{classe}', ?, ? FROM resource_licences WHERE subscription_id = ? LIMIT 1`,
			textbook, tool, uuid.NewString(), now(), now(), sub).Error
	}); err != nil {
		t.Fatalf("a launch: %v", err)
	}
	base := "http://" + lycee.Slug + ".cartable.test/ressources/gestion"
	page := base + "/abonnements/" + sub.String()
	return []string{base, base + "/abonnements/nouveau", page, page + "/modifier", page + "/supprimer", base + "/referents", base + "/partage", base + "/journal"}
}
