// Package migrations holds the versioned SQL of Cartable, embedded in the binary: platform/
// for the shared `platform` schema and tenant/ for every establishment's schema. It also
// knows how to apply a set of migrations to one schema; running them across all tenants is
// the tenant package's job.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"

	"gorm.io/gorm"
)

//go:embed platform/*.sql tenant/*.sql
var files embed.FS

// Migration is one versioned SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Set is an ordered list of migrations with distinct, increasing versions.
type Set []Migration

// Latest returns the highest version in the set, 0 when empty.
func (s Set) Latest() int {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].Version
}

// UpTo returns the migrations whose version is at most v.
func (s Set) UpTo(v int) Set {
	var out Set
	for _, m := range s {
		if m.Version <= v {
			out = append(out, m)
		}
	}
	return out
}

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Load reads dir of fsys: files named NNNN_name.sql, versions unique.
func Load(fsys fs.FS, dir string) (Set, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: read %s: %w", dir, err)
	}
	var set Set
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrations: %s/%s: name must look like 0001_some_change.sql", dir, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s: version %d used by %s and %s", dir, v, other, e.Name())
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrations: read %s: %w", e.Name(), err)
		}
		set = append(set, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(set, func(i, j int) bool { return set[i].Version < set[j].Version })
	return set, nil
}

// Platform returns the embedded migrations of the platform schema.
func Platform() Set { return mustLoad("platform") }

// Tenant returns the embedded migrations applied to every tenant schema.
func Tenant() Set { return mustLoad("tenant") }

func mustLoad(dir string) Set {
	s, err := Load(files, dir)
	if err != nil {
		panic(err) // embedded files are checked by the tests; a bad name is a build error
	}
	return s
}

// CurrentVersion returns the version recorded in the schema_migrations table reached by
// tx's search_path, creating that table when missing.
func CurrentVersion(ctx context.Context, tx *gorm.DB) (int, error) {
	if err := tx.WithContext(ctx).Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`).Error; err != nil {
		return 0, fmt.Errorf("migrations: create version table: %w", err)
	}
	var v int
	if err := tx.WithContext(ctx).Raw(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("migrations: read version: %w", err)
	}
	return v, nil
}

// Apply runs, inside tx, the migrations of s newer than the schema's current version, in
// order, recording each one. The caller owns the transaction, its search_path, its role and
// its lock: on error it rolls back and the schema stays at its previous version.
func Apply(ctx context.Context, tx *gorm.DB, s Set) (from, to int, err error) {
	from, err = CurrentVersion(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	to = from
	for _, m := range s {
		if m.Version <= from {
			continue
		}
		if err := tx.WithContext(ctx).Exec(m.SQL).Error; err != nil {
			return from, to, fmt.Errorf("migrations: %04d_%s: %w", m.Version, m.Name, err)
		}
		if err := tx.WithContext(ctx).Exec(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name).Error; err != nil {
			return from, to, fmt.Errorf("migrations: record %04d_%s: %w", m.Version, m.Name, err)
		}
		to = m.Version
	}
	return from, to, nil
}
