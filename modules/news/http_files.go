package news

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// uploadLimit is the attachment form's largest body: the file and the form's few fields.
const uploadLimit = MaxFileBytes + 64<<10

// attach adds the sent file to the post and goes back to its edit form, or shows the form
// with what is wrong with the file.
func (h *Handler) attach(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u := Upload{Alt: c.FormValue("alt")}
	sent, err := files.FormFile(c, "piece", MaxFileBytes, "envoi trop volumineux : le fichier doit faire "+fault.ByteSize(MaxFileBytes)+" au plus")
	if err != nil {
		return err
	}
	if sent != nil {
		u.Name, u.Data = sent.Name, sent.Data
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	_, err = h.svc.Attach(ctx, t, a, id, u)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		p, perr := h.svc.Editable(ctx, t, a, id)
		if perr != nil {
			return perr
		}
		return h.renderForm(c, http.StatusUnprocessableEntity, p, FormOf(p), FormErrors{inv.Field: inv.Message})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/actualites/"+id.String()+"/modifier#pieces")
}

// detach removes a file and goes back to its post's edit form.
func (h *Handler) detach(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	post, err := h.svc.Detach(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/actualites/"+post.String()+"/modifier#pieces")
}

// download serves a file with the type stored when it was checked (never what a browser
// would sniff): images inline (the post shows them), PDFs as downloads.
func (h *Handler) download(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	f, fc, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, f.Image())
}
