package portfolio

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
)

// demoPDF is a one-page PDF, the demo documents' bytes.
const demoPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// SeedDemo gives the first pupils of the establishment a few items: two documents of their
// own this year (one shown to their teachers), an exercise's result, and last year's closed
// items, one of them carried from a collège. Seeding twice adds nothing.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	var pupils []uuid.UUID
	var year string
	var existing int
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT count(*) FROM portfolio_items WHERE source LIKE 'demo:%'`).Scan(&existing).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT coalesce((SELECT code FROM school_years WHERE current), '')`).Row().Scan(&year); err != nil {
			return err
		}
		return tx.Raw(`SELECT id FROM people WHERE category = 'eleve' AND active ORDER BY last_name, first_name, id LIMIT 5`).Scan(&pupils).Error
	})
	if err != nil || existing > 0 || year == "" || len(pupils) == 0 {
		return err
	}
	start, _ := strconv.Atoi(year[:4])
	last := fmt.Sprintf("%d-%d", start-1, start)
	checked, err := Documents.Check("expose.pdf", []byte(demoPDF), FieldFile)
	if err != nil {
		return err
	}
	for i, p := range pupils {
		entries := []Entry{
			{Source: "demo:expose", SubjectCode: "HIST", Subject: "Histoire-géographie", Title: "Exposé : la Révolution industrielle en Aquitaine", Summary: "expose.pdf"},
			{Source: "demo:fiche", Title: "Fiche de lecture : Le Grand Meaulnes", Summary: "expose.pdf"},
			{Source: "demo:quiz", Kind: Attempt, Title: "Fractions et proportions", Summary: strconv.Itoa(6+i%4) + "/10"},
			{Source: "demo:old-attempt", Kind: Attempt, SchoolYear: last, Title: "Équations du premier degré", Summary: "8/10"},
			{Source: "demo:old-doc", SchoolYear: last, Title: "Carnet de sciences", Summary: "expose.pdf", OriginUAI: "0330099R", OriginName: "Collège Jean-Moulin"},
		}
		for j, e := range entries {
			e.PupilID = p
			if e.Kind == "" {
				e.Kind = Document
			}
			if e.SchoolYear != "" {
				e.OccurredAt = s.now().AddDate(-1, 0, -j)
			} else {
				e.OccurredAt = s.now().AddDate(0, 0, -7*j)
			}
			withFile := strings.HasSuffix(e.Summary, ".pdf") && s.files != nil
			record := func(stored []files.Stored) error {
				return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
					id, err := s.Record(tx, e)
					if err != nil {
						return err
					}
					if j == 0 {
						if err := tx.Exec(`UPDATE portfolio_items SET visible_to_teachers = true WHERE id = ?`, id).Error; err != nil {
							return err
						}
					}
					return s.AttachFiles(tx, id, stored...)
				})
			}
			if withFile {
				err = s.files.Storing(ctx, t, []files.Checked{checked}, record)
			} else {
				err = record(nil)
			}
			if err != nil {
				return fmt.Errorf("portfolio: demo: %w", err)
			}
		}
	}
	return nil
}
