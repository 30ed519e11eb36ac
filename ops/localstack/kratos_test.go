package localstack_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	kratos "github.com/ory/kratos-client-go"
	"golang.org/x/crypto/bcrypt"

	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// TestMain gives the tests of this folder a PostgreSQL cluster (the one of
// pgrun, or a throwaway one) through testenv.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestStartKratos covers the start path: a fresh database, migrations,
// configuration, browser cookies, and a restart keeping secrets and sessions.
func TestStartKratos(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute) // includes a first build
	defer cancel()
	logger := kratosTestLogger(t)
	root, err := localstack.RepoRoot()
	if err != nil {
		t.Fatalf("RepoRoot: %v", err)
	}
	bin, err := localstack.BuildKratos(ctx, root, logger)
	if err != nil {
		t.Fatalf("BuildKratos: %v", err)
	}
	opts := localstack.KratosOptions{
		Dir:           t.TempDir(),
		DSN:           testenv.NewDatabase(t),
		BaseDomain:    "cartable.test",
		PublicBaseURL: "http://auth.cartable.test:8080/",
		UIBaseURL:     "http://cartable.test:8080",
		HTTPPort:      "8080",
		Logger:        logger,
		Bin:           bin,
	}
	k := startKratos(ctx, t, opts)

	for _, name := range []string{"secrets.json", "kratos.yml"} {
		info, err := os.Stat(filepath.Join(opts.Dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s mode = %o, want 600", name, perm)
		}
	}
	secrets, err := os.ReadFile(filepath.Join(opts.Dir, "secrets.json"))
	if err != nil {
		t.Fatalf("reading secrets: %v", err)
	}
	if _, err := localstack.StartKratos(ctx, opts); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second StartKratos on a live folder: err = %v, want 'already running'", err)
	}

	admin := kratosClient(k.AdminURL())
	public := kratosClient(k.PublicURL())
	username, password := randomUsername(t), "mot-de-passe-1"
	id := createIdentity(ctx, t, admin, username, passwordConfig(password))

	// Browser login from a tenant subdomain, as the portal will drive it.
	returnTo := "http://lycee-montaigne.cartable.test:8080/notes"
	sessionCookie := browserLogin(ctx, t, k.PublicURL(), returnTo, username, password)
	if sessionCookie.Domain != "cartable.test" || sessionCookie.Secure || !sessionCookie.HttpOnly ||
		sessionCookie.SameSite != http.SameSiteLaxMode || sessionCookie.MaxAge < 719*3600 {
		t.Errorf("session cookie = %+v, want Domain=cartable.test, not Secure (http, --dev), HttpOnly, SameSite=Lax, "+
			"Max-Age ~720h", sessionCookie)
	}
	session, _, err := public.FrontendAPI.ToSession(ctx).Cookie(sessionCookie.Name + "=" + sessionCookie.Value).Execute()
	if err != nil || session.Identity == nil || session.Identity.Id != id {
		t.Fatalf("ToSession with the browser cookie: %+v, %v; want identity %s", session, err, id)
	}

	// Return URLs: the portal and any tenant subdomain, same scheme and port
	// (Kratos matches "*.cartable.test:8080" as a suffix of host:port).
	for returnTo, accepted := range map[string]bool{
		"http://cartable.test:8080/accueil":    true,
		"http://lycee-a.cartable.test:8080/":   true,
		"http://evil.example/":                 false,
		"http://xcartable.test:8080/":          false, // look-alike domain
		"http://lycee-a.cartable.test/":        false, // other port
		"https://lycee-a.cartable.test:8080/":  false, // other scheme
		"http://cartable.test:8080.evil.test/": false,
	} {
		resp := getNoRedirect(ctx, t, k.PublicURL()+"/self-service/login/browser?return_to="+url.QueryEscape(returnTo), nil, false)
		location := resp.Header.Get("Location")
		got := strings.HasPrefix(location, "http://cartable.test:8080/connexion?flow=")
		refused := strings.HasPrefix(location, "http://cartable.test:8080/erreur-connexion?id=")
		if resp.StatusCode != http.StatusSeeOther || got == refused || got != accepted {
			t.Errorf("return_to=%s: %s to %q, want accepted=%v (303 to /connexion, else to /erreur-connexion)",
				returnTo, resp.Status, location, accepted)
		}
	}

	token := apiLogin(ctx, t, public, username, password)

	// Restart: same secrets, existing sessions still valid.
	if err := k.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := k.Stop(); err != nil {
		t.Fatalf("Stop (again): %v", err)
	}
	select {
	case <-k.Done():
	default:
		t.Fatal("Done() not closed after Stop")
	}
	k = startKratos(ctx, t, opts)
	after, err := os.ReadFile(filepath.Join(opts.Dir, "secrets.json"))
	if err != nil || string(after) != string(secrets) {
		t.Errorf("secrets changed across a restart (%v)", err)
	}
	public = kratosClient(k.PublicURL())
	if _, _, err := public.FrontendAPI.ToSession(ctx).XSessionToken(token).Execute(); err != nil {
		t.Errorf("ToSession with a token issued before the restart: %v", err)
	}
	if _, _, err := public.FrontendAPI.ToSession(ctx).Cookie(sessionCookie.Name + "=" + sessionCookie.Value).Execute(); err != nil {
		t.Errorf("ToSession with a cookie issued before the restart: %v", err)
	}
}

// TestKratosAPI exercises the admin and frontend APIs Cartable relies on,
// against the Kratos shared by the test run.
func TestKratosAPI(t *testing.T) {
	publicURL, adminURL := testenv.Kratos(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, public := kratosClient(adminURL), kratosClient(publicURL)

	t.Run("password login and session", func(t *testing.T) {
		username := randomUsername(t)
		id := createIdentity(ctx, t, admin, username, passwordConfig("correct-horse"))
		token := apiLogin(ctx, t, public, username, "correct-horse")
		session, _, err := public.FrontendAPI.ToSession(ctx).XSessionToken(token).Execute()
		if err != nil {
			t.Fatalf("ToSession: %v", err)
		}
		if session.Identity == nil || session.Identity.Id != id {
			t.Fatalf("ToSession identity = %+v, want %s", session.Identity, id)
		}
		traits, _ := session.Identity.Traits.(map[string]any)
		if traits["username"] != username {
			t.Errorf("traits = %v, want username %s", traits, username)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		username := randomUsername(t)
		createIdentity(ctx, t, admin, username, passwordConfig("correct-horse"))
		status, flow, err := tryAPILogin(ctx, public, username, "wrong-horse")
		if status != http.StatusBadRequest || flow == nil {
			t.Fatalf("login with a wrong password: status %d, err %v; want 400 with the flow", status, err)
		}
		messages := flow.Ui.Messages
		if len(messages) == 0 || messages[0].Id != 4000006 || messages[0].Text == "" {
			t.Errorf("messages = %+v, want id 4000006 (invalid credentials) with a text", messages)
		}
	})

	t.Run("pre-hashed password", func(t *testing.T) {
		hash, err := bcrypt.GenerateFromPassword([]byte("initial-pass"), 6)
		if err != nil {
			t.Fatalf("bcrypt: %v", err)
		}
		username := randomUsername(t)
		id := createIdentity(ctx, t, admin, username, &kratos.IdentityWithCredentialsPasswordConfig{
			HashedPassword: kratos.PtrString(string(hash)),
		})
		apiLogin(ctx, t, public, username, "initial-pass")
		// Kratos keeps a bcrypt hash of any cost as it is (no rehash on login).
		identity, _, err := admin.IdentityAPI.GetIdentity(ctx, id).IncludeCredential([]string{"password"}).Execute()
		if err != nil {
			t.Fatalf("GetIdentity: %v", err)
		}
		cred := (*identity.Credentials)["password"]
		if stored, _ := cred.Config["hashed_password"].(string); stored != string(hash) {
			t.Errorf("stored hash = %q, want the imported one", stored)
		}
	})

	t.Run("the username is the only identifier", func(t *testing.T) {
		username := randomUsername(t)
		createIdentity(ctx, t, admin, username, passwordConfig("correct-horse"), "email", username+"@example.org")
		if status, _, _ := tryAPILogin(ctx, public, username+"@example.org", "correct-horse"); status != http.StatusBadRequest {
			t.Errorf("login with the e-mail: status %d, want 400", status)
		}
	})

	t.Run("invalid and duplicate usernames", func(t *testing.T) {
		body := kratos.CreateIdentityBody{SchemaId: "person", Traits: map[string]any{"username": "Élève Majuscule"}}
		_, resp, err := admin.IdentityAPI.CreateIdentity(ctx).CreateIdentityBody(body).Execute()
		if resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("invalid username: %v, want 400", err)
		}
		username := randomUsername(t)
		createIdentity(ctx, t, admin, username, passwordConfig("correct-horse"))
		body.Traits = map[string]any{"username": username}
		_, resp, err = admin.IdentityAPI.CreateIdentity(ctx).CreateIdentityBody(body).Execute()
		if resp == nil || resp.StatusCode != http.StatusConflict {
			t.Errorf("duplicate username: %v, want 409", err)
		}
	})

	t.Run("batch create", func(t *testing.T) {
		patches, usernames := batchPatches(t, 3)
		result := batchCreate(ctx, t, admin, patches)
		for i, r := range result.Identities {
			if r.GetAction() != "create" || r.GetIdentity() == "" || r.GetPatchId() != patches[i].GetPatchId() {
				t.Errorf("result %d = %+v, want action create with an identity id and patch id %s", i, r, patches[i].GetPatchId())
			}
			apiLogin(ctx, t, public, usernames[i], "batch-pass-"+usernames[i])
		}
	})

	// Kratos v1.3.1 reports a conflicting entry as an error and the others
	// as created, but rolls the whole batch back (fixed upstream after
	// v1.3.1 by ory/kratos#4211). Callers must treat any error entry as
	// "nothing stored" and resubmit the other entries.
	t.Run("batch with a conflict stores nothing", func(t *testing.T) {
		existing := randomUsername(t)
		createIdentity(ctx, t, admin, existing, passwordConfig("existing-pass"))
		patches, _ := batchPatches(t, 2)
		patches = append(patches, kratos.IdentityPatch{
			PatchId: kratos.PtrString(uuid.NewString()),
			Create:  &kratos.CreateIdentityBody{SchemaId: "person", Traits: map[string]any{"username": existing}},
		})
		result := batchCreate(ctx, t, admin, patches)
		if last := result.Identities[2]; last.GetAction() != "error" || last.Error == nil {
			t.Errorf("conflicting entry: %+v, want action error", last)
		}
		for _, r := range result.Identities[:2] {
			if r.GetAction() != "create" || r.GetIdentity() == "" {
				t.Errorf("entry %+v, want reported as created", r)
				continue
			}
			_, resp, err := admin.IdentityAPI.GetIdentity(ctx, r.GetIdentity()).Execute()
			if resp == nil || resp.StatusCode != http.StatusNotFound {
				t.Errorf("identity %s reported created in a batch with a conflict: GetIdentity err = %v, "+
					"want 404 as in Kratos v1.3.1; if Kratos now keeps it (ory/kratos#4211), update this test "+
					"and the directory import's retry", r.GetIdentity(), err)
			}
		}
	})

	t.Run("batch patch ids must be UUIDs", func(t *testing.T) {
		patches, _ := batchPatches(t, 1)
		patches[0].PatchId = kratos.PtrString("eleve-1")
		_, resp, err := admin.IdentityAPI.BatchPatchIdentities(ctx).
			PatchIdentitiesBody(kratos.PatchIdentitiesBody{Identities: patches}).Execute()
		if resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("non-UUID patch id: %v, want 400", describe(err))
		}
	})

	t.Run("recovery code", func(t *testing.T) {
		id := createIdentity(ctx, t, admin, randomUsername(t), passwordConfig("forgotten-pass"))
		code, _, err := admin.IdentityAPI.CreateRecoveryCodeForIdentity(ctx).
			CreateRecoveryCodeForIdentityBody(kratos.CreateRecoveryCodeForIdentityBody{
				IdentityId: id,
				ExpiresIn:  kratos.PtrString("24h"),
			}).Execute()
		if err != nil {
			t.Fatalf("CreateRecoveryCodeForIdentity: %v", describe(err))
		}
		// With the code method, the link opens the portal's recovery page.
		if code.RecoveryCode == "" || !strings.Contains(code.RecoveryLink, "/recuperation?flow=") {
			t.Errorf("recovery code %q link %q, want a code and a link to /recuperation?flow=", code.RecoveryCode, code.RecoveryLink)
		}
	})
}

// startKratos starts Kratos and stops it in t.Cleanup.
func startKratos(ctx context.Context, t *testing.T, opts localstack.KratosOptions) *localstack.Kratos {
	t.Helper()
	k, err := localstack.StartKratos(ctx, opts)
	if err != nil {
		t.Fatalf("StartKratos: %v", err)
	}
	t.Cleanup(func() {
		if err := k.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return k
}

func kratosClient(baseURL string) *kratos.APIClient {
	cfg := kratos.NewConfiguration()
	cfg.Servers = kratos.ServerConfigurations{{URL: baseURL}}
	cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	return kratos.NewAPIClient(cfg)
}

func passwordConfig(password string) *kratos.IdentityWithCredentialsPasswordConfig {
	return &kratos.IdentityWithCredentialsPasswordConfig{Password: kratos.PtrString(password)}
}

// createIdentity creates a person with the username (and extra traits as
// key, value pairs) and a password credential; it returns the identity id.
func createIdentity(ctx context.Context, t *testing.T, admin *kratos.APIClient, username string,
	password *kratos.IdentityWithCredentialsPasswordConfig, extraTraits ...string) string {
	t.Helper()
	traits := map[string]any{"username": username, "name": map[string]any{"first": "Camille", "last": "Martin"}}
	for i := 0; i+1 < len(extraTraits); i += 2 {
		traits[extraTraits[i]] = extraTraits[i+1]
	}
	body := kratos.CreateIdentityBody{
		SchemaId: "person",
		Traits:   traits,
		Credentials: &kratos.IdentityWithCredentials{
			Password: &kratos.IdentityWithCredentialsPassword{Config: password},
		},
	}
	identity, _, err := admin.IdentityAPI.CreateIdentity(ctx).CreateIdentityBody(body).Execute()
	if err != nil {
		t.Fatalf("CreateIdentity(%s): %v", username, describe(err))
	}
	return identity.Id
}

// apiLogin logs in through a native (API) flow and returns the session token.
func apiLogin(ctx context.Context, t *testing.T, public *kratos.APIClient, identifier, password string) string {
	t.Helper()
	flow, _, err := public.FrontendAPI.CreateNativeLoginFlow(ctx).Execute()
	if err != nil {
		t.Fatalf("CreateNativeLoginFlow: %v", describe(err))
	}
	body := kratos.UpdateLoginFlowWithPasswordMethodAsUpdateLoginFlowBody(
		kratos.NewUpdateLoginFlowWithPasswordMethod(identifier, "password", password))
	login, _, err := public.FrontendAPI.UpdateLoginFlow(ctx).Flow(flow.Id).UpdateLoginFlowBody(body).Execute()
	if err != nil {
		t.Fatalf("UpdateLoginFlow(%s): %v", identifier, describe(err))
	}
	if login.SessionToken == nil || *login.SessionToken == "" {
		t.Fatalf("login of %s returned no session token", identifier)
	}
	return *login.SessionToken
}

// tryAPILogin is apiLogin reporting failures: the HTTP status and, on 400,
// the login flow carrying the error messages.
func tryAPILogin(ctx context.Context, public *kratos.APIClient, identifier, password string) (int, *kratos.LoginFlow, error) {
	flow, _, err := public.FrontendAPI.CreateNativeLoginFlow(ctx).Execute()
	if err != nil {
		return 0, nil, err
	}
	body := kratos.UpdateLoginFlowWithPasswordMethodAsUpdateLoginFlowBody(
		kratos.NewUpdateLoginFlowWithPasswordMethod(identifier, "password", password))
	_, resp, err := public.FrontendAPI.UpdateLoginFlow(ctx).Flow(flow.Id).UpdateLoginFlowBody(body).Execute()
	if resp == nil {
		return 0, nil, err
	}
	var apiErr *kratos.GenericOpenAPIError
	if errors.As(err, &apiErr) {
		if f, ok := apiErr.Model().(kratos.LoginFlow); ok {
			return resp.StatusCode, &f, err
		}
	}
	return resp.StatusCode, nil, err
}

// browserLogin runs a browser login flow by hand (no cookie jar: the
// cookies are for cartable.test while requests go to 127.0.0.1) and returns
// the session cookie.
func browserLogin(ctx context.Context, t *testing.T, publicURL, returnTo, username, password string) *http.Cookie {
	t.Helper()
	resp := getNoRedirect(ctx, t, publicURL+"/self-service/login/browser?return_to="+url.QueryEscape(returnTo), nil, false)
	location := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(location, "http://cartable.test:8080/connexion?flow=") {
		t.Fatalf("creating a browser login flow: %s to %q, want 303 to the portal's /connexion", resp.Status, location)
	}
	cookies := resp.Cookies()
	for _, c := range cookies {
		if c.Domain != "cartable.test" || c.Secure {
			t.Errorf("flow cookie %s: Domain=%q Secure=%v, want cartable.test and not Secure", c.Name, c.Domain, c.Secure)
		}
	}
	flowID := strings.TrimPrefix(location, "http://cartable.test:8080/connexion?flow=")

	resp = getNoRedirect(ctx, t, publicURL+"/self-service/login/flows?id="+url.QueryEscape(flowID), cookies, true)
	var flow struct {
		UI struct {
			Action string `json:"action"`
			Nodes  []struct {
				Attributes struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"attributes"`
			} `json:"nodes"`
		} `json:"ui"`
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &flow) != nil {
		t.Fatalf("fetching the login flow: %s %s", resp.Status, body)
	}
	var csrf string
	for _, n := range flow.UI.Nodes {
		if n.Attributes.Name == "csrf_token" {
			csrf, _ = n.Attributes.Value.(string)
		}
	}
	if csrf == "" || !strings.HasPrefix(flow.UI.Action, "http://auth.cartable.test:8080/self-service/login?flow=") {
		t.Fatalf("login flow: csrf %q, action %q (want the public base URL)", csrf, flow.UI.Action)
	}

	form := url.Values{"method": {"password"}, "identifier": {username}, "password": {password}, "csrf_token": {csrf}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, publicURL+"/self-service/login?flow="+url.QueryEscape(flowID),
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("building the login request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp = doNoRedirect(t, req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != returnTo {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("browser login: %s to %q, want 303 to %s\n%s", resp.Status, resp.Header.Get("Location"), returnTo, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "cartable_session" {
			return c
		}
	}
	t.Fatalf("browser login set no cartable_session cookie: %v", resp.Header.Values("Set-Cookie"))
	return nil
}

// getNoRedirect sends a GET with the cookies, as a browser navigation, or
// as a fetch asking for JSON (Kratos then answers 200 instead of 303).
func getNoRedirect(ctx context.Context, t *testing.T, target string, cookies []*http.Cookie, asJSON bool) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		t.Fatalf("building GET %s: %v", target, err)
	}
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return doNoRedirect(t, req)
}

// doNoRedirect sends the request without following redirects; the body is
// closed in t.Cleanup.
func doNoRedirect(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// describe adds the response body of a Kratos API error.
func describe(err error) error {
	var apiErr *kratos.GenericOpenAPIError
	if errors.As(err, &apiErr) {
		return errors.New(apiErr.Error() + ": " + string(apiErr.Body()))
	}
	return err
}

// randomUsername returns "eleve-" and 8 random hex digits.
func randomUsername(t *testing.T) string {
	t.Helper()
	buf := make([]byte, 4)
	if _, err := rand.Read(buf); err != nil {
		t.Fatalf("random: %v", err)
	}
	return "eleve-" + hex.EncodeToString(buf)
}

func kratosTestLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(kratosTestWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// kratosTestWriter sends log output to the test log.
type kratosTestWriter struct{ t *testing.T }

func (w kratosTestWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// batchPatches returns n create patches (patch ids are random UUIDs) with
// the password "batch-pass-<username>", and their usernames.
func batchPatches(t *testing.T, n int) ([]kratos.IdentityPatch, []string) {
	t.Helper()
	var patches []kratos.IdentityPatch
	var usernames []string
	for i := range n {
		username := randomUsername(t)
		usernames = append(usernames, username)
		patches = append(patches, kratos.IdentityPatch{
			PatchId: kratos.PtrString(uuid.NewString()),
			Create: &kratos.CreateIdentityBody{
				SchemaId: "person",
				Traits: map[string]any{
					"username": username,
					"name":     map[string]any{"first": "Élève", "last": string(rune('A' + i))},
				},
				Credentials: &kratos.IdentityWithCredentials{Password: &kratos.IdentityWithCredentialsPassword{
					Config: passwordConfig("batch-pass-" + username),
				}},
			},
		})
	}
	return patches, usernames
}

// batchCreate sends the patches and checks there is one result per patch.
func batchCreate(ctx context.Context, t *testing.T, admin *kratos.APIClient, patches []kratos.IdentityPatch) *kratos.BatchPatchIdentitiesResponse {
	t.Helper()
	result, _, err := admin.IdentityAPI.BatchPatchIdentities(ctx).
		PatchIdentitiesBody(kratos.PatchIdentitiesBody{Identities: patches}).Execute()
	if err != nil {
		t.Fatalf("BatchPatchIdentities: %v", describe(err))
	}
	if len(result.Identities) != len(patches) {
		t.Fatalf("got %d results, want %d", len(result.Identities), len(patches))
	}
	return result
}
