package news

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/files"
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
func (f File) Image() bool { return files.Image(f.ContentType) }

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

// attachments are the files a post may have, in the attachment form's words.
var attachments = &files.Kind{Dir: "news/", Types: []files.Type{files.PDF, files.JPEG, files.PNG}, MaxBytes: MaxFileBytes,
	Noun: "la pièce jointe", Unnamed: "piece-jointe", Say: sayRefusal,
	Missing: "la pièce jointe « %s » est introuvable dans le stockage",
	Altered: "la pièce jointe « %s » a été altérée dans le stockage : elle n'est pas servie"}

func sayRefusal(r files.Refusal) string {
	switch r.Reason {
	case files.Empty:
		return fmt.Sprintf("Fichier : « %s » est vide ou absent ; choisissez un fichier.", r.Name)
	case files.TooLarge:
		return fmt.Sprintf("Fichier : « %s » dépasse %s (%s) ; envoyez un fichier plus léger.", r.Name, fault.ByteSize(MaxFileBytes), fault.ByteSize(r.Size))
	case files.NotAllowed:
		return fmt.Sprintf("Fichier : « %s » n'est ni un PDF, ni une image JPEG ou PNG (son contenu est de type %s).", r.Name, r.Detected.String())
	}
	return fmt.Sprintf("Fichier : le nom « %s » ne correspond pas à son contenu (%s) ; renommez-le en %s.", r.Name, r.Type.MIME, r.Type.Exts[0])
}

// checkFile refuses, saying why in the form's terms, an empty or too large file, one whose
// content is not a PDF, JPEG or PNG or whose name says another type, and an image without
// its text alternative.
func checkFile(u Upload) (File, files.Checked, error) {
	c, err := attachments.Check(u.Name, u.Data, "piece")
	f := File{Name: c.Name, Size: c.Size, ContentType: c.ContentType, SHA256: c.SHA256, Alt: strings.TrimSpace(u.Alt)}
	switch {
	case err != nil:
		return f, c, err
	case f.Image() && f.Alt == "":
		return f, c, fault.Invalidf("alt", "Description de l'image : décrivez « %s » pour les lecteurs qui ne la voient pas.", f.Name)
	case utf8.RuneCountInString(f.Alt) > maxAlt:
		return f, c, fault.Invalidf("alt", "Description de l'image : %d caractères au plus.", maxAlt)
	}
	if !f.Image() {
		f.Alt = ""
	}
	return f, c, nil
}

var errNoStore = fault.New(fault.ErrUnavailable, "les pièces jointes ne sont pas disponibles sur ce serveur")

func (f File) stored() files.Stored {
	return files.Stored{Key: f.Key, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256}
}
