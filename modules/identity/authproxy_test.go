package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/cartable-ent/cartable/ops/testenv"
)

// fakeClock is the limits' injected clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, time.September, 7, 8, 0, 0, 0, time.UTC)} // a Monday, 8:00
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// authEnv is an auth proxy in front of the test run's real Kratos.
type authEnv struct {
	t      testing.TB
	pub    string
	kratos *Kratos
	proxy  *AuthProxy
	clock  *fakeClock
}

const testBrowserURL = "http://auth.cartable.test"

func newAuthEnv(t testing.TB, limits LoginLimits) *authEnv {
	t.Helper()
	pub, adm := testenv.Kratos(t)
	clock := newFakeClock()
	p, err := NewAuthProxy(AuthProxyConfig{KratosPublicURL: pub, KratosAdminURL: adm, BrowserURL: testBrowserURL,
		LoginPageURL: "http://cartable.test/connexion", Limits: limits, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &authEnv{t: t, pub: pub, kratos: NewKratos(pub, adm, 0), proxy: p, clock: clock}
}

// account creates a Kratos identity with a random login and the password, hashed at cost.
func (e *authEnv) account(password string, cost int) string {
	e.t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		e.t.Fatal(err)
	}
	login := "throttle-" + uuid.NewString()[:8]
	ids, err := e.kratos.CreateAccounts(context.Background(), []NewAccount{{Login: login, FirstName: "Zoé", LastName: "Test", HashedPassword: string(h)}})
	if err != nil {
		e.t.Fatalf("create account: %v", err)
	}
	e.t.Cleanup(func() { e.kratos.DeleteAccounts(context.Background(), ids) })
	return login
}

// apiFlow opens a login flow for apps, directly on Kratos.
func apiFlow(t testing.TB, pub string) string {
	t.Helper()
	resp, err := http.Get(pub + "/self-service/login/api")
	if err != nil {
		t.Fatalf("open an API login flow: %v", err)
	}
	defer resp.Body.Close()
	var f struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || f.ID == "" {
		t.Fatalf("API login flow: status %d, %v", resp.StatusCode, err)
	}
	return f.ID
}

// apiLogin submits a password through the proxy from the client address addr.
func (e *authEnv) apiLogin(flow, addr, login, password string) *httptest.ResponseRecorder {
	return e.apiLoginAt("/self-service/login", flow, addr, login, password)
}

func (e *authEnv) apiLoginAt(path, flow, addr, login, password string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]string{"method": "password", "identifier": login, "password": password})
	req := httptest.NewRequest(http.MethodPost, path+"?flow="+flow, strings.NewReader(string(body)))
	req.Host = "auth.cartable.test"
	req.RemoteAddr = addr + ":40000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	e.proxy.ServeHTTP(rec, req)
	return rec
}

func wantSession(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var out struct {
		Token string `json:"session_token"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.Token == "" {
		t.Fatalf("login: status %d, want 200 with a session token; body: %.500s", rec.Code, rec.Body.String())
	}
}

// TestLoginThrottleThroughKratos: 200 wrong passwords for one login from one address are
// refused with Retry-After after the first few; the real user from another address still
// logs in.
func TestLoginThrottleThroughKratos(t *testing.T) {
	e := newAuthEnv(t, DefaultLoginLimits())
	const password = "le-bon-mot-de-passe"
	login := e.account(password, 4)
	flow := apiFlow(t, e.pub)

	reached, refused := 0, 0
	var firstRefusal *httptest.ResponseRecorder
	for i := range 200 {
		rec := e.apiLogin(flow, "203.0.113.7", login, fmt.Sprintf("mauvais-%d", i))
		switch rec.Code {
		case http.StatusBadRequest: // Kratos: wrong credentials
			reached++
		case http.StatusTooManyRequests:
			refused++
			if firstRefusal == nil {
				firstRefusal = rec
			}
		default:
			t.Fatalf("attempt %d: status %d: %s", i, rec.Code, rec.Body.String())
		}
	}
	if reached != 5 || refused != 195 {
		t.Fatalf("%d attempts reached Kratos and %d were refused, want 5 and 195", reached, refused)
	}
	if ra, err := strconv.Atoi(firstRefusal.Header().Get("Retry-After")); err != nil || ra != 30 {
		t.Errorf("Retry-After = %q, want 30", firstRefusal.Header().Get("Retry-After"))
	}
	var body struct {
		Error      string `json:"error"`
		RetryAfter int    `json:"retry_after"`
	}
	if err := json.Unmarshal(firstRefusal.Body.Bytes(), &body); err != nil || !strings.Contains(body.Error, "Trop de tentatives de connexion pour cet identifiant") ||
		!strings.Contains(body.Error, "30 secondes") || body.RetryAfter != 30 {
		t.Errorf("refusal = %s, want the French JSON message", firstRefusal.Body.String())
	}

	// Even the right password is refused from the attacker's address...
	if rec := e.apiLogin(flow, "203.0.113.7", login, password); rec.Code != http.StatusTooManyRequests {
		t.Errorf("right password from the locked address: status %d, want 429", rec.Code)
	}
	if rec := e.apiLoginAt("/self-service/LOGIN", flow, "203.0.113.7", login, password); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the path in capitals from the locked address: status %d, want 429", rec.Code)
	}
	// ... but the real user, elsewhere, gets in at once; the login is matched case-insensitively.
	wantSession(t, e.apiLogin(apiFlow(t, e.pub), "198.51.100.20", login, password))
	if rec := e.apiLogin(flow, "203.0.113.7", strings.ToUpper(login), "encore"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("same login in capitals from the locked address: status %d, want 429", rec.Code)
	}

	// After the delay, the attacker's address may try once more.
	e.clock.Advance(30 * time.Second)
	if rec := e.apiLogin(flow, "203.0.113.7", login, "apres-attente"); rec.Code != http.StatusBadRequest {
		t.Errorf("after 30 s: status %d, want Kratos' answer (400)", rec.Code)
	}
}

// TestLoginThrottleManyAddresses: a botnet trying one account from many addresses drains the
// per-identifier limit, which slows every attempt by SlowMax but locks nobody out; spraying
// many accounts from one address is refused by the per-address limit.
func TestLoginThrottleManyAddresses(t *testing.T) {
	limits := DefaultLoginLimits()
	limits.SlowMax = 150 * time.Millisecond
	e := newAuthEnv(t, limits)
	const password = "le-bon-mot-de-passe"
	login := e.account(password, 4)
	flow := apiFlow(t, e.pub)
	for i := range 32 {
		if rec := e.apiLogin(flow, fmt.Sprintf("192.0.2.%d", i+1), login, "mauvais"); rec.Code != http.StatusBadRequest {
			t.Fatalf("botnet attempt %d: status %d, want 400 (slowed, not refused)", i, rec.Code)
		}
	}
	start := time.Now() // clock-ok: measures the slowdown
	wantSession(t, e.apiLogin(apiFlow(t, e.pub), "198.51.100.20", login, password))
	if waited := time.Since(start); waited < limits.SlowMax {
		t.Errorf("the real user's login took %v: the drained per-identifier limit should slow it by %v", waited, limits.SlowMax)
	}

	// Spraying: one address, a different identifier each time, every one wrong.
	refusedAt := -1
	for i := range 40 {
		rec := e.apiLogin(flow, "203.0.113.99", fmt.Sprintf("inconnu-%d", i), "mauvais")
		if rec.Code == http.StatusTooManyRequests {
			refusedAt = i
			if !strings.Contains(rec.Body.String(), "depuis votre adresse") || rec.Header().Get("Retry-After") == "" {
				t.Errorf("spraying refusal: %s, Retry-After %q", rec.Body.String(), rec.Header().Get("Retry-After"))
			}
			break
		}
	}
	if refusedAt != 30 {
		t.Errorf("spraying refused at attempt %d, want after the first 30 failures", refusedAt)
	}
}

// browserFlow opens a browser login flow on Kratos and returns its id, CSRF token and cookies.
func browserFlow(t *testing.T, pub string) (id, csrf, cookies string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, pub+"/self-service/login/browser", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("browser login flow: %v", err)
	}
	defer resp.Body.Close()
	var f struct {
		ID string `json:"id"`
		UI struct {
			Nodes []struct {
				Attributes struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"attributes"`
			} `json:"nodes"`
		} `json:"ui"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || f.ID == "" {
		t.Fatalf("browser login flow: status %d, %v", resp.StatusCode, err)
	}
	for _, n := range f.UI.Nodes {
		if n.Attributes.Name == "csrf_token" {
			csrf, _ = n.Attributes.Value.(string)
		}
	}
	var cs []string
	for _, c := range resp.Cookies() {
		cs = append(cs, c.Name+"="+c.Value)
	}
	return f.ID, csrf, strings.Join(cs, "; ")
}

// TestLoginThrottleBrowserForm: the browser's form post, refused, goes back to the portal's
// login page with the wait, and Retry-After; the right password from elsewhere gets a
// session cookie.
func TestLoginThrottleBrowserForm(t *testing.T) {
	e := newAuthEnv(t, DefaultLoginLimits())
	const password = "le-bon-mot-de-passe"
	login := e.account(password, 4)
	post := func(addr, pw string) *httptest.ResponseRecorder {
		id, csrf, cookies := browserFlow(t, e.pub)
		form := url.Values{"method": {"password"}, "identifier": {login}, "password": {pw}, "csrf_token": {csrf}}
		req := httptest.NewRequest(http.MethodPost, "/self-service/login?flow="+id, strings.NewReader(form.Encode()))
		req.Host, req.RemoteAddr = "auth.cartable.test", addr+":50000"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Cookie", cookies)
		rec := httptest.NewRecorder()
		e.proxy.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("form post: status %d, want 303; %.300s", rec.Code, rec.Body.String())
		}
		return rec
	}
	for i := range 5 {
		rec := post("203.0.113.8", "mauvais")
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "http://cartable.test/connexion?flow=") || strings.Contains(loc, "attente") {
			t.Fatalf("wrong password %d: Location %q, want Kratos' return to the login form", i, loc)
		}
	}
	rec := post("203.0.113.8", "mauvais")
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if loc == nil || loc.Host != "cartable.test" || loc.Path != "/connexion" || loc.Query().Get("attente") != "30" || loc.Query().Get("flow") == "" {
		t.Errorf("throttled form: Location %q, want /connexion with the flow and attente=30", rec.Header().Get("Location"))
	}
	if rec.Header().Get("Retry-After") != "30" {
		t.Errorf("Retry-After = %q, want 30", rec.Header().Get("Retry-After"))
	}
	rec = post("198.51.100.21", password)
	if !strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), SessionCookie+"=") {
		t.Errorf("the right password from another address set no session cookie: %v", rec.Header())
	}
}

// TestLoginQueue: when every slot before Kratos is taken, a login waits QueueWait, then
// gets the French "file d'attente" page (or JSON) with Retry-After; a slot freed in time
// lets it through.
func TestLoginQueue(t *testing.T) {
	limits := DefaultLoginLimits()
	limits.Concurrency, limits.QueueWait, limits.QueueMax, limits.QueueRetry = 1, 200*time.Millisecond, 10, 15*time.Second
	e := newAuthEnv(t, limits)
	const password = "le-bon-mot-de-passe"
	login := e.account(password, 4)

	e.proxy.slots.Acquire(context.Background(), 1) // Kratos busy hashing someone else's password
	id, csrf, cookies := browserFlow(t, e.pub)
	form := url.Values{"method": {"password"}, "identifier": {login}, "password": {password}, "csrf_token": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/self-service/login?flow="+id, strings.NewReader(form.Encode()))
	req.Host, req.RemoteAddr = "auth.cartable.test", "198.51.100.30:1234"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookies)
	rec := httptest.NewRecorder()
	e.proxy.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "15" {
		t.Fatalf("queue full: status %d, Retry-After %q; want 503 and 15", rec.Code, rec.Header().Get("Retry-After"))
	}
	body := rec.Body.String()
	for _, want := range []string{`<html lang="fr">`, "File d&#39;attente", "vous êtes dans la file d&#39;attente", "15 secondes",
		`http-equiv="refresh" content="15;url=http://cartable.test/connexion?flow=` + id, "Revenir à la connexion"} {
		if !strings.Contains(body, want) {
			t.Errorf("queue page lacks %q:\n%s", want, body)
		}
	}
	if rec := e.apiLogin(apiFlow(t, e.pub), "198.51.100.31", login, password); rec.Code != http.StatusServiceUnavailable ||
		!strings.Contains(rec.Body.String(), `"retry_after":15`) || !strings.Contains(rec.Body.String(), "file d'attente") {
		t.Errorf("app in a full queue: status %d, %s", rec.Code, rec.Body.String())
	}

	// A slot freed while it waits: the login goes through.
	flow := apiFlow(t, e.pub)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- e.apiLogin(flow, "198.51.100.32", login, password) }()
	time.Sleep(50 * time.Millisecond)
	e.proxy.slots.Release(1)
	wantSession(t, <-done)
}

// TestLoginStorm: correct logins at once, beyond one slot before Kratos and a short wait:
// each gets a session or the "file d'attente" answer, nothing else (no timeout, no 502).
func TestLoginStorm(t *testing.T) {
	limits := DefaultLoginLimits()
	limits.Concurrency, limits.QueueWait = 1, 20*time.Millisecond
	e := newAuthEnv(t, limits)
	const password = "le-bon-mot-de-passe"
	login := e.account(password, 10) // Kratos' own cost in tests: ~0.1 s of hashing
	const n = 6
	flows := make([]string, n)
	for i := range flows {
		flows[i] = apiFlow(t, e.pub)
	}
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes <- e.apiLogin(flows[i], fmt.Sprintf("198.51.100.%d", 50+i), login, password).Code })
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusOK] < 1 || count[http.StatusServiceUnavailable] < 1 || count[http.StatusOK]+count[http.StatusServiceUnavailable] != n {
		t.Errorf("answers %v: want sessions and file d'attente answers only, at least one of each", count)
	}
}

// TestAuthProxyPublicAPIOnly: Kratos' admin routes (which its public port answers with a
// redirect to the internal admin address) never pass; the public API does.
func TestAuthProxyPublicAPIOnly(t *testing.T) {
	e := newAuthEnv(t, DefaultLoginLimits())
	for _, target := range []string{"/identities", "/admin/identities", "/identities/" + uuid.NewString(), "/admin/recovery/code",
		"/self-service/../identities", "/self-service/%2e%2e/admin/identities", "/sessions/../admin/identities", "//identities",
		"/version", "/metrics/prometheus", "/"} {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			req := httptest.NewRequest(method, "http://auth.cartable.test"+target, strings.NewReader("{}"))
			rec := httptest.NewRecorder()
			e.proxy.ServeHTTP(rec, req)
			if rec.Code != http.StatusNotFound || rec.Header().Get("Location") != "" {
				t.Errorf("%s %s: status %d, Location %q; want 404", method, target, rec.Code, rec.Header().Get("Location"))
			}
			if b := rec.Body.String(); !strings.Contains(b, "Cette adresse n&#39;existe pas") || strings.Contains(b, "127.0.0.1") {
				t.Errorf("%s %s: body %q", method, target, b)
			}
		}
	}
	for _, target := range []string{"/health/alive", "/self-service/login/api", "/schemas"} {
		req := httptest.NewRequest(http.MethodGet, "http://auth.cartable.test"+target, nil)
		rec := httptest.NewRecorder()
		e.proxy.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", target, rec.Code)
		}
	}
	// Kratos' redirects name the auth host, never its own address.
	req := httptest.NewRequest(http.MethodGet, "http://auth.cartable.test/self-service/login/browser", nil)
	rec := httptest.NewRecorder()
	e.proxy.ServeHTTP(rec, req)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "http://cartable.test/connexion?flow=") {
		t.Errorf("browser flow: status %d, Location %q", rec.Code, loc)
	}
}

// TestAuthProxyInternalRedirects: a Location naming Kratos' internal public address is
// rewritten to the auth host; one naming its admin address is refused, without showing it.
func TestAuthProxyInternalRedirects(t *testing.T) {
	var admin *httptest.Server
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/self-service/login/browser":
			w.Header().Set("Location", "http://"+r.Context().Value(http.LocalAddrContextKey).(fmt.Stringer).String()+"/self-service/login?flow=1")
		default:
			w.Header().Set("Location", admin.URL+"/admin/identities")
		}
		w.WriteHeader(http.StatusSeeOther)
	}))
	defer upstream.Close()
	admin = httptest.NewServer(http.NotFoundHandler())
	defer admin.Close()
	p, err := NewAuthProxy(AuthProxyConfig{KratosPublicURL: upstream.URL, KratosAdminURL: admin.URL, BrowserURL: testBrowserURL + "/", Limits: DefaultLoginLimits()})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://auth.cartable.test/self-service/login/browser", nil))
	if loc := rec.Header().Get("Location"); loc != testBrowserURL+"/self-service/login?flow=1" {
		t.Errorf("Location = %q, want it on the auth host", loc)
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://auth.cartable.test/self-service/recovery/browser", nil))
	if rec.Code != http.StatusBadGateway || rec.Header().Get("Location") != "" || strings.Contains(rec.Body.String(), "127.0.0.1") ||
		!strings.Contains(rec.Body.String(), "Le service d&#39;identification ne répond pas") {
		t.Errorf("redirect to the admin API: status %d, Location %q, body %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
}

// TestLoginBodyLimit: a login submission over its cap is refused without reaching Kratos.
func TestLoginBodyLimit(t *testing.T) {
	e := newAuthEnv(t, DefaultLoginLimits())
	big := `{"method":"password","identifier":"x","password":"` + strings.Repeat("a", maxLoginBody) + `"}`
	req := httptest.NewRequest(http.MethodPost, "/self-service/login?flow=x", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.proxy.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "trop de données") {
		t.Errorf("status %d, %s; want 413 in French", rec.Code, rec.Body.String())
	}
}

// TestLoginIdentifier reads the identifier from JSON, url-encoded and multipart forms, and
// gives the body back whole.
func TestLoginIdentifier(t *testing.T) {
	tests := []struct{ name, ct, body, query, want string }{
		{"json", "application/json; charset=utf-8", `{"identifier":" Zoe.Lefevre ","password":"x","method":"password"}`, "", "zoe.lefevre"},
		{"form", "application/x-www-form-urlencoded", "identifier=zoe.lefevre&password=x&method=password", "", "zoe.lefevre"},
		{"multipart", "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"identifier\"\r\n\r\nzoe\r\n--B--\r\n", "", "zoe"},
		{"query is not Kratos' identifier", "", "", "&identifier=Leo", ""},
		{"legacy field, form", "application/x-www-form-urlencoded", "password_identifier=Victime&password=x&method=password", "", "victime"},
		{"legacy field, json", "application/json", `{"password_identifier":"victime","password":"x","method":"password"}`, "", "victime"},
		{"a decoy in the query, the real one in the body", "application/json", `{"password_identifier":"victime","password":"x"}`, "&identifier=leurre", "victime"},
		{"identifier wins over the legacy field", "application/x-www-form-urlencoded", "identifier=zoe&password_identifier=leo", "", "zoe"},
		{"garbage", "application/json", `{"identifier":`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/self-service/login?flow=1"+tt.query, strings.NewReader(tt.body))
			if tt.ct != "" {
				req.Header.Set("Content-Type", tt.ct)
			}
			got, err := loginIdentifier(req)
			if err != nil || got != tt.want {
				t.Errorf("identifier = %q, %v; want %q", got, err, tt.want)
			}
			back, err := io.ReadAll(req.Body)
			if err != nil || string(back) != tt.body || req.ContentLength != int64(len(tt.body)) {
				t.Errorf("body given back = %q (%d bytes announced), want %q", back, req.ContentLength, tt.body)
			}
		})
	}
}

// BenchmarkPasswordLoginCost12 logs in through the proxy and the real Kratos with a password
// hashed at the production cost (12; Kratos compares at the hash's own cost, --dev or not):
// each op opens an API flow and submits the right password. With -cpu=1 it runs one login
// at a time (bcrypt uses one core per login); RunParallel with -cpu=2 keeps both cores busy.
//
//	./.bin/pgrun -- go test -run '^$' -bench PasswordLogin -benchtime 40x -cpu 1,2 ./modules/identity/
func BenchmarkPasswordLoginCost12(b *testing.B) {
	limits := DefaultLoginLimits()
	limits.PerAccountAddress = []Tier{{1 << 20, time.Nanosecond}}
	limits.PerAccount, limits.Concurrency = []Tier{{1 << 20, time.Nanosecond}}, 64
	e := newAuthEnv(b, limits)
	const password = "le-bon-mot-de-passe"
	login := e.account(password, 12)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := e.apiLogin(apiFlow(b, e.pub), "198.51.100.40", login, password)
			if rec.Code != http.StatusOK {
				b.Errorf("login: status %d: %.300s", rec.Code, rec.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkBcryptCompareCost12 is the hash Kratos checks on every password login, alone:
// the ceiling of logins per second per core. It also reports the CPU time per hash, which a
// machine shared with other work does not inflate the way it inflates wall time.
func BenchmarkBcryptCompareCost12(b *testing.B) {
	h, err := bcrypt.GenerateFromPassword([]byte("le-bon-mot-de-passe"), 12)
	if err != nil {
		b.Fatal(err)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	start := cpu()
	for b.Loop() {
		if err := bcrypt.CompareHashAndPassword(h, []byte("le-bon-mot-de-passe")); err != nil {
			b.Fatal(err)
		}
	}
	perHash := (cpu() - start) / time.Duration(b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
	b.ReportMetric(float64(perHash.Milliseconds()), "cpu-ms/op")
	b.ReportMetric(float64(time.Second)/float64(perHash), "logins/s/core")
}
