package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
)

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// logRequests writes one structured line per request, with its id and tenant.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // let the error handler set the status before we log it
		}
		req := c.Request()
		attrs := []slog.Attr{
			slog.String("method", req.Method), slog.String("host", req.Host), slog.String("path", req.URL.Path),
			slog.Int("status", c.Response().Status), slog.Duration("duration", time.Since(start)),
			slog.String("request_id", requestID(c)),
		}
		if t := TenantOf(c); t != nil {
			attrs = append(attrs, slog.String("tenant", string(t.UAI)))
		}
		s.log.LogAttrs(req.Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}
