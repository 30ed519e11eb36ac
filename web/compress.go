package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// gzipWrapper compresses answers of 1 kB or more for clients that accept gzip, except the
// formats compressed already.
var gzipWrapper = func() func(http.Handler) http.HandlerFunc {
	w, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed),
		gzhttp.ExceptContentTypes([]string{"application/pdf", "application/gzip", "application/x-gzip", "application/zip"}))
	if err != nil {
		panic(err) // constant options
	}
	return w
}()

// compressed runs the rest of the chain with the response written through gzhttp. Errors are
// rendered inside (c.Error), so that the error pages are compressed by the same writer before
// it is closed.
func compressed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		original := res.Writer
		gzipWrapper(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			res.Writer = w
			c.SetRequest(r)
			if err := next(c); err != nil {
				c.Error(err)
			}
		})).ServeHTTP(original, c.Request())
		res.Writer = original
		return nil
	}
}
