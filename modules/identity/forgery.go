package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// DefaultBodyLimit is the largest request body a route accepts unless it is registered with
// HandleUpload: forms and JSON of every page and API.
const DefaultBodyLimit int64 = 1 << 20

// CSRFToken is the anti-forgery token of the forms of a browser session: bound to that
// session (an HMAC keyed by its cookie, which pages of other sites can neither read nor
// send with a header), so a token taken from one session is worth nothing in another.
func CSRFToken(sessionCookie string) string {
	m := hmac.New(sha256.New, []byte(sessionCookie))
	m.Write([]byte("cartable-csrf-v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// limitBody refuses a body over limit before reading it, and caps what is read otherwise:
// a handler that reads too much gets an *http.MaxBytesError, which the error handler turns
// into a 413 giving the limit.
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > limit {
				return fault.New(fault.ErrTooLarge, "requête trop volumineuse (%s) : %s au plus sur cette page", fault.ByteSize(r.ContentLength), fault.ByteSize(limit))
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			}
			return next(c)
		}
	}
}

// checkForgery refuses a change (POST, PUT, PATCH, DELETE) carried by the session cookie
// alone unless it comes from a page of this very host (Sec-Fetch-Site, else Origin) and
// repeats the session's CSRFToken (form field _csrf or header X-CSRF-Token). Requests that
// carry their session in a header (apps, scripts) cannot be forged by a page and skip it;
// without a session cookie a request has no ambient authority to abuse. It runs after the
// permission check, so a body is read only for someone allowed to send it.
func (a *Authenticator) checkForgery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		cookie, token := credentials(c)
		if token != "" || cookie == "" {
			return next(c)
		}
		if !sameOrigin(r) {
			return fault.New(fault.ErrForbidden, "requête refusée : elle vient d'un autre site que %s ; ouvrez la page sur %s et recommencez", r.Host, r.Host)
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			if err := parseForm(r); err != nil {
				return err
			}
			got = r.PostFormValue("_csrf")
		}
		if !hmac.Equal([]byte(got), []byte(CSRFToken(cookie))) {
			return fault.New(fault.ErrForbidden, "le formulaire a expiré ou ne vient pas de Cartable : rechargez la page et recommencez")
		}
		return next(c)
	}
}

// sameOrigin tells whether a browser sent r from a page of r's own host. Browsers send
// Sec-Fetch-Site (or at least Origin) with every POST; a client that sends neither is not
// a browser page.
func sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		return s == "same-origin" || s == "none"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err == nil && u.Host == r.Host
	}
	return true
}

// parseForm reads a urlencoded or multipart form body, a body over the route's limit
// becoming a 413 that gives the limit.
func parseForm(r *http.Request) error {
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(32 << 20)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fault.Decoding(err)
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fault.Wrap(fault.ErrInvalid, err, "formulaire illisible : rechargez la page et recommencez")
	}
	return nil
}

// setCSRF gives the pages of a cookie session their forms' token.
func setCSRF(c echo.Context) {
	if cookie, _ := credentials(c); cookie != "" {
		web.SetCSRFToken(c, func() string { return CSRFToken(cookie) })
	}
}
