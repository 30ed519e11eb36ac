package console

import (
	"net/http"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// PermRestore is restoring an establishment from an archive: the région's administrators
// only (a restored archive may hold any establishment).
const PermRestore identity.Permission = "console.restore"

// PermQuota is setting an establishment's file quota: the région's administrators only
// (the région pays for the storage).
const PermQuota identity.Permission = "console.quota"

// Grants says who holds the console's own permission; the rest of the console is for every
// platform administrator (identity's platform.tenants), within their scope.
var Grants = module.Grants{
	identity.RoleAdminRegion:      {PermRestore, PermQuota, PermBillingRead, PermBillingManage},
	identity.RoleAdminDepartement: {PermBillingRead},
}

func init() { identity.Grant(Grants) }

// Module declares the console: every page on the administration host, for platform
// administrators; each handler is wrapped in s, which records the viewer's scope (the same
// as the administration API's), so a département's administrators act on their collèges only.
// Changes are POSTs, checked against forgery; uploads have their own body limits.
func (h *Handler) Module() module.Module {
	a, p, s := module.Admin, identity.PermTenantsManage, h.scoped
	m := module.Module{
		Name:   "console",
		Grants: Grants,
		Routes: []module.Route{
			module.Get(a, "/console", p, s(h.home)),
			module.Get(a, "/console/journal", p, s(h.journalPage)),
			module.Get(a, "/console/etablissements/nouveau", p, s(h.newTenant)),
			module.Post(a, "/console/etablissements", p, s(h.provision)),
			module.Get(a, "/console/etablissements/:uai", p, s(h.tenantPage)),
			module.Get(a, "/console/etablissements/:uai/suspendre", p, s(h.confirmSuspend)),
			module.Post(a, "/console/etablissements/:uai/suspendre", p, s(h.suspend)),
			module.Post(a, "/console/etablissements/:uai/reprendre", p, s(h.resume)),
			module.Get(a, "/console/etablissements/:uai/supprimer", p, s(h.confirmDelete)),
			module.Post(a, "/console/etablissements/:uai/supprimer", p, s(h.delete)),
			module.Post(a, "/console/etablissements/:uai/quota", PermQuota, s(h.setQuota)),
			module.Get(a, "/console/etablissements/:uai/export", p, s(h.export)),
			module.Get(a, "/console/etablissements/:uai/imports", p, s(h.importsPage)),
			module.Post(a, "/console/etablissements/:uai/imports", p, s(h.importAAF)).WithLimit(h.cfg.MaxUploadBytes),
			module.Get(a, "/console/etablissements/:uai/imports/:id", p, s(h.importReport)),
			module.Get(a, "/console/restauration", p, s(h.restorePage)),
			// The upload's permission is the région's alone, so that nobody else's archive (up to
			// the import limit) is read before the refusal; the page explains the rule.
			module.Post(a, "/console/restauration", PermRestore, s(h.restore)).WithLimit(h.cfg.MaxImportBytes),
			module.Get(a, "/console/departements/:code", p, s(h.departementPage)),
			module.Post(a, "/console/departements/:code/adhesion", p, s(h.optIn)),
		},
		Menu: []module.MenuEntry{
			{Host: module.Admin, Text: "Console", Href: "/console", Permission: p, Order: 0},
			{Host: module.Admin, Text: "Journal", Href: "/console/journal", Permission: p, Order: 20},
			{Host: module.Admin, Text: "Restauration", Href: "/console/restauration", Permission: PermRestore, Order: 30},
		},
		Templates: Templates,
		// The console shows establishments, quotas and billing; the journal of what
		// administrators did there is the platform's accountability record.
		Export: module.NothingPersonal,
		ExportAbout: "Aucune donnée personnelle propre : la console des administrateurs montre les établissements, leurs quotas et " +
			"la facturation ; le journal de leurs actions est le registre de responsabilité de la plateforme.",
	}
	// The billing pages (http_billing*.go), when the billing is wired.
	for _, r := range h.billingRoutes() {
		if r.method == http.MethodPost {
			m.Routes = append(m.Routes, module.Post(a, r.path, r.perm, s(r.handler)))
		} else {
			m.Routes = append(m.Routes, module.Get(a, r.path, r.perm, s(r.handler)))
		}
	}
	if h.cfg.Billing != nil {
		m.Menu = append(m.Menu, module.MenuEntry{Host: module.Admin, Text: "Facturation", Href: "/console/facturation", Permission: PermBillingRead, Order: 10})
	}
	return m
}
