package resources

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// FuzzParseLoginHint: any login_hint a tool sends is read without panic, into an
// establishment and a launch (looked up, never trusted) or refused.
func FuzzParseLoginHint(f *testing.F) {
	tn := &tenant.Tenant{ID: uuid.MustParse("8552290c-9ba2-484f-bed5-11f5d4d74670")}
	f.Add(loginHint(tn, uuid.MustParse("5fd4df42-21ad-442e-b694-65abb0cef47b")))
	f.Add("")
	f.Add(".")
	f.Add("8552290c-9ba2-484f-bed5-11f5d4d74670.")
	f.Add("{8552290c-9ba2-484f-bed5-11f5d4d74670}.urn:uuid:5fd4df42-21ad-442e-b694-65abb0cef47b")
	f.Fuzz(func(t *testing.T, h string) {
		tid, lid, ok := parseLoginHint(h)
		if !ok {
			if tid != uuid.Nil || lid != uuid.Nil {
				t.Fatalf("%q refused but gave %s %s", h, tid, lid)
			}
			return
		}
		t2, l2, ok2 := parseLoginHint(loginHint(&tenant.Tenant{ID: tid}, lid))
		if !ok2 || t2 != tid || l2 != lid {
			t.Fatalf("%q read as %s.%s, which does not read back", h, tid, lid)
		}
	})
}
