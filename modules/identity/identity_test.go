package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	kratos "github.com/ory/kratos-client-go"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/web/module"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestRolesRoundTrip(t *testing.T) {
	in := Roles{RoleEleve, RoleResponsable}
	v, err := in.Value()
	if err != nil || v != "{eleve,responsable}" {
		t.Fatalf("Value() = %v, %v", v, err)
	}
	var out Roles
	for _, src := range []any{"{eleve,responsable}", []byte(`{"eleve",responsable}`)} {
		if err := out.Scan(src); err != nil || len(out) != 2 || out[0] != RoleEleve || out[1] != RoleResponsable {
			t.Fatalf("Scan(%v) = %v, %v", src, out, err)
		}
	}
	if err := out.Scan("{}"); err != nil || len(out) != 0 {
		t.Fatalf("Scan({}) = %v, %v", out, err)
	}
}

func TestPermissionTable(t *testing.T) {
	// A module's grants merge into identity's own; granting twice is granting once.
	Grant(module.Grants{RoleEnseignant: {"test.read"}, RoleDirection: {"test.read", "test.write"}})
	Grant(module.Grants{RoleEnseignant: {"test.read"}})
	if n := strings.Count(fmt.Sprint(Granted(RoleEnseignant)), "test.read"); n != 1 {
		t.Errorf("teacher holds test.read %d times, want 1", n)
	}
	tests := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleEleve, PermMe, true},
		{RoleEleve, "test.read", false},
		{RoleEnseignant, "test.read", true},
		{RoleEnseignant, "test.write", false},
		{RoleDirection, "test.write", true},
		{RoleAdmin, PermTenantsManage, false},
		{RolePersonnel, PermHome, true},
		{RoleAdminRegion, PermTenantsManage, true},
		{RoleAdminDepartement, PermTenantsManage, true},
		{Role("inconnu"), PermHome, false},
	}
	for _, tt := range tests {
		if got := Can([]Role{tt.role}, tt.perm); got != tt.want {
			t.Errorf("Can(%s, %s) = %v, want %v", tt.role, tt.perm, got, tt.want)
		}
	}
	for _, r := range EstablishmentRoles {
		if r.Label() == string(r) {
			t.Errorf("role %s has no French label", r)
		}
	}
}

func TestFormOfTranslates(t *testing.T) {
	input := func(name, typ string, value any) kratos.UiNode {
		return kratos.UiNode{Group: map[bool]string{true: "default", false: "password"}[name == "csrf_token" || name == "identifier"],
			Attributes: kratos.UiNodeAttributes{UiNodeInputAttributes: &kratos.UiNodeInputAttributes{Name: name, Type: typ, Value: value}}}
	}
	pw := input("password", "password", nil)
	pw.Messages = []kratos.UiText{{Id: 4000002, Text: "Property password is missing.", Type: "error"}}
	ui := kratos.UiContainer{Action: "http://auth.cartable.test/self-service/login?flow=x", Method: "POST",
		Messages: []kratos.UiText{{Id: 4000006, Text: "The provided credentials are invalid", Type: "error"}},
		Nodes: []kratos.UiNode{input("csrf_token", "hidden", "tok"), input("identifier", "text", "zoe"), pw, input("method", "submit", "password"),
			{Group: "code", Attributes: kratos.UiNodeAttributes{UiNodeInputAttributes: &kratos.UiNodeInputAttributes{Name: "code", Type: "text"}}}}}
	f := formOf(ui, "login", "password")
	if len(f.Messages) != 1 || f.Messages[0].Text[:11] != "Identifiant" || !f.Messages[0].Error {
		t.Fatalf("messages = %+v", f.Messages)
	}
	if len(f.Fields) != 3 || f.Fields[1].Label != "Identifiant" || f.Fields[2].Label != "Mot de passe" || f.Fields[2].Errors[0] != "Ce champ est obligatoire." {
		t.Fatalf("fields = %+v", f.Fields)
	}
	if len(f.Buttons) != 1 || f.Buttons[0].Label != "Se connecter" {
		t.Fatalf("buttons = %+v", f.Buttons)
	}
}

// TestCheckSession runs against the test run's real Kratos.
func TestCheckSession(t *testing.T) {
	pub, adm := testenv.Kratos(t)
	k := NewKratos(pub, adm, 0)
	ctx := context.Background()
	if _, err := k.Check(ctx, "", ""); !errors.Is(err, ErrNoSession) {
		t.Fatalf("no credentials: %v", err)
	}
	if _, err := k.Check(ctx, "", "ory_st_forged"); !errors.Is(err, ErrNoSession) {
		t.Fatalf("forged token: %v", err)
	}
	if _, err := k.Check(ctx, "forged-cookie", ""); !errors.Is(err, ErrNoSession) {
		t.Fatalf("forged cookie: %v", err)
	}
	down := NewKratos("http://127.0.0.1:1", adm, 0)
	if _, err := down.Check(ctx, "", "ory_st_x"); err == nil || errors.Is(err, ErrNoSession) {
		t.Fatalf("unreachable Kratos: %v, want an unavailable error", err)
	}
}

// TestExpiredSessionCookie: logout clears the session cookie of the whole base domain,
// Secure when the portal is served over https.
func TestExpiredSessionCookie(t *testing.T) {
	for _, tt := range []struct {
		portal, domain string
		secure         bool
	}{{"http://cartable.localhost:8080", "cartable.localhost", false}, {"https://ent.example.fr", "ent.example.fr", true}} {
		c := NewUI(nil, "", tt.portal, "", nil).expiredSessionCookie()
		if c.Name != SessionCookie || c.MaxAge >= 0 || c.Secure != tt.secure || !c.HttpOnly || c.Domain != tt.domain {
			t.Errorf("%s: cookie %+v; want %s expired, Secure=%v, HttpOnly, domain %s", tt.portal, c, SessionCookie, tt.secure, tt.domain)
		}
	}
}

// TestSessionCacheBounded: made-up credentials fill only the refusals' cache; the valid
// sessions stay, and evicting one session leaves the others.
func TestSessionCacheBounded(t *testing.T) {
	c := newSessionCache(10 * time.Second)
	now := time.Date(2026, time.October, 5, 10, 0, 0, 0, time.UTC)
	zoe := &Session{ID: "s1", IdentityID: uuid.New()}
	leo := &Session{ID: "s2", IdentityID: uuid.New()}
	c.put("zoe", zoe, now.Add(10*time.Second))
	c.put("leo", leo, now.Add(10*time.Second))
	for i := range 30000 {
		c.put(fmt.Sprintf("bogus-%d", i), nil, now.Add(refusedTTL))
	}
	if s, ok := c.get("zoe", now); !ok || s != zoe {
		t.Fatal("a flood of made-up cookies evicted a valid session")
	}
	if s, ok := c.get("bogus-29999", now); !ok || s != nil {
		t.Error("a refusal is not remembered")
	}
	c.removeIdentitySession(zoe.IdentityID, "s1")
	if _, ok := c.get("zoe", now); ok {
		t.Error("the revoked session is still cached")
	}
	if _, ok := c.get("leo", now); !ok {
		t.Error("revoking one session evicted another")
	}
	if _, ok := c.get("leo", now.Add(11*time.Second)); ok {
		t.Error("a session is served past its expiry")
	}
}
