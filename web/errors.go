package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web/fault"
)

// BadRequest wraps a decoding error of a request body (malformed JSON or form): see
// fault.Decoding.
func BadRequest(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusUnsupportedMediaType {
		return fault.Wrap(fault.ErrInvalid, err, "type de contenu non pris en charge : envoyez un formulaire ou du JSON (Content-Type: application/json)")
	}
	return fault.Decoding(err)
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error     string `json:"error"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

type errorPage struct {
	Heading, Message, Hint, RequestID, PortalURL string
}

// classify maps an error to a status and the text shown to the user.
func classify(err error) (status int, text, field string) {
	var inv *fault.Invalid
	var msg *fault.Message
	var he *echo.HTTPError
	var busy *fault.Busy
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &busy):
		return http.StatusServiceUnavailable, busy.Text, ""
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, inv.Message, inv.Field
	case errors.As(err, &msg):
		return statusOf(msg.Kind), msg.Text, msg.Field
	case errors.As(err, &mbe):
		// A body over its route's limit (identity's limitBody), whoever read it.
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("requête trop volumineuse : %s au plus", fault.ByteSize(mbe.Limit)), ""
	case errors.As(err, &he):
		text := http.StatusText(he.Code)
		if s, ok := he.Message.(string); ok && he.Code < 500 {
			text = s
		}
		return he.Code, frenchStatus(he.Code, text), ""
	}
	st := statusOf(err)
	return st, frenchStatus(st, ""), ""
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, fault.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, fault.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, fault.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, fault.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, fault.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, fault.ErrUnavailable), errors.Is(err, fault.ErrBusy):
		return http.StatusServiceUnavailable
	case errors.Is(err, fault.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

func frenchStatus(code int, fallback string) string {
	switch code {
	case http.StatusNotFound:
		return "Cette page n'existe pas."
	case http.StatusMethodNotAllowed:
		return "Cette action n'est pas possible sur cette adresse."
	case http.StatusUnauthorized:
		return "Vous devez vous identifier."
	case http.StatusForbidden:
		return "Vous n'avez pas accès à cette page."
	case http.StatusRequestEntityTooLarge:
		return "Le fichier envoyé est trop volumineux."
	case http.StatusTooManyRequests:
		return "Trop de demandes : patientez quelques secondes puis réessayez."
	case http.StatusServiceUnavailable:
		return "Le service est momentanément indisponible. Réessayez dans quelques minutes."
	case http.StatusInternalServerError:
		return "Une erreur inattendue est survenue. L'équipe technique a été prévenue."
	}
	if fallback != "" {
		return fallback
	}
	return http.StatusText(code)
}

func headingFor(code int) string {
	switch code {
	case http.StatusNotFound:
		return "Page introuvable"
	case http.StatusForbidden:
		return "Accès refusé"
	case http.StatusUnauthorized:
		return "Identification nécessaire"
	case http.StatusServiceUnavailable:
		return "Service indisponible"
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return "Demande incorrecte"
	case http.StatusConflict:
		return "Action impossible"
	}
	if code >= 500 {
		return "Erreur du serveur"
	}
	return "Erreur"
}

// wantsJSON tells whether the error should be answered in JSON rather than as a page.
func wantsJSON(c echo.Context) bool {
	r := c.Request()
	return strings.HasPrefix(r.URL.Path, "/api/") ||
		(strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html"))
}

// errorHandler is Echo's central error handler: it maps errors to statuses, logs server
// errors once with the request id and tenant, and answers JSON or a French page.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Error("error after response started", "err", err, "request_id", requestID(c))
		return
	}
	status, text, field := classify(err)
	rid := requestID(c)
	var busy *fault.Busy
	if status >= 500 {
		attrs := []any{"err", err, "status", status, "request_id", rid, "path", c.Request().URL.Path}
		if t := TenantOf(c); t != nil {
			attrs = append(attrs, "tenant", t.UAI)
		}
		if errors.As(err, &busy) { // an overload, not a bug: one line each, below the errors
			s.log.Warn("request refused: busy", attrs...)
		} else {
			s.log.Error("request failed", attrs...)
		}
	}
	if errors.As(err, &busy) {
		c.Response().Header().Set("Retry-After", retryAfter(busy.RetryAfter))
	}
	if status == http.StatusUnauthorized && strings.HasPrefix(c.Request().URL.Path, "/api/") {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="cartable"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		_ = c.JSON(status, apiError{Error: text, Field: field, RequestID: rid})
		return
	}
	_ = s.renderError(c, status, errorPage{Message: text})
}

// retryAfter renders d as a Retry-After header: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	sec := int((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return strconv.Itoa(sec)
}

func (s *Server) renderError(c echo.Context, status int, p errorPage) error {
	if p.Heading == "" {
		p.Heading = headingFor(status)
	}
	if status >= 500 {
		p.RequestID = requestID(c)
	}
	if p.PortalURL == "" && status != http.StatusServiceUnavailable {
		p.PortalURL = s.PortalURL()
	}
	err := c.Render(status, "error.html", Page{Title: p.Heading, Tenant: TenantOf(c), Data: p})
	if err != nil {
		s.log.Error("render error page", "err", err)
		return c.String(status, fmt.Sprintf("%s : %s", p.Heading, p.Message))
	}
	return nil
}
