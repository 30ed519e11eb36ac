package attendance

import (
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
)

// uploadLimit is the body limit of the forms that carry a document: the document and the
// form's other fields.
const uploadLimit = MaxFileBytes + 64<<10

// fileView is a document as the pages link it.
type fileView struct{ Href, Name, Size string }

func fileViews(fs []Attachment) []fileView {
	var out []fileView
	for _, f := range fs {
		out = append(out, fileView{Href: f.Href(), Name: f.Name, Size: f.SizeText()})
	}
	return out
}

// formUpload reads the optional document of a multipart form's field (nil: none chosen).
// A body over the route's limit is refused, saying the limit, before anything is stored.
func formUpload(c echo.Context, field string) (*Upload, error) {
	u, err := files.FormFile(c, field, MaxFileBytes, "envoi trop volumineux : le justificatif doit faire "+MaxFileText+" au plus")
	if u == nil || err != nil {
		return nil, err
	}
	return &Upload{Name: u.Name, Data: u.Data}, nil
}

// download serves a document as an attachment with the type stored when it was checked
// (never what a browser would sniff), once its checksum is verified.
func (h *Handler) download(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	_, fc, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, false)
}
