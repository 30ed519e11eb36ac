package grades

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Templates are the grades pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the marks and report cards on the establishments' host.
type Handler struct {
	svc  *Service
	auth *identity.Authenticator
}

// NewHandler wires the grades' HTTP side.
func NewHandler(svc *Service, auth *identity.Authenticator) *Handler {
	return &Handler{svc: svc, auth: auth}
}

// Register mounts every page and API route with the permission it needs.
func (h *Handler) Register(e *echo.Echo) {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	view, teach, oversee := identity.PermMarksView, identity.PermMarksTeach, identity.PermMarksOversee
	route := func(method, path string, fn echo.HandlerFunc, p identity.Permission) {
		h.auth.Handle(e, "tenant", method, path, fn, p)
	}
	// Marks (http_marks.go).
	route(get, "/notes", h.marksHome, view)
	route(get, "/notes/eleves/:id", h.pupilMarks, view)
	route(get, "/notes/enseignement", h.teaching, teach)
	route(get, "/notes/classes/:class/:subject", h.classSubject, teach)
	route(get, "/notes/classes/:class/:subject/export.csv", h.exportCSV, teach)
	route(get, "/notes/evaluations/nouvelle", h.newEvaluation, teach)
	route(post, "/notes/evaluations", h.createEvaluation, teach)
	route(get, "/notes/evaluations/:id/modifier", h.editEvaluation, teach)
	route(post, "/notes/evaluations/:id", h.updateEvaluation, teach)
	route(get, "/notes/evaluations/:id/supprimer", h.confirmDeleteEvaluation, teach)
	route(post, "/notes/evaluations/:id/supprimer", h.deleteEvaluation, teach)
	route(get, "/notes/evaluations/:id/saisie", h.grid, teach)
	route(post, "/notes/evaluations/:id/saisie", h.saveGrid, teach)
	route(get, "/notes/tableau", h.classTable, oversee)
	route(get, "/notes/periodes", h.periodsPage, oversee)
	route(post, "/notes/periodes", h.savePeriods, oversee)
	route(post, "/notes/coefficients", h.saveCoefficient, oversee)
	// Report cards (http_bulletins.go).
	route(get, "/bulletins", h.bulletinsHome, view)
	route(get, "/bulletins/:period/eleves/:id", h.reportCard, view)
	route(get, "/bulletins/:period/eleves/:id/pdf", h.reportCardPDF, view)
	route(get, "/bulletins/:period/classes/:class", h.classBulletins, teach)
	route(get, "/bulletins/:period/classes/:class/pdf", h.classBulletinsPDF, teach)
	route(get, "/bulletins/:period/classes/:class/appreciations/:subject", h.appreciationsPage, teach)
	route(post, "/bulletins/:period/classes/:class/appreciations/:subject", h.saveAppreciations, teach)
	route(get, "/bulletins/:period/classes/:class/conseil", h.councilPage, teach)
	route(post, "/bulletins/:period/classes/:class/conseil", h.saveCouncil, teach)
	route(post, "/bulletins/:period/classes/:class/publication", h.publish, oversee)
	// JSON API for mobile apps (api.go).
	route(get, "/api/v1/periodes", h.apiPeriods, view)
	route(get, "/api/v1/notes", h.apiMarks, view)
	route(get, "/api/v1/evaluations", h.apiEvaluations, teach)
	route(post, "/api/v1/evaluations", h.apiCreateEvaluation, teach)
	route(get, "/api/v1/evaluations/:id", h.apiEvaluation, teach)
	route(put, "/api/v1/evaluations/:id", h.apiUpdateEvaluation, teach)
	route(del, "/api/v1/evaluations/:id", h.apiDeleteEvaluation, teach)
	route(put, "/api/v1/evaluations/:id/notes", h.apiSaveMarks, teach)
	route(get, "/api/v1/bulletins/:period", h.apiReportCard, view)
}
