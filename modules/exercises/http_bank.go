package exercises

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The bank's actions on the teacher's page; each comes back to it with a notice.

func back(c echo.Context, code string) error {
	return c.Redirect(http.StatusSeeOther, "/exercices/gestion?ok="+code+"#banque")
}

func (h *Handler) createCategory(c echo.Context) error {
	if _, err := h.svc.CreateCategory(c.Request().Context(), web.TenantOf(c), requestActor(c), c.FormValue("categorie")); err != nil {
		return shownError(err)
	}
	return back(c, "categorie")
}

func (h *Handler) deleteCategory(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCategory(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return back(c, "categorie-supprimee")
}

func (h *Handler) shareQuestion(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.ShareQuestion(c.Request().Context(), web.TenantOf(c), requestActor(c), id, c.FormValue("partager") == "1"); err != nil {
		return err
	}
	return back(c, "partage")
}

func (h *Handler) copyQuestion(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	cat, err := uuid.Parse(c.FormValue("categorie"))
	if err != nil {
		return fault.Invalidf("categorie", "Catégorie : choisissez une de vos catégories pour la copie.")
	}
	if _, err := h.svc.CopyQuestion(c.Request().Context(), web.TenantOf(c), requestActor(c), id, cat); err != nil {
		return err
	}
	return back(c, "copie")
}

func (h *Handler) deleteQuestion(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteQuestion(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return back(c, "supprimee")
}

// shownError turns a refused form (ours or the grades') into an error whose messages the
// error page shows, naming the first field.
func shownError(err error) error {
	var fe FormErrors
	var ge grades.FieldErrors
	var msgs map[string]string
	switch {
	case errors.As(err, &fe):
		msgs = fe
	case errors.As(err, &ge):
		msgs = ge
	default:
		return err
	}
	keys := slices.Sorted(maps.Keys(msgs))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = msgs[k]
	}
	return fault.Invalidf(keys[0], "%s", strings.Join(parts, " "))
}

// bankNotice is the confirmation of a bank action.
func bankNotice(code string) string {
	return map[string]string{"categorie": "La catégorie a été créée.", "categorie-supprimee": "La catégorie a été supprimée.",
		"partage": "Le partage de la question a été changé.", "copie": "La question a été copiée dans votre banque.", "supprimee": "La question a été supprimée."}[code]
}
