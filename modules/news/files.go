package news

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// MaxFileBytes is the largest attachment of a post (a poster as a PDF, a photo of an outing).
const MaxFileBytes = 8 << 20

// maxAlt bounds an image's text alternative.
const maxAlt = 300

// File is a document or image attached to a post, as its row keeps it.
type File struct {
	ID          uuid.UUID
	PostID      uuid.UUID
	Key         string `gorm:"column:blob_key"` // after the establishment's prefix in the blob store
	Name        string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	Alt         string
	CreatedAt   time.Time
}

// Image tells whether the file is shown in the post (JPEG, PNG) rather than downloaded.
func (f File) Image() bool { return f.ContentType != "application/pdf" }

// Href is the file's address.
func (f File) Href() string { return "/actualites/pieces/" + f.ID.String() }

// SizeText is the file's size in French ("1,2 Mo").
func (f File) SizeText() string { return fault.ByteSize(f.Size) }

// Upload is a file as the author sent it.
type Upload struct {
	Name string
	Data []byte
	Alt  string
}

// kinds are the types a post's file may be, known by content, with the names they may have.
var kinds = map[string][]string{"application/pdf": {".pdf"}, "image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}

// checkFile refuses, saying why in the form's terms, an empty or too large file, one whose
// content is not a PDF, JPEG or PNG or whose name says another type, and an image without
// its text alternative.
func checkFile(u Upload) (File, error) {
	name := cleanName(u.Name)
	f := File{Name: name, Size: int64(len(u.Data)), Alt: strings.TrimSpace(u.Alt)}
	switch {
	case len(u.Data) == 0:
		return f, fault.Invalidf("piece", "Fichier : « %s » est vide ou absent ; choisissez un fichier.", name)
	case len(u.Data) > MaxFileBytes:
		return f, fault.Invalidf("piece", "Fichier : « %s » dépasse %s (%s) ; envoyez un fichier plus léger.", name, fault.ByteSize(MaxFileBytes), fault.ByteSize(f.Size))
	}
	m := mimetype.Detect(u.Data)
	for mime, exts := range kinds {
		if m.Is(mime) {
			f.ContentType = mime
			if ext := strings.ToLower(path.Ext(name)); !strings.Contains(" "+strings.Join(exts, " ")+" ", " "+ext+" ") {
				return f, fault.Invalidf("piece", "Fichier : le nom « %s » ne correspond pas à son contenu (%s) ; renommez-le en %s.", name, mime, exts[0])
			}
		}
	}
	switch {
	case f.ContentType == "":
		return f, fault.Invalidf("piece", "Fichier : « %s » n'est ni un PDF, ni une image JPEG ou PNG (son contenu est de type %s).", name, m.String())
	case f.Image() && f.Alt == "":
		return f, fault.Invalidf("alt", "Description de l'image : décrivez « %s » pour les lecteurs qui ne la voient pas.", name)
	case utf8.RuneCountInString(f.Alt) > maxAlt:
		return f, fault.Invalidf("alt", "Description de l'image : %d caractères au plus.", maxAlt)
	}
	if !f.Image() {
		f.Alt = ""
	}
	sum := sha256.Sum256(u.Data)
	f.SHA256 = hex.EncodeToString(sum[:])
	return f, nil
}

// cleanName keeps the last part of a sent name, letters, digits and a few signs, 120
// characters at most.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .-_()", r) {
			return r
		}
		return '_'
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	if name == "" || name == "/" {
		return "piece-jointe"
	}
	return name
}

var errNoStore = fault.New(fault.ErrUnavailable, "les pièces jointes ne sont pas disponibles sur ce serveur")

func newFileKey() string {
	var b [16]byte
	rand.Read(b[:])
	return "news/" + hex.EncodeToString(b[:])
}

// readBlob returns a file's bytes, checked against the checksum taken when it was sent.
func readBlob(ctx context.Context, b *blob.Bucket, t *tenant.Tenant, f File) ([]byte, error) {
	data, err := b.ReadAll(ctx, tenant.BlobPrefix(t)+f.Key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fault.New(fault.ErrNotFound, "la pièce jointe « %s » est introuvable dans le stockage", f.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("news: read file %s: %w", f.Key, err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != f.SHA256 {
		return nil, fault.New(fault.ErrConflict, "la pièce jointe « %s » a été altérée dans le stockage : elle n'est pas servie", f.Name)
	}
	return data, nil
}

// removeBlobs deletes blobs after their rows are gone (already gone: done); a failure leaves
// an orphan, which is logged by the caller's error and harmless (nobody can reach it).
func removeBlobs(ctx context.Context, b *blob.Bucket, t *tenant.Tenant, keys []string) error {
	for _, k := range keys {
		if err := b.Delete(context.WithoutCancel(ctx), tenant.BlobPrefix(t)+k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return fmt.Errorf("news: delete file %s: %w", k, err)
		}
	}
	return nil
}
