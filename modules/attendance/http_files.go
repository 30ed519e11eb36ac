package attendance

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
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
	fh, err := c.FormFile(field)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, fault.NewField(fault.ErrTooLarge, field, "envoi trop volumineux : le justificatif doit faire %s au plus", MaxFileText)
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		return nil, nil
	case err != nil:
		return nil, fault.Wrap(fault.ErrInvalid, err, "formulaire illisible : rechargez la page et recommencez")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	return &Upload{Name: fh.Filename, Data: data}, nil
}

// download serves a document as an attachment with the type stored when it was checked
// (never what a browser would sniff), once its checksum is verified.
func (h *Handler) download(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f, data, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, f.ContentType, data)
}
