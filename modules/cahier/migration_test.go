package cahier_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/migrations"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestMigrationLessonDate: migration 0029 gives the séances written before it the date
// their slot gives their lesson: a moved lesson's is its exception's, a plain one's its own
// day, an exceptional séance none; an archived class's séances are filled in too (its lock
// does not stop the migration) and stay locked after it.
func TestMigrationLessonDate(t *testing.T) {
	ctx := context.Background()
	gdb := tenanttest.Open(t, tenant.PoolOptions{MaxOpenConns: 4})
	before := tenanttest.RegistryOn(t, gdb, tenant.Options{TenantMigrations: migrations.Tenant().UpTo(28)})
	tn := tenanttest.Provision(t, before, tenanttest.UAI(33, 291), "Lycée Migration", "lycee")
	class, archived, slot, slot2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	moved, plain, exceptional, old := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	run := func(reg *tenant.Registry, q string, args ...any) error {
		return reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error { return tx.Exec(q, args...).Error })
	}
	must := func(q string, args ...any) {
		t.Helper()
		if err := run(before, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(`INSERT INTO school_years (code, starts_on, ends_on, current) VALUES ('2025-2026', '2025-09-01', '2026-07-04', false), ('2026-2027', '2026-09-01', '2027-07-04', true) ON CONFLICT DO NOTHING`)
	must(`INSERT INTO subjects (code, label) VALUES ('MATHS', 'Mathématiques') ON CONFLICT DO NOTHING`)
	must(`INSERT INTO classes (id, kind, code, label, school_year) VALUES (?, 'classe', '2NDE1', '2nde 1', '2026-2027'), (?, 'classe', '2NDE9', '2nde 9', '2025-2026')`, class, archived)
	must(`INSERT INTO lesson_slots (id, class_id, subject_code, weekday, starts_at, ends_at, valid_from, valid_until) VALUES
		(?, ?, 'MATHS', 4, '10:00', '11:00', '2026-09-01', '2027-07-04'), (?, ?, 'MATHS', 4, '10:00', '11:00', '2025-09-01', '2026-07-04')`, slot, class, slot2, archived)
	must(`INSERT INTO lesson_exceptions (slot_id, on_date, kind, new_date, new_starts_at, new_ends_at) VALUES (?, '2026-10-08', 'deplace', '2026-10-09', '15:00', '16:00')`, slot)
	row := `INSERT INTO cahier_sessions (id, class_id, subject_code, slot_id, on_date, starts_at, ends_at, title, state, publish_at, created_at, updated_at)
		VALUES (?, ?, 'MATHS', ?, ?, ?, ?, 'Séance', 'publie', now(), now(), now())`
	must(row, moved, class, slot, "2026-10-09", "15:00", "16:00")
	must(row, plain, class, slot, "2026-10-15", "10:00", "11:00")
	must(row, exceptional, class, nil, "2026-10-10", "08:00", "09:00")
	must(row, old, archived, slot2, "2026-05-14", "10:00", "11:00")
	must(`INSERT INTO cahier_archives (class_id, school_year, blob_key, name, size, sha256, sessions, created_at)
		VALUES (?, '2025-2026', 'cahier/archives/x', 'Cahier.pdf', 100, repeat('a', 64), 1, now())`, archived)

	after := tenanttest.RegistryOn(t, gdb, tenant.Options{})
	if rep, err := after.MigrateTenants(ctx, 1); err != nil || rep.Failed != 0 {
		t.Fatalf("migrate: %+v, %v", rep, err)
	}
	var got []struct {
		ID         uuid.UUID
		LessonDate *string
	}
	if err := after.DB().ReadTx(ctx, tn, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id, to_char(lesson_date, 'YYYY-MM-DD') AS lesson_date FROM cahier_sessions`).Scan(&got).Error
	}); err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]string{moved: "2026-10-08", plain: "2026-10-15", exceptional: "", old: "2026-05-14"}
	for _, g := range got {
		d := ""
		if g.LessonDate != nil {
			d = *g.LessonDate
		}
		if d != want[g.ID] {
			t.Errorf("séance %s: lesson_date %q, want %q", g.ID, d, want[g.ID])
		}
	}
	if err := run(after, `UPDATE cahier_sessions SET title = 'Changée' WHERE id = ?`, old); err == nil {
		t.Error("the archived class's séance changed after the migration")
	}
}
