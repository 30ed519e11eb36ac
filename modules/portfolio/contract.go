package portfolio

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant/pgarray"
)

// What other modules ask of pupils' portfolios within their own transactions (the transfer
// between establishments, the retention's purge): the portfolio's tables are read and
// written here only.

// Holding is what a pupil's portfolio holds: items per year and kind, files and their size.
type Holding struct {
	Lines []HoldingLine // by year, then kind
	Items int
	Files int
	Bytes int64
}

// HoldingLine is the number of a pupil's items of one kind in one school year.
type HoldingLine struct {
	Year  string
	Kind  Kind
	Count int
}

// Holdings are what the portfolios of pupils hold, within tx; a person who is not a pupil of
// the establishment, or whose portfolio is empty, is absent from the map.
func (s *Service) Holdings(tx *gorm.DB, pupils []uuid.UUID) (map[uuid.UUID]*Holding, error) {
	ids := pgarray.UUIDs(pupils)
	var lines []struct {
		PupilID uuid.UUID
		HoldingLine
	}
	if err := tx.Raw(`SELECT i.pupil_id, i.school_year AS year, i.kind, count(*) AS count
		FROM portfolio_items i JOIN people p ON p.id = i.pupil_id AND p.category = 'eleve'
		WHERE i.pupil_id = ANY (?::uuid[]) GROUP BY i.pupil_id, i.school_year, i.kind ORDER BY i.pupil_id, i.school_year, i.kind`, ids).Scan(&lines).Error; err != nil {
		return nil, fmt.Errorf("portfolio: holdings: %w", err)
	}
	out := map[uuid.UUID]*Holding{}
	for _, l := range lines {
		h := out[l.PupilID]
		if h == nil {
			h = &Holding{}
			out[l.PupilID] = h
		}
		h.Lines = append(h.Lines, l.HoldingLine)
		h.Items += l.Count
	}
	var fs []struct {
		PupilID uuid.UUID
		N       int
		Bytes   int64
	}
	if err := tx.Raw(`SELECT i.pupil_id, count(*) AS n, sum(f.size) AS bytes FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id
		WHERE i.pupil_id = ANY (?::uuid[]) GROUP BY i.pupil_id`, ids).Scan(&fs).Error; err != nil {
		return nil, fmt.Errorf("portfolio: holdings' files: %w", err)
	}
	for _, f := range fs {
		if h := out[f.PupilID]; h != nil {
			h.Files, h.Bytes = f.N, f.Bytes
		}
	}
	return out, nil
}

// Sources are the sources of pupil's items that start with prefix, within tx (a module's
// items already recorded: « transfer: » for those carried from another establishment).
func (s *Service) Sources(tx *gorm.DB, pupil uuid.UUID, prefix string) ([]string, error) {
	var out []string
	if err := tx.Raw(`SELECT source FROM portfolio_items WHERE pupil_id = ? AND starts_with(source, ?)`, pupil, prefix).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("portfolio: sources of %s: %w", pupil, err)
	}
	return out, nil
}

// Items are every item of pupil's portfolio with its files, within tx, oldest year first (a
// copy into another establishment).
func (s *Service) Items(tx *gorm.DB, pupil uuid.UUID) ([]Item, error) {
	items, err := scanItems(tx.Raw(`SELECT `+itemColumns+` FROM portfolio_items i WHERE i.pupil_id = ? ORDER BY i.school_year, i.occurred_at, i.id`, pupil))
	if err != nil {
		return nil, fmt.Errorf("portfolio: items of %s: %w", pupil, err)
	}
	if err := withFiles(tx, items); err != nil {
		return nil, fmt.Errorf("portfolio: files of %s: %w", pupil, err)
	}
	return items, nil
}

// Purge deletes the portfolios of pupils within tx (their keeping is over) and returns how
// many items went, and their files' blob keys and bytes, for the caller to remove the blobs
// from Files() once tx commits (the hourly sweep takes those a crash leaves).
func (s *Service) Purge(tx *gorm.DB, pupils []uuid.UUID) (items int64, keys []string, bytes int64, err error) {
	if len(pupils) == 0 {
		return 0, nil, 0, nil
	}
	ids := pgarray.UUIDs(pupils)
	var fs []struct {
		BlobKey string
		Size    int64
	}
	if err := tx.Raw(`SELECT f.blob_key, f.size FROM portfolio_files f
		WHERE f.item_id = ANY(ARRAY(SELECT i.id FROM portfolio_items i WHERE i.pupil_id = ANY (?::uuid[]))) ORDER BY f.blob_key`, ids).Scan(&fs).Error; err != nil {
		return 0, nil, 0, fmt.Errorf("portfolio: files to purge: %w", err)
	}
	res := tx.Exec(`DELETE FROM portfolio_items WHERE pupil_id = ANY (?::uuid[])`, ids)
	if res.Error != nil {
		return 0, nil, 0, fmt.Errorf("portfolio: purge: %w", res.Error)
	}
	keys = make([]string, len(fs))
	for i, f := range fs {
		keys[i], bytes = f.BlobKey, bytes+f.Size
	}
	return res.RowsAffected, keys, bytes, nil
}
