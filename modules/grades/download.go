package grades

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// csvFileName keeps letters, digits and dashes of s for a file name.
func csvFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	return b.String()
}

// attachmentHeader names a download: an ASCII file name for old clients, and the exact
// one (RFC 6266, RFC 5987) for the others.
func attachmentHeader(name string) string {
	name = safeFileName(name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiFold(name), rfc5987(name))
}

// safeFileName keeps letters, digits, dots, dashes and underscores; anything else
// (spaces, apostrophes, slashes…) becomes a dash.
func safeFileName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if !(r == '.' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			r = '-'
		}
		if r == '-' && dash {
			continue
		}
		dash = r == '-'
		b.WriteRune(r)
	}
	return strings.Trim(b.String(), "-")
}

// asciiFold drops the accents: "LEFÈVRE-Zoé" → "LEFEVRE-Zoe".
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		default:
			b.WriteString(map[rune]string{'œ': "oe", 'Œ': "OE", 'æ': "ae", 'Æ': "AE", 'ß': "ss"}[r])
		}
	}
	return b.String()
}

func rfc5987(s string) string {
	const keep = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(keep, s[i]) >= 0 {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
	}
	return b.String()
}
