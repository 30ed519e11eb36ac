package files

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/web/fault"
)

var kind = &Kind{Dir: "test/", Types: []Type{PDF, JPEG, PNG}, MaxBytes: 64, Noun: "la pièce jointe", Unnamed: "piece-jointe"}

// TestCheck: the default wording names the file and what is wrong; an accepted file has its
// cleaned name, type and checksum.
func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name, data, want string
	}{
		{"a.pdf", "", "la pièce jointe « a.pdf » est vide"},
		{"a.pdf", "%PDF-1.4" + strings.Repeat("0", 64), "la pièce jointe « a.pdf » dépasse 64 octets (72 octets)"},
		{"a.pdf", "<html><script>x</script></html>", "la pièce jointe « a.pdf » n'est pas d'un type accepté (un PDF, une image JPEG ou une image PNG) : son contenu est une page HTML"},
		{"a.png", "%PDF-1.4\n%%EOF", "le nom du fichier « a.png » ne correspond pas à son contenu, qui est un PDF : renommez-le en .pdf"},
		{"sans-extension", "%PDF-1.4\n%%EOF", "renommez-le en .pdf"},
	} {
		_, err := kind.Check(c.name, []byte(c.data), "piece")
		var inv *fault.Invalid
		if !errors.As(err, &inv) || inv.Field != "piece" || !strings.Contains(inv.Message, c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	got, err := kind.Check(`C:\Users\x\..\"bulletin"<1>.PDF`, []byte("%PDF-1.4\n%%EOF"), "piece")
	if err != nil || got.Name != "_bulletin__1_.PDF" || got.ContentType != "application/pdf" || len(got.SHA256) != 64 || got.Size != 14 {
		t.Errorf("accepted as %+v, %v", got, err)
	}
}

// FuzzCheck: whatever is sent, Check never panics, keeps a clean name, and accepts only a
// kind's type whose name says so.
//
//	go test -run '^$' -fuzz FuzzCheck -fuzztime 30s ./modules/files/
func FuzzCheck(f *testing.F) {
	f.Add("certificat.pdf", []byte("%PDF-1.4\n%%EOF"))
	f.Add(`..\..\evil.png`, []byte("\x89PNG\r\n\x1a\n0000"))
	f.Add("page.pdf", []byte("<html><script>x</script>"))
	f.Add(strings.Repeat("é", 300)+".jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		c, err := kind.Check(name, data, "piece")
		if c.Name == "" || utf8.RuneCountInString(c.Name) > 120 || strings.ContainsAny(c.Name, `/\"`) || strings.HasPrefix(c.Name, ".") {
			t.Fatalf("cleaned %q to %q", name, c.Name)
		}
		if err != nil {
			return
		}
		ok := false
		for _, ty := range kind.Types {
			for _, ext := range ty.Exts {
				ok = ok || (ty.MIME == c.ContentType && strings.HasSuffix(strings.ToLower(c.Name), ext))
			}
		}
		if !ok || c.Size != int64(len(data)) || int64(len(data)) > kind.MaxBytes {
			t.Fatalf("accepted %q as %+v", name, c)
		}
	})
}
