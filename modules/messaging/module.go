package messaging

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Permissions of the messagerie.
const (
	// PermUse is writing and reading one's own messages: every member of an establishment
	// (platform administrators visiting one are nobody's correspondent there).
	PermUse module.Permission = "messaging.use"
	// PermRules is editing the establishment's communication rules, and its messaging
	// settings and suspensions.
	PermRules module.Permission = "messaging.rules"
	// PermReports is reading the messages reported to the vie scolaire and handling them.
	PermReports module.Permission = "messaging.reports"
)

// Grants: every member writes within the rules; direction and the establishment's
// administrator set them.
var Grants = module.Grants{
	identity.RoleEleve:       {PermUse},
	identity.RoleResponsable: {PermUse},
	identity.RoleEnseignant:  {PermUse},
	identity.RoleVieScolaire: {PermUse, PermReports},
	identity.RoleDirection:   {PermUse, PermRules, PermReports},
	identity.RoleAdmin:       {PermUse, PermRules},
	identity.RolePersonnel:   {PermUse},
}

func init() { identity.Grant(Grants) }

// Module declares the messagerie's pages, its JSON API, its menu entries (with the unread count) and its
// demo conversations.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "messaging",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  append(h.routes(), h.safetyRoutes()...), // http_safety.go
		Menu: []module.MenuEntry{
			{Text: "Messagerie", TextFor: h.menuText, Href: "/messagerie", Section: "/messagerie", Permission: PermUse, Order: 2},
			{Text: "Règles de la messagerie", Href: "/messagerie/regles", Permission: PermRules, Order: 30},
			{Text: settingsTitle, Href: "/messagerie/reglages", Permission: PermRules, Order: 31},
			{Text: "Comptes suspendus de la messagerie", Href: "/messagerie/suspensions", Permission: PermRules, Order: 32},
			{Text: "Messages signalés", Href: "/messagerie/signalements", Permission: PermReports, Order: 33},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// routes are every page of the messagerie with the permission it needs: the rules
// (http_rules.go), the folders, the compose form with its picker and the conversations
// (http_messages.go). One line per route.
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/messagerie", PermUse, h.folderPage(Inbox)),
		module.Get(t, "/messagerie/envoyes", PermUse, h.folderPage(Outbox)),
		module.Get(t, "/messagerie/corbeille", PermUse, h.folderPage(Trash)),
		module.Get(t, "/messagerie/recherche", PermUse, h.searchPage),
		module.Get(t, "/messagerie/nouveau", PermUse, h.composePage),
		module.Post(t, "/messagerie/nouveau", PermUse, h.compose).WithLimit(uploadLimit),
		module.Get(t, "/messagerie/conversations/:id", PermUse, h.conversationPage),
		module.Get(t, "/messagerie/messages/:id/repondre", PermUse, h.replyPage),
		module.Post(t, "/messagerie/messages/:id/repondre", PermUse, h.reply).WithLimit(uploadLimit),
		module.Post(t, "/messagerie/messages/:id/corbeille", PermUse, h.moveTo(true)),
		module.Post(t, "/messagerie/messages/:id/restaurer", PermUse, h.moveTo(false)),
		module.Get(t, "/messagerie/pieces/:id", PermUse, h.download),
		module.Get(t, "/messagerie/messages/:id/supprimer", PermUse, h.confirmDelete),
		module.Post(t, "/messagerie/messages/:id/supprimer", PermUse, h.deleteMessage),
		module.Get(t, "/api/v1/messages", PermUse, h.apiFolder).AsAPI(),
		module.Post(t, "/api/v1/messages", PermUse, h.apiSend).WithLimit(uploadLimit).AsAPI(),
		module.Get(t, "/api/v1/messages/recherche", PermUse, h.apiSearch).AsAPI(),
		module.Post(t, "/api/v1/messages/:id/corbeille", PermUse, h.apiMove(true)).AsAPI(),
		module.Post(t, "/api/v1/messages/:id/restaurer", PermUse, h.apiMove(false)).AsAPI(),
		module.Delete(t, "/api/v1/messages/:id", PermUse, h.apiDelete).AsAPI(),
		module.Get(t, "/api/v1/conversations/:id", PermUse, h.apiConversation).AsAPI(),
		module.Get(t, "/api/v1/messages/pieces/:id", PermUse, h.download).AsAPI(),
		module.Get(t, "/api/v1/messages/espace", PermUse, h.apiUsage).AsAPI(),
		module.Get(t, "/api/v1/destinataires", PermUse, h.apiRecipients).AsAPI(),
		// Drafts and recall (http_drafts.go, api_flow.go).
		module.Get(t, "/messagerie/brouillons", PermUse, h.draftsPage),
		module.Get(t, "/messagerie/brouillons/:id", PermUse, h.draftPage),
		module.Get(t, "/messagerie/brouillons/:id/supprimer", PermUse, h.confirmDeleteDraft),
		module.Post(t, "/messagerie/brouillons/:id/supprimer", PermUse, h.deleteDraft),
		module.Get(t, "/messagerie/messages/:id/rappeler", PermUse, h.confirmRecall),
		module.Post(t, "/messagerie/messages/:id/rappeler", PermUse, h.recall),
		module.Get(t, "/api/v1/brouillons", PermUse, h.apiDrafts).AsAPI(),
		module.Post(t, "/api/v1/brouillons", PermUse, h.apiCreateDraft).AsAPI(),
		module.Get(t, "/api/v1/brouillons/:id", PermUse, h.apiDraft).AsAPI(),
		module.Put(t, "/api/v1/brouillons/:id", PermUse, h.apiUpdateDraft).AsAPI(),
		module.Delete(t, "/api/v1/brouillons/:id", PermUse, h.apiDeleteDraft).AsAPI(),
		module.Post(t, "/api/v1/brouillons/:id/envoyer", PermUse, h.apiSendDraft).AsAPI(),
		module.Post(t, "/api/v1/messages/:id/rappeler", PermUse, h.apiRecall).AsAPI(),
		module.Get(t, "/messagerie/regles", PermRules, h.rulesPage),
		module.Post(t, "/messagerie/regles", PermRules, h.saveRules),
		module.Get(t, "/messagerie/regles/reinitialiser", PermRules, h.confirmReset),
		module.Post(t, "/messagerie/regles/reinitialiser", PermRules, h.resetRules),
	}
}

// openAPI describes the module's JSON API (merged into the platform's document).
//
//go:embed openapi.json
var openAPI []byte
