package news_test

import (
	"testing"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/news"
)

// benchSite is the test site with a lycée's size: 1,500 more pupils in 2nde 1, each with a
// legal guardian, and 200 published posts (a year of news) to every audience, the newest 20
// read by half of them.
func benchSite(b *testing.B) *site {
	s := newSite(b)
	s.Exec(s.alpha, `INSERT INTO people (id, category, roles, last_name, first_name)
		SELECT gen_random_uuid(), c, ARRAY[r], 'Bench' || lpad(i::text, 4, '0'), 'Test'
		FROM generate_series(1, 1500) i, (VALUES ('eleve', 'eleve'), ('responsable', 'responsable')) v(c, r)`)
	s.Exec(s.alpha, `INSERT INTO class_members (class_id, person_id) SELECT ?, id FROM people WHERE category = 'eleve' AND last_name LIKE 'Bench%'`, s.class1)
	s.Exec(s.alpha, `INSERT INTO guardianships (pupil_id, guardian_id, legal, quality)
		SELECT e.id, r.id, true, 1 FROM people e JOIN people r ON r.last_name = e.last_name AND r.category = 'responsable'
		WHERE e.category = 'eleve' AND e.last_name LIKE 'Bench%'`)
	s.Exec(s.alpha, `INSERT INTO news_posts (author_id, title, body, body_html, audience, class_id, state, headline, published_at, created_at, updated_at)
		SELECT ?, 'Actualité ' || i, 'texte', '<p>texte</p>', a, CASE WHEN a IN ('classe', 'responsables') THEN ?::uuid END, 'publie', i % 20 = 0,
			?::timestamptz - i * interval '1 day', now(), now()
		FROM generate_series(1, 200) i, LATERAL (SELECT (ARRAY['etablissement', 'classe', 'personnels', 'responsables'])[1 + i % 4] AS a) x`,
		s.direction.PersonID, s.class1, s.clock.Now())
	s.Exec(s.alpha, `INSERT INTO news_reads (post_id, person_id, read_at)
		SELECT p.id, pe.id, now() FROM (SELECT id FROM news_posts ORDER BY published_at DESC LIMIT 20) p, people pe
		WHERE pe.last_name LIKE 'Bench%' AND pe.last_name < 'Bench0750'`)
	s.Exec(s.alpha, `ANALYZE`) // as autovacuum would have after such an import
	return s
}

// BenchmarkShown: a guardian's list of current posts (the /actualites page's query).
func BenchmarkShown(b *testing.B) {
	s := benchSite(b)
	a := news.Actor{PersonID: s.guardian.PersonID, Roles: []identity.Role{identity.RoleResponsable}}
	for b.Loop() {
		if posts, err := s.svc.Shown(b.Context(), s.alpha, a); err != nil || len(posts) == 0 {
			b.Fatal(err, len(posts))
		}
	}
}

// BenchmarkManaged: the direction's management page, every post with its read counts.
func BenchmarkManaged(b *testing.B) {
	s := benchSite(b)
	a := news.Actor{PersonID: s.direction.PersonID, Roles: []identity.Role{identity.RoleDirection}}
	for b.Loop() {
		if posts, err := s.svc.Managed(b.Context(), s.alpha, a); err != nil || len(posts) != 200 {
			b.Fatal(err, len(posts))
		}
	}
}
