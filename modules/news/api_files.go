package news

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The posts' files through the JSON API: the same checks and rights as the edit form.

// apiAttach adds the multipart form's file (field piece, its description alt) to a post.
func (h *Handler) apiAttach(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	// The file first: a body over the limit is then refused saying so.
	sent, err := files.FormFile(c, "piece", MaxFileBytes, "envoi trop volumineux : le fichier doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return err
	}
	u := Upload{Alt: c.FormValue("alt")}
	if sent != nil {
		u.Name, u.Data = sent.Name, sent.Data
	}
	f, err := h.svc.Attach(c.Request().Context(), web.TenantOf(c), requestActor(c), id, u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiFile{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, Alt: f.Alt, Href: f.Href()})
}

// apiDetach removes a file from a post its viewer may edit.
func (h *Handler) apiDetach(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.Detach(c.Request().Context(), web.TenantOf(c), requestActor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
