// Package ltitool is a small, real LTI 1.3 tool: the publisher's side of a launch. It
// answers the platform's third-party login initiation (keeping a state and a nonce), then
// receives the id_token at its launch URL, fetches the platform's keys from its JWKS URL
// over HTTP and verifies the token (signature, iss, aud, azp, exp, nonce, deployment,
// message type and version) before showing « Ressource ouverte ». Cartable's tests launch
// into it through httptest servers; `make dev` serves it as the demo publisher.
package ltitool

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Config is the tool's registration with one platform.
type Config struct {
	Issuer        string   // the platform's issuer (iss)
	ClientID      string   // the id the platform gave the tool (aud)
	DeploymentIDs []string // the deployments the tool knows
	AuthURL       string   // the platform's OIDC authentication endpoint
	JWKSURL       string   // the platform's keys
	LaunchURL     string   // this tool's launch URL: its redirect_uri
	Client        *http.Client
	Now           func() time.Time
}

// Paths the tool serves.
const (
	LoginPath  = "/login"
	LaunchPath = "/launch"
	JWKSPath   = "/jwks.json" // the tool's own public key (for the platform, e.g. client assertions)
)

// stateLife is how long a login initiation waits for its launch.
const stateLife = 10 * time.Minute

// Launch is a launch the tool accepted: what the platform told it.
type Launch struct {
	Sub            string
	Name           string
	GivenName      string
	FamilyName     string
	Email          string
	DeploymentID   string
	TargetLinkURI  string
	ResourceLinkID string
	ResourceTitle  string
	Roles          []string
	Context        map[string]any
	Claims         map[string]any // every claim of the id_token
	Kid            string
}

type pending struct {
	nonce string
	at    time.Time
}

// Tool is the LTI tool, an http.Handler.
type Tool struct {
	cfg Config
	key jwk.Key // the tool's own RSA key, kid and alg set

	mu       sync.Mutex
	pending  map[string]pending // by state
	launches []Launch
}

// New makes a tool registered as cfg says.
func New(cfg Config) *Tool {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	key, err := jwk.Import(priv)
	if err != nil {
		panic(err)
	}
	_ = jwk.AssignKeyID(key)
	_ = key.Set(jwk.AlgorithmKey, jwa.RS256())
	return &Tool{cfg: cfg, key: key, pending: map[string]pending{}}
}

// Key is the tool's private key (kid and alg RS256 set), whose public part it serves at
// JWKSPath: what it signs its requests to the platform with.
func (t *Tool) Key() jwk.Key { return t.key }

// Launches are the launches accepted so far, oldest first.
func (t *Tool) Launches() []Launch {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.launches)
}

// ServeHTTP serves the login initiation and the launch.
func (t *Tool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case LoginPath:
		t.login(w, r)
	case JWKSPath:
		pub, err := t.key.PublicKey()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"keys": []jwk.Key{pub}})
	case LaunchPath:
		if r.Method != http.MethodPost {
			http.Error(w, "lancement : POST attendu", http.StatusMethodNotAllowed)
			return
		}
		t.launch(w, r)
	default:
		http.NotFound(w, r)
	}
}

// login is the third-party login initiation: a new state and nonce, then the
// authentication request to the platform.
func (t *Tool) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		refuse(w, http.StatusBadRequest, "initiation illisible")
		return
	}
	f := r.Form.Get
	switch {
	case f("iss") != t.cfg.Issuer:
		refuse(w, http.StatusBadRequest, "plateforme inconnue (iss)")
		return
	case f("client_id") != "" && f("client_id") != t.cfg.ClientID:
		refuse(w, http.StatusBadRequest, "client_id inconnu")
		return
	case f("login_hint") == "":
		refuse(w, http.StatusBadRequest, "login_hint manquant")
		return
	case f("lti_deployment_id") != "" && !slices.Contains(t.cfg.DeploymentIDs, f("lti_deployment_id")):
		refuse(w, http.StatusBadRequest, "déploiement inconnu")
		return
	}
	state, nonce := random(), random()
	now := t.cfg.Now()
	t.mu.Lock()
	for k, p := range t.pending {
		if now.Sub(p.at) > stateLife {
			delete(t.pending, k)
		}
	}
	t.pending[state] = pending{nonce: nonce, at: now}
	t.mu.Unlock()
	q := url.Values{
		"scope": {"openid"}, "response_type": {"id_token"}, "response_mode": {"form_post"}, "prompt": {"none"},
		"client_id": {t.cfg.ClientID}, "redirect_uri": {t.cfg.LaunchURL}, "login_hint": {f("login_hint")},
		"state": {state}, "nonce": {nonce},
	}
	if h := f("lti_message_hint"); h != "" {
		q.Set("lti_message_hint", h)
	}
	http.Redirect(w, r, t.cfg.AuthURL+"?"+q.Encode(), http.StatusFound)
}

// launch verifies the id_token and shows the resource.
func (t *Tool) launch(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		refuse(w, http.StatusBadRequest, "lancement illisible")
		return
	}
	if e := r.PostForm.Get("error"); e != "" {
		refuse(w, http.StatusUnauthorized, "la plateforme a refusé : "+e+" ("+r.PostForm.Get("error_description")+")")
		return
	}
	t.mu.Lock()
	p, ok := t.pending[r.PostForm.Get("state")]
	delete(t.pending, r.PostForm.Get("state"))
	t.mu.Unlock()
	if !ok || t.cfg.Now().Sub(p.at) > stateLife {
		refuse(w, http.StatusUnauthorized, "state inconnu ou expiré")
		return
	}
	l, err := t.Verify(r.Context(), r.PostForm.Get("id_token"), p.nonce)
	if err != nil {
		refuse(w, http.StatusUnauthorized, err.Error())
		return
	}
	t.mu.Lock()
	t.launches = append(t.launches, *l)
	t.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, l)
}

// Verify checks an id_token against the platform's JWKS (fetched now) and the tool's
// registration, with the nonce the tool sent; it returns what the token says.
func (t *Tool) Verify(ctx context.Context, idToken, nonce string) (*Launch, error) {
	if idToken == "" {
		return nil, fmt.Errorf("id_token manquant")
	}
	set, err := jwk.Fetch(ctx, t.cfg.JWKSURL, jwk.WithHTTPClient(t.cfg.Client))
	if err != nil {
		return nil, fmt.Errorf("clés de la plateforme illisibles : %w", err)
	}
	tok, err := jwt.Parse([]byte(idToken), jwt.WithKeySet(set), jwt.WithValidate(true),
		jwt.WithIssuer(t.cfg.Issuer), jwt.WithAudience(t.cfg.ClientID),
		jwt.WithClock(jwt.ClockFunc(t.cfg.Now)), jwt.WithAcceptableSkew(30*time.Second))
	if err != nil {
		return nil, fmt.Errorf("id_token refusé : %w", err)
	}
	if _, ok := tok.Expiration(); !ok {
		return nil, fmt.Errorf("id_token sans exp")
	}
	claims, err := payload(idToken)
	if err != nil {
		return nil, err
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	const lti = "https://purl.imsglobal.org/spec/lti/claim/"
	l := &Launch{Claims: claims, Sub: str("sub"), Name: str("name"), GivenName: str("given_name"), FamilyName: str("family_name"),
		Email: str("email"), DeploymentID: str(lti + "deployment_id"), TargetLinkURI: str(lti + "target_link_uri")}
	switch {
	case claims["azp"] != nil && str("azp") != t.cfg.ClientID:
		return nil, fmt.Errorf("azp n'est pas cet outil")
	case audiences(claims["aud"]) > 1 && str("azp") == "":
		return nil, fmt.Errorf("azp manquant")
	case nonce == "" || str("nonce") != nonce:
		return nil, fmt.Errorf("nonce différent de celui envoyé")
	case !slices.Contains(t.cfg.DeploymentIDs, l.DeploymentID):
		return nil, fmt.Errorf("déploiement inconnu : %q", l.DeploymentID)
	case str(lti+"message_type") != "LtiResourceLinkRequest":
		return nil, fmt.Errorf("type de message inattendu : %q", str(lti+"message_type"))
	case str(lti+"version") != "1.3.0":
		return nil, fmt.Errorf("version LTI inattendue : %q", str(lti+"version"))
	case l.Sub == "":
		return nil, fmt.Errorf("sub manquant")
	}
	if rl, ok := claims[lti+"resource_link"].(map[string]any); ok {
		l.ResourceLinkID, _ = rl["id"].(string)
		l.ResourceTitle, _ = rl["title"].(string)
	}
	if l.ResourceLinkID == "" {
		return nil, fmt.Errorf("resource_link.id manquant")
	}
	if rs, ok := claims[lti+"roles"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				l.Roles = append(l.Roles, s)
			}
		}
	} else {
		return nil, fmt.Errorf("roles manquant")
	}
	l.Context, _ = claims[lti+"context"].(map[string]any)
	l.Kid = header(idToken)
	return l, nil
}

func audiences(v any) int {
	if a, ok := v.([]any); ok {
		return len(a)
	}
	return 1
}

// payload decodes a (verified) JWT's claims.
func payload(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("id_token mal formé")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("id_token mal formé")
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("id_token mal formé")
	}
	return m, nil
}

// header is a JWT's kid.
func header(tok string) string {
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var m struct {
		Kid string `json:"kid"`
	}
	json.Unmarshal(b, &m)
	return m.Kid
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func refuse(w http.ResponseWriter, status int, why string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	refused.Execute(w, why)
}

var page = template.Must(template.New("launch").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Ressource ouverte</title></head>
<body><main><h1>Ressource ouverte</h1>
<p>{{with .ResourceTitle}}« {{.}} » — {{end}}identifiant chez l'éditeur : <code>{{.Sub}}</code></p>
{{with .Name}}<p>Nom transmis : {{.}}</p>{{else}}<p>Aucun nom n'a été transmis.</p>{{end}}
{{with .Email}}<p>Courriel transmis : {{.}}</p>{{end}}
</main></body></html>`))

var refused = template.Must(template.New("refused").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Lancement refusé</title></head>
<body><main><h1>Lancement refusé</h1><p>{{.}}</p></main></body></html>`))
