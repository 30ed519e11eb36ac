package notify

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Permissions of the notifications.
const (
	// PermOwn is one's own notifications and preferences: every member of an establishment.
	PermOwn module.Permission = "notify.own"
	// PermSettings is the establishment's quiet hours.
	PermSettings module.Permission = "notify.settings"
)

// Grants: every member has their own notifications (platform administrators visiting an
// establishment are nobody's recipient there); direction and the establishment's
// administrator set the quiet hours.
var Grants = module.Grants{
	identity.RoleEleve:       {PermOwn},
	identity.RoleResponsable: {PermOwn},
	identity.RoleEnseignant:  {PermOwn},
	identity.RoleVieScolaire: {PermOwn},
	identity.RoleDirection:   {PermOwn, PermSettings},
	identity.RoleAdmin:       {PermOwn, PermSettings},
	identity.RolePersonnel:   {PermOwn},
}

func init() { identity.Grant(Grants) }

// Module declares the notifications' pages, JSON API and menu entry (with the unread
// count), and, when a mailpit is configured (make dev), the page of the mails it received.
func (h *Handler) Module() module.Module {
	t := module.Tenant
	routes := []module.Route{
		module.Get(t, "/notifications", PermOwn, h.list),
		module.Post(t, "/notifications/lues", PermOwn, h.markAllRead),
		module.Post(t, "/notifications/:id/lue", PermOwn, h.markRead),
		module.Get(t, "/notifications/preferences", PermOwn, h.preferencesPage),
		module.Post(t, "/notifications/preferences", PermOwn, h.savePreferences),
		module.Post(t, "/notifications/silence", PermSettings, h.saveQuietHours),
		module.Get(t, "/api/v1/notifications", PermOwn, h.apiList).AsAPI(),
		module.Post(t, "/api/v1/notifications/lues", PermOwn, h.apiMarkAllRead).AsAPI(),
		module.Post(t, "/api/v1/notifications/:id/lue", PermOwn, h.apiMarkRead).AsAPI(),
		module.Get(t, "/api/v1/notifications/preferences", PermOwn, h.apiPreferences).AsAPI(),
		module.Put(t, "/api/v1/notifications/preferences", PermOwn, h.apiSavePreferences).AsAPI(),
	}
	var menu []module.MenuEntry
	menu = append(menu, module.MenuEntry{Text: "Notifications", TextFor: h.menuText, Href: "/notifications", Permission: PermOwn, Order: 1})
	if h.mailbox != nil {
		routes = append(routes, module.Get(module.Admin, "/console/courriels", identity.PermTenantsManage, h.devMails))
		menu = append(menu, module.MenuEntry{Host: module.Admin, Text: "Courriels envoyés (dev)", Href: "/console/courriels",
			Permission: identity.PermTenantsManage, Roles: []module.Role{identity.RoleAdminRegion}, Order: 11})
	}
	return module.Module{
		Name:        "notify",
		OpenAPI:     openAPI,
		Grants:      Grants,
		Routes:      routes,
		Menu:        menu,
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// openAPI describes the module's JSON API (merged into the platform's document).
//
//go:embed openapi.json
var openAPI []byte
