package portfolio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// PupilQuota is the default room for a pupil's own documents in their portfolio (all years
// of this establishment), within the establishment's space.
const PupilQuota = 500 << 20

// SetPupilQuota sets the bytes of documents a pupil may add (tests; 0 keeps PupilQuota).
func (s *Service) SetPupilQuota(bytes int64) {
	if bytes > 0 {
		s.pupilQuota = bytes
	}
}

// NewDocument is a document a pupil adds: its title, its subject (optional: a subject code
// of the establishment) and the file sent.
type NewDocument struct {
	Title       string
	SubjectCode string
	FileName    string
	Data        []byte
}

// The form fields a refusal names: the page's and the API's (same names).
const (
	FieldTitle   = "titre"
	FieldSubject = "matiere"
	FieldFile    = "fichier"
)

// SubjectChoice is a subject a document may be filed under.
type SubjectChoice struct {
	Code  string
	Label string
}

// Usage is the room a pupil's own documents take in their portfolio.
type Usage struct{ Used, Quota int64 }

// Free is what is left.
func (u Usage) Free() int64 { return max(u.Quota-u.Used, 0) }

// UsedText, QuotaText and FreeText are the sizes in French.
func (u Usage) UsedText() string  { return files.SizeText(u.Used) }
func (u Usage) QuotaText() string { return files.SizeText(u.Quota) }
func (u Usage) FreeText() string  { return files.SizeText(u.Free()) }

func (s *Service) usage(tx *gorm.DB, pupil uuid.UUID) (Usage, error) {
	u := Usage{Quota: s.pupilQuota}
	// The pupil's documents' ids first: a join on the pupil scans every file of the establishment.
	err := tx.Raw(`SELECT coalesce(sum(f.size), 0) FROM portfolio_files f
		WHERE f.item_id = ANY(ARRAY(SELECT i.id FROM portfolio_items i WHERE i.pupil_id = ? AND i.kind = 'document'))`, pupil).Row().Scan(&u.Used)
	if err != nil {
		return u, fmt.Errorf("portfolio: usage of %s: %w", pupil, err)
	}
	return u, nil
}

// Usage is the room the actor's own documents take.
func (s *Service) Usage(ctx context.Context, t *tenant.Tenant, a Actor) (Usage, error) {
	var u Usage
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) (err error) { u, err = s.usage(tx, a.PersonID); return err })
	return u, err
}

func mustOwn(a Actor) error {
	if !a.has(identity.RoleEleve) {
		return notFound("portfolio")
	}
	return nil
}

// AddDocument adds a document of the pupil's own into the current year of their portfolio.
// It is refused, naming the field, for a missing or too long title, an unknown subject, a
// file of a type the portfolio does not keep, or a file that does not fit in what is left of
// the pupil's quota (the message says how much) or of the establishment's space.
func (s *Service) AddDocument(ctx context.Context, t *tenant.Tenant, a Actor, d NewDocument) (uuid.UUID, error) {
	if err := mustOwn(a); err != nil {
		return uuid.Nil, err
	}
	title := strings.TrimSpace(d.Title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return uuid.Nil, fault.Invalidf(FieldTitle, "donnez un titre au document")
	case n > 300:
		return uuid.Nil, fault.Invalidf(FieldTitle, "le titre fait %d caractères : 300 au plus", n)
	}
	code := strings.TrimSpace(d.SubjectCode)
	label := ""
	if code != "" {
		if err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT coalesce((SELECT label FROM subjects WHERE code = ?), '')`, code).Row().Scan(&label)
		}); err != nil {
			return uuid.Nil, fmt.Errorf("portfolio: subject %q: %w", code, err)
		}
		if label == "" {
			return uuid.Nil, fault.Invalidf(FieldSubject, "la matière « %s » n'existe pas dans l'établissement : choisissez-en une de la liste, ou aucune", code)
		}
	}
	if d.FileName == "" && len(d.Data) == 0 {
		return uuid.Nil, fault.Invalidf(FieldFile, "choisissez le fichier du document")
	}
	c, err := Documents.Check(d.FileName, d.Data, FieldFile)
	if err != nil {
		return uuid.Nil, err
	}
	if s.files == nil {
		return uuid.Nil, ErrNoStore
	}
	var id uuid.UUID
	err = s.files.Storing(ctx, t, []files.Checked{c}, func(stored []files.Stored) error {
		return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
			// One upload at a time per pupil, so that two at once cannot pass the quota together.
			if err := tx.Exec(`SELECT 1 FROM people WHERE id = ? FOR UPDATE`, a.PersonID).Error; err != nil {
				return fmt.Errorf("portfolio: lock %s: %w", a.PersonID, err)
			}
			u, err := s.usage(tx, a.PersonID)
			if err != nil {
				return err
			}
			if u.Used+c.Size > u.Quota {
				return fault.Invalidf(FieldFile, "votre portfolio est plein : vos documents y occupent %s sur %s, il vous reste %s et ce fichier fait %s. "+
					"Supprimez des documents de cette année qui ne servent plus, ou envoyez un fichier plus petit", u.UsedText(), u.QuotaText(), u.FreeText(), files.SizeText(c.Size))
			}
			id, err = s.Record(tx, Entry{PupilID: a.PersonID, Kind: Document, SubjectCode: code, Subject: label, Title: title,
				Summary: c.Name + " (" + files.SizeText(c.Size) + ")"})
			if err != nil {
				return err
			}
			return s.AttachFiles(tx, id, stored...)
		})
	})
	return id, err
}

// Document is one of the actor's own documents (its confirmation page before deletion).
func (s *Service) Document(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Item, error) {
	var it Item
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) (err error) { it, err = s.ownDocument(tx, a, id, ""); return err })
	return it, err
}

// ownDocument reads the actor's own document id with its files (lock: "FOR UPDATE" or "").
func (s *Service) ownDocument(tx *gorm.DB, a Actor, id uuid.UUID, lock string) (Item, error) {
	if err := mustOwn(a); err != nil {
		return Item{}, err
	}
	var found []Item
	if err := tx.Raw(`SELECT * FROM portfolio_items WHERE id = ? AND pupil_id = ? AND kind = 'document' `+lock, id, a.PersonID).Scan(&found).Error; err != nil {
		return Item{}, fmt.Errorf("portfolio: document %s: %w", id, err)
	}
	if len(found) == 0 {
		return Item{}, notFound("document")
	}
	it := found[0]
	cur, err := currentYear(tx)
	var conflict *fault.Message
	if errors.As(err, &conflict) {
		cur, err = "", nil
	}
	if err != nil {
		return Item{}, err
	}
	it.Closed = it.SchoolYear != cur
	it.Files, err = s.ItemFiles(tx, it.ID)
	return it, err
}

// DeleteDocument deletes one of the actor's own documents of the current year and its files;
// a document of a closed year is kept (refused, saying so).
func (s *Service) DeleteDocument(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	var it Item
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if it, err = s.ownDocument(tx, a, id, "FOR UPDATE"); err != nil {
			return err
		}
		if it.Closed {
			return fault.New(fault.ErrConflict, "l'année scolaire %s est close : ses documents sont gardés et ne se suppriment plus", it.SchoolYear)
		}
		return tx.Exec(`DELETE FROM portfolio_items WHERE id = ?`, id).Error
	})
	if err != nil || s.files == nil {
		return err
	}
	keys := make([]string, len(it.Files))
	for i, f := range it.Files {
		keys[i] = f.Key
	}
	return s.files.Remove(ctx, t, keys...)
}

// SetVisible shows (or hides) one of the actor's items, of any year, to their teachers of
// the current year.
func (s *Service) SetVisible(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, visible bool) (Item, error) {
	if err := mustOwn(a); err != nil {
		return Item{}, err
	}
	var found []Item
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`UPDATE portfolio_items SET visible_to_teachers = ? WHERE id = ? AND pupil_id = ? RETURNING *`, visible, id, a.PersonID).Scan(&found).Error; err != nil {
			return fmt.Errorf("portfolio: visibility of %s: %w", id, err)
		}
		if len(found) == 0 {
			return notFound("élément du portfolio")
		}
		return nil
	})
	if err != nil {
		return Item{}, err
	}
	return found[0], nil
}

// SetYearVisible shows the actor's items shown (of school year, any year) to their teachers
// of the current year, and hides the year's others.
func (s *Service) SetYearVisible(ctx context.Context, t *tenant.Tenant, a Actor, year string, shown []uuid.UUID) error {
	if err := mustOwn(a); err != nil {
		return err
	}
	if shown == nil {
		shown = []uuid.UUID{}
	}
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		var n int
		if err := tx.Raw(`SELECT count(*) FROM portfolio_items WHERE pupil_id = ? AND school_year = ? AND id IN ?`, a.PersonID, year, append(shown, uuid.Nil)).Scan(&n).Error; err != nil {
			return fmt.Errorf("portfolio: visibility of %s: %w", year, err)
		}
		if n != len(shown) {
			return notFound("élément du portfolio")
		}
		var years int
		if err := tx.Raw(`SELECT count(*) FROM portfolio_items WHERE pupil_id = ? AND school_year = ?`, a.PersonID, year).Scan(&years).Error; err != nil {
			return fmt.Errorf("portfolio: visibility of %s: %w", year, err)
		}
		if years == 0 {
			return notFound("année du portfolio")
		}
		if err := tx.Exec(`UPDATE portfolio_items SET visible_to_teachers = (id IN ?) WHERE pupil_id = ? AND school_year = ?`, append(shown, uuid.Nil), a.PersonID, year).Error; err != nil {
			return fmt.Errorf("portfolio: visibility of %s: %w", year, err)
		}
		return nil
	})
}

// Download opens an item's file for whoever reads that item: its bytes are checked against
// their checksum as they are served.
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (File, *files.Content, error) {
	var f File
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var found []struct {
			File
			PupilID uuid.UUID
			Visible bool
		}
		if err := tx.Raw(`SELECT f.*, i.pupil_id, i.visible_to_teachers AS visible FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id WHERE f.id = ?`, id).Scan(&found).Error; err != nil {
			return fmt.Errorf("portfolio: file %s: %w", id, err)
		}
		if len(found) == 0 {
			return notFound("document")
		}
		r, err := s.mustReach(tx, a, found[0].PupilID)
		if err != nil {
			return err
		}
		if r == TeacherReach && !found[0].Visible {
			return notFound("document")
		}
		f = found[0].File
		return nil
	})
	if err != nil {
		return File{}, nil, err
	}
	fc, err := s.Open(ctx, t, f)
	return f, fc, err
}
