package grades

import (
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/module"
)

// routes are every page and API route of the grades with the permission it needs: the
// marks (http_pupil_marks.go, http_teaching.go, http_evaluations.go, http_grid.go,
// http_class_table.go, http_periods.go), the report cards (http_report_cards.go,
// http_class_cards.go, http_texts.go) and the JSON API (api.go). One line per route.
func (h *Handler) routes() []module.Route {
	t := module.Tenant
	view, teach, oversee := identity.PermMarksView, identity.PermMarksTeach, identity.PermMarksOversee
	return []module.Route{
		module.Get(t, "/notes", view, h.home),
		module.Get(t, "/notes/eleves/:id", view, h.pupilMarks),
		module.Get(t, "/notes/enseignement", teach, h.teaching),
		module.Get(t, "/notes/classes/:class/:subject", teach, h.classSubject),
		module.Get(t, "/notes/classes/:class/:subject/export.csv", teach, h.exportCSV),
		module.Get(t, "/notes/evaluations/nouvelle", teach, h.newEvaluation),
		module.Post(t, "/notes/evaluations", teach, h.createEvaluation),
		module.Get(t, "/notes/evaluations/:id/modifier", teach, h.editEvaluation),
		module.Post(t, "/notes/evaluations/:id", teach, h.updateEvaluation),
		module.Get(t, "/notes/evaluations/:id/supprimer", teach, h.confirmDeleteEvaluation),
		module.Post(t, "/notes/evaluations/:id/supprimer", teach, h.deleteEvaluation),
		module.Get(t, "/notes/evaluations/:id/saisie", teach, h.grid),
		module.Post(t, "/notes/evaluations/:id/saisie", teach, h.saveGrid),
		module.Get(t, "/notes/tableau", oversee, h.classTable),
		module.Get(t, "/notes/periodes", oversee, h.periodsPage),
		module.Post(t, "/notes/periodes", oversee, h.savePeriods),
		module.Post(t, "/notes/coefficients", oversee, h.saveCoefficient),
		module.Get(t, "/bulletins", view, h.reportCardsHome),
		module.Get(t, "/bulletins/:period/eleves/:id", view, h.reportCard),
		module.Get(t, "/bulletins/:period/eleves/:id/pdf", view, h.reportCardPDF),
		module.Get(t, "/bulletins/:period/classes/:class", teach, h.classBulletins),
		module.Get(t, "/bulletins/:period/classes/:class/pdf", teach, h.classBulletinsPDF),
		module.Get(t, "/bulletins/:period/classes/:class/appreciations/:subject", teach, h.appreciationsPage),
		module.Post(t, "/bulletins/:period/classes/:class/appreciations/:subject", teach, h.saveAppreciations),
		module.Get(t, "/bulletins/:period/classes/:class/conseil", teach, h.councilPage),
		module.Post(t, "/bulletins/:period/classes/:class/conseil", teach, h.saveCouncil),
		module.Post(t, "/bulletins/:period/classes/:class/publication", oversee, h.publish),
		module.Get(t, "/api/v1/periodes", view, h.apiPeriods).AsAPI(),
		module.Get(t, "/api/v1/notes", view, h.apiMarks).AsAPI(),
		module.Get(t, "/api/v1/evaluations", teach, h.apiEvaluations).AsAPI(),
		module.Post(t, "/api/v1/evaluations", teach, h.apiCreateEvaluation).AsAPI(),
		module.Get(t, "/api/v1/evaluations/:id", teach, h.apiEvaluation).AsAPI(),
		module.Put(t, "/api/v1/evaluations/:id", teach, h.apiUpdateEvaluation).AsAPI(),
		module.Delete(t, "/api/v1/evaluations/:id", teach, h.apiDeleteEvaluation).AsAPI(),
		module.Put(t, "/api/v1/evaluations/:id/notes", teach, h.apiSaveMarks).AsAPI(),
		module.Get(t, "/api/v1/bulletins/:period", view, h.apiReportCard).AsAPI(),
	}
}
