package resources

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// French helpers of the managers' pages.

// de is « de X », elided to « d'X » before a vowel or an h: « d'Aubé », « d'Hélène »,
// « de Martin ».
func de(name string) string {
	name = strings.TrimSpace(name)
	r, _ := utf8.DecodeRuneInString(norm.NFD.String(name))
	if strings.ContainsRune("aeiouyhAEIOUYH", r) {
		return "d'" + name
	}
	return "de " + name
}

// countFR is « 1 attribution », « 3 attributions », « aucune attribution » (feminine words).
func countFR(n int, one, many string) string {
	switch {
	case n == 0:
		return "aucune " + one
	case n == 1:
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
