package resources_test

// Attacks on a launch under way: what the establishment decided between « Ouvrir » and the
// tool's authentication request must hold when the id_token is signed.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/resources"
)

// The direction turns the sharing of names off while a pupil's launch is under way: the
// id_token signed afterwards must not carry the name (nor the e-mail, nor the class).
func TestAttackSharingTurnedOffMidLaunch(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(91, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	s.Exec(alpha, `UPDATE people SET email = 'alice.martin@example.test' WHERE id = ?`, alice.PersonID)
	tool := s.addTool(t, "manuels")
	book := s.addResource(t, tool.ID, "Maths 2nde", "")
	s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	s.Exec(alpha, `INSERT INTO resource_tool_sharing (tool_id, share_name, share_email, share_class, updated_at) VALUES (?, true, true, true, now())`, tool.ID)

	b := s.tokenOf(alice)
	u := b.authURL(t, alpha, book) // opened while the name was shared
	s.Exec(alpha, `UPDATE resource_tool_sharing SET share_name = false, share_email = false, share_class = false, updated_at = now()`)
	f := formOf(t, b.do(t, http.MethodGet, u, nil))
	if f.Fields.Get("id_token") == "" {
		t.Fatalf("no id_token: %v", f.Fields)
	}
	b.do(t, http.MethodPost, f.Action, f.Fields)
	ls := tool.Launches()
	if len(ls) != 1 {
		t.Fatalf("the tool received %d launches", len(ls))
	}
	if l := ls[0]; l.Name != "" || l.GivenName != "" || l.FamilyName != "" || l.Email != "" || strings.Contains(l.Kid+toString(l.Claims), "Martin") {
		t.Errorf("sharing is off, yet the id_token names the pupil: name %q, e-mail %q", l.Name, l.Email)
	}
}

// A licence withdrawn while its launch is under way: no id_token afterwards.
func TestAttackLicenceWithdrawnMidLaunch(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(92, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	tool := s.addTool(t, "manuels")
	book := s.addResource(t, tool.ID, "Maths 2nde", "")
	s.license(t, alpha, book, tool.ID, alice.PersonID, "dep-1")

	b := s.tokenOf(alice)
	u := b.authURL(t, alpha, book)
	s.Exec(alpha, `DELETE FROM resource_licences WHERE person_id = ?`, alice.PersonID)
	s.Exec(alpha, `DELETE FROM resource_assignments WHERE person_id = ?`, alice.PersonID)
	p := b.do(t, http.MethodGet, u, nil)
	if strings.Contains(p.Body, `name="id_token"`) {
		t.Fatalf("the licence was withdrawn, yet an id_token was signed (status %d)", p.Code)
	}
	if p.Code != http.StatusForbidden {
		t.Errorf("status %d, want 403; body %.600s", p.Code, p.Body)
	}
}

func toString(m map[string]any) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k)
		if s, ok := v.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

// The subscription deleted while its launch is under way: the opening page and the
// authentication request refuse it plainly (no server error, no id_token).
func TestAttackSubscriptionDeletedMidLaunch(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(93, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	tool := s.addTool(t, "manuels")
	book := s.addResource(t, tool.ID, "Maths 2nde", "")
	sub := s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)

	b := s.tokenOf(alice)
	opened := b.open(t, alpha, book, nil)
	u := b.authURL(t, alpha, book)
	s.Exec(alpha, `DELETE FROM resource_subscriptions WHERE id = ?`, sub)
	if p := b.do(t, http.MethodGet, "http://"+moduletest.Host(alpha)+opened.Location, nil); p.Code != http.StatusNotFound {
		t.Errorf("the opening page of a launch whose subscription is gone: status %d, want 404", p.Code)
	}
	p := b.do(t, http.MethodGet, u, nil)
	if strings.Contains(p.Body, `name="id_token"`) || p.Code != http.StatusForbidden {
		t.Errorf("the authentication request of a launch whose subscription is gone: status %d; body %.400s", p.Code, p.Body)
	}

	// Given again by another subscription meanwhile: the launch goes on under it.
	sub2 := s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	u = b.authURL(t, alpha, book)
	s.Exec(alpha, `DELETE FROM resource_subscriptions WHERE id = ?`, sub2)
	s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	f := formOf(t, b.do(t, http.MethodGet, u, nil))
	if f.Fields.Get("id_token") == "" {
		t.Errorf("still given by another subscription, yet no id_token: %v", f.Fields)
	}
}

// A tool sending scores, launched without the class (the establishment does not share it):
// it is told of no line items' container (an establishment context has none; a URL naming
// the establishment as a class only ever answers 404).
func TestAttackAGSClaimWithoutClass(t *testing.T) {
	s := newLTISite(t)
	s.svc.WithGrades(nil, s.Srv.PortalURL())
	alpha := s.Establishment(94, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	tool := s.addTool(t, "exercices")
	s.Reg.Platform().Exec(`UPDATE platform.resource_tools SET scores = true WHERE id = ?`, tool.ID)
	s.svc.Catalogue().Invalidate()
	book := s.addResource(t, tool.ID, "Exercices", "")
	s.subscribe(t, alpha, book, tool.ID, resources.TargetTous)
	s.tokenOf(alice).launch(t, alpha, book)
	l := tool.Launches()[0]
	if l.Context["id"] != alpha.ID.String() {
		t.Fatalf("context %v, want the establishment", l.Context)
	}
	if c, ok := l.Claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]; ok {
		t.Errorf("an establishment context was given a line items' container: %v", c)
	}
}
