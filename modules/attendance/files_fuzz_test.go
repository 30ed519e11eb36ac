package attendance

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCheckUpload: whatever name and bytes a family sends, the check never panics, keeps a
// name without path, control characters or quotes of at most 120 characters, and accepts only
// content detected as PDF, JPEG or PNG whose name says so.
//
//	./.bin/pgrun -- go test -run '^$' -fuzz FuzzCheckUpload -fuzztime 30s ./modules/attendance/
func FuzzCheckUpload(f *testing.F) {
	f.Add("certificat.pdf", []byte("%PDF-1.4\n%%EOF"))
	f.Add(`..\..\C:\Windows\evil.png`, []byte("\x89PNG\r\n\x1a\n0000"))
	f.Add("photo.JPG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	f.Add("page.pdf", []byte("<html><script>x</script>"))
	f.Add("\x00\x1f\"quote\"/../.hidden.pdf", []byte("MZ\x90\x00"))
	f.Add(strings.Repeat("é", 300)+".png", []byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		a, err := checkUpload(&Upload{Name: name, Data: data}, "piece")
		clean := sanitiseName(name)
		if clean == "" || utf8.RuneCountInString(clean) > 120 || strings.ContainsAny(clean, `/\"`) || strings.HasPrefix(clean, ".") {
			t.Fatalf("sanitised %q to %q", name, clean)
		}
		for _, r := range clean {
			if unicode.IsControl(r) {
				t.Fatalf("control character in %q", clean)
			}
		}
		if err != nil {
			return
		}
		ok := false
		for _, k := range fileKinds {
			if a.ContentType == k.mime {
				for _, ext := range k.exts {
					ok = ok || strings.HasSuffix(strings.ToLower(a.Name), ext)
				}
			}
		}
		if !ok || a.Size != int64(len(data)) || len(a.SHA256) != 64 {
			t.Fatalf("accepted %q as %+v", name, a)
		}
	})
}
