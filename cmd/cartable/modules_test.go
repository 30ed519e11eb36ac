package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// TestMenuOfModules: each viewer sees the entries their roles grant, in the declared order,
// once per link; a computed link that is empty for the viewer is left out.
func TestMenuOfModules(t *testing.T) {
	identity.Grant(module.Grants{identity.RoleEnseignant: {"menu.teach"}, identity.RoleEleve: {"menu.view"}, identity.RoleResponsable: {"menu.view"}})
	mods := []module.Module{
		{Name: "a", Menu: []module.MenuEntry{
			{Text: "Voir", Href: "/voir", Permission: "menu.view", Roles: []module.Role{identity.RoleEleve}, Order: 20},
			{Text: "Enseigner", Href: "/enseigner", Permission: "menu.teach", Order: 10},
		}},
		{Name: "b", Menu: []module.MenuEntry{
			{Text: "Enseigner encore", Href: "/enseigner", Permission: "menu.teach", Order: 30},
			{Text: "Ma fiche", HrefFor: ownCard, Permission: identity.PermMe, Order: 90},
		}},
	}
	menu := menuOf(mods)
	texts := func(v *identity.Viewer) string {
		c := echo.New().NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
		web.SetHost(c, web.HostTenant)
		if v != nil {
			identity.SetViewer(c, v)
		}
		var out []string
		for _, it := range menu(c) {
			out = append(out, it.Text+"="+it.Href)
		}
		return strings.Join(out, ", ")
	}
	pupil := uuid.New()
	for _, tt := range []struct {
		name string
		v    *identity.Viewer
		want string
	}{
		{"anonymous", nil, ""},
		{"pupil", &identity.Viewer{Roles: identity.Roles{identity.RoleEleve}, Member: true, PersonID: pupil}, "Voir=/voir, Ma fiche=/fiche/" + pupil.String()},
		{"parent: the entry is for pupils only", &identity.Viewer{Roles: identity.Roles{identity.RoleResponsable}}, ""},
		{"teacher, not a member: no card", &identity.Viewer{Roles: identity.Roles{identity.RoleEnseignant}}, "Enseigner=/enseigner"},
	} {
		if got := texts(tt.v); got != tt.want {
			t.Errorf("%s: menu %q, want %q", tt.name, got, tt.want)
		}
	}
}

func ownCard(c echo.Context) string {
	if v := identity.ViewerOf(c); v != nil && v.Member {
		return "/fiche/" + v.PersonID.String()
	}
	return ""
}

// TestMountRefusesARouteDeclaredTwice: two modules cannot shadow each other's route.
func TestMountRefusesARouteDeclaredTwice(t *testing.T) {
	srv, err := web.NewServer(web.Config{BaseDomain: "cartable.test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	auth := identity.NewAuthenticator(nil, nil, srv.PortalURL())
	noop := func(echo.Context) error { return nil }
	mods := []module.Module{
		{Name: "un", Routes: []module.Route{module.Get(module.Tenant, "/x", module.Public, noop)}},
		{Name: "deux", Routes: []module.Route{module.Get(module.Tenant, "/x", module.Public, noop)}},
	}
	if err := mount(srv, auth, mods); err == nil || !strings.Contains(err.Error(), "un and deux") {
		t.Errorf("mount = %v, want the route declared twice named", err)
	}
}
