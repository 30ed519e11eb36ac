package files

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// Report is an establishment's space as its direction sees it (« Espace de stockage »).
type Report struct {
	Usage
	QuotaSet bool    `json:"quota_set"` // false: DefaultQuota
	Modules  []Share `json:"modules"`   // by module, largest first
	Kinds    []Share `json:"kinds"`     // by type of file, largest first
	Largest  []Large `json:"largest"`   // the largest files, largest first
}

// Share is what one module, or one type of file, takes.
type Share struct {
	Label string `json:"label"` // « Actualités », « PDF »
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
	Of    int64  `json:"-"` // the space used, for Percent
}

// Percent is the share of the space used, rounded (the page's bars).
func (s Share) Percent() int64 { return (s.Bytes*100 + max(s.Of, 1)/2) / max(s.Of, 1) }

// SizeText is the share's size in French.
func (s Share) SizeText() string { return SizeText(s.Bytes) }

// Large is one of the largest files: its module, and its name and owner where the page may
// name them.
type Large struct {
	Module      string    `json:"module"`
	Name        string    `json:"name"`            // Table.Private for a private file
	Owner       string    `json:"owner,omitempty"` // "" when not named or not known
	ContentType string    `json:"content_type"`
	Bytes       int64     `json:"bytes"`
	CreatedAt   time.Time `json:"created_at"`
	Private     bool      `json:"private"`
}

// SizeText is the file's size in French.
func (l Large) SizeText() string { return SizeText(l.Bytes) }

// Report measures t's space: its usage and quota, by module and type (the counts the
// tables' triggers keep), and its largest files (each table's, by its index on size, with
// their owners' names).
func (s *Space) Report(ctx context.Context, t *tenant.Tenant) (Report, error) {
	r := Report{Modules: []Share{}, Kinds: []Share{}, Largest: []Large{}}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		if r.Usage, r.QuotaSet, err = s.usage(tx); err != nil {
			return err
		}
		if err := s.shares(tx, &r); err != nil {
			return err
		}
		if len(s.tables) == 0 {
			return nil
		}
		return s.largest(tx, &r)
	})
	if err != nil {
		return Report{}, fmt.Errorf("files: report on %s: %w", t.UAI, err)
	}
	return r, nil
}

// shares reads the counts by table and type that the tables' triggers keep.
func (s *Space) shares(tx *gorm.DB, r *Report) error {
	var rows []struct {
		TableName   string
		ContentType string
		Files       int
		Bytes       int64
	}
	if err := tx.Raw(`SELECT table_name, content_type, files, bytes FROM file_space WHERE files > 0`).Scan(&rows).Error; err != nil {
		return err
	}
	modules, kinds := map[string]*Share{}, map[string]*Share{}
	add := func(m map[string]*Share, label string, files int, bytes int64) {
		if m[label] == nil {
			m[label] = &Share{Label: label, Of: r.Used}
		}
		m[label].Files += files
		m[label].Bytes += bytes
	}
	for _, row := range rows {
		label := row.TableName // counted by a migration, not registered: named as it is
		for _, t := range s.tables {
			if t.Name == row.TableName {
				label = t.Module
			}
		}
		add(modules, label, row.Files, row.Bytes)
		add(kinds, TypeLabel(row.ContentType), row.Files, row.Bytes)
	}
	r.Modules, r.Kinds = sorted(modules), sorted(kinds)
	return nil
}

func sorted(m map[string]*Share) []Share {
	out := make([]Share, 0, len(m))
	for _, s := range m {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Share) int { return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Label, b.Label)) })
	return out
}

// largest reads each table's largest files, then keeps the largest of all. A private
// table's names and owners are not even read.
func (s *Space) largest(tx *gorm.DB, r *Report) error {
	parts := make([]string, len(s.tables))
	for i, t := range s.tables {
		name, owner := "f.name", "NULL::uuid"
		if t.Private != "" {
			name = "''"
		} else if t.Owner != "" {
			owner = "(" + t.Owner + ")"
		}
		parts[i] = fmt.Sprintf("(SELECT %d AS t, %s AS name, %s AS owner_id, f.content_type, f.%s AS size, f.created_at FROM %s f ORDER BY f.%s DESC LIMIT %d)",
			i, name, owner, t.Size, t.Name, t.Size, largestFiles)
	}
	var rows []struct {
		T           int
		Name        string
		OwnerID     *uuid.UUID
		Owner       string
		ContentType string
		Size        int64
		CreatedAt   time.Time
	}
	q := `SELECT u.t, u.name, u.owner_id, coalesce(trim(p.first_name || ' ' || p.last_name), '') AS owner, u.content_type, u.size, u.created_at
		FROM (` + strings.Join(parts, " UNION ALL ") + `) u LEFT JOIN people p ON p.id = u.owner_id
		ORDER BY u.size DESC, u.created_at DESC LIMIT ` + fmt.Sprint(largestFiles)
	if err := tx.Raw(q).Scan(&rows).Error; err != nil {
		return err
	}
	for _, row := range rows {
		t := s.tables[row.T]
		l := Large{Module: t.Module, Name: row.Name, Owner: row.Owner, ContentType: row.ContentType, Bytes: row.Size, CreatedAt: row.CreatedAt}
		if t.Private != "" {
			l.Name, l.Owner, l.Private = t.Private, "", true
		}
		r.Largest = append(r.Largest, l)
	}
	return nil
}

// typeLabels name the usual types of the page's groups.
var typeLabels = map[string]string{
	"application/pdf": "PDF", "image/jpeg": "Image JPEG", "image/png": "Image PNG", "text/plain": "Texte",
	"application/vnd.oasis.opendocument.text":         "Texte OpenDocument",
	"application/vnd.oasis.opendocument.spreadsheet":  "Tableur OpenDocument",
	"application/vnd.oasis.opendocument.presentation": "Présentation OpenDocument",
}

// TypeLabel names a content type as the page groups files: « PDF », « Image JPEG ».
func TypeLabel(contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	base = strings.TrimSpace(base)
	if l, ok := typeLabels[base]; ok {
		return l
	}
	switch {
	case strings.HasPrefix(base, "image/"):
		return "Autre image (" + base + ")"
	case base == "":
		return "Type inconnu"
	}
	return "Autre (" + base + ")"
}
