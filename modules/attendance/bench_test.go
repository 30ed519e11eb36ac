package attendance_test

import (
	"testing"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// BenchmarkEnsureDay: a 1,500-pupil lycée's day of registers (45 classes of 33 pupils, 30
// groups; ~250 lessons a day, ~7,000 roster lines), created from the timetable ("create"),
// then created again as every opening of a day page does ("again": nothing changes).
//
//	./.bin/pgrun -- go test -run '^$' -bench EnsureDay -benchtime 20x ./modules/attendance/
func BenchmarkEnsureDay(b *testing.B) {
	reg := tenanttest.NewRegistry(b, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(b, reg, 9)
	s.exec(b, `INSERT INTO people (id, category, roles, last_name, first_name)
		SELECT gen_random_uuid(), 'personnel', '{enseignant}', 'Prof' || i, 'Test' FROM generate_series(1, 120) i`)
	s.exec(b, `INSERT INTO classes (id, kind, code, label, school_year)
		SELECT gen_random_uuid(), CASE WHEN i <= 45 THEN 'classe' ELSE 'groupe' END, 'C' || i, 'Classe ' || i, (SELECT code FROM school_years WHERE current)
		FROM generate_series(1, 75) i`)
	s.exec(b, `INSERT INTO people (id, category, roles, last_name, first_name)
		SELECT gen_random_uuid(), 'eleve', '{eleve}', 'Eleve' || i, 'Test' FROM generate_series(1, 1485) i`)
	s.exec(b, `INSERT INTO class_members (class_id, person_id)
		SELECT c.id, p.id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM people WHERE last_name LIKE 'Eleve%') p
		JOIN classes c ON c.code = 'C' || (1 + p.n % 45)`)
	s.exec(b, `INSERT INTO class_members (class_id, person_id)
		SELECT c.id, p.id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM people WHERE last_name LIKE 'Eleve%') p
		JOIN classes c ON c.code = 'C' || (46 + p.n % 30) WHERE p.n % 3 = 0`)
	s.exec(b, `INSERT INTO lesson_slots (class_id, subject_code, weekday, starts_at, ends_at, valid_from, valid_until)
		SELECT c.id, 'MATHS', 1 + n % 5, time '08:00' + (n / 5 % 8) * interval '1 hour', time '08:55' + (n / 5 % 8) * interval '1 hour', y.starts_on, y.ends_on
		FROM classes c CROSS JOIN school_years y CROSS JOIN generate_series(0, 27) n
		WHERE y.current AND c.code LIKE 'C%' AND (c.kind = 'classe' OR n < 3)`)
	s.exec(b, `INSERT INTO lesson_slot_teachers (slot_id, teacher_id)
		SELECT s.id, (SELECT id FROM people WHERE last_name = 'Prof' || (1 + abs(hashtext(s.id::text)) % 120)) FROM lesson_slots s`)
	day := s.svc.Today()
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s.exec(b, `DELETE FROM registers`)
			b.StartTimer()
			if err := s.svc.EnsureDay(sctx, s.tn, day); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(s.count(b, `SELECT count(*) FROM registers`)), "registers")
		b.ReportMetric(float64(s.count(b, `SELECT count(*) FROM register_entries`)), "roster-lines")
	})
	b.Run("again", func(b *testing.B) {
		for b.Loop() {
			if err := s.svc.EnsureDay(sctx, s.tn, day); err != nil {
				b.Fatal(err)
			}
		}
	})
}
