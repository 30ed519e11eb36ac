package transfer

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// PermAnswer lets a member reach the transfer pages; the service decides who may see a
// question (the pupil, a legal guardian of a minor): anyone else is told it does not exist.
const PermAnswer module.Permission = "transfer.answer"

// Grants: every member of an establishment reaches the pages (a 404 for whom a question
// does not concern, not a 403 that would tell it exists).
var Grants = module.Grants{
	identity.RoleEleve:       {PermAnswer},
	identity.RoleResponsable: {PermAnswer},
	identity.RoleEnseignant:  {PermAnswer},
	identity.RoleVieScolaire: {PermAnswer},
	identity.RoleDirection:   {PermAnswer},
	identity.RoleAdmin:       {PermAnswer},
	identity.RolePersonnel:   {PermAnswer},
	identity.RoleAdminRegion: {PermConsole},
}

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Module declares the transfer: routes, the menu's entry while a question waits, the home
// page's block, pages and export.
func (h *Handler) Module() module.Module {
	t := module.Tenant
	return module.Module{
		Name:    "transfer",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes: []module.Route{
			module.Get(t, Root, PermAnswer, h.list),
			module.Get(t, Root+"/:id", PermAnswer, h.show),
			module.Post(t, Root+"/:id", PermAnswer, h.answer),
			module.Get(t, "/api/v1"+Root, PermAnswer, h.apiQuestions).AsAPI(),
			module.Post(t, "/api/v1"+Root+"/:id", PermAnswer, h.apiAnswer).AsAPI(),
			module.Get(module.Admin, ConsoleRoot, PermConsole, h.console),
			module.Get(module.Admin, ConsoleRoot+"/:id/relancer", PermConsole, h.confirmRetry),
			module.Post(module.Admin, ConsoleRoot+"/:id/relancer", PermConsole, h.retry),
		},
		Menu: []module.MenuEntry{
			{TextFor: h.entryText, HrefFor: h.entryHref, Section: Root, Permission: PermAnswer,
				Roles: []module.Role{identity.RoleEleve, identity.RoleResponsable}, Order: 3},
			{Host: module.Admin, Text: "Transferts de portfolios", Href: ConsoleRoot, Permission: PermConsole, Order: 25},
		},
		Templates:   Templates,
		HomePanel:   h.homePanel,
		Export:      h.svc.Export,
		ExportAbout: "Les propositions de transfert de votre portfolio depuis un autre établissement vers celui-ci : l'établissement d'origine, ce que le portfolio contenait, vos réponses et celles d'un responsable légal, la copie.",
	}
}
