// Package platform declares the région's provisioning API (establishments, départements'
// opt-in), served by the tenant registry's handler on the administration host.
package platform

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// Module declares the provisioning API: every route is for platform administrators (or the
// automation token), each narrowed to the caller's scope by the registry's rules.
func Module(h *tenant.Handler) module.Module {
	var routes []module.Route
	for _, r := range h.APIRoutes() {
		routes = append(routes, module.Route{Host: module.AdminAPI, Method: r.Method, Path: r.Path,
			Permission: identity.PermTenantsManage, Handler: r.Handler, API: true})
	}
	return module.Module{Name: "platform", Routes: routes, OpenAPI: openAPI,
		// The registry of establishments and organisations: no person in it.
		Export:      module.NothingPersonal,
		ExportAbout: "Aucune donnée personnelle : le registre des établissements et des collectivités ne nomme personne."}
}

// openAPI describes the module's JSON API: its paths and schemas, merged into the platform's
// document (web.MergeOpenAPI).
//
//go:embed openapi.json
var openAPI []byte
