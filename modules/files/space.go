package files

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// DefaultQuota is an establishment's file space unless the région set another (20 Go).
const DefaultQuota int64 = 20 << 30

// Bounds of a quota the région may set, and the share past which pages warn.
const (
	MinQuota     int64 = 1 << 30
	MaxQuota     int64 = 10 << 40
	WarnPercent        = 80
	quotaSetting       = "files.quota" // its key in the establishment's settings table
	largestFiles       = 10
)

// Table is one module's table of file rows, as the establishment's space counts them. Each
// row has the columns name, content_type, created_at and Size. A module with files adds, in
// its migration, the triggers that count its table in file_space and an index on its size
// (see migrations/tenant/0025_file_space.sql), and registers the table here (cmd/cartable
// gives them all to NewSpace) for the page's names and largest files.
type Table struct {
	Name   string // the table: "news_files"
	Size   string // its size column in bytes; "" is "size"
	Module string // the module in French, as the page names it: "Actualités"
	// Owner is an SQL expression, over the row f, giving the people.id of who sent the file
	// (NULL: unknown); "" when the page does not name one. Written by the module, never from
	// input.
	Owner string
	// Private, when set, is what the page says of such a file instead of its name and owner
	// (private correspondence, families' documents): « pièce jointe d'un message ».
	Private string
}

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Space is an establishment's file space: every module's file tables, measured together
// against the establishment's quota. Stores made Within it refuse a file that would pass it.
type Space struct {
	db     *tenant.DB
	tables []Table
	now    func() time.Time
}

// NewSpace measures the given tables of every establishment; now is the clock (nil:
// time.Now). A table whose name or size column is not a plain identifier is an error.
func NewSpace(db *tenant.DB, now func() time.Time, tables ...Table) (*Space, error) {
	if now == nil {
		now = time.Now
	}
	s := &Space{db: db, now: now}
	for _, t := range tables {
		if t.Size == "" {
			t.Size = "size"
		}
		if !identifier.MatchString(t.Name) || !identifier.MatchString(t.Size) || t.Module == "" {
			return nil, fmt.Errorf("files: table %q (size %q, module %q) is not a plain table of files", t.Name, t.Size, t.Module)
		}
		s.tables = append(s.tables, t)
	}
	return s, nil
}

// Quota is an establishment's quota as the région set it.
type Quota struct {
	Bytes int64     `json:"bytes"`
	Set   bool      `json:"set"`          // false: DefaultQuota
	By    string    `json:"by,omitempty"` // who set it
	At    time.Time `json:"at,omitzero"`
}

type quotaValue struct {
	Bytes int64     `json:"bytes"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

func quotaOf(raw *string) (Quota, error) {
	if raw == nil {
		return Quota{Bytes: DefaultQuota}, nil
	}
	var v quotaValue
	if err := json.Unmarshal([]byte(*raw), &v); err != nil || v.Bytes <= 0 {
		return Quota{}, fmt.Errorf("files: setting %s is not a quota: %q", quotaSetting, *raw)
	}
	return Quota{Bytes: v.Bytes, Set: true, By: v.By, At: v.At}, nil
}

// quotaSQL reads the setting's value (NULL: not set).
const quotaSQL = `(SELECT value::text FROM settings WHERE key = '` + quotaSetting + `')`

// Quota returns t's quota.
func (s *Space) Quota(ctx context.Context, t *tenant.Tenant) (Quota, error) {
	var raw *string
	if err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return tx.Raw(`SELECT ` + quotaSQL).Scan(&raw).Error }); err != nil {
		return Quota{}, fmt.Errorf("files: quota of %s: %w", t.UAI, err)
	}
	return quotaOf(raw)
}

// SetQuota sets t's quota to bytes (0: back to DefaultQuota), for actor (a région's
// administrator, in the console), recorded in the establishment's audit log in the same
// transaction. A quota below what the establishment already uses is allowed: uploads are
// then refused until space is freed.
func (s *Space) SetQuota(ctx context.Context, t *tenant.Tenant, bytes int64, actor string) error {
	if bytes != 0 && (bytes < MinQuota || bytes > MaxQuota) {
		return fault.Invalidf("quota", "le quota doit être compris entre %s et %s : indiquez un nombre de Go entre %d et %d (laissez vide pour les %s par défaut)",
			SizeText(MinQuota), SizeText(MaxQuota), MinQuota>>30, MaxQuota>>30, SizeText(DefaultQuota))
	}
	now := s.now()
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		if bytes == 0 {
			if err := tx.Exec(`DELETE FROM settings WHERE key = ?`, quotaSetting).Error; err != nil {
				return fmt.Errorf("files: reset quota of %s: %w", t.UAI, err)
			}
		} else {
			v, err := json.Marshal(quotaValue{Bytes: bytes, By: actor, At: now})
			if err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?::jsonb, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, quotaSetting, string(v), now).Error; err != nil {
				return fmt.Errorf("files: set quota of %s: %w", t.UAI, err)
			}
		}
		details, err := json.Marshal(map[string]any{"bytes": bytes})
		if err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, 'files.quota', ?::jsonb)`, now, actor, string(details)).Error; err != nil {
			return fmt.Errorf("files: record quota of %s: %w", t.UAI, err)
		}
		return nil
	})
}

// Usage is an establishment's space used against its quota.
type Usage struct {
	Used  int64 `json:"used"`
	Quota int64 `json:"quota"`
}

// Percent is the share of the quota used, rounded down (over 100 once a quota was lowered).
func (u Usage) Percent() int64 { return u.Used * 100 / max(u.Quota, 1) }

// Warn tells whether pages warn: WarnPercent of the quota used.
func (u Usage) Warn() bool { return u.Used*100 >= u.Quota*WarnPercent }

// Free is what is left (0 when full).
func (u Usage) Free() int64 { return max(u.Quota-u.Used, 0) }

// Usage returns t's space used and its quota, in one query of a few rows (file_space, kept
// by the tables' triggers), whatever the number of files.
func (s *Space) Usage(ctx context.Context, t *tenant.Tenant) (Usage, error) {
	var u Usage
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		u, _, err = s.usage(tx)
		return err
	})
	if err != nil {
		return Usage{}, fmt.Errorf("files: space of %s: %w", t.UAI, err)
	}
	return u, nil
}

// usage reads the space used and the quota (set: by the région, not the default).
func (s *Space) usage(tx *gorm.DB) (u Usage, set bool, err error) {
	var row struct {
		Used  int64
		Quota *string
	}
	if err := tx.Raw(`SELECT (SELECT coalesce(sum(bytes), 0) FROM file_space) AS used, ` + quotaSQL + ` AS quota`).Scan(&row).Error; err != nil {
		return Usage{}, false, err
	}
	q, err := quotaOf(row.Quota)
	return Usage{Used: row.Used, Quota: q.Bytes}, q.Set, err
}

// Admit refuses, naming the first file's field, files whose bytes would take t past its
// quota. It reads the space at the time of the upload, before the blobs are written:
// uploads running at the same moment may together pass the quota by a few files, which the
// next upload sees (a lock per establishment on every upload would cost more than that).
func (s *Space) Admit(ctx context.Context, t *tenant.Tenant, cs []Checked) error {
	var adding int64
	for _, c := range cs {
		adding += c.Size
	}
	if adding == 0 {
		return nil
	}
	u, err := s.Usage(ctx, t)
	if err != nil {
		return err
	}
	if u.Used+adding <= u.Quota {
		return nil
	}
	what := fmt.Sprintf("ce fichier (%s)", SizeText(adding))
	if len(cs) > 1 {
		what = fmt.Sprintf("ces %d fichiers (%s)", len(cs), SizeText(adding))
	}
	return fault.Invalidf(cs[0].Field, "l'espace de stockage de l'établissement est plein : %s utilisés sur %s, il reste %s et %s ne tient pas. "+
		"Supprimez des pièces jointes qui ne servent plus, ou demandez à la direction (page « Espace de stockage ») de faire de la place ou de demander à la Région un quota plus grand ; puis envoyez-le de nouveau",
		SizeText(u.Used), SizeText(u.Quota), SizeText(u.Free()), what)
}

// SizeText writes a size for people with one decimal past a megabyte: « 850 Ko »,
// « 12,5 Mo », « 19,2 Go ».
func SizeText(n int64) string {
	switch {
	case n < 1<<20:
		return fmt.Sprintf("%d Ko", (n+1023)>>10)
	case n < 1<<30:
		return decimal(float64(n)/(1<<20), "Mo")
	case n < 1<<40:
		return decimal(float64(n)/(1<<30), "Go")
	}
	return decimal(float64(n)/(1<<40), "To")
}

func decimal(x float64, unit string) string {
	s := strings.Replace(fmt.Sprintf("%.1f", x), ".", ",", 1)
	return strings.TrimSuffix(s, ",0") + " " + unit
}
