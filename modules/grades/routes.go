package grades

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Register mounts every page and API route of the grades with the permission it needs: the
// marks (http_pupil_marks.go, http_teaching.go, http_evaluations.go, http_grid.go,
// http_class_table.go, http_periods.go), the report cards (http_report_cards.go,
// http_class_cards.go, http_texts.go) and the JSON API (api.go). One line per route.
func (h *Handler) Register(e *echo.Echo) {
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes", h.home, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/eleves/:id", h.pupilMarks, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/enseignement", h.teaching, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/classes/:class/:subject", h.classSubject, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/classes/:class/:subject/export.csv", h.exportCSV, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/evaluations/nouvelle", h.newEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/notes/evaluations", h.createEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/evaluations/:id/modifier", h.editEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/notes/evaluations/:id", h.updateEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/evaluations/:id/supprimer", h.confirmDeleteEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/notes/evaluations/:id/supprimer", h.deleteEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/evaluations/:id/saisie", h.grid, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/notes/evaluations/:id/saisie", h.saveGrid, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/tableau", h.classTable, identity.PermMarksOversee)
	h.auth.Handle(e, "tenant", http.MethodGet, "/notes/periodes", h.periodsPage, identity.PermMarksOversee)
	h.auth.Handle(e, "tenant", http.MethodPost, "/notes/periodes", h.savePeriods, identity.PermMarksOversee)
	h.auth.Handle(e, "tenant", http.MethodPost, "/notes/coefficients", h.saveCoefficient, identity.PermMarksOversee)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins", h.reportCardsHome, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins/:period/eleves/:id", h.reportCard, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins/:period/eleves/:id/pdf", h.reportCardPDF, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins/:period/classes/:class", h.classBulletins, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins/:period/classes/:class/pdf", h.classBulletinsPDF, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins/:period/classes/:class/appreciations/:subject", h.appreciationsPage, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/bulletins/:period/classes/:class/appreciations/:subject", h.saveAppreciations, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/bulletins/:period/classes/:class/conseil", h.councilPage, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/bulletins/:period/classes/:class/conseil", h.saveCouncil, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/bulletins/:period/classes/:class/publication", h.publish, identity.PermMarksOversee)
	h.auth.Handle(e, "tenant", http.MethodGet, "/api/v1/periodes", h.apiPeriods, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/api/v1/notes", h.apiMarks, identity.PermMarksView)
	h.auth.Handle(e, "tenant", http.MethodGet, "/api/v1/evaluations", h.apiEvaluations, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPost, "/api/v1/evaluations", h.apiCreateEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/api/v1/evaluations/:id", h.apiEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPut, "/api/v1/evaluations/:id", h.apiUpdateEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodDelete, "/api/v1/evaluations/:id", h.apiDeleteEvaluation, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodPut, "/api/v1/evaluations/:id/notes", h.apiSaveMarks, identity.PermMarksTeach)
	h.auth.Handle(e, "tenant", http.MethodGet, "/api/v1/bulletins/:period", h.apiReportCard, identity.PermMarksView)
}
