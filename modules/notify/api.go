package notify

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of the notifications (mobile apps): the same service as the pages.

func (h *Handler) apiList(c echo.Context) error {
	p, err := h.listOf(c)
	if err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []Notification{}
	}
	return c.JSON(http.StatusOK, p)
}

func (h *Handler) apiMarkRead(c echo.Context) error {
	person, err := h.markOneRead(c)
	if err != nil {
		return err
	}
	n, err := h.svc.Unread(c.Request().Context(), web.TenantOf(c), person)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"unread": n})
}

func (h *Handler) apiMarkAllRead(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	n, err := h.svc.MarkAllRead(c.Request().Context(), web.TenantOf(c), person)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"marked": n, "unread": 0})
}

func (h *Handler) apiPreferences(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Preferences(c.Request().Context(), web.TenantOf(c), person)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"preferences": p})
}

func (h *Handler) apiSavePreferences(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	var in struct {
		Preferences map[string]string `json:"preferences"`
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fault.Decoding(err)
	}
	ctx, t := c.Request().Context(), web.TenantOf(c)
	if err := h.svc.SetPreferences(ctx, t, person, in.Preferences); err != nil {
		return err
	}
	return h.apiPreferences(c)
}
