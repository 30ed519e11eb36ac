package attendance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob"

	"github.com/cartable-ent/cartable/modules/files"
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
	{files.PDF.MIME, files.PDF.Label, files.PDF.Exts},
	{files.JPEG.MIME, files.JPEG.Label, files.JPEG.Exts},
	{files.PNG.MIME, files.PNG.Label, files.PNG.Exts},
}

// documents is what families may send, in attendance's words.
var documents = func() *files.Kind {
	k := &files.Kind{Dir: "attendance/", MaxBytes: MaxFileBytes, Noun: "le fichier", Unnamed: "justificatif",
		Missing: "le document « %s » est introuvable dans le stockage : demandez à la famille de l'envoyer à nouveau",
		Altered: "le document « %s » a été altéré dans le stockage (son empreinte SHA-256 ne correspond plus à celle de l'envoi) : il n'est pas servi ; demandez à la famille de l'envoyer à nouveau",
		Say:     sayRefusal}
	for _, fk := range fileKinds {
		k.Types = append(k.Types, files.Type{MIME: fk.mime, Label: fk.label, Exts: fk.exts})
	}
	return k
}()

func sayRefusal(r files.Refusal) string {
	switch r.Reason {
	case files.Empty:
		return fmt.Sprintf("le fichier « %s » est vide", r.Name)
	case files.TooLarge:
		return fmt.Sprintf("le fichier « %s » dépasse %s (%s) : envoyez un fichier plus léger (une photo moins grande, un PDF compressé)", r.Name, MaxFileText, fault.ByteSize(r.Size))
	case files.NotAllowed:
		return fmt.Sprintf("le fichier « %s » n'est ni un PDF, ni une image JPEG ou PNG : son contenu est %s", r.Name, files.ContentLabel(r.Detected))
	}
	return r.Default()
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
	c, err := documents.Check(u.Name, u.Data, field)
	if err != nil {
		return Attachment{}, err
	}
	return Attachment{Name: c.Name, ContentType: c.ContentType, Size: c.Size, SHA256: c.SHA256}, nil
}

// sanitiseName keeps the last part of a sent file name, without control characters, path
// separators, quotes or leading dots, at most 120 characters (the extension kept).
func sanitiseName(name string) string { return files.CleanName(name, documents.Unnamed) }

// SetBucket gives attendance its blob store; without one, documents are refused.
func (s *Service) SetBucket(b *blob.Bucket) { s.files = files.NewStore(b, documents) }

// FileTable is attendance's table of documents, as the establishment's space counts them:
// families' documents (medical certificates), so the direction's page names neither file
// nor sender.
var FileTable = files.Table{Name: "attendance_files", Module: "Vie scolaire", Private: "justificatif d'absence"}

// SetSpace makes documents count against the establishment's quota (files.Space); after
// SetBucket.
func (s *Service) SetSpace(sp *files.Space) {
	if s.files != nil {
		s.files.Within(sp)
	}
}

var errNoStore = fault.New(fault.ErrUnavailable, "l'envoi de justificatifs n'est pas disponible sur ce serveur : remettez le document à la vie scolaire")

// ErrCorrupt is a document whose bytes no longer match the checksum taken when it was sent.
var ErrCorrupt = files.ErrCorrupt

func (a Attachment) stored() files.Stored {
	return files.Stored{Key: a.Key, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
}

// checkedUpload is a document that passed checkUpload, not yet stored.
type checkedUpload struct {
	a     Attachment
	data  []byte
	field string // the form's field it came from
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
	return &checkedUpload{a: a, data: u.Data, field: field}
}

// storing stores an optional checked document, runs write (which records its row in the
// change's transaction) and, if that fails, deletes the blob: a document is either in the
// database and the store, or in neither (but for a crash between the two, which the sweep
// cleans). A document the establishment's space has no room for is refused as its field's
// error (FormErrors), like the checks' refusals.
func (s *Service) storing(ctx context.Context, t *tenant.Tenant, u *checkedUpload, write func(a *Attachment) error) error {
	if u == nil {
		return write(nil)
	}
	if s.files == nil {
		return errNoStore
	}
	err := s.files.Storing(ctx, t, []files.Checked{{Name: u.a.Name, ContentType: u.a.ContentType, Size: u.a.Size, SHA256: u.a.SHA256, Data: u.data, Field: u.field}},
		func(stored []files.Stored) error {
			a := u.a
			a.Key, a.CreatedAt = stored[0].Key, s.now()
			return write(&a)
		})
	var inv *fault.Invalid
	if errors.As(err, &inv) && inv.Field == u.field {
		return FormErrors{u.field: inv.Message}
	}
	return err
}

// Download returns a document for the legal guardians of its pupil and the vie scolaire of
// the establishment; anyone else (the pupil included: documents are the family's and the
// school's) is told it does not exist. It opens the blob, checked against the checksum as
// it is served (files.Serve, which closes it).
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Attachment, *files.Content, error) {
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
	fc, err := s.files.Open(ctx, t, f.Attachment.stored())
	return f.Attachment, fc, err
}

// OrphanAge is how old a blob without a row must be before the sweep removes it: an upload
// writes its blob a moment before the transaction that records its row commits.
const OrphanAge = files.OrphanAge

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
	return s.files.Sweep(ctx, t, known, s.now())
}

// DropFiles removes every document of an establishment purged for good (its rows went with
// its schema). It returns how many blobs it removed.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.Drop(ctx, t)
}
