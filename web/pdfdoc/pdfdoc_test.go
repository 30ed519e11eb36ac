package pdfdoc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/signintech/gopdf"
)

// TestWrap: lines fit the width, words are kept whole when they fit, a word too long for a
// line is cut, an empty paragraph gives no line, and nothing is lost.
func TestWrap(t *testing.T) {
	d, err := New(gopdf.PdfInfo{Title: "Essai"})
	if err != nil {
		t.Fatal(err)
	}
	d.P.AddPage()
	d.Font(false, 10)
	long := strings.Repeat("é", 80)
	paras := []string{"Les élèves rédigent « une synthèse » de la séance précédente.", "", long}
	lines := d.Wrap(paras, 100)
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	for _, l := range lines {
		if w := d.Width(l); w > 100 {
			t.Errorf("line %q is %.1f wide, over 100", l, w)
		}
	}
	got := strings.Join(lines, "")
	want := strings.ReplaceAll(paras[0], " ", "") + long
	if strings.ReplaceAll(got, " ", "") != want {
		t.Errorf("wrapped text lost something: %q", got)
	}
	if len(lines) < 4 {
		t.Errorf("%d lines: the paragraph and the long word should take several", len(lines))
	}
	var buf bytes.Buffer
	if err := d.P.Write(&buf); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) {
		t.Errorf("the document does not write: %v", err)
	}
}
