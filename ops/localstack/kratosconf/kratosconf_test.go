package kratosconf

import (
	"encoding/json"
	"strings"
	"testing"
)

func validParams() Params {
	return Params{
		Version:           "v1.3.1",
		Host:              "127.0.0.1",
		PublicPort:        4433,
		AdminPort:         4434,
		PublicBaseURL:     "http://auth.cartable.localhost:8080/",
		AdminBaseURL:      "http://127.0.0.1:4434/",
		UIBaseURL:         "http://cartable.localhost:8080/",
		BaseDomain:        "cartable.localhost",
		HTTPPort:          "8080",
		IdentitySchemaURL: "file:///tmp/identity.person.schema.json",
		Secrets:           Secrets{Default: strings.Repeat("d", 32), Cookie: strings.Repeat("c", 32), Cipher: strings.Repeat("x", 32)},
	}
}

func TestRender(t *testing.T) {
	out, err := Render(validParams())
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for _, want := range []string{
		`base_url: "http://auth.cartable.localhost:8080/"`,
		`- "http://*.cartable.localhost:8080"`,
		`default_browser_return_url: "http://cartable.localhost:8080/"`,
		`ui_url: "http://cartable.localhost:8080/connexion"`,
		`domain: "cartable.localhost"`,
		"cost: 10",
		"name: cartable_session",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("configuration lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	for name, mutate := range map[string]func(*Params){
		"short cipher":       func(p *Params) { p.Secrets.Cipher = "short" },
		"relative UI URL":    func(p *Params) { p.UIBaseURL = "/connexion" },
		"domain with a port": func(p *Params) { p.BaseDomain = "cartable.localhost:8080" },
		"no admin port":      func(p *Params) { p.AdminPort = 0 },
	} {
		p := validParams()
		mutate(&p)
		if _, err := Render(p); err == nil {
			t.Errorf("%s: Render accepted %+v", name, p)
		}
	}
}

func TestIdentitySchema(t *testing.T) {
	var schema struct {
		Properties struct {
			Traits struct {
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"traits"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(IdentitySchema, &schema); err != nil {
		t.Fatalf("identity schema: %v", err)
	}
	traits := schema.Properties.Traits
	if len(traits.Required) != 1 || traits.Required[0] != "username" {
		t.Errorf("required = %v, want [username]", traits.Required)
	}
	if !strings.Contains(string(traits.Properties["username"]), `"identifier": true`) ||
		strings.Contains(string(traits.Properties["email"]), "ory.sh/kratos") {
		t.Error("the username must be the password identifier, and the email nothing for Kratos")
	}
}
