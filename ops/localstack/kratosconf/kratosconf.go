// Package kratosconf holds the configuration of Ory Kratos for Cartable: the
// configuration file template (kratos.yml.tmpl) and the identity schema
// "person" (identity.person.schema.json), embedded so that the dev stack, the
// tests and deployment tooling render the same configuration.
//
// Kratos itself is built by the separate module ops/kratos, which cannot be
// embedded from the root module; this package lives in the root module for
// that reason.
package kratosconf

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"text/template"
)

// IdentitySchemaID is the id of the only identity schema, the default one.
const IdentitySchemaID = "person"

// DefaultBcryptCost is the bcrypt cost of passwords hashed by Kratos. Kratos
// honours a cost below 12 only when it runs with --dev.
const DefaultBcryptCost = 10

// IdentitySchema is the JSON Schema of the traits of a person: username (the
// login identifier), optional email (informational) and name {first, last}.
//
//go:embed identity.person.schema.json
var IdentitySchema []byte

//go:embed kratos.yml.tmpl
var configTemplate string

// Secrets are Kratos' signing and encryption secrets. Keep them across
// restarts: changing Cookie logs everybody out.
type Secrets struct {
	Default string `json:"default"` // at least 16 characters
	Cookie  string `json:"cookie"`  // at least 16 characters
	Cipher  string `json:"cipher"`  // exactly 32 characters
}

// Params are the values of one rendered configuration.
type Params struct {
	Version           string  // Kratos version the configuration is written for, e.g. "v1.3.1"
	Host              string  // interface both APIs listen on, e.g. "127.0.0.1"
	PublicPort        int     // port of the public API
	AdminPort         int     // port of the admin API
	PublicBaseURL     string  // public API as browsers reach it, e.g. "http://auth.cartable.localhost:8080/"
	AdminBaseURL      string  // admin API, e.g. "http://127.0.0.1:4434/"
	UIBaseURL         string  // portal serving the login pages, without trailing slash, e.g. "http://cartable.localhost:8080"
	BaseDomain        string  // cookie domain shared by the portal and the tenants, e.g. "cartable.localhost"
	HTTPPort          string  // port browsers use for the UI and tenants, "" for the scheme's default
	IdentitySchemaURL string  // where Kratos reads IdentitySchema, e.g. "file:///…/identity.person.schema.json"
	BcryptCost        int     // 0 means DefaultBcryptCost
	Secrets           Secrets // all three are required
}

// TenantWildcardURL returns the return URL allowing every tenant subdomain,
// e.g. "http://*.cartable.localhost:8080", with the scheme of UIBaseURL.
func (p Params) TenantWildcardURL() string {
	scheme := "http"
	if u, err := url.Parse(p.UIBaseURL); err == nil && u.Scheme != "" {
		scheme = u.Scheme
	}
	host := "*." + p.BaseDomain
	if p.HTTPPort != "" {
		host += ":" + p.HTTPPort
	}
	return scheme + "://" + host
}

// Render returns the Kratos configuration file (YAML) for the parameters.
func Render(p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if p.BcryptCost == 0 {
		p.BcryptCost = DefaultBcryptCost
	}
	p.UIBaseURL = strings.TrimSuffix(p.UIBaseURL, "/")
	tmpl, err := template.New("kratos.yml").Option("missingkey=error").Funcs(template.FuncMap{
		"q": quote,
	}).Parse(configTemplate)
	if err != nil {
		return nil, fmt.Errorf("kratosconf: parsing the template: %w", err)
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, p); err != nil {
		return nil, fmt.Errorf("kratosconf: rendering the configuration: %w", err)
	}
	return []byte(out.String()), nil
}

// check rejects parameters Kratos would refuse or misread.
func (p Params) check() error {
	var errs []error
	required := []struct{ name, value string }{
		{"Version", p.Version}, {"Host", p.Host}, {"PublicBaseURL", p.PublicBaseURL},
		{"AdminBaseURL", p.AdminBaseURL}, {"UIBaseURL", p.UIBaseURL}, {"BaseDomain", p.BaseDomain},
		{"IdentitySchemaURL", p.IdentitySchemaURL},
	}
	for _, f := range required {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("%s is required", f.name))
			continue
		}
		if !strings.HasSuffix(f.name, "URL") || f.name == "IdentitySchemaURL" {
			continue
		}
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q is not an absolute http(s) URL", f.name, f.value))
		}
	}
	if strings.ContainsAny(p.BaseDomain, ":/* ") {
		errs = append(errs, fmt.Errorf("BaseDomain %q must be a bare domain name", p.BaseDomain))
	}
	if p.PublicPort <= 0 || p.PublicPort > 65535 || p.AdminPort <= 0 || p.AdminPort > 65535 {
		errs = append(errs, fmt.Errorf("invalid ports %d (public) and %d (admin)", p.PublicPort, p.AdminPort))
	}
	if p.BcryptCost != 0 && (p.BcryptCost < 4 || p.BcryptCost > 31) {
		errs = append(errs, fmt.Errorf("BcryptCost %d is outside [4, 31]", p.BcryptCost))
	}
	if len(p.Secrets.Default) < 16 || len(p.Secrets.Cookie) < 16 {
		errs = append(errs, errors.New("the default and cookie secrets need at least 16 characters"))
	}
	if len(p.Secrets.Cipher) != 32 {
		errs = append(errs, errors.New("the cipher secret needs exactly 32 characters"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("kratosconf: %w", err)
	}
	return nil
}

// quote renders s as a JSON string, which YAML reads as the same string.
func quote(s string) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("quoting %q: %w", s, err)
	}
	return string(b), nil
}
