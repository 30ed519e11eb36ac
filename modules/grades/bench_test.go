package grades_test

import (
	"testing"

	"github.com/cartable-ent/cartable/modules/grades"
)

// benchSchool is a class of 35 pupils with 60 published evaluations of the first trimestre
// over 6 subjects (scales /10, /20, /40; coefficients 0,5, 1, 2), everyone marked, about 5 %
// absent. The data is written by a few set-based INSERTs.
func benchSchool(b *testing.B) (*svcSchool, *grades.Period) {
	b.Helper()
	s := newSvcSchool(b, newSvcRegistry(b), 1) // Alice, Bruno and Chloé in 2NDE1
	s.exec(b, `INSERT INTO subjects (code, label) VALUES ('HG', 'Histoire-géographie'), ('ANG', 'Anglais'), ('SVT', 'SVT'), ('PC', 'Physique-chimie')`)
	s.exec(b, `INSERT INTO people (category, roles, last_name, first_name)
		SELECT 'eleve', '{eleve}', 'Élève' || lpad(i::text, 2, '0'), 'Prénom' || i FROM generate_series(1, 32) i`)
	s.exec(b, `INSERT INTO class_members (class_id, person_id) SELECT ?, id FROM people WHERE last_name LIKE 'Élève%'`, s.class)
	s.exec(b, `INSERT INTO evaluations (class_id, subject_code, teacher_id, title, on_date, scale, coefficient, published, published_at)
		SELECT ?, (ARRAY['MATHS', 'FRANCAIS', 'HG', 'ANG', 'SVT', 'PC'])[1 + i % 6], ?, 'Évaluation ' || i, ?::date + (i * 80 / 60),
			(ARRAY[20, 20, 10, 40])[1 + i % 4], (ARRAY[1, 2, 0.5])[1 + i % 3], true, now()
		FROM generate_series(0, 59) i`, s.class, s.maths, s.start)
	s.exec(b, `INSERT INTO marks (evaluation_id, pupil_id, value, code)
		SELECT id, person_id, CASE WHEN h % 100 >= 5 THEN (h / 100 % (scale * 100 + 1)::int)::numeric / 100 END, CASE WHEN h % 100 < 5 THEN 'Abs' END
		FROM (SELECT e.id, m.person_id, e.scale, abs(hashtext(e.id::text || m.person_id::text)::bigint) AS h
			FROM evaluations e JOIN class_members m ON m.class_id = e.class_id) x`)
	if n := s.count(b, `SELECT count(*) FROM marks`); n != 35*60 {
		b.Fatalf("%d marks; want %d", n, 35*60)
	}
	if abs := s.count(b, `SELECT count(*) FROM marks WHERE code = 'Abs'`); abs < 35*60*2/100 || abs > 35*60*9/100 {
		b.Fatalf("%d Abs of %d marks; want about 5 %%", abs, 35*60)
	}
	s.exec(b, `ANALYZE`)
	p := s.period(b, 1)
	return s, p
}

// BenchmarkPupilMarksPage is a pupil opening their marks page: access check, their 60
// evaluations with their marks, the class figures (PostgreSQL adds up the 2,100 marks of the
// class: no mark of another pupil is loaded), every average, and the visit recorded.
// Target: < 20 ms.
func BenchmarkPupilMarksPage(b *testing.B) {
	s, p := benchSchool(b)
	a := s.asPupil(s.alice)
	r, err := s.svc.PupilMarks(sctx, s.tn, a, s.alice, p)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(evalTitles(r)); n != 60 || len(r.Subjects) != 6 || r.General == nil {
		b.Fatalf("page with %d evaluations, %d subjects; want 60 and 6", n, len(r.Subjects))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.svc.PupilMarks(sctx, s.tn, a, s.alice, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassReportCards computes the report cards of the whole class for the period.
func BenchmarkClassReportCards(b *testing.B) {
	s, p := benchSchool(b)
	rs, err := s.svc.ClassReports(sctx, s.tn, s.class, p)
	if err != nil {
		b.Fatal(err)
	}
	if len(rs) != 35 || len(rs[0].Subjects) != 6 {
		b.Fatalf("%d report cards; want 35 with 6 subjects", len(rs))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.svc.ClassReports(sctx, s.tn, s.class, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportCard is one pupil's report card (direction's view: no publication needed):
// the pupil's marks, the class figures, the appréciations and the conseil's comment.
func BenchmarkReportCard(b *testing.B) {
	s, p := benchSchool(b)
	a := s.asDirector()
	r, err := s.svc.ReportCard(sctx, s.tn, a, s.alice, p)
	if err != nil {
		b.Fatal(err)
	}
	if len(r.Subjects) != 6 || r.General == nil || r.ClassStats.Count != 35 {
		b.Fatalf("report card with %d subjects, class of %d; want 6 and 35", len(r.Subjects), r.ClassStats.Count)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.svc.ReportCard(sctx, s.tn, a, s.alice, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGrid is a teacher opening the entry grid of one evaluation (35 pupils).
func BenchmarkGrid(b *testing.B) {
	s, p := benchSchool(b)
	a := s.asMaths()
	evs, err := s.svc.ClassEvaluations(sctx, s.tn, a, s.class, "MATHS", p)
	if err != nil || len(evs) == 0 {
		b.Fatalf("maths evaluations: %d, %v", len(evs), err)
	}
	g, err := s.svc.Grid(sctx, s.tn, a, evs[0].ID)
	if err != nil || len(g.Rows) != 35 {
		b.Fatalf("grid: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.svc.Grid(sctx, s.tn, a, evs[0].ID); err != nil {
			b.Fatal(err)
		}
	}
}
