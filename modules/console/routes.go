package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Register mounts every page of the console on the administration host, one line each, with
// the permission it needs (platform administrators) and the viewer's scope. Changes are
// POSTs, checked against forgery by auth.Handle; uploads have their own body limits.
func (h *Handler) Register(e *echo.Echo, auth *identity.Authenticator) {
	get, post, p, s := http.MethodGet, http.MethodPost, identity.PermTenantsManage, h.scoped
	auth.Handle(e, "admin", get, "/console", h.home, p, s)
	auth.Handle(e, "admin", get, "/console/journal", h.journalPage, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/nouveau", h.newTenant, p, s)
	auth.Handle(e, "admin", post, "/console/etablissements", h.provision, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai", h.tenantPage, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/suspendre", h.confirmSuspend, p, s)
	auth.Handle(e, "admin", post, "/console/etablissements/:uai/suspendre", h.suspend, p, s)
	auth.Handle(e, "admin", post, "/console/etablissements/:uai/reprendre", h.resume, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/supprimer", h.confirmDelete, p, s)
	auth.Handle(e, "admin", post, "/console/etablissements/:uai/supprimer", h.delete, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/export", h.export, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/imports", h.importsPage, p, s)
	auth.HandleUpload(e, "admin", post, "/console/etablissements/:uai/imports", h.cfg.MaxUploadBytes, h.importAAF, p, s)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/imports/:id", h.importReport, p, s)
	auth.Handle(e, "admin", get, "/console/restauration", h.restorePage, p, s)
	auth.HandleUpload(e, "admin", post, "/console/restauration", h.cfg.MaxImportBytes, h.restore, p, s)
	auth.Handle(e, "admin", get, "/console/departements/:code", h.departementPage, p, s)
	auth.Handle(e, "admin", post, "/console/departements/:code/adhesion", h.optIn, p, s)
}
