package courses

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The outline through the JSON API: files, moves and deletions, the same checks and rights
// as the authors' pages.

// apiAttach adds the multipart form's file (field fichier, its description alt) to a page.
func (h *Handler) apiAttach(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	// The file first: a body over the limit is then refused saying so.
	sent, err := files.FormFile(c, "fichier", MaxFileBytes, "envoi trop volumineux : le fichier doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return err
	}
	u := Upload{Alt: c.FormValue("alt")}
	if sent != nil {
		u.Name, u.Data = sent.Name, sent.Data
	}
	b, err := h.svc.Attach(c.Request().Context(), web.TenantOf(c), requestActor(c), id, u)
	if done, err := apiRefused(c, err, blockFields); done || err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiBlockOf(b))
}

type apiMove struct {
	Direction string `json:"direction"` // haut, bas
}

// apiMove moves a section, page or block one place up or down.
func (h *Handler) apiMove(o Outline) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		var in apiMove
		if err := decode(c, &in); err != nil {
			return err
		}
		if in.Direction != "haut" && in.Direction != "bas" {
			return fault.Invalidf("direction", "direction : « haut » ou « bas »")
		}
		if _, err := h.svc.Move(c.Request().Context(), web.TenantOf(c), requestActor(c), o, id, in.Direction == "haut"); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// apiRemove deletes a section (its pages), a page (its blocks) or a block.
func (h *Handler) apiRemove(o Outline) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		if _, err := h.svc.Remove(c.Request().Context(), web.TenantOf(c), requestActor(c), o, id); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}
