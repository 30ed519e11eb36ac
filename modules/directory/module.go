package directory

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"hash/fnv"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants says what each role may do in the directory: staff see class lists and cards, vie
// scolaire and direction the details, direction and administrators manage people and imports.
var Grants = module.Grants{
	identity.RoleEnseignant:       {identity.PermClassesList, identity.PermPeopleView},
	identity.RoleVieScolaire:      {identity.PermClassesList, identity.PermPeopleView, identity.PermPeopleDetails},
	identity.RoleDirection:        managers,
	identity.RoleAdmin:            managers,
	identity.RoleAdminRegion:      managers,
	identity.RoleAdminDepartement: managers,
}

var managers = []identity.Permission{identity.PermClassesList, identity.PermPeopleView, identity.PermPeopleDetails, identity.PermPeopleManage, identity.PermImport}

func init() { identity.Grant(Grants) }

// Module declares the directory: its pages on the establishments' host, the import API on the
// administration host, its menu entries and its demo people.
func (h *Handler) Module() module.Module {
	t, api := module.Tenant, module.AdminAPI
	return module.Module{
		Name:    "directory",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes: []module.Route{
			module.Get(t, "/api/v1/me", identity.PermMe, h.me).AsAPI(),
			module.Get(t, "/annuaire/classes", identity.PermClassesList, h.classes),
			module.Get(t, "/annuaire/classes/:id", identity.PermClassesList, h.class),
			module.Get(t, "/annuaire/personnes/:id", identity.PermMe, h.card),
			module.Get(t, "/admin/personnes", identity.PermPeopleManage, h.people),
			module.Get(t, "/admin/personnes/nouvelle", identity.PermPeopleManage, h.newPerson),
			module.Post(t, "/admin/personnes", identity.PermPeopleManage, h.createPerson),
			module.Get(t, "/admin/personnes/:id/modifier", identity.PermPeopleManage, h.editPerson),
			module.Post(t, "/admin/personnes/:id", identity.PermPeopleManage, h.updatePerson),
			module.Get(t, "/admin/personnes/:id/desactiver", identity.PermPeopleManage, h.confirmDeactivate),
			module.Post(t, "/admin/personnes/:id/desactiver", identity.PermPeopleManage, h.deactivate),
			module.Post(t, "/admin/personnes/:id/reactiver", identity.PermPeopleManage, h.reactivate),
			module.Post(t, "/admin/personnes/:id/code", identity.PermPeopleManage, h.recoveryCode),
			module.Get(t, "/admin/imports", identity.PermImport, h.imports),
			module.Post(t, "/admin/imports", identity.PermImport, h.uploadPage).WithLimit(h.maxUploadBytes),
			module.Get(t, "/admin/imports/:id/identifiants.csv", identity.PermImport, h.credentialsCSV),
			module.Get(t, "/admin/imports/:id/fiches", identity.PermImport, h.credentialSheets),
			module.Post(api, "/tenants/:uai/imports", identity.PermTenantsManage, h.apiImport).AsAPI(),
			module.Get(api, "/tenants/:uai/imports/:id/credentials.csv", identity.PermTenantsManage, h.apiCredentials).AsAPI(),
		},
		Menu: []module.MenuEntry{
			{Text: "Classes et groupes", Href: "/annuaire/classes", Section: "/annuaire", Permission: identity.PermClassesList, Order: 50},
			{Text: "Ma fiche", HrefFor: ownCard, Permission: identity.PermMe, Order: 50},
			{Text: "Gestion des personnes", Href: "/admin/personnes", Permission: identity.PermPeopleManage, Order: 60},
			{Text: "Imports de l'annuaire", Href: "/admin/imports", Permission: identity.PermImport, Order: 70},
		},
		Templates:   Templates,
		Demo:        h.svc.seedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// ownCard links to the viewer's own card, for members who do not have the class lists
// (those reach their card from there).
func ownCard(c echo.Context) string {
	if v := identity.ViewerOf(c); v != nil && v.Member && !v.Can(identity.PermClassesList) {
		return "/annuaire/personnes/" + v.PersonID.String()
	}
	return ""
}

// DemoSizes are the demo establishments' populations: pupils, relatives, staff.
var DemoSizes = map[tenant.Kind][3]int{"lycee": {70, 100, 14}, "college": {45, 65, 10}}

// seedDemo fills a demo establishment's directory through the AAF import, the path real
// ones take; the same establishment always gets the same people.
func (s *Service) seedDemo(ctx context.Context, t *tenant.Tenant) error {
	size, ok := DemoSizes[t.Kind]
	if !ok {
		size = DemoSizes["lycee"]
	}
	seed := fnv.New64a()
	seed.Write([]byte(t.UAI))
	var buf bytes.Buffer
	if err := aaf.Generate(&buf, aaf.GenOptions{UAI: string(t.UAI), Name: t.Name, Pupils: size[0], Parents: size[1], Staff: size[2], Seed: int64(seed.Sum64() >> 1)}); err != nil {
		return err
	}
	name := fmt.Sprintf("ENT_%s_Complet_20260901_Demo_0001.xml", t.UAI)
	_, err := s.ImportAAF(ctx, t, []File{{Name: name, R: &buf}}, ImportOptions{Actor: "dev:seed", Scope: identity.Scope{All: true}})
	return err
}

// openAPI describes the module's JSON API: its paths and schemas, merged into the platform's
// document (web.MergeOpenAPI).
//
//go:embed openapi.json
var openAPI []byte
