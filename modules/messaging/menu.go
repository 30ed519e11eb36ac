package messaging

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
)

// menuText is the menu entry with the unread count; the count failing leaves the plain
// text (the menu must not break a page).
func (h *Handler) menuText(c echo.Context) string {
	v := identity.ViewerOf(c)
	t := web.TenantOf(c)
	if v == nil || v.PersonID == uuid.Nil || t == nil {
		return "Messagerie"
	}
	n, err := h.svc.MenuUnread(c.Request().Context(), t, v.PersonID)
	if err != nil {
		c.Logger().Warnf("unread messages count: %v", err)
		return "Messagerie"
	}
	return menuLabel(n)
}

func menuLabel(n int) string {
	switch n {
	case 0:
		return "Messagerie"
	case 1:
		return "Messagerie (1 non lu)"
	}
	return fmt.Sprintf("Messagerie (%d non lus)", n)
}
