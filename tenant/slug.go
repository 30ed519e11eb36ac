package tenant

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/cartable-ent/cartable/web/fault"
)

// reservedSlugs are subdomains that belong to the platform or that would mislead users.
var reservedSlugs = map[string]bool{
	"admin": true, "www": true, "api": true, "auth": true, "static": true, "assets": true,
	"login": true, "logout": true, "portail": true, "portal": true, "mail": true, "smtp": true,
	"imap": true, "ftp": true, "cdn": true, "status": true, "help": true, "aide": true,
	"support": true, "docs": true, "doc": true, "dev": true, "test": true, "staging": true,
	"kratos": true, "identity": true, "id": true, "sso": true, "cas": true, "oidc": true,
	"metrics": true, "health": true, "region": true, "platform": true, "public": true,
	"cartable": true, "ent": true, "root": true, "postgres": true, "localhost": true,
}

// IsReservedSlug tells whether s is kept for the platform.
func IsReservedSlug(s string) bool { return reservedSlugs[s] || strings.HasPrefix(s, "xn--") }

// ValidSlug reports whether s is a lower-case DNS label: a–z, 0–9 and inner hyphens, 1 to 63
// characters. It says nothing of reserved names.
func ValidSlug(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// CheckSlug validates a slug chosen by an administrator.
func CheckSlug(s string) error {
	if !ValidSlug(s) {
		return fault.Invalidf("slug", "le sous-domaine « %s » doit compter 1 à 63 caractères parmi a–z, 0–9 et le tiret, sans tiret au début ni à la fin", s)
	}
	if IsReservedSlug(s) {
		return fault.Invalidf("slug", "le sous-domaine « %s » est réservé à la plateforme ; choisissez-en un autre", s)
	}
	return nil
}

// Slugify turns an establishment's name into a subdomain: "Lycée Michel-Montaigne" →
// "lycee-michel-montaigne". The result may be empty or reserved; callers check it.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r): // accents, dropped
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == 'œ':
			b.WriteString("oe")
			dash = false
		case r == 'æ':
			b.WriteString("ae")
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}
