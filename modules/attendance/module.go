package attendance

import (
	_ "embed"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// Permissions of attendance.
const (
	// PermView: one's own absences, a legal guardian's children's (the service checks whose).
	PermView module.Permission = "attendance.view"
	// PermRoll: taking the roll of one's lessons and creating ad hoc registers (the service
	// checks that the register is the teacher's).
	PermRoll module.Permission = "attendance.roll"
	// PermProcess: every register and absence, motifs, the day's processing, the legal
	// threshold, the counting rules (vie scolaire, direction).
	PermProcess module.Permission = "attendance.process"
)

// Grants: pupils and legal guardians see their absences, teachers take the roll of their
// lessons, the vie scolaire and direction see and handle everything.
var Grants = module.Grants{
	identity.RoleEleve:       {PermView},
	identity.RoleResponsable: {PermView},
	identity.RoleEnseignant:  {PermRoll},
	identity.RoleVieScolaire: school,
	identity.RoleDirection:   school,
	identity.RoleAdmin:       school,
}

var school = []module.Permission{PermView, PermRoll, PermProcess}

func init() { identity.Grant(Grants) }

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Module declares attendance: routes, menu entries and pages.
func (h *Handler) Module() module.Module {
	return module.Module{
		Name:    "attendance",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Absences", Href: "/absences", Section: "/absences", Permission: PermView,
				Roles: []module.Role{identity.RoleEleve, identity.RoleResponsable}, Order: 15},
			{Text: "Signaler une absence", Href: "/absences/signalements", Permission: PermView, Roles: []module.Role{identity.RoleResponsable}, Order: 16},
			{Text: "Mes cours du jour", Href: "/appel", Section: "/appel", Permission: PermRoll, Roles: []module.Role{identity.RoleEnseignant}, Order: 4},
			{Text: "Vie scolaire", Href: "/vie-scolaire", Section: "/vie-scolaire", Permission: PermProcess, Order: 4},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// routes are every page of attendance with the permission it needs: the roll call
// (http_roll.go), the vie scolaire's pages (http_school.go), families' pages and justifications
// (http_family.go), then the JSON API (api.go, described in openapi.json).
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/appel", PermRoll, h.myDay),
		module.Get(t, "/appel/registres/:id", PermRoll, h.roll),
		module.Post(t, "/appel/registres/:id", PermRoll, h.saveRoll),
		module.Get(t, "/appel/ponctuel", PermRoll, h.newAdHoc),
		module.Post(t, "/appel/ponctuel", PermRoll, h.createAdHoc),
		module.Get(t, "/vie-scolaire", PermProcess, h.schoolDay),
		module.Post(t, "/vie-scolaire/absences/:id", PermProcess, h.decide),
		module.Get(t, "/vie-scolaire/seuil", PermProcess, h.threshold),
		module.Get(t, "/vie-scolaire/seuil.csv", PermProcess, h.thresholdCSV),
		module.Get(t, "/vie-scolaire/registre", PermProcess, h.archives),
		module.Get(t, "/vie-scolaire/registre/:file", PermProcess, h.archiveCSV),
		module.Get(t, "/vie-scolaire/reglages", PermProcess, h.settings),
		module.Post(t, "/vie-scolaire/reglages", PermProcess, h.saveSettings),
		module.Post(t, "/vie-scolaire/motifs", PermProcess, h.saveMotifs),
		module.Get(t, "/absences", PermView, h.home),
		module.Get(t, "/absences/eleves/:id", PermView, h.pupil),
		module.Get(t, "/absences/:id/justifier", PermView, h.justifyForm),
		module.Post(t, "/absences/:id/justifier", PermView, h.justify).WithLimit(uploadLimit),
		module.Get(t, "/absences/pieces/:id", PermView, h.download),
		module.Get(t, "/absences/signalements", PermView, h.declarations),
		module.Post(t, "/absences/signalements", PermView, h.declare).WithLimit(uploadLimit),
		module.Get(t, "/absences/signalements/:id/annuler", PermView, h.confirmCancel),
		module.Post(t, "/absences/signalements/:id/annuler", PermView, h.cancel),
		module.Post(t, "/vie-scolaire/signalements/:id", PermProcess, h.answerDeclaration),
		module.Post(t, "/vie-scolaire/justifications/:id", PermProcess, h.answer),
		module.Get(t, "/api/v1/appel", PermRoll, h.apiMyDay).AsAPI(),
		module.Get(t, "/api/v1/appel/registres/:id", PermRoll, h.apiRoll).AsAPI(),
		module.Put(t, "/api/v1/appel/registres/:id", PermRoll, h.apiSaveRoll).AsAPI(),
		module.Get(t, "/api/v1/appel/ponctuel", PermRoll, h.apiAdHocForm).AsAPI(),
		module.Post(t, "/api/v1/appel/ponctuel", PermRoll, h.apiCreateAdHoc).AsAPI(),
		module.Get(t, "/api/v1/vie-scolaire", PermProcess, h.apiSchoolDay).AsAPI(),
		module.Post(t, "/api/v1/vie-scolaire/absences/:id", PermProcess, h.apiDecide).AsAPI(),
		module.Post(t, "/api/v1/vie-scolaire/justifications/:id", PermProcess, h.apiAnswer).AsAPI(),
		module.Get(t, "/api/v1/vie-scolaire/seuil", PermProcess, h.apiThreshold).AsAPI(),
		module.Get(t, "/api/v1/vie-scolaire/registre", PermProcess, h.apiArchives).AsAPI(),
		module.Get(t, "/api/v1/vie-scolaire/reglages", PermProcess, h.apiSettings).AsAPI(),
		module.Put(t, "/api/v1/vie-scolaire/reglages", PermProcess, h.apiSaveSettings).AsAPI(),
		module.Put(t, "/api/v1/vie-scolaire/motifs", PermProcess, h.apiSaveMotifs).AsAPI(),
		module.Get(t, "/api/v1/absences", PermView, h.apiPupils).AsAPI(),
		module.Get(t, "/api/v1/absences/eleves/:id", PermView, h.apiPupil).AsAPI(),
		module.Get(t, "/api/v1/absences/eleves/:id/bulletin", PermView, h.apiFigures).AsAPI(),
		module.Get(t, "/api/v1/absences/:id/justifier", PermView, h.apiJustifyForm).AsAPI(),
		module.Post(t, "/api/v1/absences/:id/justifier", PermView, h.apiJustify).AsAPI().WithLimit(apiUploadLimit),
		module.Get(t, "/api/v1/absences/signalements", PermView, h.apiDeclarations).AsAPI(),
		module.Post(t, "/api/v1/absences/signalements", PermView, h.apiDeclare).AsAPI().WithLimit(apiUploadLimit),
		module.Delete(t, "/api/v1/absences/signalements/:id", PermView, h.apiCancelDeclaration).AsAPI(),
		module.Post(t, "/api/v1/vie-scolaire/signalements/:id", PermProcess, h.apiAnswerDeclaration).AsAPI(),
		module.Get(t, "/api/v1/absences/pieces/:id", PermView, h.download).AsAPI(),
	}
}
