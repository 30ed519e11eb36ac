package news

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// ExportAbout describes the news' file of a personal data export (its README).
const ExportAbout = "Les actualités que vous avez écrites dans l'établissement (titre, texte, public, état, dates, " +
	"fichiers joints, dossier « fichiers ») et les actualités que vous avez lues, avec la date de lecture."

// exportedNews is the news' part of a personal data export.
type exportedNews struct {
	Written []exportedPost `json:"actualites_ecrites"`
	Read    []exportedRead `json:"actualites_lues"`
}

type exportedPost struct {
	ID          uuid.UUID      `json:"id"`
	Title       string         `json:"titre"`
	Body        string         `json:"texte"`
	Audience    string         `json:"public"`
	State       string         `json:"etat"`
	PublishAt   *time.Time     `json:"publication_prevue,omitempty"`
	PublishedAt *time.Time     `json:"publiee_le,omitempty"`
	ExpiresAt   *time.Time     `json:"expire_le,omitempty"`
	CreatedAt   time.Time      `json:"creee_le"`
	UpdatedAt   time.Time      `json:"modifiee_le"`
	Files       []exportedFile `json:"fichiers"`
}

type exportedFile struct {
	Name        string `json:"nom"`
	ContentType string `json:"type"`
	Size        int64  `json:"taille"`
	SHA256      string `json:"sha256"`
	Path        string `json:"fichier"` // in the export's archive
}

type exportedRead struct {
	Title  string    `json:"titre"`
	ReadAt time.Time `json:"lue_le"`
}

// Export writes the posts person wrote in t, with their files, and the posts they read
// (module.Exporter); nobody else's drafts, and no reader of their posts.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil // nothing at the platform's level
	}
	out := exportedNews{Written: []exportedPost{}, Read: []exportedRead{}}
	var fs []File
	err := s.db.SnapshotTx(ctx, t, func(tx *gorm.DB) error {
		var posts []struct {
			ID                                uuid.UUID
			Title, Body, Audience, State      string
			ClassLabel                        string
			PublishAt, PublishedAt, ExpiresAt *time.Time
			CreatedAt, UpdatedAt              time.Time
		}
		if err := tx.Raw(`SELECT p.id, p.title, p.body, p.audience, p.state, coalesce(c.label, '') AS class_label,
				p.publish_at, p.published_at, p.expires_at, p.created_at, p.updated_at
			FROM news_posts p LEFT JOIN classes c ON c.id = p.class_id
			WHERE p.author_id = ? ORDER BY p.created_at, p.id`, person).Scan(&posts).Error; err != nil {
			return err
		}
		for _, p := range posts {
			out.Written = append(out.Written, exportedPost{ID: p.ID, Title: p.Title, Body: p.Body, Audience: Target(Audience(p.Audience), p.ClassLabel),
				State: p.State, PublishAt: p.PublishAt, PublishedAt: p.PublishedAt, ExpiresAt: p.ExpiresAt, CreatedAt: p.CreatedAt,
				UpdatedAt: p.UpdatedAt, Files: []exportedFile{}})
		}
		if err := tx.Raw(`SELECT f.id, f.post_id, f.blob_key, f.name, f.content_type, f.size, f.sha256, f.created_at
			FROM news_files f JOIN news_posts p ON p.id = f.post_id
			WHERE p.author_id = ? ORDER BY f.post_id, f.created_at, f.id`, person).Scan(&fs).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT p.title, r.read_at FROM news_reads r JOIN news_posts p ON p.id = r.post_id
			WHERE r.person_id = ? ORDER BY r.read_at, p.id`, person).Scan(&out.Read).Error
	})
	if err != nil {
		return fmt.Errorf("news: export of %s: %w", person, err)
	}
	index := make(map[uuid.UUID]int, len(out.Written))
	for i, p := range out.Written {
		index[p.ID] = i
	}
	for _, f := range fs {
		if s.files == nil {
			return errNoStore
		}
		fc, err := s.files.Open(ctx, t, f.stored())
		if err != nil {
			return fmt.Errorf("news: export of %s: %w", person, err)
		}
		path, err := w.File(f.Name, fc)
		if cerr := fc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("news: export of %s: file %s: %w", person, f.ID, err)
		}
		p := &out.Written[index[f.PostID]]
		p.Files = append(p.Files, exportedFile{Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, Path: path})
	}
	return w.JSON(out)
}
