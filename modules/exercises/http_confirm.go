package exercises

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// confirmRoutes are the confirmations asked before a deletion.
func (h *Handler) confirmRoutes() []module.Route {
	return []module.Route{
		module.Get(module.Tenant, "/exercices/banque/questions/:id/supprimer", PermWrite, h.confirmDeleteQuestion),
	}
}

// confirmDeleteQuestion asks before a question of one's bank is deleted, saying what goes
// and what stays; the deletion itself is the form's POST (deleteQuestion).
func (h *Handler) confirmDeleteQuestion(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	q, err := h.svc.Question(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	if !q.Mine {
		return notFound("question") // a colleague's shared question: only its owner deletes it
	}
	return render(c, http.StatusOK, "exercises_confirm_delete.html", "Supprimer « "+q.Name+" »", map[string]any{"Question": q})
}
