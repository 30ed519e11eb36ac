package notify

import (
	"database/sql/driver"
	"strings"
)

// textArray passes a []string as one PostgreSQL array parameter (GORM would spread a plain
// slice into a list of parameters); the SQL casts it (?::uuid[], ?::text[]).
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
