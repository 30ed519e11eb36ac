package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// browserBudget bounds the whole browser scenario, the browser's start included.
const browserBudget = 60 * time.Second

// browserStepTimeout bounds one action, so that a stuck step fails with the page's state
// long before the budget is spent.
const browserStepTimeout = 15 * time.Second

// browserShotsDir receives a copy of the screenshots, for a person to look at.
const browserShotsDir = "/tmp/cartable-shots"

// TestBrowserLogin signs a pupil in through Kratos' browser flow in real headless Chromium,
// against the real router: the French login form, a wrong password, the right one, the
// establishment page and /api/v1/me, another establishment refused, and logout.
//
// *.cartable.test does not resolve: Chromium uses the test server as its HTTP proxy, so that
// every request reaches the router in absolute form (r.Host is the name the browser asked
// for), and the router forwards auth.cartable.test to Kratos' public API.
func TestBrowserLogin(t *testing.T) {
	chromium := browserExecutable(t)
	pub, adm := testenv.Kratos(t)

	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	tn := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	other := tenanttest.Provision(t, reg, "0332194F", "Lycée Camille-Jullian", "lycee")
	env := directorytest.NewEnv(t, reg)
	m := env.AddMember(t, tn, identity.RoleEleve, "Zoé", "Lefèvre")

	cfg := config{BaseDomain: "cartable.test", PublicScheme: "http", PublicPort: "", MaxImportMB: 5,
		KratosPublicURL: pub, KratosAdminURL: adm}
	log := slog.New(slog.NewTextHandler(browserLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	migrateQueue(t, reg)
	srv, err := buildServer(cfg, reg, log)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	proxy := httptest.NewServer(srv)
	t.Cleanup(proxy.Close)

	b := startBrowser(t, chromium, proxy.URL, browserBudget)
	start := time.Now() // clock-ok: measures elapsed time

	portal := "http://cartable.test/"
	home := "http://" + tn.Slug + ".cartable.test/"
	otherHome := "http://" + other.Slug + ".cartable.test/"

	// 1. The establishment page offers to sign in; the link leads, through Kratos, to the
	// French login form of the portal.
	b.navigate(home, http.StatusOK)
	b.wantText("Se connecter")
	b.wantNoText("Se déconnecter")
	b.click(chromedp.CSS(`main a.button`), http.StatusOK)
	b.wantURLPrefix(portal + "connexion?flow=")
	b.waitVisible(chromedp.CSS("#f-identifier"))
	b.wantText("Connexion à Cartable", "Identifiant", "Mot de passe")
	b.screenshot("login-form.png")

	// 2. A wrong password: back on the form, with the French error.
	b.typeInto("f-identifier", m.Login)
	b.typeInto("f-password", "pas-le-bon-mot-de-passe")
	b.click(chromedp.CSS(`form button[type=submit]`), 0)
	b.wantURLPrefix(portal + "connexion?flow=")
	b.waitVisible(chromedp.CSS(`p.alert`))
	b.wantText("Identifiant ou mot de passe incorrect")
	b.screenshot("login-wrong-password.png")

	// 3. The right credentials: the establishment page, signed in.
	b.typeInto("f-identifier", m.Login)
	b.typeInto("f-password", m.Password)
	b.click(chromedp.CSS(`form button[type=submit]`), http.StatusOK)
	b.wantURLPrefix(home)
	b.wantText("Zoé", "Lefèvre", "Se déconnecter", "Ma fiche")
	header := b.text(chromedp.CSS(`header nav.account`))
	if !strings.Contains(header, "Zoé") || !strings.Contains(header, "Lefèvre") || !strings.Contains(header, "Se déconnecter") {
		b.fatalf("the header does not show the signed-in pupil and the logout link: %q", header)
	}
	b.screenshot("establishment-signed-in.png")

	b.navigate(home+"api/v1/me", http.StatusOK)
	var me map[string]any
	if raw := b.text(chromedp.CSS("body")); json.Unmarshal([]byte(raw), &me) != nil {
		b.fatalf("GET /api/v1/me is not JSON: %q", raw)
	}
	if !strings.Contains(fmt.Sprint(me), m.Login) {
		b.fatalf("GET /api/v1/me does not name the login %q: %v", m.Login, me)
	}

	// 4. Another establishment: the session is valid, but the account has no access there.
	b.navigate(otherHome, http.StatusOK)
	b.wantText("n'a pas accès", "Se déconnecter")
	b.navigate(otherHome+"api/v1/me", http.StatusForbidden)
	b.wantText("n'a pas accès")

	// 5. Logout from the establishment page: back on the portal, signed out everywhere.
	b.navigate(home, http.StatusOK)
	b.click(chromedp.CSS(`header nav.account form.logout button`), http.StatusOK) // a POST with the session's token
	b.wantURL(portal + "?deconnexion=ok")
	b.wantText("Vous êtes déconnecté")
	b.navigate(home, http.StatusOK)
	b.wantText("Se connecter")
	b.wantNoText("Se déconnecter", "Zoé")

	t.Logf("browser scenario: %s (budget %s, browser start included: %s)", time.Since(start).Round(time.Millisecond),
		browserBudget, time.Since(b.started).Round(time.Millisecond))
}

// browserExecutable finds Debian's Chromium, failing the test with the way to install it.
func browserExecutable(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("the browser tests need Chromium, which is not installed: run `sh ops/ensure-chromium.sh` " +
		"(as root it runs `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium`), or `make test`")
	return ""
}

// browser is one headless Chromium tab driven by chromedp, with the test's helpers.
type browser struct {
	t       *testing.T
	ctx     context.Context // the tab, bounded by browserBudget
	started time.Time
	shots   string // the test's folder for screenshots
	console *browserOutput
	refused chan string // the browser's security errors (CSP…), which stop a navigation silently
}

// step returns the context of one action.
func (b *browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, browserStepTimeout)
}

// startBrowser starts Chromium with proxy as its only way out and opens one tab; budget
// bounds the whole scenario.
func startBrowser(t *testing.T, chromium, proxy string, budget time.Duration) *browser {
	t.Helper()
	started := time.Now() // clock-ok: measures elapsed time
	out := &browserOutput{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium")),
		chromedp.ProxyServer(proxy),
		// Loopback addresses too go through the proxy (Chromium bypasses them by default).
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first action starts the browser; it must not run under a timeout of its own.
	startErr := make(chan error, 1)
	go func() { startErr <- chromedp.Do(tabCtx, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-startErr:
		if err != nil {
			t.Fatalf("starting Chromium (%s): %v\n--- browser output ---\n%s", chromium, err, out)
		}
	case <-time.After(browserBudget / 2):
		t.Fatalf("Chromium (%s) did not start within %s\n--- browser output ---\n%s", chromium, browserBudget/2, out)
	}
	ctx, cancel := context.WithDeadline(tabCtx, started.Add(budget))
	t.Cleanup(cancel)
	b := &browser{t: t, ctx: ctx, started: started, shots: t.TempDir(), console: &browserOutput{},
		refused: make(chan string, 16)}
	// The console and the browser log tell why a form was not sent (CSP, mixed content…).
	messages := chromedp.Console(tabCtx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			fmt.Fprintf(b.console, "  %s [%s] %s (%s)\n", m.Type, m.Source, m.Text, m.URL)
			if m.Type == chromedp.ConsoleError && m.Source == "security" {
				select {
				case b.refused <- strings.TrimSpace(m.Text):
				default:
				}
			}
		}
	}()
	return b
}

// fatalf fails the test with the page's state: URL, cookies and HTML.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), b.state())
}

// state describes the tab for failure messages.
func (b *browser) state() string {
	// The budget may be spent: read the state under a short deadline of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 3*time.Second)
	defer cancel()
	var s strings.Builder
	loc, err := chromedp.Run(ctx, chromedp.Location())
	fmt.Fprintf(&s, "--- URL: %s (err %v)\n", loc, err)
	if res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{
		"http://cartable.test/", "http://auth.cartable.test/", loc,
	}}); err == nil {
		fmt.Fprintf(&s, "--- cookies (%d):\n", len(res.Cookies))
		for _, c := range res.Cookies {
			fmt.Fprintf(&s, "  %s domain=%s path=%s httpOnly=%v secure=%v sameSite=%s len(value)=%d\n",
				c.Name, c.Domain, c.Path, c.HTTPOnly, c.Secure, c.SameSite, len(c.Value))
		}
	} else {
		fmt.Fprintf(&s, "--- cookies: %v\n", err)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if len(html) > 6000 {
		html = html[:6000] + "…"
	}
	fmt.Fprintf(&s, "--- console and browser log:\n%s", b.console)
	fmt.Fprintf(&s, "--- HTML (err %v):\n%s", err, html)
	return s.String()
}

// navigate opens u and checks the status of the document finally loaded.
func (b *browser) navigate(u string, status int64) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		b.fatalf("navigate to %s: %v", u, err)
	}
	b.wantStatus(resp, status, "navigate to "+u)
}

// click clicks the element and waits for the page it leads to; status 0 accepts any status.
func (b *browser) click(sel chromedp.CSS, status int64) {
	b.t.Helper()
	for len(b.refused) > 0 {
		<-b.refused // an earlier refusal, already reported or of no consequence
	}
	ctx, cancel := b.step()
	defer cancel()
	type result struct {
		resp *network.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
		done <- result{resp, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			b.fatalf("click %s: %v", sel, r.err)
		}
		b.wantStatus(r.resp, status, "click "+string(sel))
	case msg := <-b.refused:
		cancel()
		<-done
		b.fatalf("click %s: the browser refused to follow it: %s", sel, msg)
	}
}

func (b *browser) wantStatus(resp *network.Response, status int64, what string) {
	b.t.Helper()
	if resp == nil {
		b.fatalf("%s: no document response", what)
	}
	if status != 0 && resp.Status != status {
		b.fatalf("%s: status %d %s at %s, want %d", what, resp.Status, resp.StatusText, resp.URL, status)
	}
}

// typeInto replaces the value of the input with that id by typing text into it.
func (b *browser) typeInto(id, text string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		b.fatalf("type into #%s: %v", id, err)
	}
}

func (b *browser) waitVisible(sel chromedp.CSS) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		b.fatalf("wait for %s: %v", sel, err)
	}
}

// text returns the rendered text of the first element matching sel.
func (b *browser) text(sel chromedp.CSS) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	// Read through a script, not a DOM node id: a node id can go stale while a page that
	// just loaded replaces its document ("No node with given id found").
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : ""; })()`, string(sel))
	var err error
	for try := 0; try < 5; try++ {
		var s string
		if s, err = chromedp.Run(ctx, chromedp.Evaluate[string](expr)); err == nil {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.fatalf("text of %s: %v", sel, err)
	return ""
}

func (b *browser) wantText(want ...string) {
	b.t.Helper()
	body := b.text(chromedp.CSS("body"))
	for _, s := range want {
		if !strings.Contains(body, s) {
			b.fatalf("the page does not show %q; its text:\n%s", s, body)
		}
	}
}

func (b *browser) wantNoText(unwanted ...string) {
	b.t.Helper()
	body := b.text(chromedp.CSS("body"))
	for _, s := range unwanted {
		if strings.Contains(body, s) {
			b.fatalf("the page shows %q, it should not; its text:\n%s", s, body)
		}
	}
}

func (b *browser) location() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fatalf("location: %v", err)
	}
	return loc
}

func (b *browser) wantURL(want string) {
	b.t.Helper()
	if loc := b.location(); loc != want {
		b.fatalf("the browser is at %s, want %s", loc, want)
	}
}

func (b *browser) wantURLPrefix(prefix string) {
	b.t.Helper()
	loc := b.location()
	if !strings.HasPrefix(loc, prefix) {
		b.fatalf("the browser is at %s, want %s…", loc, prefix)
	}
	if u, err := url.Parse(loc); err != nil || (strings.Contains(prefix, "flow=") && u.Query().Get("flow") == "") {
		b.fatalf("the browser is at %s: no flow id", loc)
	}
}

// screenshot saves a full-page PNG into the test's folder and copies it to browserShotsDir.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if err := os.MkdirAll(browserShotsDir, 0o755); err != nil {
		b.t.Fatalf("screenshots for people: %v", err)
	}
	dst := filepath.Join(browserShotsDir, name)
	if err := os.WriteFile(dst, png, 0o644); err != nil {
		b.t.Fatalf("screenshots for people: %v", err)
	}
	b.t.Logf("screenshot %s (%d bytes)", dst, len(png))
}

// browserLogWriter sends the server's warnings and errors to the test log.
type browserLogWriter struct{ t *testing.T }

func (w browserLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// browserOutput keeps the start of the browser's output for failure messages; Chromium
// writes from another goroutine.
type browserOutput struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (o *browserOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.buf.Len() < 64<<10 {
		o.buf.Write(p)
	}
	return len(p), nil
}

func (o *browserOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
