package identity

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// maxAuthBody caps what a browser or app may send to the identity server; login
// submissions are read whole (for their identifier) under maxLoginBody.
const (
	maxAuthBody  = 1 << 20
	maxLoginBody = 64 << 10
)

// AuthProxyConfig configures the auth.<base> host.
type AuthProxyConfig struct {
	KratosPublicURL string // Kratos' public API as this process reaches it (internal)
	KratosAdminURL  string // Kratos' admin API: never reached, nor named, through the proxy
	BrowserURL      string // the auth host as browsers reach it, e.g. http://auth.cartable.localhost:8080
	LoginPageURL    string // the portal's login page, e.g. http://cartable.localhost:8080/connexion
	StylesheetURL   string // the portal's stylesheet, for the pages the proxy writes itself
	Limits          LoginLimits
	ClientAddress   func(*http.Request) string // default: ClientAddress(nil), the TCP peer
	Now             func() time.Time           // the limits' clock; default time.Now
	Logger          *slog.Logger
	// SessionsChanged is told the credential (cookie, session token) of a request that
	// signed out or revoked sessions through Kratos, once Kratos has answered.
	SessionsChanged func(ctx context.Context, cookie, token string) error
}

// AuthProxy serves auth.<base>: Kratos' public self-service and session API, and nothing
// else of Kratos. Password logins go through the login throttle and a bounded queue in
// front of Kratos' password hashing.
type AuthProxy struct {
	cfg      AuthProxyConfig
	proxy    *httputil.ReverseProxy
	internal []string // hosts of Kratos' own addresses, never shown to a browser
	browser  *url.URL
	throttle *loginThrottle
	slots    *semaphore.Weighted
	waiting  atomic.Int64
}

// NewAuthProxy returns the auth host's handler.
func NewAuthProxy(cfg AuthProxyConfig) (*AuthProxy, error) {
	target, err := url.Parse(cfg.KratosPublicURL)
	if err != nil || target.Host == "" {
		return nil, fmt.Errorf("identity: Kratos public URL %q: not an absolute URL", cfg.KratosPublicURL)
	}
	browser, err := url.Parse(strings.TrimSuffix(cfg.BrowserURL, "/"))
	if err != nil || browser.Host == "" {
		return nil, fmt.Errorf("identity: auth host URL %q: not an absolute URL", cfg.BrowserURL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientAddress == nil {
		cfg.ClientAddress = ClientAddress(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &cfg.Limits
	l.Concurrency = max(l.Concurrency, 1)
	l.QueueRetry = max(l.QueueRetry, time.Second)
	l.MaxKeys = max(l.MaxKeys, 1)
	p := &AuthProxy{cfg: cfg, browser: browser, internal: []string{target.Host},
		throttle: newLoginThrottle(cfg.Limits, cfg.Now), slots: semaphore.NewWeighted(int64(l.Concurrency))}
	if a, err := url.Parse(cfg.KratosAdminURL); err == nil && a.Host != "" {
		p.internal = append(p.internal, a.Host)
	}
	p.proxy = httputil.NewSingleHostReverseProxy(target)
	p.proxy.ModifyResponse = p.modifyResponse
	p.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.refuse(w, r, http.StatusRequestEntityTooLarge, 0, "Requête trop volumineuse", "Ce formulaire envoie trop de données.", "")
			return
		}
		if !errors.Is(err, context.Canceled) {
			p.cfg.Logger.Error("identity server unreachable or answered unexpectedly", "path", r.URL.Path, "err", err)
		}
		p.refuse(w, r, http.StatusBadGateway, 30*time.Second, "Service d'identification indisponible",
			"Le service d'identification ne répond pas. Réessayez dans un instant.", "")
	}
	return p, nil
}

// publicPath tells whether a path belongs to Kratos' public API as Cartable uses it:
// self-service flows, one's own sessions, identity schemas, liveness. Admin routes, which
// Kratos' public port answers with a redirect to its internal admin address, do not.
func publicPath(p string) bool {
	if path.Clean(p) != p {
		return false // dot segments, doubled or trailing slashes: no public route has them
	}
	switch {
	case strings.HasPrefix(p, "/self-service/"),
		p == "/sessions", strings.HasPrefix(p, "/sessions/"),
		p == "/schemas", strings.HasPrefix(p, "/schemas/"),
		p == "/health/alive", p == "/health/ready",
		p == "/.well-known/ory/webauthn.js":
		return true
	}
	return false
}

// ServeHTTP forwards the public API to Kratos, throttling password logins.
func (p *AuthProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !publicPath(r.URL.Path) || r.URL.RawPath != "" {
		p.refuse(w, r, http.StatusNotFound, 0, "Page introuvable", "Cette adresse n'existe pas sur le service d'identification.", "")
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxAuthBody)
	}
	// Kratos' router answers other casings with a redirect to the real path: throttle them too.
	if !strings.EqualFold(r.URL.Path, "/self-service/login") || (r.Method != http.MethodPost && r.URL.Query().Get("password") == "") {
		cookie, token, changes := sessionChange(r)
		p.proxy.ServeHTTP(w, r)
		if changes && p.cfg.SessionsChanged != nil {
			if err := p.cfg.SessionsChanged(r.Context(), cookie, token); err != nil {
				p.cfg.Logger.Error("sign-out not told to the other servers (it holds at Kratos)", "err", err)
			}
		}
		return
	}
	p.login(w, r)
}

// sessionChange tells whether r signs out (browser or API logout) or revokes sessions, and
// whose credential it carries; an API logout names its token in its JSON body.
func sessionChange(r *http.Request) (cookie, token string, changes bool) {
	path := r.URL.Path
	switch {
	case path == "/self-service/logout", path == "/self-service/logout/api":
	case (path == "/sessions" || strings.HasPrefix(path, "/sessions/")) && r.Method == http.MethodDelete:
	default:
		return "", "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		cookie = c.Value
	}
	token = r.Header.Get("X-Session-Token")
	if path == "/self-service/logout/api" && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxLoginBody))
		if err == nil {
			var b struct {
				SessionToken string `json:"session_token"`
			}
			if json.Unmarshal(body, &b) == nil && b.SessionToken != "" {
				token = b.SessionToken
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return cookie, token, true
}

// loginOutcome is filled by modifyResponse: did Kratos open a session?
type loginOutcome struct{ success bool }

type outcomeKey struct{}

func (p *AuthProxy) login(w http.ResponseWriter, r *http.Request) {
	identifier, err := loginIdentifier(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		p.refuse(w, r, http.StatusRequestEntityTooLarge, 0, "Requête trop volumineuse", "Ce formulaire de connexion envoie trop de données.", "")
		return
	}
	if err != nil {
		return // the client left while sending
	}
	addr := p.cfg.ClientAddress(r)
	no, try, err := p.throttle.admit(r.Context(), identifier, addr)
	if err != nil {
		return // the client left
	}
	if no != nil {
		p.throttled(w, r, no)
		return
	}
	if !p.enter(r.Context()) {
		try.release(p.cfg.Now()) // never reached Kratos: not a failure
		p.queueFull(w, r)
		return
	}
	defer p.slots.Release(1)
	out := &loginOutcome{}
	p.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), outcomeKey{}, out)))
	p.throttle.done(try, out.success)
}

// enter takes one of the Concurrency slots, waiting up to QueueWait behind at most
// QueueMax others.
func (p *AuthProxy) enter(ctx context.Context) bool {
	if p.slots.TryAcquire(1) {
		return true
	}
	if p.waiting.Add(1) > int64(p.cfg.Limits.QueueMax) {
		p.waiting.Add(-1)
		return false
	}
	defer p.waiting.Add(-1)
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Limits.QueueWait)
	defer cancel()
	return p.slots.Acquire(ctx, 1) == nil
}

// loginIdentifier reads the submission's body (capped, then given back to the proxy) and
// returns its identifier, from the form, the JSON body or the query.
func loginIdentifier(r *http.Request) (string, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxLoginBody+1))
		r.Body.Close()
		if err != nil {
			return "", err
		}
		if len(body) > maxLoginBody {
			return "", &http.MaxBytesError{Limit: maxLoginBody}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	// The identifier as Kratos reads it (v1.3 password strategy): from the body only, the
	// field identifier or else the legacy password_identifier. Reading it anywhere else (the
	// URL's query) would let a client key the limits on one name and log in as another.
	if ct == "application/json" {
		var f struct {
			Identifier       string `json:"identifier"`
			LegacyIdentifier string `json:"password_identifier"`
		}
		_ = json.Unmarshal(body, &f) // a body that is no JSON object has no identifier in it
		return normalizeIdentifier(cmp.Or(f.Identifier, f.LegacyIdentifier)), nil
	}
	form := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: r.URL.Path}, Header: http.Header{"Content-Type": {r.Header.Get("Content-Type")}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	_ = form.ParseMultipartForm(maxLoginBody) // a body that is no form has no identifier in it
	return normalizeIdentifier(cmp.Or(form.PostFormValue("identifier"), form.PostFormValue("password_identifier"))), nil
}

// modifyResponse keeps Kratos' internal addresses from browsers and records whether a
// login opened a session (Kratos answers 200 to apps, or sets the session cookie).
func (p *AuthProxy) modifyResponse(resp *http.Response) error {
	if loc := resp.Header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		if err != nil {
			return fmt.Errorf("identity: Kratos redirected to an unreadable address: %w", err)
		}
		if u.Host != "" {
			for i, h := range p.internal {
				if !strings.EqualFold(u.Host, h) {
					continue
				}
				if i > 0 {
					return errors.New("identity: Kratos redirected to its admin API")
				}
				u.Scheme, u.Host = p.browser.Scheme, p.browser.Host
				resp.Header.Set("Location", u.String())
			}
		}
	}
	if out, ok := resp.Request.Context().Value(outcomeKey{}).(*loginOutcome); ok {
		out.success = resp.StatusCode == http.StatusOK
		for _, c := range resp.Cookies() {
			if c.Name == SessionCookie && c.Value != "" {
				out.success = true
			}
		}
	}
	return nil
}

// wantsJSON tells apps (API flows, scripts) from browsers posting the login form.
func wantsJSON(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/json" || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// throttled answers a refused login: browsers go back to the login form with the message
// (its flow is still valid), apps get 429 JSON; both with Retry-After.
func (p *AuthProxy) throttled(w http.ResponseWriter, r *http.Request, no *refusal) {
	secs := seconds(no.retry)
	msg := "Trop de tentatives de connexion depuis votre adresse. Réessayez dans " + frenchDuration(no.retry) + "."
	if no.account {
		msg = "Trop de tentatives de connexion pour cet identifiant. Réessayez dans " + frenchDuration(no.retry) + "."
	}
	if flow := r.URL.Query().Get("flow"); flow != "" && !wantsJSON(r) && p.cfg.LoginPageURL != "" {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		http.Redirect(w, r, p.cfg.LoginPageURL+"?"+url.Values{"flow": {flow}, "attente": {strconv.Itoa(secs)}}.Encode(), http.StatusSeeOther)
		return
	}
	p.refuse(w, r, http.StatusTooManyRequests, no.retry, "Trop de tentatives", msg, "")
}

// queueFull answers a login that waited QueueWait for Kratos in vain.
func (p *AuthProxy) queueFull(w http.ResponseWriter, r *http.Request) {
	again := ""
	if flow := r.URL.Query().Get("flow"); flow != "" && p.cfg.LoginPageURL != "" {
		again = p.cfg.LoginPageURL + "?" + url.Values{"flow": {flow}}.Encode()
	}
	wait := frenchDuration(p.cfg.Limits.QueueRetry)
	msg := "Beaucoup de personnes se connectent en ce moment : vous êtes dans la file d'attente. La page se rechargera d'elle-même dans " +
		wait + " ; il vous suffira alors de saisir à nouveau votre mot de passe."
	if wantsJSON(r) {
		msg = "Beaucoup de personnes se connectent en ce moment : vous êtes dans la file d'attente. Réessayez dans " + wait + "."
	}
	p.refuse(w, r, http.StatusServiceUnavailable, p.cfg.Limits.QueueRetry, "File d'attente", msg, again)
}

var authPage = template.Must(template.New("auth").Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Again}}<meta http-equiv="refresh" content="{{.Retry}};url={{.Again}}">{{end}}
<title>{{.Heading}} – Cartable</title>
{{if .Stylesheet}}<link rel="stylesheet" href="{{.Stylesheet}}">{{end}}
</head>
<body>
<main id="contenu">
<h1>{{.Heading}}</h1>
<p class="notice" role="status">{{.Message}}</p>
{{if .Again}}<p><a class="button" href="{{.Again}}">Revenir à la connexion</a></p>{{else if .Login}}<p><a href="{{.Login}}">Revenir à la connexion</a></p>{{end}}
</main>
</body>
</html>`))

// refuse writes a French answer: JSON {"error", "retry_after"} to apps, a page to browsers.
// Its text never carries a dependency's error.
func (p *AuthProxy) refuse(w http.ResponseWriter, r *http.Request, status int, retry time.Duration, heading, msg, again string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if retry > 0 {
		h.Set("Retry-After", strconv.Itoa(seconds(retry)))
	}
	if wantsJSON(r) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		body := map[string]any{"error": msg}
		if retry > 0 {
			body["retry_after"] = seconds(retry)
		}
		json.NewEncoder(w).Encode(body)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src *; frame-ancestors 'none'")
	w.WriteHeader(status)
	authPage.Execute(w, map[string]any{"Heading": heading, "Message": msg, "Again": again, "Retry": seconds(retry),
		"Stylesheet": p.cfg.StylesheetURL, "Login": p.cfg.LoginPageURL})
}

func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// frenchDuration says a wait in French, rounded up: "30 secondes", "2 minutes".
func frenchDuration(d time.Duration) string {
	s := seconds(d)
	switch {
	case s < 2:
		return "1 seconde"
	case s < 120:
		return strconv.Itoa(s) + " secondes"
	default:
		return strconv.Itoa((s+59)/60) + " minutes"
	}
}
