// Package frsort sorts names the way French readers expect: accents and case are secondary
// to the letters (Gâtineau before Girard, Émile among the E), by the Unicode collation
// algorithm tailored for French (golang.org/x/text/collate). Byte order, or lower() in
// PostgreSQL under the C collation, puts every accented capital after Z.
package frsort

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// newCollator is a French collator. A collator keeps buffers between comparisons and is not
// safe for concurrent use: each sort makes its own.
func newCollator() *collate.Collator {
	return collate.New(language.French)
}

// Strings sorts s in place in French order.
func Strings(s []string) {
	c := newCollator()
	slices.SortStableFunc(s, c.CompareString)
}

// Slice sorts s in place in French order of the keys given by key, compared one after the
// other (e.g. last name, then first name); ties keep their order.
func Slice[T any](s []T, key func(T) []string) {
	c := newCollator()
	slices.SortStableFunc(s, func(a, b T) int {
		ka, kb := key(a), key(b)
		for i := 0; i < len(ka) && i < len(kb); i++ {
			if r := c.CompareString(ka[i], kb[i]); r != 0 {
				return r
			}
		}
		return len(ka) - len(kb)
	})
}

// Compare compares a and b in French order: -1, 0 or +1.
func Compare(a, b string) int { return newCollator().CompareString(a, b) }
