package cahier

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants: pupils read their classes' cahier and tick their own work; guardians read their
// children's; teachers fill the cahier of the classes they teach; the vie scolaire and the
// direction read every class's, and the direction sets the work types and the threshold.
// The direction and an inspector (read access, nothing else) sign cahiers (visas) and read
// every archive; teachers read their classes' archives.
var Grants = module.Grants{
	identity.RoleEleve:       {PermRead, PermTick},
	identity.RoleResponsable: {PermRead},
	identity.RoleEnseignant:  {PermRead, PermWrite, PermArchives},
	identity.RoleVieScolaire: {PermRead, PermBrowse},
	identity.RoleDirection:   {PermRead, PermBrowse, PermManage, PermVisa, PermArchives},
	identity.RoleInspecteur:  {PermRead, PermBrowse, PermVisa, PermArchives},
}

func init() { identity.Grant(Grants) }

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Module declares the cahier de textes: routes, menu entries, pages and demo data.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "cahier",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Cahier de textes", Href: "/cahier", Permission: PermRead,
				Roles: []module.Role{identity.RoleEleve, identity.RoleResponsable}, Order: 6},
			{Text: "À faire", Href: "/cahier/a-faire", Permission: PermTick, Order: 7},
			{Text: "Mes séances", Href: "/cahier/seances", Section: "/cahier/seances", Permission: PermWrite, Order: 5},
			{Text: "Cahiers de textes", Href: "/cahier", Permission: PermBrowse, Order: 8},
			{Text: "Visas des cahiers de textes", Href: "/cahier/visas", Permission: PermVisa, Order: 9},
			{Text: "Archives des cahiers de textes", Href: "/cahier/archives", Section: "/cahier/archives", Permission: PermArchives, Order: 35},
			{Text: "Réglages du cahier de textes", Href: "/cahier/reglages", Permission: PermManage, Order: 34},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: exportAbout,
	}
}

// routes are the cahier's pages (http.go: readers; http_teacher.go: teachers and direction)
// and its JSON API (api.go, described in openapi.json).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/cahier", PermRead, h.home),
		module.Get(t, "/cahier/a-faire", PermTick, h.ownToDo),
		module.Get(t, "/cahier/eleves/:id", PermRead, h.pupilBook),
		module.Get(t, "/cahier/eleves/:id/a-faire", PermRead, h.pupilToDo),
		module.Get(t, "/cahier/classes/:id", PermRead, h.classBook),
		module.Get(t, "/cahier/seances", PermWrite, h.teacherWeek),
		module.Get(t, "/cahier/seances/nouvelle", PermWrite, h.newSession),
		module.Post(t, "/cahier/seances/nouvelle", PermWrite, h.createSession),
		module.Get(t, "/cahier/seances/:id", PermRead, h.session),
		module.Get(t, "/cahier/seances/:id/modifier", PermWrite, h.editSession),
		module.Post(t, "/cahier/seances/:id/modifier", PermWrite, h.updateSession),
		module.Post(t, "/cahier/seances/:id/copier", PermWrite, h.copySession),
		module.Get(t, "/cahier/travail/nouveau", PermWrite, h.newWork),
		module.Post(t, "/cahier/travail/nouveau", PermWrite, h.createWork),
		module.Get(t, "/cahier/travail/:id", PermRead, h.work),
		module.Get(t, "/cahier/travail/:id/modifier", PermWrite, h.editWork),
		module.Post(t, "/cahier/travail/:id/modifier", PermWrite, h.updateWork),
		module.Post(t, "/cahier/travail/:id/fait", PermTick, h.tick),
		module.Post(t, "/cahier/travail/:id/rendre", PermTick, h.handInWork).WithLimit(SubmissionLimit),
		module.Get(t, "/cahier/travail/:id/rendus", PermWrite, h.workSubmissions),
		module.Get(t, "/cahier/rendus/:id", PermRead, h.submission),
		module.Post(t, "/cahier/rendus/:id/corriger", PermWrite, h.returnSubmission),
		module.Get(t, "/cahier/rendus/:id/fichiers/:file", PermRead, h.submissionFile),
		module.Post(t, "/cahier/seances/:id/pieces", PermWrite, h.attachSession).WithLimit(uploadLimit),
		module.Post(t, "/cahier/travail/:id/pieces", PermWrite, h.attachWork).WithLimit(uploadLimit),
		module.Post(t, "/cahier/pieces/:id/supprimer", PermWrite, h.detach),
		module.Get(t, "/cahier/pieces/:id", PermRead, h.download),
		module.Get(t, "/cahier/reglages", PermManage, h.settings),
		module.Post(t, "/cahier/reglages", PermManage, h.saveSettings),
		module.Get(t, "/cahier/visas", PermVisa, h.visas),
		module.Post(t, "/cahier/classes/:id/visas", PermVisa, h.sign),
		module.Get(t, "/cahier/archives", PermArchives, h.archives),
		module.Get(t, "/cahier/archives/archiver", PermManage, h.confirmArchive),
		module.Post(t, "/cahier/archives/archiver", PermManage, h.archiveYear),
		module.Get(t, "/cahier/archives/:id", PermArchives, h.downloadArchive),
		module.Get(t, "/api/v1/cahier/semaine", PermRead, h.apiWeek).AsAPI(),
		module.Get(t, "/api/v1/cahier/a-faire", PermRead, h.apiToDo).AsAPI(),
		module.Get(t, "/api/v1/cahier/classes/:id", PermRead, h.apiClassBook).AsAPI(),
		module.Post(t, "/api/v1/cahier/seances", PermWrite, h.apiCreateSession).AsAPI(),
		module.Get(t, "/api/v1/cahier/seances/:id", PermRead, h.apiSession).AsAPI(),
		module.Put(t, "/api/v1/cahier/seances/:id", PermWrite, h.apiUpdateSession).AsAPI(),
		module.Delete(t, "/api/v1/cahier/seances/:id", PermWrite, h.apiDeleteSession).AsAPI(),
		module.Post(t, "/api/v1/cahier/seances/:id/copier", PermWrite, h.apiCopySession).AsAPI(),
		module.Post(t, "/api/v1/cahier/travail", PermWrite, h.apiCreateWork).AsAPI(),
		module.Get(t, "/api/v1/cahier/travail/:id", PermRead, h.apiWork).AsAPI(),
		module.Delete(t, "/api/v1/cahier/travail/:id", PermWrite, h.apiDeleteWork).AsAPI(),
		module.Put(t, "/api/v1/cahier/travail/:id/fait", PermTick, h.apiTick).AsAPI(),
		module.Get(t, "/api/v1/cahier/charge", PermWrite, h.apiWorkload).AsAPI(),
		module.Get(t, "/api/v1/cahier/travail/:id/rendu", PermTick, h.apiOwnSubmission).AsAPI(),
		module.Put(t, "/api/v1/cahier/travail/:id/rendu", PermTick, h.apiHandIn).WithLimit(SubmissionLimit).AsAPI(),
		module.Get(t, "/api/v1/cahier/travail/:id/rendus", PermWrite, h.apiWorkSubmissions).AsAPI(),
		module.Post(t, "/api/v1/cahier/rendus/:id/retour", PermWrite, h.apiReturn).AsAPI(),
		module.Post(t, "/api/v1/cahier/seances/:id/fichiers", PermWrite, h.apiAttachSession).WithLimit(uploadLimit).AsAPI(),
		module.Post(t, "/api/v1/cahier/travail/:id/fichiers", PermWrite, h.apiAttachWork).WithLimit(uploadLimit).AsAPI(),
		module.Delete(t, "/api/v1/cahier/fichiers/:id", PermWrite, h.apiDetach).AsAPI(),
		module.Get(t, "/api/v1/cahier/visas", PermVisa, h.apiVisas).AsAPI(),
		module.Post(t, "/api/v1/cahier/classes/:id/visas", PermVisa, h.apiSign).AsAPI(),
		module.Get(t, "/api/v1/cahier/archives", PermArchives, h.apiArchives).AsAPI(),
	}
}
