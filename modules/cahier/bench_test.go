package cahier_test

import (
	"context"
	"io/fs"
	"net/http"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/moduletest"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// BenchmarkPupilWeek: a pupil's week of séances and work to do (their class and two groups
// with 35 lessons a week each, three times a real week: 105 séances, work due on half of
// them), in an
// establishment of 12 classes whose cahiers hold ten weeks each: the service alone, then the
// JSON API through the router (the session check cached, as in production).
func BenchmarkPupilWeek(b *testing.B) {
	// Friday 9 October 2026, 18:00: the whole week's séances are published.
	s := moduletest.New(b, moduletest.Options{Templates: []fs.FS{cahier.Templates}, SessionCache: time.Minute,
		Now: time.Date(2026, time.October, 9, 18, 0, 0, 0, testenv.Paris)})
	tn := s.Establishment(95, "Lycée Benchmark")
	svc := cahier.NewService(s.Reg.DB(), timetable.NewService(s.Reg.DB(), s.Clock.Now), s.Clock.Now)
	s.Mount(cahier.NewHandler(svc).Module())
	pupil := s.Member(tn, identity.RoleEleve, "Alice", "Martin")
	teacher := s.Member(tn, identity.RoleEnseignant, "Claire", "Lefèvre")
	year := s.Year()
	s.Exec(tn, `INSERT INTO subjects (code, label) SELECT 'S' || i, 'Matière ' || i FROM generate_series(1, 12) i`)
	s.Exec(tn, `INSERT INTO classes (kind, code, label, school_year) SELECT CASE WHEN i <= 12 THEN 'classe' ELSE 'groupe' END, 'C' || i, 'Classe ' || i, ?
		FROM generate_series(1, 24) i`, year)
	// Alice is in Classe 1 and the groups 13 and 14; every class and group has 35 lessons a
	// week (Monday to Friday, 8:00 to 15:00) for ten weeks from 7 September, each a séance,
	// every other one with work due the next day.
	s.Exec(tn, `INSERT INTO class_members (class_id, person_id) SELECT id, ? FROM classes WHERE code IN ('C1', 'C13', 'C14')`, pupil.PersonID)
	s.Exec(tn, `INSERT INTO cahier_sessions (class_id, subject_code, teacher_id, on_date, starts_at, ends_at, title, body, body_html, state, publish_at, created_at, updated_at)
		SELECT c.id, 'S' || (1 + (h + d) % 12), ?, d0 + d, make_time(8 + h, 0, 0), make_time(9 + h, 0, 0), 'Séance ' || h, 'Contenu', '<p>Contenu</p>', 'publie',
			(d0 + d + make_time(9 + h, 0, 0)) AT TIME ZONE 'Europe/Paris', now(), now()
		FROM classes c, generate_series(0, 9) w, generate_series(0, 4) dd, generate_series(0, 6) h,
			LATERAL (SELECT date '2026-09-07' + 7 * w AS d0, dd AS d) x`, teacher.PersonID)
	s.Exec(tn, `INSERT INTO cahier_work (session_id, class_id, subject_code, teacher_id, kind, description, description_html, due_on, minutes, publish_at, created_at, updated_at)
		SELECT se.id, se.class_id, se.subject_code, se.teacher_id, 'Exercices', 'Exercices', '<p>Exercices</p>', se.on_date + 1, 20, se.publish_at, now(), now()
		FROM cahier_sessions se WHERE extract(hour FROM se.starts_at)::int % 2 = 0`)
	s.Exec(tn, `ANALYZE`)
	ctx := context.Background()
	a := cahier.Actor{PersonID: pupil.PersonID, Roles: []identity.Role{identity.RoleEleve}}
	monday := time.Date(2026, time.October, 5, 0, 0, 0, 0, time.UTC)
	w, err := svc.PupilWeek(ctx, tn, a, pupil.PersonID, monday)
	if err != nil {
		b.Fatal(err)
	}
	if len(w.Sessions) != 3*35 || len(w.Work) == 0 {
		b.Fatalf("the week has %d séances and %d pieces of work", len(w.Sessions), len(w.Work))
	}
	b.Run("service", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.PupilWeek(ctx, tn, a, pupil.PersonID, monday); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("api", func(b *testing.B) {
		for b.Loop() {
			rec := s.Send(tn, pupil, http.MethodGet, "/api/v1/cahier/semaine?semaine=2026-10-05", nil)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			rec := s.Send(tn, pupil, http.MethodGet, "/cahier?semaine=2026-10-05", nil)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
