package attendance

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// MaxFileBytes is the largest document a family may attach (a phone's photo of a medical
// certificate is 1 to 4 Mo); the forms say it.
const MaxFileBytes = 5 << 20

// MaxFileText is MaxFileBytes as the forms state it.
const MaxFileText = "5 Mo"

// Upload is a document as a family sent it: the name their device gave it and its bytes.
type Upload struct {
	Name string
	Data []byte
}

// fileKind is a type of document families may send, known by its content.
type fileKind struct {
	mime, label string
	exts        []string
}

var fileKinds = []fileKind{
	{"application/pdf", "un PDF", []string{".pdf"}},
	{"image/jpeg", "une image JPEG", []string{".jpg", ".jpeg"}},
	{"image/png", "une image PNG", []string{".png"}},
}

// Attachment is a document attached to a justification or a declaration, as its row keeps
// it.
type Attachment struct {
	ID          uuid.UUID
	Key         string // in the blob store
	Name        string // sanitised
	ContentType string
	Size        int64
	SHA256      string // hex
	CreatedAt   time.Time
}

// SizeText is the document's size in French ("1,2 Mo").
func (f Attachment) SizeText() string { return fault.ByteSize(f.Size) }

// Href is the document's download address.
func (f Attachment) Href() string { return "/absences/pieces/" + f.ID.String() }

// checkUpload reads what the document is by its content and refuses, naming the problem,
// one that is empty, too large, of another type than PDF, JPEG or PNG, or whose name says
// another type than its content (a PNG named .pdf). field names the form's field.
func checkUpload(u *Upload, field string) (Attachment, error) {
	name := sanitiseName(u.Name)
	switch {
	case len(u.Data) == 0:
		return Attachment{}, fault.Invalidf(field, "le fichier « %s » est vide", name)
	case len(u.Data) > MaxFileBytes:
		return Attachment{}, fault.Invalidf(field, "le fichier « %s » dépasse %s (%s) : envoyez un fichier plus léger (une photo moins grande, un PDF compressé)", name, MaxFileText, fault.ByteSize(int64(len(u.Data))))
	}
	detected := mimetype.Detect(u.Data)
	var kind *fileKind
	for i := range fileKinds {
		if detected.Is(fileKinds[i].mime) {
			kind = &fileKinds[i]
		}
	}
	if kind == nil {
		return Attachment{}, fault.Invalidf(field, "le fichier « %s » n'est ni un PDF, ni une image JPEG ou PNG : son contenu est %s", name, contentLabel(detected))
	}
	ext := strings.ToLower(path.Ext(name))
	if !strings.Contains(strings.Join(kind.exts, " ")+" ", ext+" ") || ext == "" {
		return Attachment{}, fault.Invalidf(field, "le nom du fichier « %s » ne correspond pas à son contenu, qui est %s : renommez-le en %s ou envoyez le bon fichier", name, kind.label, kind.exts[0])
	}
	sum := sha256.Sum256(u.Data)
	return Attachment{Name: name, ContentType: kind.mime, Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// contentLabel names in French what a refused document's content is.
func contentLabel(m *mimetype.MIME) string {
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

// sanitiseName keeps the last part of a sent file name, without control characters, path
// separators, quotes or leading dots, at most 120 characters (the extension kept).
func sanitiseName(name string) string {
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
		return "justificatif"
	}
	return out
}

// Files is where attendance keeps documents: a blob store bucket (a local folder in
// development, S3-compatible storage in production). A row keeps its blob's key within the
// establishment, "attendance/<128 random bits>", nobody can guess; the bucket's key puts the
// establishment's id before it, so that one establishment's keys never fall under another's
// prefix and an establishment restored from its export (a new id, its blobs copied under
// it by tenant.Registry.Import) finds its documents again.
type Files struct{ bucket *blob.Bucket }

// SetBucket gives attendance its blob store; without one, documents are refused.
func (s *Service) SetBucket(b *blob.Bucket) { s.files = &Files{bucket: b} }

var errNoStore = fault.New(fault.ErrUnavailable, "l'envoi de justificatifs n'est pas disponible sur ce serveur : remettez le document à la vie scolaire")

func prefixOf(t *tenant.Tenant) string { return tenant.BlobPrefix(t) + "attendance/" }

// bucketKey is the bucket's key of a row's key in t.
func bucketKey(t *tenant.Tenant, key string) string { return tenant.BlobPrefix(t) + key }

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return "attendance/" + hex.EncodeToString(b[:])
}

// put writes a checked document under a new key.
func (f *Files) put(ctx context.Context, t *tenant.Tenant, a *Attachment, data []byte) error {
	a.Key = newKey()
	if err := f.bucket.WriteAll(ctx, bucketKey(t, a.Key), data, &blob.WriterOptions{ContentType: a.ContentType, IfNotExist: true}); err != nil {
		return fmt.Errorf("attendance: store document %q: %w", a.Name, err)
	}
	return nil
}

// remove deletes a blob (already gone: done). It runs after the request's answer may have
// been decided (a failed transaction, a commit), so its context is not the request's end.
func (f *Files) remove(ctx context.Context, t *tenant.Tenant, key string) error {
	return f.removeKey(ctx, bucketKey(t, key))
}

// removeKey deletes a blob by its bucket's key.
func (f *Files) removeKey(ctx context.Context, key string) error {
	err := f.bucket.Delete(context.WithoutCancel(ctx), key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("attendance: delete document %s: %w", key, err)
	}
	return nil
}

// ErrCorrupt is a document whose bytes no longer match the checksum taken when it was sent.
var ErrCorrupt = errors.New("attendance: document does not match its checksum")

// read returns a document's bytes, checked against its checksum.
func (f *Files) read(ctx context.Context, t *tenant.Tenant, a Attachment) ([]byte, error) {
	data, err := f.bucket.ReadAll(ctx, bucketKey(t, a.Key))
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fault.New(fault.ErrNotFound, "le document « %s » est introuvable dans le stockage : demandez à la famille de l'envoyer à nouveau", a.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("attendance: read document %s: %w", a.Key, err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(data)) != a.Size {
		return nil, fault.Wrap(fault.ErrConflict, ErrCorrupt, "le document « %s » a été altéré dans le stockage (son empreinte SHA-256 ne correspond plus à celle de l'envoi) : il n'est pas servi ; demandez à la famille de l'envoyer à nouveau", a.Name)
	}
	return data, nil
}

// checkedUpload is a document that passed checkUpload, not yet stored.
type checkedUpload struct {
	a    Attachment
	data []byte
}

// checkOptional checks an optional document, its error going to errs[field].
func checkOptional(u *Upload, field string, errs FormErrors) *checkedUpload {
	if u == nil {
		return nil
	}
	a, err := checkUpload(u, field)
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		errs[field] = inv.Message
		return nil
	}
	return &checkedUpload{a: a, data: u.Data}
}

// storing stores an optional checked document, runs write (which records its row in the
// change's transaction) and, if that fails, deletes the blob: a document is either in the
// database and the store, or in neither (but for a crash between the two, which the sweep
// cleans).
func (s *Service) storing(ctx context.Context, t *tenant.Tenant, u *checkedUpload, write func(a *Attachment) error) error {
	if u == nil {
		return write(nil)
	}
	if s.files == nil {
		return errNoStore
	}
	a := u.a
	if err := s.files.put(ctx, t, &a, u.data); err != nil {
		return err
	}
	a.CreatedAt = s.now()
	if err := write(&a); err != nil {
		if rmErr := s.files.remove(ctx, t, a.Key); rmErr != nil {
			return errors.Join(err, rmErr)
		}
		return err
	}
	return nil
}

// Download returns a document for the legal guardians of its pupil and the vie scolaire of
// the establishment; anyone else (the pupil included: documents are the family's and the
// school's) is told it does not exist. The bytes are checked against the checksum.
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Attachment, []byte, error) {
	var f fileWithPupil
	err := s.read(ctx, t, func(st store) error {
		var err error
		if f, err = st.file(id); err != nil || a.Processes() {
			return err
		}
		if a.PersonID == uuid.Nil {
			return errNoFile
		}
		ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, f.PupilID)
		if err != nil || !ok {
			return cmpErr(err, errNoFile)
		}
		return nil
	})
	if err != nil {
		return Attachment{}, nil, err
	}
	if s.files == nil {
		return Attachment{}, nil, errNoStore
	}
	data, err := s.files.read(ctx, t, f.Attachment)
	return f.Attachment, data, err
}

// OrphanAge is how old a blob without a row must be before the sweep removes it: an upload
// writes its blob a moment before the transaction that records its row commits.
const OrphanAge = time.Hour

// SweepFiles removes the establishment's blobs that no row knows and that are older than
// OrphanAge at now: those of justifications and declarations deleted since (a leaver purged
// by the directory, an absence the roll no longer gives, a declaration cancelled) and those
// a crash left between the blob's write and the transaction's commit. It returns how many
// it removed.
func (s *Service) SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var known map[string]bool
	if err := s.read(ctx, t, func(st store) error {
		var err error
		known, err = st.fileKeys()
		return err
	}); err != nil {
		return 0, err
	}
	// Rows read before listing: a blob written since is younger than OrphanAge and stays.
	before := s.now().Add(-OrphanAge)
	return s.files.removeUnder(ctx, t, func(obj *blob.ListObject) bool {
		return !known[strings.TrimPrefix(obj.Key, tenant.BlobPrefix(t))] && obj.ModTime.Before(before)
	})
}

// DropFiles removes every document of an establishment purged for good (its rows went with
// its schema). It returns how many blobs it removed.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.removeUnder(ctx, t, func(*blob.ListObject) bool { return true })
}

// removeUnder deletes the blobs of t's prefix that gone selects.
func (f *Files) removeUnder(ctx context.Context, t *tenant.Tenant, gone func(*blob.ListObject) bool) (int, error) {
	it := f.bucket.List(&blob.ListOptions{Prefix: prefixOf(t)})
	n := 0
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("attendance: list the documents of %s: %w", t.UAI, err)
		}
		if obj.IsDir || !gone(obj) {
			continue
		}
		if err := f.removeKey(ctx, obj.Key); err != nil {
			return n, err
		}
		n++
	}
}
