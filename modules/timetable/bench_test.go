package timetable_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// bigSchool is a 1,500-pupil lycée's timetable written in SQL: 45 classes of 28 one-hour
// lessons a week and 30 groups of 3 (1,350 slots, 120 teachers), one pupil in a class and
// two groups, and 100 exceptions in the week of the clock.
func bigSchool(b *testing.B) (*school, uuid.UUID) {
	reg := tenanttest.NewRegistry(b, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(b, reg, 9)
	s.exec(b, `INSERT INTO people (id, category, roles, last_name, first_name, login)
		SELECT gen_random_uuid(), 'personnel', '{enseignant}', 'Prof' || i, 'Test', 'prof' || i FROM generate_series(1, 120) i`)
	s.exec(b, `INSERT INTO classes (id, kind, code, label, school_year)
		SELECT gen_random_uuid(), CASE WHEN i <= 45 THEN 'classe' ELSE 'groupe' END, 'C' || i, 'Classe ' || i, (SELECT code FROM school_years WHERE current)
		FROM generate_series(1, 75) i`)
	s.exec(b, `INSERT INTO lesson_slots (class_id, subject_code, room, weekday, starts_at, ends_at, weeks, valid_from, valid_until)
		SELECT c.id, 'MATHS', 'R' || (n % 40), 1 + n % 5, time '08:00' + (n / 5 % 8) * interval '1 hour', time '08:55' + (n / 5 % 8) * interval '1 hour',
			CASE WHEN n % 7 = 0 THEN 'A' WHEN n % 7 = 1 THEN 'B' ELSE 'all' END, y.starts_on, y.ends_on
		FROM classes c CROSS JOIN school_years y CROSS JOIN generate_series(0, 27) n
		WHERE y.current AND c.code LIKE 'C%' AND (c.kind = 'classe' OR n < 3)`)
	s.exec(b, `INSERT INTO lesson_slot_teachers (slot_id, teacher_id)
		SELECT s.id, (SELECT id FROM people WHERE login = 'prof' || (1 + abs(hashtext(s.id::text)) % 120)) FROM lesson_slots s`)
	pupil := s.alice
	s.exec(b, `INSERT INTO class_members (class_id, person_id) SELECT id, ? FROM classes WHERE code IN ('C1', 'C50', 'C60')`, pupil)
	s.exec(b, `INSERT INTO lesson_exceptions (slot_id, on_date, kind, note)
		SELECT id, date '2026-10-05' + (weekday - 1), 'annule', 'bench' FROM lesson_slots WHERE weeks = 'all' ORDER BY id LIMIT 100`)
	return s, pupil
}

// BenchmarkLessonsOn: a day's lessons of a 1,500-pupil lycée, what the roll call reads to
// create the day's registers (~250 lessons).
//
//	./.bin/pgrun -- go test -run '^$' -bench 'LessonsOn|PupilWeek' -benchtime 200x ./modules/timetable/
func BenchmarkLessonsOn(b *testing.B) {
	s, _ := bigSchool(b)
	day := timetable.Monday(s.clock.Now())
	got, err := s.svc.LessonsOn(sctx, s.tn, day)
	if err != nil || len(got) < 200 {
		b.Fatalf("%d lessons, %v", len(got), err)
	}
	b.ReportMetric(float64(len(got)), "lessons")
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.svc.LessonsOn(sctx, s.tn, day); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPupilWeek: one pupil's week in that lycée, the page a pupil opens.
func BenchmarkPupilWeek(b *testing.B) {
	s, pupil := bigSchool(b)
	a := timetable.Actor{PersonID: pupil, Roles: []identity.Role{identity.RoleEleve}}
	for b.Loop() {
		if _, err := s.svc.PupilWeek(sctx, s.tn, a, pupil, s.clock.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
