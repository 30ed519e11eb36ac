package resources_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/resources"
)

// TestDemoLTITool starts the demo tool of make dev, seeds the demo establishment's
// subscription, and opens the demo textbook through it.
func TestDemoLTITool(t *testing.T) {
	s := newLTISite(t)
	alpha := s.Establishment(90, "Lycée Alpha")
	alice := s.Member(alpha, identity.RoleEleve, "Alice", "Martin")
	parent := s.Member(alpha, identity.RoleResponsable, "Gérard", "Martin")
	cfg := resources.DemoTool{PortalURL: s.Srv.PortalURL(), ServerAddr: s.platform.Listener.Addr().String(), Now: s.Clock.Now}
	stop, err := resources.StartDemoTool(t.Context(), s.Reg.Platform(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop() // a second start (the next make dev) moves the tool to its new port
	stop, err = resources.StartDemoTool(t.Context(), s.Reg.Platform(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	for range 2 {
		if err := s.svc.SeedDemo(t.Context(), alpha); err != nil {
			t.Fatal(err)
		}
	}
	var book uuid.UUID
	if err := s.Reg.Platform().Raw(`SELECT id FROM platform.resources WHERE type = 'manuel' AND title LIKE '%démo%'`).Row().Scan(&book); err != nil {
		t.Fatalf("the demo textbook: %v", err)
	}
	if n := s.Count(alpha, `SELECT count(*) FROM resource_subscriptions WHERE resource_id = ? AND kind = 'etablissement' AND target = 'tous'`, book); n != 1 {
		t.Fatalf("demo subscriptions: %d, want 1", n)
	}
	var tools int
	s.Reg.Platform().Raw(`SELECT count(*) FROM platform.resource_tools WHERE kind = 'lti'`).Row().Scan(&tools) // the plain-link demo has its own
	if tools != 1 {
		t.Errorf("demo tools after two starts: %d", tools)
	}
	p := s.tokenOf(alice).launch(t, alpha, book)
	if p.Code != http.StatusOK || !strings.Contains(p.Body, "Ressource ouverte") || !strings.Contains(p.Body, "Aucun nom") {
		t.Fatalf("the demo tool's page: %d %.600s", p.Code, p.Body)
	}
	if p := s.tokenOf(parent).open(t, alpha, book, nil); p.Code != http.StatusForbidden {
		t.Errorf("a parent opens the demo textbook: %d", p.Code)
	}
}
