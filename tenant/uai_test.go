package tenant_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestParseUAI(t *testing.T) {
	tests := []struct {
		in, want, dep, errHas string
	}{
		{in: "0330021U", want: "0330021U", dep: "33"},
		{in: "0330021u", want: "0330021U", dep: "33"},
		{in: " 0750654D ", want: "0750654D", dep: "75"},
		{in: "9710001" + "X", errHas: "lettre de contrôle"},
		{in: "0330021A", errHas: "doit être U"},
		{in: "033002U", errHas: "8 caractères"},
		{in: "03300211U", errHas: "8 caractères"},
		{in: "A330021U", errHas: "7 chiffres"},
		{in: "", errHas: "8 caractères"},
		{in: "0330021I", errHas: "lettre de contrôle"},
		{in: "0330 21U", errHas: "7 chiffres"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := tenant.ParseUAI(tt.in)
			if tt.errHas != "" {
				var inv *fault.Invalid
				if !errors.As(err, &inv) || inv.Field != "uai" || !strings.Contains(inv.Message, tt.errHas) {
					t.Fatalf("ParseUAI(%q) error = %v, want an Invalid on uai containing %q", tt.in, err, tt.errHas)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ParseUAI(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if got.Departement() != tt.dep {
				t.Errorf("Departement() = %q, want %q", got.Departement(), tt.dep)
			}
			if got.SchemaName() != "t_"+strings.ToLower(tt.want) {
				t.Errorf("SchemaName() = %q", got.SchemaName())
			}
		})
	}
}

func TestSlugs(t *testing.T) {
	for name, want := range map[string]string{
		"Lycée Michel-Montaigne":          "lycee-michel-montaigne",
		"Collège Aliénor-d'Aquitaine":     "college-alienor-d-aquitaine",
		"  EREA   de la Côte   basque!! ": "erea-de-la-cote-basque",
		"Lycée Œdipe":                     "lycee-oedipe",
		"---":                             "",
	} {
		if got := tenant.Slugify(name); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", name, got, want)
		}
	}
	for slug, ok := range map[string]bool{
		"lycee-montaigne": true, "a": true, "admin": false, "www": false, "-a": false, "a-": false,
		"A": false, "a_b": false, strings.Repeat("a", 64): false, "xn--abc": false, "static": false,
	} {
		if err := tenant.CheckSlug(slug); (err == nil) != ok {
			t.Errorf("CheckSlug(%q) = %v, want ok=%v", slug, err, ok)
		}
	}
}
