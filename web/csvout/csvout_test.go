package csvout_test

import (
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/web/csvout"
)

func TestCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Lefèvre", "Lefèvre"},
		{"12,5", "12,5"},
		{"=HYPERLINK(\"http://x\";\"clic\")", "'=HYPERLINK(\"http://x\";\"clic\")"},
		{"+33 5 56 00 00 00", "'+33 5 56 00 00 00"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
	} {
		if got := csvout.Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := csvout.NewWriter(&b, ';')
	if err := w.Write([]string{"Nom", "=1+1", "Zoé; L'Hôte"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "Nom;'=1+1;\"Zoé; L'Hôte\"\r\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
