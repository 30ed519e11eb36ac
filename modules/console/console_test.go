package console

import (
	"net/http"
	"testing"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

func TestUserError(t *testing.T) {
	_, uaiErr := tenant.ParseUAI("0330021A")
	for _, tc := range []struct {
		name        string
		err         error
		label, text string
		status      int
		shown       bool
	}{
		{"wrong check letter", uaiErr, "UAI", "la lettre de contrôle de l'UAI « 0330021A » est fausse : pour 0330021 elle doit être U", http.StatusUnprocessableEntity, true},
		{"conflict on a field", fault.NewField(fault.ErrConflict, "slug", "pris"), "Sous-domaine", "pris", http.StatusConflict, true},
		{"refusal", fault.New(fault.ErrForbidden, "non"), "", "non", http.StatusForbidden, true},
		{"too large", fault.NewField(fault.ErrTooLarge, "archive", "trop"), "Archive", "trop", http.StatusRequestEntityTooLarge, true},
		{"busy goes to the error handler", fault.New(fault.ErrBusy, "occupé"), "", "", 0, false},
		{"an internal error too", http.ErrHandlerTimeout, "", "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe, ok := userError(tc.err)
			if ok != tc.shown {
				t.Fatalf("shown = %v, want %v", ok, tc.shown)
			}
			if !ok {
				return
			}
			if fe.Label != tc.label || fe.Text != tc.text || fe.Status != tc.status {
				t.Errorf("got %+v, want label %q, text %q, status %d", fe, tc.label, tc.text, tc.status)
			}
		})
	}
}

func TestDetails(t *testing.T) {
	for raw, want := range map[string]string{
		`{}`:                                   "",
		`pas du JSON`:                          "",
		`{"slug": "lycee-a", "kind": "lycee"}`: "kind : lycee · slug : lycee-a",
		`{"dry_run": true, "created": 3}`:      "created : 3 · dry_run : true",
	} {
		if got := details(raw); got != want {
			t.Errorf("details(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestMegabytes(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1,0 Mo", 5 << 19: "2,5 Mo", 8192: "8 Ko", 100: "1 Ko", 3 << 30: "3,0 Go"} {
		if got := megabytes(n); got != want {
			t.Errorf("megabytes(%d) = %q, want %q", n, got, want)
		}
	}
}
