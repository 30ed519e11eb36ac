package tenant

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/web/fault"
)

// The export archive (format version 1) is a gzip-compressed tar holding, in this order:
//
//	manifest.json          what the archive is: format, tenant, schema version, and for every
//	                       other entry its path, size, row count and SHA-256
//	tables/<table>.jsonl   one JSON object per row (PostgreSQL row_to_json), sorted
//	files/<path>           the tenant's stored files, as they are on disk
//	blobs/<key>            the tenant's documents in the blob store (Options.Blobs), by their
//	                       key within the establishment (BlobPrefix removed)
//	platform/memberships.jsonl  who may enter the establishment (identity, person, roles):
//	                       restored for the accounts the platform still has, so the same people
//	                       sign in to the restored establishment
//
// Import reads the manifest first, checks every entry's size and checksum before writing
// anything, then restores the tenant in one transaction. See README, "Export archive".
const (
	ArchiveFormat        = "cartable-tenant-export"
	ArchiveFormatVersion = 1
	manifestName         = "manifest.json"
	maxManifestSize      = 4 << 20
)

// Manifest describes an export archive.
type Manifest struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	ExportedAt    time.Time       `json:"exported_at"`
	Tenant        ArchivedTenant  `json:"tenant"`
	SchemaVersion int             `json:"schema_version"`
	Tables        []ArchiveEntry  `json:"tables"`
	Files         []ArchiveEntry  `json:"files"`
	Blobs         []ArchiveEntry  `json:"blobs,omitempty"`    // the blob store's documents (blobs/<key within the establishment>)
	Platform      []ArchiveEntry  `json:"platform,omitempty"` // the tenant's platform rows (memberships)
	Extra         json.RawMessage `json:"extra,omitempty"`
}

// ArchivedTenant is the registry's record of the tenant in an archive.
type ArchivedTenant struct {
	UAI          UAI       `json:"uai"`
	Name         string    `json:"name"`
	Kind         Kind      `json:"kind"`
	Slug         string    `json:"slug"`
	Organisation string    `json:"organisation"`
	Status       Status    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
}

// ArchiveEntry is one file of an archive.
type ArchiveEntry struct {
	Name   string `json:"name,omitempty"` // table name, for tables
	Path   string `json:"path"`
	Rows   int64  `json:"rows,omitempty"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Export writes the archive of a live tenant to w, from one consistent snapshot.
func (r *Registry) Export(ctx context.Context, uai string, w io.Writer) (*Manifest, error) {
	t, err := r.Get(ctx, uai)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "cartable-export-")
	if err != nil {
		return nil, fmt.Errorf("tenant: export %s: %w", t.UAI, err)
	}
	defer os.RemoveAll(tmp)

	m := &Manifest{
		Format: ArchiveFormat, FormatVersion: ArchiveFormatVersion, ExportedAt: r.opts.Now().UTC(),
		Tenant: ArchivedTenant{UAI: t.UAI, Name: t.Name, Kind: t.Kind, Slug: t.Slug,
			Organisation: t.OrganisationCode, Status: t.Status, CreatedAt: t.CreatedAt},
		Tables: []ArchiveEntry{}, Files: []ArchiveEntry{},
	}
	err = r.db.SnapshotTx(ctx, t, func(tx *gorm.DB) error {
		if err := liftTimeouts(tx); err != nil { // a large establishment streams for minutes
			return err
		}
		v, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		m.SchemaVersion = v
		tables, err := tableNames(tx)
		if err != nil {
			return err
		}
		for _, name := range tables {
			e, err := dumpTable(ctx, tx, name, filepath.Join(tmp, name+".jsonl"))
			if err != nil {
				return err
			}
			m.Tables = append(m.Tables, e)
		}
		// The memberships, from the same snapshot.
		return WithPlatform(tx, t, func(ptx *gorm.DB) error {
			e := ArchiveEntry{Name: membershipsEntry, Path: "platform/" + membershipsEntry + ".jsonl"}
			e, err := dumpQuery(ctx, ptx, e, `SELECT row_to_json(x)::text FROM (SELECT identity_id, person_id, roles, active
				FROM platform.memberships WHERE tenant_id = ? ORDER BY identity_id) x`, filepath.Join(tmp, membershipsEntry+".jsonl"), t.ID)
			if err != nil {
				return err
			}
			m.Platform = append(m.Platform, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: export %s: %w", t.UAI, err)
	}
	filesRoot := r.filesDir(t.SchemaName)
	if filesRoot != "" {
		if m.Files, err = listFiles(filesRoot); err != nil {
			return nil, fmt.Errorf("tenant: export files of %s: %w", t.UAI, err)
		}
	}
	// The blobs after the snapshot: one uploaded meanwhile is carried without its row (the
	// restored establishment's sweep of orphans removes it).
	if m.Blobs, err = r.exportBlobs(ctx, t, tmp); err != nil {
		return nil, fmt.Errorf("tenant: export documents of %s: %w", t.UAI, err)
	}
	if err := writeArchive(w, m, tmp, filesRoot); err != nil {
		return nil, fmt.Errorf("tenant: write archive of %s: %w", t.UAI, err)
	}
	return m, nil
}

func schemaVersion(tx *gorm.DB) (int, error) {
	var v int
	err := tx.Raw(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v).Error
	return v, err
}

// tableNames lists the tenant's tables (partitioned ones once), without the version table.
func tableNames(tx *gorm.DB) ([]string, error) {
	var names []string
	err := tx.Raw(`SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		  AND NOT c.relispartition AND c.relname <> 'schema_migrations'
		ORDER BY c.relname`).Scan(&names).Error
	return names, err
}

// membershipsEntry names the archive's platform/memberships.jsonl.
const membershipsEntry = "memberships"

// secretColumns are never exported: the initial passwords of import runs (encrypted, but
// an archive leaves the platform; the sheets are to be printed where they were made).
var secretColumns = map[string][]string{"import_runs": {"credentials"}}

func dumpTable(ctx context.Context, tx *gorm.DB, name, file string) (ArchiveEntry, error) {
	e := ArchiveEntry{Name: name, Path: "tables/" + name + ".jsonl"}
	row := `row_to_json(x)::text`
	if cols := secretColumns[name]; len(cols) > 0 {
		row = `(to_jsonb(x)`
		for _, c := range cols {
			row += ` - '` + c + `'`
		}
		row += `)::text`
	}
	return dumpQuery(ctx, tx, e, `SELECT `+row+` FROM `+pgx.Identifier{name}.Sanitize()+` x ORDER BY 1`, file)
}

// dumpQuery writes the JSON lines query returns into file and describes them in e.
func dumpQuery(ctx context.Context, tx *gorm.DB, e ArchiveEntry, query, file string, args ...any) (ArchiveEntry, error) {
	name := e.Name
	f, err := os.Create(file)
	if err != nil {
		return e, err
	}
	defer f.Close()
	h := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(f, h))
	rows, err := tx.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return e, fmt.Errorf("dump %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return e, fmt.Errorf("dump %s: %w", name, err)
		}
		bw.WriteString(line)
		bw.WriteByte('\n')
		e.Rows++
	}
	if err := rows.Err(); err != nil {
		return e, fmt.Errorf("dump %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return e, err
	}
	st, err := f.Stat()
	if err != nil {
		return e, err
	}
	e.Size, e.SHA256 = st.Size(), hex.EncodeToString(h.Sum(nil))
	return e, f.Close()
}

func listFiles(root string) ([]ArchiveEntry, error) {
	out := []ArchiveEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		sum, size, err := hashFile(p)
		if err != nil {
			return err
		}
		out = append(out, ArchiveEntry{Path: "files/" + filepath.ToSlash(rel), Size: size, SHA256: sum})
		return nil
	})
	return out, err
}

func hashFile(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

func writeArchive(w io.Writer, m *Manifest, tablesDir, filesRoot string) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: manifestName, Mode: 0o644, Size: int64(len(mb)), ModTime: m.ExportedAt, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(mb); err != nil {
		return err
	}
	add := func(e ArchiveEntry, src string) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := tw.WriteHeader(&tar.Header{Name: e.Path, Mode: 0o644, Size: e.Size, ModTime: m.ExportedAt, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = io.CopyN(tw, f, e.Size)
		return err
	}
	for _, e := range m.Tables {
		if err := add(e, filepath.Join(tablesDir, e.Name+".jsonl")); err != nil {
			return err
		}
	}
	for _, e := range m.Platform {
		if err := add(e, filepath.Join(tablesDir, e.Name+".jsonl")); err != nil {
			return err
		}
	}
	for _, e := range m.Files {
		if err := add(e, filepath.Join(filesRoot, filepath.FromSlash(strings.TrimPrefix(e.Path, "files/")))); err != nil {
			return err
		}
	}
	for _, e := range m.Blobs {
		if err := add(e, filepath.Join(tablesDir, filepath.FromSlash(e.Path))); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// invalidArchive is the error for a bad archive: it says what is wrong and where.
func invalidArchive(format string, args ...any) error {
	return fault.Invalidf("archive", "archive refusée : "+format, args...)
}

// Import restores a tenant from an export archive. It is refused while a tenant with the same
// UAI is live. Every entry's checksum is verified before anything is written; the registry
// row, the schema and its data are then restored in one transaction.
func (r *Registry) Import(ctx context.Context, src io.Reader, actor string) (*Tenant, error) {
	tmp, err := os.MkdirTemp("", "cartable-import-")
	if err != nil {
		return nil, fmt.Errorf("tenant: import: %w", err)
	}
	defer os.RemoveAll(tmp)
	m, err := readArchive(src, tmp)
	if err != nil {
		return nil, err
	}
	if m.SchemaVersion > r.LatestTenantVersion() {
		return nil, invalidArchive("elle vient d'une version plus récente de Cartable (schéma %d, celui-ci connaît %d) ; mettez Cartable à jour", m.SchemaVersion, r.LatestTenantVersion())
	}
	if live, err := r.Get(ctx, string(m.Tenant.UAI)); err == nil {
		return nil, fault.NewField(fault.ErrConflict, "uai", "l'établissement %s (%s) est ouvert : supprimez-le avant de le restaurer depuis une archive", live.UAI, live.Name)
	} else if !errors.Is(err, fault.ErrNotFound) {
		return nil, err
	}
	t, err := r.prepare(ctx, NewTenant{UAI: string(m.Tenant.UAI), Name: m.Tenant.Name, Kind: string(m.Tenant.Kind), Slug: m.Tenant.Slug})
	if err != nil {
		return nil, err
	}
	if err := r.pickSlug(ctx, t, true); err != nil {
		return nil, err
	}
	if m.Tenant.Status == StatusSuspended {
		t.Status = StatusSuspended
	}
	filesRoot := r.filesDir(t.SchemaName)
	var blobs []string // written under the new establishment's prefix
	err = r.gdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := liftTimeouts(tx); err != nil {
			return err
		}
		load := func(tx *gorm.DB) error { return loadTables(ctx, tx, m, tmp) }
		if err := r.restore(ctx, tx, t, m.SchemaVersion, load); err != nil {
			return err
		}
		if err := restoreMemberships(ctx, tx, t, m, tmp); err != nil {
			return err
		}
		if filesRoot != "" && len(m.Files) > 0 {
			if err := os.RemoveAll(filesRoot); err != nil {
				return err
			}
			if err := copyTree(filepath.Join(tmp, "files"), filesRoot); err != nil {
				return fmt.Errorf("restore files: %w", err)
			}
		}
		var err error
		if blobs, err = r.importBlobs(ctx, t, m, tmp); err != nil {
			return err
		}
		return Audit(tx, actor, "tenant.import", string(t.UAI), map[string]any{"exported_at": m.ExportedAt, "schema_version": m.SchemaVersion})
	})
	if err != nil {
		if filesRoot != "" && len(m.Files) > 0 {
			os.RemoveAll(filesRoot)
		}
		r.removeBlobs(ctx, blobs)
		if isUniqueViolation(err) {
			return nil, fault.NewField(fault.ErrConflict, "uai", "l'établissement %s vient d'être ouvert par ailleurs ; restauration annulée", t.UAI)
		}
		var inv *fault.Invalid
		if errors.As(err, &inv) {
			return nil, err
		}
		return nil, fmt.Errorf("tenant: import %s: %w", t.UAI, err)
	}
	r.cache.clear()
	return t, nil
}

// restoreMemberships gives back their membership to the archived people whose account the
// platform still has (an account purged since the export stays out).
func restoreMemberships(ctx context.Context, tx *gorm.DB, t *Tenant, m *Manifest, dir string) error {
	// The deleted establishment's own memberships (same UAI) give way to the restored ones:
	// one membership per person, the record of the deleted one gone with it.
	if err := tx.Exec(`DELETE FROM platform.memberships WHERE tenant_id IN
		(SELECT id FROM platform.tenants WHERE uai = ? AND status = 'deleted')`, t.UAI).Error; err != nil {
		return fmt.Errorf("memberships of the deleted %s: %w", t.UAI, err)
	}
	for _, e := range m.Platform {
		// Only what the restored directory backs: the person row that holds this identity,
		// roles of an establishment, and never a platform administrator's account (a tampered
		// archive must not attach someone else's account, nor grant a platform role).
		stmt := `INSERT INTO platform.memberships (identity_id, tenant_id, person_id, roles, active, updated_at)
			SELECT x.identity_id, ?, x.person_id, x.roles, x.active, now()
			FROM json_populate_recordset(NULL::platform.memberships, ?::json) x
			JOIN ` + pgx.Identifier{t.SchemaName, "people"}.Sanitize() + ` p ON p.id = x.person_id AND p.identity_id = x.identity_id
			WHERE EXISTS (SELECT 1 FROM platform.accounts a WHERE a.identity_id = x.identity_id)
			  AND NOT EXISTS (SELECT 1 FROM platform.platform_admins pa WHERE pa.identity_id = x.identity_id)
			  AND x.roles <@ ARRAY['eleve', 'responsable', 'enseignant', 'vie_scolaire', 'direction', 'admin', 'personnel']::text[]
			ON CONFLICT (identity_id, tenant_id) DO NOTHING`
		if err := loadRows(ctx, tx, e, filepath.Join(dir, filepath.FromSlash(e.Path)), stmt, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// restore creates t at schema version `at`, runs load, then migrates to the latest version.
func (r *Registry) restore(ctx context.Context, tx *gorm.DB, t *Tenant, at int, load func(*gorm.DB) error) error {
	if err := r.create(ctx, tx, t, r.opts.TenantMigrations.UpTo(at)); err != nil {
		return err
	}
	if err := enterSchema(tx, t.SchemaName, t.RoleName); err != nil {
		return err
	}
	if err := load(tx); err != nil {
		return err
	}
	_, to, err := migrations.Apply(ctx, tx, r.opts.TenantMigrations)
	if err != nil {
		return err
	}
	if err := leaveSchema(tx); err != nil {
		return err
	}
	t.SchemaVersion = to
	return tx.Model(t).Update("schema_version", to).Error
}

// readArchive reads and verifies an archive into dir, returning its manifest.
func readArchive(src io.Reader, dir string) (*Manifest, error) {
	gz, err := gzip.NewReader(src)
	if err != nil {
		return nil, invalidArchive("ce n'est pas une archive .tar.gz d'export Cartable")
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil {
		return nil, invalidArchive("archive vide ou illisible")
	}
	if hdr.Name != manifestName {
		return nil, invalidArchive("la première entrée doit être %s, pas %q", manifestName, hdr.Name)
	}
	if hdr.Size > maxManifestSize {
		return nil, invalidArchive("%s est trop gros (%d octets)", manifestName, hdr.Size)
	}
	var m Manifest
	dec := json.NewDecoder(io.LimitReader(tr, maxManifestSize))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, invalidArchive("%s illisible : ce n'est pas le manifeste JSON d'un export Cartable de ce format", manifestName)
	}
	if m.Format != ArchiveFormat || m.FormatVersion != ArchiveFormatVersion {
		return nil, invalidArchive("format %q version %d inconnu (attendu %q version %d)", m.Format, m.FormatVersion, ArchiveFormat, ArchiveFormatVersion)
	}
	if _, err := ParseUAI(string(m.Tenant.UAI)); err != nil {
		return nil, invalidArchive("%s : UAI %q invalide", manifestName, m.Tenant.UAI)
	}
	want := map[string]ArchiveEntry{}
	for _, e := range m.Tables {
		if !tableEntryOK(e) {
			return nil, invalidArchive("%s : table %q ou chemin %q invalide", manifestName, e.Name, e.Path)
		}
		want[e.Path] = e
	}
	for _, e := range m.Platform {
		if e.Name != membershipsEntry || e.Path != "platform/"+membershipsEntry+".jsonl" {
			return nil, invalidArchive("%s : entrée de plateforme %q ou chemin %q invalide", manifestName, e.Name, e.Path)
		}
		want[e.Path] = e
	}
	for _, e := range m.Files {
		if !fileEntryOK(e.Path) {
			return nil, invalidArchive("%s : chemin de fichier %q invalide", manifestName, e.Path)
		}
		want[e.Path] = e
	}
	for _, e := range m.Blobs {
		if _, dup := want[e.Path]; dup || !blobEntryOK(e.Path) {
			return nil, invalidArchive("%s : chemin de document %q invalide", manifestName, e.Path)
		}
		want[e.Path] = e
	}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, invalidArchive("archive tronquée ou corrompue")
		}
		e, ok := want[hdr.Name]
		if !ok {
			return nil, invalidArchive("entrée %q absente du manifeste", hdr.Name)
		}
		delete(want, hdr.Name)
		if err := spool(tr, filepath.Join(dir, filepath.FromSlash(hdr.Name)), e); err != nil {
			return nil, err
		}
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for p := range want {
			missing = append(missing, p)
		}
		sort.Strings(missing)
		return nil, invalidArchive("entrées du manifeste absentes de l'archive : %s", strings.Join(missing, ", "))
	}
	return &m, nil
}

func tableEntryOK(e ArchiveEntry) bool {
	return ValidIdentifier(e.Name) && e.Path == "tables/"+e.Name+".jsonl"
}

// ValidIdentifier accepts the lower-case SQL identifiers our migrations use.
func ValidIdentifier(s string) bool {
	if s == "" || len(s) > 63 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] == '_') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func fileEntryOK(p string) bool {
	rest, ok := strings.CutPrefix(p, "files/")
	return ok && safeRelative(rest)
}

// safeRelative accepts a clean relative slash path that stays below its root.
func safeRelative(rest string) bool {
	return rest != "" && path.Clean(rest) == rest && !strings.HasPrefix(rest, "../") && rest != ".." && !path.IsAbs(rest)
}

func spool(r io.Reader, dst string, e ArchiveEntry) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, e.Size+1))
	if err != nil {
		return invalidArchive("lecture de %s impossible : archive tronquée ou corrompue", e.Path)
	}
	if n != e.Size {
		return invalidArchive("%s : %d octets au lieu des %d annoncés", e.Path, n, e.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != e.SHA256 {
		return invalidArchive("%s : somme de contrôle fausse (fichier altéré ?)", e.Path)
	}
	return f.Close()
}

const loadBatch = 500

// loadTables inserts the archived rows, parents before children.
func loadTables(ctx context.Context, tx *gorm.DB, m *Manifest, dir string) error {
	existing, err := tableNames(tx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, n := range existing {
		known[n] = true
	}
	byName := map[string]ArchiveEntry{}
	for _, e := range m.Tables {
		if !known[e.Name] {
			return invalidArchive("la table %q n'existe pas au schéma version %d", e.Name, m.SchemaVersion)
		}
		byName[e.Name] = e
	}
	order, err := tablesInLoadOrder(tx, existing)
	if err != nil {
		return err
	}
	for _, name := range order {
		e, ok := byName[name]
		if !ok {
			continue
		}
		if err := loadTable(ctx, tx, e, filepath.Join(dir, filepath.FromSlash(e.Path))); err != nil {
			return err
		}
	}
	return resetSequences(tx)
}

// tablesInLoadOrder sorts tables so that a table comes after those its foreign keys point to.
func tablesInLoadOrder(tx *gorm.DB, tables []string) ([]string, error) {
	var deps []struct{ Child, Parent string }
	err := tx.Raw(`SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
		JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND ch.oid <> pa.oid`).Scan(&deps).Error
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for _, d := range deps {
		parents[d.Child] = append(parents[d.Child], d.Parent)
	}
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, p := range parents[n] {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, n := range tables {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func loadTable(ctx context.Context, tx *gorm.DB, e ArchiveEntry, file string) error {
	var cols []string
	if err := tx.Raw(`SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0
		AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, pgx.Identifier{e.Name}.Sanitize()).Scan(&cols).Error; err != nil {
		return fmt.Errorf("columns of %s: %w", e.Name, err)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	list, table := strings.Join(quoted, ", "), pgx.Identifier{e.Name}.Sanitize()
	stmt := `INSERT INTO ` + table + ` (` + list + `) OVERRIDING SYSTEM VALUE SELECT ` + list +
		` FROM json_populate_recordset(NULL::` + table + `, ?::json)`
	// Restored rows are the data as it was: the schema's own triggers (a school year's default
	// periods, …) must not add to them. DISABLE TRIGGER USER leaves the foreign-key checks on,
	// and the transaction rolls it back with the rest if the load fails.
	if err := tx.Exec(`ALTER TABLE ` + table + ` DISABLE TRIGGER USER`).Error; err != nil {
		return fmt.Errorf("disable the triggers of %s: %w", e.Name, err)
	}
	// The schema was just made by the migrations: what a table holds already is only what they
	// seed (default settings, a default list), and the archive has the establishment's own.
	if err := tx.Exec(`DELETE FROM ` + table).Error; err != nil {
		return fmt.Errorf("clear the seeded rows of %s: %w", e.Name, err)
	}
	if err := loadRows(ctx, tx, e, file, stmt); err != nil {
		return err
	}
	if err := tx.Exec(`ALTER TABLE ` + table + ` ENABLE TRIGGER USER`).Error; err != nil {
		return fmt.Errorf("enable the triggers of %s: %w", e.Name, err)
	}
	return nil
}

// loadRows runs stmt over the rows of file, in batches of JSON arrays (stmt's last argument,
// after args).
func loadRows(ctx context.Context, tx *gorm.DB, e ArchiveEntry, file, stmt string, args ...any) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	var batch []string
	line := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := tx.WithContext(ctx).Exec(stmt, append(args, "["+strings.Join(batch, ",")+"]")...).Error
		if err != nil {
			return invalidArchive("%s, lignes %d à %d : %s", e.Path, line-len(batch)+1, line, rowsRefused(err))
		}
		batch = batch[:0]
		return nil
	}
	for sc.Scan() {
		line++
		if !json.Valid(sc.Bytes()) {
			return invalidArchive("%s, ligne %d : JSON invalide", e.Path, line)
		}
		batch = append(batch, sc.Text())
		if len(batch) == loadBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return invalidArchive("%s : ligne trop longue ou illisible", e.Path)
	}
	return flush()
}

// rowsRefused says in French why the database refused archived rows, from the error's
// fields (column, constraint), never its raw text.
func rowsRefused(err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return "ces lignes ne correspondent pas au schéma de la table"
	}
	switch {
	case pe.Code == "23502":
		return fmt.Sprintf("la colonne « %s » est vide alors qu'elle est obligatoire", pe.ColumnName)
	case strings.HasPrefix(pe.Code, "23"):
		return fmt.Sprintf("une règle d'intégrité (%s) est violée : l'archive est incohérente", pe.ConstraintName)
	case strings.HasPrefix(pe.Code, "22"):
		return "une valeur n'a pas le type attendu par la table"
	}
	return "ces lignes ne correspondent pas au schéma de la table"
}

// resetSequences moves every sequence owned by a column past the largest restored value.
func resetSequences(tx *gorm.DB) error {
	var seqs []struct{ Tbl, Col, Seq string }
	err := tx.Raw(`SELECT c.relname AS tbl, a.attname AS col, s.relname AS seq
		FROM pg_depend d
		JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
		JOIN pg_class c ON c.oid = d.refobjid
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
		WHERE c.relnamespace = current_schema()::regnamespace AND d.deptype IN ('a', 'i')`).Scan(&seqs).Error
	if err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	for _, s := range seqs {
		q := `SELECT setval(?::regclass, coalesce(max(` + pgx.Identifier{s.Col}.Sanitize() + `), 0) + 1, false) FROM ` + pgx.Identifier{s.Tbl}.Sanitize()
		if err := tx.Exec(q, pgx.Identifier{s.Seq}.Sanitize()).Error; err != nil {
			return fmt.Errorf("reset sequence %s: %w", s.Seq, err)
		}
	}
	return nil
}

func (r *Registry) filesDir(schema string) string {
	if r.opts.FilesDir == "" {
		return ""
	}
	return filepath.Join(r.opts.FilesDir, "tenants", schema)
}

func renameIfExists(from, to string) error {
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return os.Rename(from, to)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
