package resources

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// garRoutes: the managers' page of the GAR-style export (the service lets only managers in).
func (h *Handler) garRoutes() []module.Route {
	return []module.Route{
		module.Get(module.Tenant, "/ressources/gar", PermView, h.garPage),
		module.Post(module.Tenant, "/ressources/gar/reglage", PermView, h.garSetting),
		module.Post(module.Tenant, "/ressources/gar/exports", PermView, h.garRequest),
		module.Get(module.Tenant, "/ressources/gar/exports/:id", PermView, h.garDownload),
	}
}

func (h *Handler) garPage(c echo.Context) error {
	p, err := h.svc.GarOverview(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	data := map[string]any{"Page": p}
	switch c.QueryParam("ok") {
	case "reglage":
		data["Notice"] = "Réglage enregistré."
	case "demande":
		data["Notice"] = "L'export est demandé : il sera prêt dans quelques minutes. Rechargez la page pour le télécharger."
	}
	return c.Render(http.StatusOK, "gar_page.html", web.Page{Title: "Export GAR de l'annuaire", Tenant: web.TenantOf(c), Data: data})
}

func (h *Handler) garSetting(c echo.Context) error {
	on := c.FormValue("gestionnaire_externe") == "oui"
	if err := h.svc.SetExternalManager(c.Request().Context(), web.TenantOf(c), requestActor(c), on); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/ressources/gar?ok=reglage")
}

func (h *Handler) garRequest(c echo.Context) error {
	if _, err := h.svc.RequestExport(c.Request().Context(), web.TenantOf(c), requestActor(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/ressources/gar?ok=demande")
}

func (h *Handler) garDownload(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	t := web.TenantOf(c)
	doc, at, err := h.svc.GarFile(c.Request().Context(), t, requestActor(c), id)
	if err != nil {
		return err
	}
	name := "GAR_" + string(t.UAI) + "_" + at.In(h.svc.zone()).Format("20060102_1504") + ".xml"
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "private, no-store")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", doc)
}

// garMenu is the direction's entry to the export, right after the managers' pages (same
// order, registered after them); référents reach it from the managers' pages' tabs.
func (h *Handler) garMenu() []module.MenuEntry {
	return []module.MenuEntry{{Text: "Export GAR", Href: "/ressources/gar", Permission: PermManage, Order: 12}}
}
