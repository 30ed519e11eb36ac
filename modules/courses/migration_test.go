package courses_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestMigrationMovesFiles: migration 0028 moves the file blocks' details written before it
// into course_files, each blob once however many blocks (a copy's) name it, with its first
// block's course author as sender; the file space then counts each once; the pupils of a
// course published before count as told.
func TestMigrationMovesFiles(t *testing.T) {
	ctx := context.Background()
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 4})
	before := tenanttest.RegistryOn(t, gdb, tenant.Options{TenantMigrations: migrations.Tenant().UpTo(27)})
	tn := tenanttest.Provision(t, before, tenanttest.UAI(33, 281), "Lycée Migration", "lycee")
	teacher, pupil, class := uuid.New(), uuid.New(), uuid.New()
	orig, copied := uuid.New(), uuid.New()
	run := func(reg *tenant.Registry, q string, args ...any) {
		t.Helper()
		if err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run(before, `INSERT INTO school_years (code, starts_on, ends_on, current) VALUES ('2026-2027', '2026-09-01', '2027-07-04', true) ON CONFLICT DO NOTHING`)
	run(before, `INSERT INTO people (id, category, roles, last_name, first_name) VALUES (?, 'personnel', '{enseignant}', 'Lefèvre', 'Claire'), (?, 'eleve', '{eleve}', 'Martin', 'Alice')`, teacher, pupil)
	run(before, `INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', '2026-2027')`, class)
	run(before, `INSERT INTO class_members (class_id, person_id) VALUES (?, ?)`, class, pupil)
	run(before, `INSERT INTO courses (id, author_id, title, school_year, state, published_at, created_at, updated_at) VALUES
		(?, ?, 'Optique', '2026-2027', 'publie', '2026-10-01', '2026-10-01', '2026-10-01'), (?, ?, 'Optique (copie)', '2026-2027', 'brouillon', NULL, '2026-10-02', '2026-10-02')`,
		orig, teacher, copied, teacher)
	run(before, `INSERT INTO course_audiences (course_id, class_id) VALUES (?, ?)`, orig, class)
	for _, c := range []uuid.UUID{orig, copied} {
		run(before, `WITH se AS (INSERT INTO course_sections (course_id, position, title) VALUES (?, 1, 'Chapitre') RETURNING id),
			p AS (INSERT INTO course_pages (section_id, position, title) SELECT id, 1, 'Page' FROM se RETURNING id)
			INSERT INTO course_blocks (page_id, position, kind, blob_key, name, content_type, size, sha256, created_at)
			SELECT p.id, 1, 'fichier', 'courses/shared', 'lentilles.pdf', 'application/pdf', 5000, repeat('a', 64), '2026-10-01' FROM p`, c)
	}
	run(before, `INSERT INTO course_blocks (page_id, position, kind, blob_key, name, content_type, size, sha256, created_at)
		SELECT p.id, 2, 'fichier', 'courses/own', 'prisme.pdf', 'application/pdf', 700, repeat('b', 64), '2026-10-01'
		FROM course_pages p JOIN course_sections se ON se.id = p.section_id WHERE se.course_id = ?`, orig)

	after := tenanttest.RegistryOn(t, gdb, tenant.Options{})
	if rep, err := after.MigrateTenants(ctx, 1); err != nil || rep.Failed != 0 {
		t.Fatalf("migrate: %+v, %v", rep, err)
	}
	var got struct {
		Files, Bytes, Rows, Named, Told int
		Sender                          uuid.UUID
	}
	if err := after.DB().ReadTx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT (SELECT sum(files) FROM file_space WHERE table_name = 'course_files') AS files,
			(SELECT sum(bytes) FROM file_space WHERE table_name = 'course_files') AS bytes,
			(SELECT count(*) FROM course_files) AS rows,
			(SELECT count(*) FROM course_blocks b JOIN course_files f ON f.blob_key = b.blob_key) AS named,
			(SELECT count(*) FROM course_notices WHERE course_id = ? AND pupil_id = ?) AS told,
			(SELECT author_id FROM course_files WHERE blob_key = 'courses/shared') AS sender`, orig, pupil).Scan(&got).Error
	}); err != nil {
		t.Fatal(err)
	}
	if got.Files != 2 || got.Bytes != 5700 || got.Rows != 2 || got.Named != 3 || got.Told != 1 || got.Sender != teacher {
		t.Fatalf("after 0028: %+v; want 2 files of 5,700 bytes counted, 2 rows named by 3 blocks, the pupil told, the teacher sender", got)
	}
}
