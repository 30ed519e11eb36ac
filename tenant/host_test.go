package tenant_test

import (
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/tenant"
)

func TestParseHost(t *testing.T) {
	const base = "cartable.localhost"
	tests := []struct {
		host string
		kind tenant.HostKind
		slug string
	}{
		{"cartable.localhost", tenant.HostPortal, ""},
		{"cartable.localhost:8080", tenant.HostPortal, ""},
		{"www.cartable.localhost", tenant.HostPortal, ""},
		{"admin.cartable.localhost:8080", tenant.HostAdmin, ""},
		{"auth.cartable.localhost", tenant.HostAuth, ""},
		{"lycee-montaigne.cartable.localhost:8080", tenant.HostTenant, "lycee-montaigne"},
		{"LYCEE-Montaigne.Cartable.Localhost.", tenant.HostTenant, "lycee-montaigne"},
		{"a.b.cartable.localhost", tenant.HostUnknown, ""},
		{"cartable.localhost.evil.com", tenant.HostUnknown, ""},
		{"evilcartable.localhost", tenant.HostUnknown, ""},
		{".cartable.localhost", tenant.HostUnknown, ""},
		{"api.cartable.localhost", tenant.HostUnknown, ""},
		{"static.cartable.localhost", tenant.HostUnknown, ""},
		{"public.cartable.localhost", tenant.HostUnknown, ""},
		{"platform.cartable.localhost", tenant.HostUnknown, ""},
		{"pg_catalog.cartable.localhost", tenant.HostUnknown, ""},
		{"t_0330021u.cartable.localhost", tenant.HostUnknown, ""},
		{"127.0.0.1:8080", tenant.HostUnknown, ""},
		{"", tenant.HostUnknown, ""},
		{"[::1]:8080", tenant.HostUnknown, ""},
	}
	for _, tt := range tests {
		kind, slug := tenant.ParseHost(tt.host, base)
		if kind != tt.kind || slug != tt.slug {
			t.Errorf("ParseHost(%q) = %v, %q; want %v, %q", tt.host, kind, slug, tt.kind, tt.slug)
		}
	}
}

// FuzzParseHost checks that no host, however forged, yields a slug that could name a
// system schema or escape the DNS-label rules. Run: go test -fuzz FuzzParseHost ./tenant/
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{
		"lycee-montaigne.cartable.localhost", "platform.cartable.localhost", "public.cartable.localhost",
		"pg_catalog.cartable.localhost", "PG_TOAST.cartable.localhost:1", "a.cartable.localhost.",
		"x\x00.cartable.localhost", "é.cartable.localhost", "admin.cartable.localhost", "'; DROP SCHEMA platform; --.cartable.localhost",
		"t_0330021u.cartable.localhost", "information_schema.cartable.localhost", "[::1]:80", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		kind, slug := tenant.ParseHost(host, "cartable.localhost")
		if kind != tenant.HostTenant {
			if slug != "" {
				t.Fatalf("non-tenant host %q gave slug %q", host, slug)
			}
			return
		}
		if !tenant.ValidSlug(slug) || tenant.IsReservedSlug(slug) {
			t.Fatalf("host %q gave invalid or reserved slug %q", host, slug)
		}
		low := strings.ToLower(slug)
		if low == "platform" || low == "public" || strings.HasPrefix(low, "pg_") || strings.ContainsAny(slug, "_.\"'; ") {
			t.Fatalf("host %q gave a slug that names a system schema: %q", host, slug)
		}
	})
}
