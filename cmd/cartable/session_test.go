package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
)

// TestLogout: signing out ends the session at once, for an app's session token as for a
// browser's cookie (no grace from the session cache); only a POST signs out, and a browser's
// POST needs the token of its own session, from a page of the same host.
func TestLogout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	host := tenantHost(alpha.Slug)

	t.Run("session token", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEleve, "Jeton", "Appli")
		wantStatus(t, h.as(m.Token, host, "/api/v1/me"), http.StatusOK) // now in the session cache
		wantStatus(t, h.send(m.Token, http.MethodPost, host, "/deconnexion", ""), http.StatusNoContent)
		wantStatus(t, h.as(m.Token, host, "/api/v1/me"), http.StatusUnauthorized)
	})

	t.Run("on every server at once", func(t *testing.T) {
		other := newHarnessOn(t, h.reg, testConfig(t)) // a second replica: its own session cache
		m := env.AddMember(t, alpha, identity.RoleEnseignant, "Deux", "Serveurs")
		wantStatus(t, h.as(m.Token, host, "/api/v1/me"), http.StatusOK)
		wantStatus(t, other.as(m.Token, host, "/api/v1/me"), http.StatusOK) // cached there too
		wantStatus(t, h.send(m.Token, http.MethodPost, host, "/deconnexion", ""), http.StatusNoContent)
		// The other server hears of it from PostgreSQL's notification: milliseconds.
		start := time.Now() // clock-ok
		for other.as(m.Token, host, "/api/v1/me").Code != http.StatusUnauthorized {
			if time.Since(start) > 2*time.Second { // clock-ok
				t.Fatal("the other server still accepts the session 2 s after the sign-out")
			}
			time.Sleep(time.Millisecond)
		}
		wantStatus(t, other.as(m.Token, portalHost, "/choix"), http.StatusSeeOther) // anonymous on the portal: to the login page
	})

	t.Run("browser cookie", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEnseignant, "Cookie", "Navigateur")
		other := env.AddMember(t, alpha, identity.RoleEnseignant, "Autre", "Navigateur")
		cookie := env.BrowserCookie(t, m.Login, m.Password)
		otherCookie := env.BrowserCookie(t, other.Login, other.Password)
		withCookie := func(ck string, hd ...string) []string {
			return append([]string{"Cookie", identity.SessionCookie + "=" + ck}, hd...)
		}
		home := h.get(host, "/", withCookie(cookie)...)
		wantStatus(t, home, http.StatusOK)
		token := identity.CSRFToken(cookie)
		wantBody(t, home, `action="/deconnexion"`, `name="_csrf" value="`+token+`"`)
		form := func(tok string) string { return url.Values{"_csrf": {tok}}.Encode() }
		post := func(body string, hd ...string) int {
			hd = append(withCookie(cookie, "Content-Type", "application/x-www-form-urlencoded"), hd...)
			return h.send("", http.MethodPost, host, "/deconnexion", body, hd...).Code
		}
		if code := post(""); code != http.StatusForbidden {
			t.Errorf("logout without the form's token: %d, want 403", code)
		}
		if code := post(form(identity.CSRFToken(otherCookie))); code != http.StatusForbidden {
			t.Errorf("logout with another session's token: %d, want 403", code)
		}
		if code := post(form(token), "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
			t.Errorf("logout posted from another site: %d, want 403", code)
		}
		if code := post(form(token), "Origin", "http://pirate.example"); code != http.StatusForbidden {
			t.Errorf("logout posted from another origin: %d, want 403", code)
		}
		wantStatus(t, h.get(host, "/deconnexion", withCookie(cookie)...), http.StatusOK) // the confirmation page
		wantStatus(t, h.get(host, "/api/v1/me", withCookie(cookie)...), http.StatusOK)   // a GET signs nobody out

		rec := h.send("", http.MethodPost, host, "/deconnexion", form(token),
			withCookie(cookie, "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin", "Origin", "http://"+host)...)
		wantStatus(t, rec, http.StatusSeeOther)
		cleared := false
		for _, c := range rec.Result().Cookies() {
			cleared = cleared || c.Name == identity.SessionCookie && c.MaxAge < 0 && c.Domain == baseDomain && c.HttpOnly
		}
		if !cleared {
			t.Errorf("logout does not clear the session cookie: %v", rec.Header().Values("Set-Cookie"))
		}
		wantStatus(t, h.get(host, "/api/v1/me", withCookie(cookie)...), http.StatusUnauthorized)
		wantStatus(t, h.get(host, "/api/v1/me", withCookie(otherCookie)...), http.StatusOK) // the others stay signed in
	})
}

// countingBody counts what a handler reads of a request body.
type countingBody struct {
	r io.Reader
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (b countingBody) Close() error { return nil }

// TestBodiesReadOnlyWhenAllowed: a multipart upload with a bogus session cookie is refused
// without reading its body (the anti-forgery check once parsed 200 MB to disk first), and a
// JSON body over its route's limit answers 413 saying the limit.
func TestBodiesReadOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := directorytest.NewEnv(t, h.reg)
	alpha := h.provision(uaiAlpha, "Lycée Alpha", "lycee")
	host := tenantHost(alpha.Slug)

	var read atomic.Int64
	big := strings.Repeat("x", 8<<20)
	body := "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xml\"\r\n\r\n" + big + "\r\n--b--\r\n"
	req := newRequest(http.MethodPost, host, "/admin/imports", nil,
		"Cookie", identity.SessionCookie+"=bogus", "Content-Type", "multipart/form-data; boundary=b")
	req.Body = countingBody{r: strings.NewReader(body), n: &read}
	req.ContentLength = int64(len(body))
	rec := h.serve(req)
	if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusSeeOther {
		t.Errorf("upload with a bogus cookie: %d, want 401", rec.Code)
	}
	if n := read.Load(); n > 0 {
		t.Errorf("%d bytes of the upload were read before the sender was known", n)
	}

	teacher := env.AddMember(t, alpha, identity.RoleEnseignant, "Gros", "Envoi")
	huge := `{"title": "` + strings.Repeat("a", 2<<20) + `"}`
	rec = h.send(teacher.Token, http.MethodPost, host, "/api/v1/evaluations", huge, "Content-Type", "application/json")
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	wantBody(t, rec, "1 Mo au plus")
	// Without a Content-Length the limit holds while reading.
	req = newRequest(http.MethodPost, host, "/api/v1/evaluations", nil, "Content-Type", "application/json", "X-Session-Token", teacher.Token)
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(huge)), -1
	rec = h.serve(req)
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	wantBody(t, rec, "1 Mo au plus")
}
