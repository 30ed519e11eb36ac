package courses

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web/fault"
)

// BlockKind is what a page's block holds.
type BlockKind string

// The kinds of block. Exercise shows an assignment of the exercises module (issue 13,
// exercise_blocks.go).
const (
	Text     BlockKind = "texte"
	Image    BlockKind = "image"
	Document BlockKind = "fichier"
	Link     BlockKind = "lien"
	Video    BlockKind = "video"
	Exercise BlockKind = "exercice"
)

// Limits of a block, as the forms state them.
const (
	maxTitle       = 150
	maxDescription = 2000
	maxBody        = 20000
	maxLabel       = 300
	maxURL         = 2000
	// MaxFileBytes is the largest image or document of a page (a chapter as a PDF).
	MaxFileBytes = 10 << 20
)

// Block is one block of a page, as its row keeps it.
type Block struct {
	ID          uuid.UUID
	PageID      uuid.UUID
	Position    int
	Kind        BlockKind
	Body        string // texte: Markdown as written
	BodyHTML    string `gorm:"column:body_html"` // texte: rendered and sanitised when saved
	URL         string `gorm:"column:url"`
	Label       string // a link's or video's title, an image's text alternative
	Key         string `gorm:"column:blob_key"`
	Name        string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	CreatedAt   time.Time
	// exercice: the assignment shown (Label keeps its title as it was when added)
	AssignmentID *uuid.UUID `gorm:"column:assignment_id"`
}

// Href is an image's or document's address.
func (b Block) Href() string { return "/cours/fichiers/" + b.ID.String() }

// SizeText is a document's size in French ("1,2 Mo").
func (b Block) SizeText() string { return fault.ByteSize(b.Size) }

// Provider names a video link's site ("YouTube").
func (b Block) Provider() string { return videoProvider(b.URL) }

// Describe names the block in its buttons' labels: « le texte « Une fonction… » ».
func (b Block) Describe() string {
	short := func(s string) string {
		r := []rune(strings.Join(strings.Fields(s), " "))
		if len(r) > 40 {
			return string(r[:40]) + "…"
		}
		return string(r)
	}
	switch b.Kind {
	case Text:
		return "le texte « " + short(b.Body) + " »"
	case Image:
		return "l'image « " + short(b.Label) + " »"
	case Document:
		return "le document « " + b.Name + " »"
	case Link:
		return "le lien « " + short(b.Label) + " »"
	case Video:
		return "la vidéo « " + short(b.Label) + " »"
	case Exercise:
		return "l'exercice « " + short(b.Label) + " »"
	}
	return "le bloc"
}

// Host is a link's site, shown next to it so that the reader knows where it leads.
func (b Block) Host() string {
	u, err := url.Parse(b.URL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func (b Block) stored() files.Stored {
	return files.Stored{Key: b.Key, Name: b.Name, ContentType: b.ContentType, Size: b.Size, SHA256: b.SHA256}
}

// BlockForm is a text, link or video block as typed.
type BlockForm struct {
	Kind  string
	Body  string // texte
	URL   string // lien, video
	Label string // lien, video: its title
	// exercice: the id of an assignment of the teacher's given to the course's classes
	Assignment string
}

// FormErrors are a refused form's messages by field, in French.
type FormErrors map[string]string

func (e FormErrors) Error() string { return "formulaire de cours invalide" }

// checkBlock validates a text, link or video block and fills b's content.
func checkBlock(f BlockForm, b *Block) error {
	errs := FormErrors{}
	b.Kind = BlockKind(f.Kind)
	switch b.Kind {
	case Text:
		b.Body = strings.TrimSpace(f.Body)
		switch n := utf8.RuneCountInString(b.Body); {
		case n == 0:
			errs["texte"] = "Texte : écrivez le texte du bloc."
		case n > maxBody:
			errs["texte"] = fmt.Sprintf("Texte : 20 000 caractères au plus (%d saisis).", n)
		}
		if len(errs) == 0 {
			html, err := renderBody(b.Body)
			if err != nil {
				return err
			}
			b.BodyHTML = html
		}
	case Link, Video:
		b.URL, b.Label = strings.TrimSpace(f.URL), strings.TrimSpace(f.Label)
		what := "du lien"
		if b.Kind == Video {
			what = "de la vidéo"
		}
		switch n := utf8.RuneCountInString(b.Label); {
		case n == 0:
			errs["titre-lien"] = "Titre " + what + " : indiquez ce que le lien ouvre, pour le lire sans le suivre."
		case n > maxLabel:
			errs["titre-lien"] = fmt.Sprintf("Titre %s : %d caractères au plus.", what, maxLabel)
		}
		if msg := checkURL(b.URL, b.Kind); msg != "" {
			errs["adresse"] = msg
		}
	case Exercise:
		// Added by Service.addExercise; nothing of it is edited.
		return fault.Invalidf("type", "Type de bloc : un exercice ne se modifie pas ; supprimez le bloc et ajoutez-en un autre.")
	default:
		return fault.Invalidf("type", "Type de bloc : choisissez un texte, un lien ou une vidéo (images et documents : envoyez le fichier).")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkURL says what is wrong with a link's or video's address ("" if nothing): http or
// https only (no javascript:, data: or file:), a host, and for a video one of the sites
// pages link to (never embedded: no third-party frame, nothing that tracks the pupils).
func checkURL(raw string, kind BlockKind) string {
	label := "Adresse"
	if raw == "" {
		return label + " : indiquez l'adresse (https://…)."
	}
	if utf8.RuneCountInString(raw) > maxURL {
		return fmt.Sprintf("%s : %d caractères au plus.", label, maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return label + " : « " + raw + " » n'est pas une adresse web ; indiquez une adresse qui commence par https:// ou http://."
	}
	if kind == Video && videoProvider(raw) == "" {
		return label + " : seules les vidéos YouTube, Dailymotion, Vimeo et PeerTube sont acceptées ; pour une autre page, ajoutez un lien."
	}
	return ""
}

// videoProvider names the video site of an address, "" for another site. PeerTube has
// many instances: its watch addresses (/w/…, /videos/watch/…) are recognised on any host.
func videoProvider(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	switch host {
	case "youtube.com", "m.youtube.com", "youtu.be", "youtube-nocookie.com":
		return "YouTube"
	case "dailymotion.com", "dai.ly":
		return "Dailymotion"
	case "vimeo.com", "player.vimeo.com":
		return "Vimeo"
	}
	if strings.HasPrefix(u.Path, "/w/") || strings.HasPrefix(u.Path, "/videos/watch/") {
		return "PeerTube"
	}
	return ""
}

// Upload is an image or a document as the author sent it.
type Upload struct {
	Name string
	Data []byte
	Alt  string
}

// documents are what a page may show (images) or offer to download (PDF, office documents).
var documents = &files.Kind{Dir: "courses/", MaxBytes: MaxFileBytes, Noun: "le fichier", Unnamed: "document",
	Types: []files.Type{files.PDF, files.JPEG, files.PNG,
		{MIME: "application/vnd.oasis.opendocument.text", Label: "un texte OpenDocument", Exts: []string{".odt"}},
		{MIME: "application/vnd.oasis.opendocument.spreadsheet", Label: "un tableur OpenDocument", Exts: []string{".ods"}},
		{MIME: "application/vnd.oasis.opendocument.presentation", Label: "une présentation OpenDocument", Exts: []string{".odp"}},
		{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Label: "un document Word", Exts: []string{".docx"}},
		{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Label: "un classeur Excel", Exts: []string{".xlsx"}},
		{MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Label: "une présentation PowerPoint", Exts: []string{".pptx"}},
	},
	Missing: "le fichier « %s » est introuvable dans le stockage : demandez à l'enseignant de l'envoyer à nouveau",
	Altered: "le fichier « %s » a été altéré dans le stockage : il n'est pas servi"}

// AcceptedText says in the form what may be sent.
const AcceptedText = "images JPEG ou PNG (affichées dans la page), PDF et documents bureautiques (.odt, .ods, .odp, .docx, .xlsx, .pptx) ; 10 Mo par fichier"

// checkFile refuses, saying why, a file that is empty, too large or of another type, and an
// image without its text alternative; it returns the block (image or document) it makes.
func checkFile(u Upload) (Block, files.Checked, error) {
	c, err := documents.Check(u.Name, u.Data, "fichier")
	b := Block{Kind: Document, Name: c.Name, Size: c.Size, ContentType: c.ContentType, SHA256: c.SHA256}
	if err != nil {
		return b, c, err
	}
	if files.Image(c.ContentType) {
		b.Kind, b.Label = Image, strings.TrimSpace(u.Alt)
		switch n := utf8.RuneCountInString(b.Label); {
		case n == 0:
			return b, c, fault.Invalidf("alt", "Description de l'image : décrivez « %s » pour les élèves qui ne la voient pas.", b.Name)
		case n > maxLabel:
			return b, c, fault.Invalidf("alt", "Description de l'image : %d caractères au plus.", maxLabel)
		}
	}
	return b, c, nil
}

var errNoStore = fault.New(fault.ErrUnavailable, "les fichiers des cours ne sont pas disponibles sur ce serveur")
