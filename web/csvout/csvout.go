// Package csvout writes the CSV files users download (credentials, marks, and every later
// export) so that a spreadsheet never runs a cell as a formula: a cell starting with = + - @,
// a tab or a carriage return gets a leading apostrophe (OWASP "CSV injection"). A name like
// "=HYPERLINK(…)" typed in a form, or arriving in an AAF file, stays text.
package csvout

import (
	"encoding/csv"
	"io"
)

// Writer is an encoding/csv Writer that neutralises formula-like cells.
type Writer struct {
	w *csv.Writer
}

// NewWriter returns a Writer on w with the separator comma (';' for French spreadsheets).
// CRLF line ends, as spreadsheets expect.
func NewWriter(w io.Writer, comma rune) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = comma, true
	return &Writer{w: cw}
}

// Write writes one record, each cell neutralised.
func (w *Writer) Write(record []string) error {
	safe := make([]string, len(record))
	for i, cell := range record {
		safe[i] = Cell(cell)
	}
	return w.w.Write(safe)
}

// Flush writes any buffered data and returns the first error met.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Cell returns s as a spreadsheet will read it as text.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
