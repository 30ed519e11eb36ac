package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
)

// Register mounts every page of the console on the administration host, one line each, with
// the permission it needs (platform administrators); each handler is wrapped in s, which
// records the viewer's scope. Changes are POSTs, checked against forgery by auth.Handle;
// uploads have their own body limits. (Module contract: each line is a module.Get/Post of
// module.Admin, the uploads with WithLimit.)
func (h *Handler) Register(e *echo.Echo, auth *identity.Authenticator) {
	get, post, p, s := http.MethodGet, http.MethodPost, identity.PermTenantsManage, h.scoped
	auth.Handle(e, "admin", get, "/console", s(h.home), p)
	auth.Handle(e, "admin", get, "/console/journal", s(h.journalPage), p)
	auth.Handle(e, "admin", get, "/console/etablissements/nouveau", s(h.newTenant), p)
	auth.Handle(e, "admin", post, "/console/etablissements", s(h.provision), p)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai", s(h.tenantPage), p)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/suspendre", s(h.confirmSuspend), p)
	auth.Handle(e, "admin", post, "/console/etablissements/:uai/suspendre", s(h.suspend), p)
	auth.Handle(e, "admin", post, "/console/etablissements/:uai/reprendre", s(h.resume), p)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/supprimer", s(h.confirmDelete), p)
	auth.Handle(e, "admin", post, "/console/etablissements/:uai/supprimer", s(h.delete), p)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/export", s(h.export), p)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/imports", s(h.importsPage), p)
	auth.HandleUpload(e, "admin", post, "/console/etablissements/:uai/imports", h.cfg.MaxUploadBytes, s(h.importAAF), p)
	auth.Handle(e, "admin", get, "/console/etablissements/:uai/imports/:id", s(h.importReport), p)
	auth.Handle(e, "admin", get, "/console/restauration", s(h.restorePage), p)
	auth.HandleUpload(e, "admin", post, "/console/restauration", h.cfg.MaxImportBytes, s(h.restore), p)
	auth.Handle(e, "admin", get, "/console/departements/:code", s(h.departementPage), p)
	auth.Handle(e, "admin", post, "/console/departements/:code/adhesion", s(h.optIn), p)
}
