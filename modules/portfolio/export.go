package portfolio

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

const exportAbout = "portfolio.json : votre portfolio dans cet établissement, s'il y en a un (élèves) : chaque élément de chaque année scolaire " +
	"(travail rendu, exercice, bulletin, document personnel) avec son titre, sa matière, sa date, son résumé, s'il est visible de vos professeurs, " +
	"l'établissement d'où il a été apporté le cas échéant, et ses fichiers (chemin dans l'archive, taille, empreinte SHA-256)."

type exportFile struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

type exportItem struct {
	ID                uuid.UUID    `json:"id"`
	SchoolYear        string       `json:"school_year"`
	Kind              Kind         `json:"kind"`
	KindLabel         string       `json:"kind_label"`
	Subject           string       `json:"subject"`
	Title             string       `json:"title"`
	Summary           string       `json:"summary"`
	Body              string       `json:"body,omitempty"`
	VisibleToTeachers bool         `json:"visible_to_teachers"`
	OriginName        string       `json:"origin_name,omitempty"`
	OriginUAI         string       `json:"origin_uai,omitempty"`
	OccurredAt        time.Time    `json:"occurred_at"`
	Files             []exportFile `json:"files"`
}

// Export writes person's portfolio (their items of every year, and every file, read back
// checked against its checksum) into their personal data export; nothing for someone who is
// not a pupil here.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil // nothing at the platform's level
	}
	var items []Item
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var n int
		if err := tx.Raw(`SELECT count(*) FROM people WHERE id = ? AND category = 'eleve'`, person).Scan(&n).Error; err != nil || n == 0 {
			return err
		}
		b, err := s.book(tx, person, OwnerReach, AllYears)
		if err != nil {
			return err
		}
		for _, y := range b.Years {
			for _, sub := range y.Subjects {
				items = append(items, sub.Items...)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("portfolio: export of %s: %w", person, err)
	}
	out := struct {
		Items []exportItem `json:"items"`
	}{Items: []exportItem{}}
	for _, it := range items {
		e := exportItem{ID: it.ID, SchoolYear: it.SchoolYear, Kind: it.Kind, KindLabel: it.Kind.Label(), Subject: it.SubjectLabel, Title: it.Title,
			Summary: it.Summary, Body: it.Body, VisibleToTeachers: it.VisibleToTeachers, OriginName: it.OriginName, OriginUAI: it.OriginUAI,
			OccurredAt: it.OccurredAt, Files: []exportFile{}}
		for _, f := range it.Files {
			path, err := s.exportFile(ctx, t, f, w)
			if err != nil {
				return err
			}
			e.Files = append(e.Files, exportFile{Name: f.Name, Path: path, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256})
		}
		out.Items = append(out.Items, e)
	}
	return w.JSON(out)
}

func (s *Service) exportFile(ctx context.Context, t *tenant.Tenant, f File, w module.ExportWriter) (string, error) {
	fc, err := s.Open(ctx, t, f)
	if err != nil {
		return "", fmt.Errorf("portfolio: export %s: %w", f.Name, err)
	}
	defer fc.Close()
	path, err := w.File(f.Name, fc)
	if err == nil {
		err = fc.Altered()
	}
	return path, err
}
