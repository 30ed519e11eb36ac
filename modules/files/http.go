package files

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web/fault"
)

// Upload is a file as a form sent it: the name the device gave it and its bytes.
type Upload struct {
	Name string
	Data []byte
}

// FormFiles reads the files of a multipart form's field (none chosen: none). A body over
// the route's limit is refused with tooLarge (413), before anything is stored; each file is
// read up to max+1 bytes, so that Check can say it is too large.
func FormFiles(c echo.Context, field string, max int64, tooLarge string) ([]Upload, error) {
	form, err := c.MultipartForm()
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, fault.NewField(fault.ErrTooLarge, field, "%s", tooLarge)
	case errors.Is(err, http.ErrNotMultipart):
		return nil, nil
	case err != nil:
		return nil, fault.Wrap(fault.ErrInvalid, err, "formulaire illisible : rechargez la page et recommencez")
	}
	var out []Upload
	for _, fh := range form.File[field] {
		if fh.Filename == "" && fh.Size == 0 { // a file input left empty
			continue
		}
		u, err := readPart(fh, max)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// FormFile reads the optional file of a multipart form's field (nil: none chosen), as
// FormFiles.
func FormFile(c echo.Context, field string, max int64, tooLarge string) (*Upload, error) {
	fh, err := c.FormFile(field)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, fault.NewField(fault.ErrTooLarge, field, "%s", tooLarge)
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		return nil, nil
	case err != nil:
		return nil, fault.Wrap(fault.ErrInvalid, err, "formulaire illisible : rechargez la page et recommencez")
	}
	u, err := readPart(fh, max)
	return &u, err
}

func readPart(fh *multipart.FileHeader, max int64) (Upload, error) {
	f, err := fh.Open()
	if err != nil {
		return Upload{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return Upload{}, err
	}
	return Upload{Name: fh.Filename, Data: data}, nil
}

// Serve streams an opened file (Store.Open) with the type stored when it was checked (never
// what a browser would sniff), as a download, or shown in the page when inline (images, and
// PDFs where the module says so), never kept in a shared cache; Range and If-Modified-Since
// requests are answered by http.ServeContent. A blob found altered while it is sent is logged
// by the error handler and the answer is aborted (http.ErrAbortHandler), so that the client
// does not take the bytes sent for the file. Serve closes the file.
func Serve(c echo.Context, fc *Content, inline bool) error {
	defer fc.Close()
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	hd := c.Response().Header()
	hd.Set("Content-Type", fc.File.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": fc.File.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.Response(), c.Request(), "", fc.ModTime(), fc)
	if err := fc.Altered(); err != nil {
		c.Error(err) // the answer has started: the error handler logs it with the request's id
		panic(http.ErrAbortHandler)
	}
	return nil
}
