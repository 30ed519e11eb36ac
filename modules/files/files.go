// Package files is the one way modules take, keep and give back documents: it checks an
// upload (size, type by content, a name that says the same type), keeps its blob under the
// establishment's prefix of the blob store, reads it back checked against its SHA-256,
// serves it and sweeps the blobs no row knows. Rows and access stay with the owning module:
// this package knows keys, never who may read them.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/gabriel-vasile/mimetype"

	"github.com/cartable-ent/cartable/web/fault"
)

// Type is a type of file a Kind accepts, known by its content.
type Type struct {
	MIME  string   // as detected and served
	Label string   // in French, with its article: "un PDF"
	Exts  []string // the names' extensions it may have, lower case, the usual one first
}

// Kind is what a module accepts as one sort of document: its types, its largest size, and
// how its messages name it.
type Kind struct {
	Dir      string // the keys' folder within the establishment: "attendance/", "news/"
	Types    []Type
	MaxBytes int64
	Noun     string // the document in the messages, with its article: "la pièce jointe"
	Unnamed  string // the name of a file whose name keeps nothing
	// Say words a refusal in the module's terms; nil: Refusal.Default.
	Say func(Refusal) string
	// Missing and Altered are the messages, with the file's name (%s), of a blob gone from
	// the store and of one that no longer matches its checksum.
	Missing, Altered string
}

// Reason is why a file is refused.
type Reason int

// The reasons.
const (
	Empty      Reason = iota + 1 // no bytes
	TooLarge                     // over Kind.MaxBytes
	NotAllowed                   // content of a type the kind does not accept
	WrongName                    // accepted content, but the name says another type
)

// Refusal is a refused file, for the module's wording.
type Refusal struct {
	Reason   Reason
	Kind     *Kind
	Name     string         // cleaned
	Size     int64          // as sent
	Detected *mimetype.MIME // NotAllowed, WrongName: what the content is
	Type     *Type          // WrongName: the accepted type the content is
}

// Default words the refusal with the kind's noun.
func (r Refusal) Default() string {
	switch r.Reason {
	case Empty:
		return fmt.Sprintf("%s « %s » est vide : choisissez un autre fichier", r.Kind.Noun, r.Name)
	case TooLarge:
		return fmt.Sprintf("%s « %s » dépasse %s (%s) : envoyez un fichier plus léger (une photo moins grande, un PDF compressé)", r.Kind.Noun, r.Name, fault.ByteSize(r.Kind.MaxBytes), fault.ByteSize(r.Size))
	case NotAllowed:
		return fmt.Sprintf("%s « %s » n'est pas d'un type accepté (%s) : son contenu est %s", r.Kind.Noun, r.Name, r.Kind.Accepted(), ContentLabel(r.Detected))
	}
	return fmt.Sprintf("le nom du fichier « %s » ne correspond pas à son contenu, qui est %s : renommez-le en %s ou envoyez le bon fichier", r.Name, r.Type.Label, r.Type.Exts[0])
}

// Accepted lists the kind's types in French: "un PDF, une image JPEG ou une image PNG".
func (k *Kind) Accepted() string {
	labels := make([]string, len(k.Types))
	for i, t := range k.Types {
		labels[i] = t.Label
	}
	if len(labels) < 2 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " ou " + labels[len(labels)-1]
}

// Checked is a file that passed Check, not yet stored.
type Checked struct {
	Name        string // cleaned
	ContentType string
	Size        int64
	SHA256      string // hex
	Data        []byte
	Field       string // the form's field it came from, for a refusal after the check (the quota)
}

// Check reads what a file is by its content and refuses, naming the problem in field, one
// that is empty, too large, of a type the kind does not accept, or whose name says another
// type than its content (a PNG named .pdf).
func (k *Kind) Check(name string, data []byte, field string) (Checked, error) {
	c := Checked{Name: CleanName(name, k.Unnamed), Size: int64(len(data)), Data: data, Field: field}
	r := Refusal{Kind: k, Name: c.Name, Size: c.Size}
	switch {
	case len(data) == 0:
		r.Reason = Empty
	case c.Size > k.MaxBytes:
		r.Reason = TooLarge
	default:
		r.Detected = mimetype.Detect(data)
		for i := range k.Types {
			if r.Detected.Is(k.Types[i].MIME) {
				r.Type = &k.Types[i]
			}
		}
		ext := strings.ToLower(path.Ext(c.Name))
		switch {
		case r.Type == nil:
			r.Reason = NotAllowed
		case ext == "" || !slices.Contains(r.Type.Exts, ext):
			r.Reason = WrongName
		}
	}
	if r.Reason != 0 {
		say := k.Say
		if say == nil {
			say = Refusal.Default
		}
		return c, fault.Invalidf(field, "%s", say(r))
	}
	c.ContentType = r.Type.MIME
	sum := sha256.Sum256(data)
	c.SHA256 = hex.EncodeToString(sum[:])
	return c, nil
}

// ContentLabel names in French what a refused file's content is.
func ContentLabel(m *mimetype.MIME) string {
	for _, c := range []struct{ mime, label string }{
		{"text/html", "une page HTML"},
		{"application/vnd.microsoft.portable-executable", "un programme Windows"},
		{"application/x-executable", "un programme"},
		{"application/x-elf", "un programme"},
		{"application/zip", "une archive ZIP"},
		{"image/gif", "une image GIF"},
		{"image/webp", "une image WebP"},
		{"image/heic", "une image HEIC (photo d'iPhone : exportez-la en JPEG)"},
		{"text/plain", "du texte"},
	} {
		if m.Is(c.mime) {
			return c.label
		}
	}
	return "de type " + m.String()
}

// CleanName keeps the last part of a sent file name, without control characters, path
// separators, quotes or leading dots, at most 120 characters (the extension kept); a name
// that keeps nothing becomes unnamed.
func CleanName(name, unnamed string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .-_()+,'", r):
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune('_')
		}
	}
	out := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if r := []rune(out); len(r) > 120 {
		ext := []rune(path.Ext(out))
		if len(ext) > 10 {
			ext = nil
		}
		out = string(r[:120-len(ext)]) + string(ext)
	}
	if out == "" || out == "/" {
		return unnamed
	}
	return out
}

// Common types.
var (
	PDF  = Type{"application/pdf", "un PDF", []string{".pdf"}}
	JPEG = Type{"image/jpeg", "une image JPEG", []string{".jpg", ".jpeg"}}
	PNG  = Type{"image/png", "une image PNG", []string{".png"}}
)

// Image tells whether a content type is an image the pages show inline.
func Image(contentType string) bool { return strings.HasPrefix(contentType, "image/") }
