// Package portfolio is the pupil's portfolio (issue 15): every school year's work of a pupil
// (work handed in, exercise attempts, published report cards, their own documents), theirs.
// Other modules record items into it in their change's transaction (Record, AttachFiles);
// the pupil sees it by year and subject, chooses what their teachers of the current year may
// see; guardians of a minor read it; nobody else. It follows the pupil to another
// establishment on their consent (transfer), and is purged after they left (retention).
package portfolio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Kind is what an item is.
type Kind string

// The kinds of items.
const (
	Submission Kind = "submission"  // work handed in (cahier de textes)
	Attempt    Kind = "attempt"     // an exercise's attempt and its result (exercises)
	ReportCard Kind = "report_card" // a published report card, its PDF (grades)
	Document   Kind = "document"    // a document the pupil added themselves
)

// Label is the kind in French, as the pages name it.
func (k Kind) Label() string {
	switch k {
	case Submission:
		return "Travail rendu"
	case Attempt:
		return "Exercice"
	case ReportCard:
		return "Bulletin"
	case Document:
		return "Document personnel"
	}
	return string(k)
}

// MaxFileBytes is the largest document of an item.
const MaxFileBytes = 20 << 20

// Documents are what a portfolio keeps: PDF, images, office documents, text.
var Documents = &files.Kind{Dir: "portfolio/", Types: []files.Type{files.PDF, files.JPEG, files.PNG,
	{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Label: "un document Word", Exts: []string{".docx"}},
	{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Label: "un classeur Excel", Exts: []string{".xlsx"}},
	{MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Label: "une présentation PowerPoint", Exts: []string{".pptx"}},
	{MIME: "application/vnd.oasis.opendocument.text", Label: "un texte OpenDocument", Exts: []string{".odt"}},
	{MIME: "application/vnd.oasis.opendocument.spreadsheet", Label: "un classeur OpenDocument", Exts: []string{".ods"}},
	{MIME: "application/vnd.oasis.opendocument.presentation", Label: "une présentation OpenDocument", Exts: []string{".odp"}},
}, MaxBytes: MaxFileBytes, Noun: "le document", Unnamed: "document",
	Missing: "le document « %s » est introuvable dans le stockage",
	Altered: "le document « %s » a été altéré dans le stockage : il n'est pas servi"}

// FileTable is the portfolio's table of files, as the establishment's space counts them:
// a pupil's work, named on the direction's page without its title.
var FileTable = files.Table{Name: "portfolio_files", Module: "Portfolios des élèves",
	Owner: "SELECT i.pupil_id FROM portfolio_items i WHERE i.id = f.item_id", Private: "document du portfolio d'un élève"}

// Entry is an item as a module records it.
type Entry struct {
	PupilID uuid.UUID
	Kind    Kind
	// Source names what recorded the item, "<module>:<id>" (unique per pupil): recording the
	// same source again updates the item (a submission returned, a report card corrected).
	// Empty: a new item each time (the pupil's own documents).
	Source      string
	SchoolYear  string // "2026-2027"; empty: the establishment's current school year
	SubjectCode string
	Subject     string // its label, kept: the item outlives the subject's row
	Title       string
	Summary     string // one line of the list: « Rendu le 3 décembre, en retard », « 15/20 »
	Body        string // text (a submission's text)
	OccurredAt  time.Time
	// Origin is the establishment an item carried from elsewhere came from (transfer).
	OriginUAI, OriginName string
}

// Item is an item as the portfolio keeps it.
type Item struct {
	ID                uuid.UUID
	PupilID           uuid.UUID
	SchoolYear        string
	Kind              Kind
	Source            string
	SubjectCode       string
	SubjectLabel      string
	Title             string
	Summary           string
	Body              string
	VisibleToTeachers bool
	OriginUAI         string `gorm:"column:origin_uai"`
	OriginName        string
	OccurredAt        time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Files             []File `gorm:"-"`
	Closed            bool   `gorm:"-"` // its school year is no longer the current one
}

func (Item) TableName() string { return "portfolio_items" }

// File is an item's document.
type File struct {
	ID          uuid.UUID
	ItemID      uuid.UUID
	Key         string `gorm:"column:blob_key"`
	Name        string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	CreatedAt   time.Time
}

func (File) TableName() string { return "portfolio_files" }

// Stored is the file as the files package keeps it.
func (f File) Stored() files.Stored {
	return files.Stored{Key: f.Key, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256}
}

// Href is the file's address.
func (f File) Href() string { return "/portfolio/fichiers/" + f.ID.String() }

// SizeText is the file's size in French.
func (f File) SizeText() string { return fault.ByteSize(f.Size) }

// Service keeps the portfolios of every establishment.
type Service struct {
	db    *tenant.DB
	files *files.Store // SetBucket; nil: documents are refused
	now   func() time.Time

	guardians  Guardians
	pupilQuota int64 // the bytes of documents a pupil may add (SetPupilQuota)
}

// NewService wires the portfolios on the tenants' database; now is the clock (nil: time.Now).
func NewService(db *tenant.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: func() time.Time { return now().In(directory.SchoolZone) },
		guardians: directory.Guardianship{}, pupilQuota: PupilQuota}
}

// SetBucket wires the blob store of the portfolios' documents (cmd/cartable).
func (s *Service) SetBucket(b *blob.Bucket) {
	if b != nil {
		s.files = files.NewStore(b, Documents)
	}
}

// SetSpace makes the documents count against the establishment's quota; after SetBucket.
func (s *Service) SetSpace(sp *files.Space) {
	if s.files != nil {
		s.files.Within(sp)
	}
}

// Files is the portfolio's store, for the modules that put documents into an item (a
// submission's files): write them with Files().Storing and attach them, in the record's
// transaction, with AttachFiles. Nil when no blob store is wired.
func (s *Service) Files() *files.Store { return s.files }

// ErrNoStore is the refusal of a document when no blob store is wired.
var ErrNoStore = fault.New(fault.ErrUnavailable, "les documents du portfolio ne sont pas disponibles sur ce serveur")

// currentYear is the establishment's current school year's code.
func currentYear(tx *gorm.DB) (string, error) {
	var code string
	if err := tx.Raw(`SELECT code FROM school_years WHERE current`).Scan(&code).Error; err != nil {
		return "", fmt.Errorf("portfolio: current year: %w", err)
	}
	if code == "" {
		return "", fault.New(fault.ErrConflict, "l'établissement n'a pas d'année scolaire en cours : le portfolio ne peut rien recevoir")
	}
	return code, nil
}

// Record writes e into its pupil's portfolio within tx (the caller's tenant transaction), a
// new item or, for a source already recorded, the same item updated; it returns the item's id.
// An item of a closed year is not changed: recording its source again is refused.
func (s *Service) Record(tx *gorm.DB, e Entry) (uuid.UUID, error) {
	if e.PupilID == uuid.Nil || e.Kind == "" || strings.TrimSpace(e.Title) == "" {
		return uuid.Nil, errors.New("portfolio: an entry needs a pupil, a kind and a title")
	}
	year := e.SchoolYear
	if year == "" {
		var err error
		if year, err = currentYear(tx); err != nil {
			return uuid.Nil, err
		}
	}
	now := s.now()
	if e.OccurredAt.IsZero() {
		e.OccurredAt = now
	}
	var id uuid.UUID
	if e.Source != "" {
		var prev struct {
			ID         uuid.UUID
			SchoolYear string
		}
		if err := tx.Raw(`SELECT id, school_year FROM portfolio_items WHERE pupil_id = ? AND source = ? FOR UPDATE`, e.PupilID, e.Source).Scan(&prev).Error; err != nil {
			return uuid.Nil, fmt.Errorf("portfolio: record: %w", err)
		}
		if prev.ID != uuid.Nil {
			cur, err := currentYear(tx)
			if err != nil {
				return uuid.Nil, err
			}
			if prev.SchoolYear != cur && e.SchoolYear == "" {
				return uuid.Nil, fault.New(fault.ErrConflict, "l'année scolaire %s est close : cet élément du portfolio ne change plus", prev.SchoolYear)
			}
			err = tx.Exec(`UPDATE portfolio_items SET kind = ?, subject_code = ?, subject_label = ?, title = ?, summary = ?, body = ?, occurred_at = ?, updated_at = ? WHERE id = ?`,
				e.Kind, e.SubjectCode, e.Subject, clip(e.Title, 300), clip(e.Summary, 500), e.Body, e.OccurredAt, now, prev.ID).Error
			if err != nil {
				return uuid.Nil, fmt.Errorf("portfolio: record: %w", err)
			}
			return prev.ID, nil
		}
	}
	id = uuid.New()
	err := tx.Exec(`INSERT INTO portfolio_items (id, pupil_id, school_year, kind, source, subject_code, subject_label, title, summary, body, origin_uai, origin_name, occurred_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, e.PupilID, year, e.Kind, e.Source, e.SubjectCode, e.Subject, clip(e.Title, 300), clip(e.Summary, 500), e.Body, e.OriginUAI, e.OriginName, e.OccurredAt, now, now).Error
	if err != nil {
		return uuid.Nil, fmt.Errorf("portfolio: record: %w", err)
	}
	return id, nil
}

// AttachFiles records stored documents (written with Files().Storing) as the item's, within tx.
func (s *Service) AttachFiles(tx *gorm.DB, item uuid.UUID, fs ...files.Stored) error {
	now := s.now()
	for _, f := range fs {
		if err := tx.Exec(`INSERT INTO portfolio_files (id, item_id, blob_key, name, content_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			uuid.New(), item, f.Key, f.Name, f.ContentType, f.Size, f.SHA256, now).Error; err != nil {
			return fmt.Errorf("portfolio: attach %q: %w", f.Name, err)
		}
	}
	return nil
}

// DetachFiles removes the rows of an item's documents within tx (a submission whose files
// were replaced) and returns their blobs' keys, for the caller to remove from Files() once
// the change commits.
func (s *Service) DetachFiles(tx *gorm.DB, item uuid.UUID) ([]string, error) {
	var keys []string
	if err := tx.Raw(`DELETE FROM portfolio_files WHERE item_id = ? RETURNING blob_key`, item).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("portfolio: detach the files of %s: %w", item, err)
	}
	return keys, nil
}

// Of is the item source recorded for pupil within tx (uuid.Nil: none).
func (s *Service) Of(tx *gorm.DB, pupil uuid.UUID, source string) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT id FROM portfolio_items WHERE pupil_id = ? AND source = ?`, pupil, source).Scan(&ids).Error; err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return ids[0], nil
}

// ItemFiles are an item's documents, within tx.
func (s *Service) ItemFiles(tx *gorm.DB, item uuid.UUID) ([]File, error) {
	var out []File
	err := tx.Raw(`SELECT * FROM portfolio_files WHERE item_id = ? ORDER BY created_at, name`, item).Scan(&out).Error
	return out, err
}

// Open reads an item's document back, checked against its checksum.
func (s *Service) Open(ctx context.Context, t *tenant.Tenant, f File) (*files.Content, error) {
	if s.files == nil {
		return nil, ErrNoStore
	}
	return s.files.Open(ctx, t, f.Stored())
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Withdraw removes, within tx, the item source recorded for pupil (a report card withdrawn
// after its publication), unless its year is closed; it returns the blob keys of its files,
// for the caller to remove with Files().Remove once tx is committed.
func (s *Service) Withdraw(tx *gorm.DB, pupil uuid.UUID, source string) ([]string, error) {
	var keys []string
	err := tx.Raw(`SELECT f.blob_key FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id
		WHERE i.pupil_id = ? AND i.source = ? AND i.school_year = (SELECT code FROM school_years WHERE current)`, pupil, source).Scan(&keys).Error
	if err != nil {
		return nil, fmt.Errorf("portfolio: withdraw %s: %w", source, err)
	}
	if err := tx.Exec(`DELETE FROM portfolio_items WHERE pupil_id = ? AND source = ? AND school_year = (SELECT code FROM school_years WHERE current)`, pupil, source).Error; err != nil {
		return nil, fmt.Errorf("portfolio: withdraw %s: %w", source, err)
	}
	return keys, nil
}
