// Package pdftest reads back, in tests, the PDFs that web/pdfdoc draws.
package pdftest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
)

// Text extracts the text of every page of a PDF, a line break after each page; a PDF that
// cannot be read fails the test.
func Text(t testing.TB, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a readable PDF: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		text, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		out.WriteString(text)
		out.WriteString("\n")
	}
	return out.String()
}
