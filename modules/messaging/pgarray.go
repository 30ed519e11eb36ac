package messaging

import (
	"database/sql/driver"
	"strings"

	"github.com/google/uuid"
)

// textArray passes a []string as one PostgreSQL array parameter (GORM would spread a plain
// slice into a list of parameters); the SQL casts it (?::text[]).
type textArray []string

// Value writes the array literal: every element quoted, backslashes and quotes escaped.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// uuidArray passes identifiers as one array parameter (?::uuid[]): a send to 1,500 people is
// one parameter, not 1,500.
type uuidArray []uuid.UUID

// Value writes the array literal (identifiers need no quoting).
func (a uuidArray) Value() (driver.Value, error) {
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
