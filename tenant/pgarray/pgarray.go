// Package pgarray passes Go slices as one PostgreSQL array parameter each: GORM would spread
// a plain slice into a list of parameters (one per element, a statement's text changing
// with its length); the SQL casts the parameter (?::uuid[], ?::text[]).
package pgarray

import (
	"database/sql/driver"
	"strings"

	"github.com/google/uuid"
)

// Text is a text[] parameter.
type Text []string

var quote = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value writes the array literal: every element quoted, backslashes and quotes escaped.
func (a Text) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(quote.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// UUIDs is a uuid[] parameter: a send to 1,500 people is one parameter, not 1,500.
type UUIDs []uuid.UUID

// Value writes the array literal (identifiers need no quoting).
func (a UUIDs) Value() (driver.Value, error) {
	var b strings.Builder
	b.Grow(len(a)*37 + 2)
	b.WriteByte('{')
	for i, id := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String(), nil
}
