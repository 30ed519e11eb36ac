package news

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// store is news's SQL, bound to one tenant transaction.
type store struct{ tx *gorm.DB }

// postColumns are a post's columns as Post scans them, from p (the post), a (its author)
// and c (its class).
const postColumns = `p.id, p.author_id, coalesce(a.first_name || ' ' || a.last_name, 'Ancien auteur') AS author,
	p.title, p.body, p.body_html, p.audience, p.class_id, coalesce(c.label, '') AS class_label, p.state, p.headline,
	p.publish_at, p.expires_at, p.published_at, p.updated_at`

const postFrom = ` FROM news_posts p LEFT JOIN people a ON a.id = p.author_id LEFT JOIN classes c ON c.id = p.class_id `

// shownOrder puts headlines first, then the newest.
const shownOrder = ` ORDER BY p.headline DESC, coalesce(p.publish_at, p.published_at) DESC, p.id`

func (s store) post(id uuid.UUID) (Post, error) {
	var out []Post
	if err := s.tx.Raw(`SELECT `+postColumns+postFrom+`WHERE p.id = ?`, id).Scan(&out).Error; err != nil {
		return Post{}, fmt.Errorf("news: post %s: %w", id, err)
	}
	if len(out) == 0 {
		return Post{}, notFound()
	}
	return out[0], nil
}

func notFound() error { return fault.New(fault.ErrNotFound, "actualité introuvable") }

// addressed tells whether the current post id is addressed to person me now.
func (s store) addressed(id, me uuid.UUID, now time.Time) (bool, error) {
	var n int
	err := s.tx.Raw(`SELECT count(*) FROM news_posts p WHERE p.id = @id AND `+current+` AND `+addressedTo,
		map[string]any{"id": id, "me": me, "now": now}).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("news: is %s addressed to %s: %w", id, me, err)
	}
	return n > 0, nil
}

// markRead records me's first view of post id; later views change nothing (the primary
// key keeps one row per person, even under concurrent views).
func (s store) markRead(id, me uuid.UUID, now time.Time) error {
	if err := s.tx.Exec(`INSERT INTO news_reads (post_id, person_id, read_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, me, now).Error; err != nil {
		return fmt.Errorf("news: mark %s read by %s: %w", id, me, err)
	}
	return nil
}

// shown lists the current posts addressed to me, headlines first; headlinesOnly keeps those.
func (s store) shown(me uuid.UUID, now time.Time, headlinesOnly bool, limit int) ([]Post, error) {
	q := `SELECT ` + postColumns + `, EXISTS (SELECT 1 FROM news_reads r WHERE r.post_id = p.id AND r.person_id = @me) AS read` +
		postFrom + `WHERE ` + current + ` AND ` + addressedTo
	if headlinesOnly {
		q += ` AND p.headline`
	}
	var out []Post
	if err := s.tx.Raw(q+shownOrder+` LIMIT @limit`, map[string]any{"me": me, "now": now, "limit": limit}).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("news: posts shown to %s: %w", me, err)
	}
	return out, nil
}

// managed lists posts with their read counts: every post (author Nil) or author's, the
// newest first. The counts are of people addressed now, so a pupil who left is not counted.
// Audience sizes are counted per kind of audience and per class in one pass (audienceSizes),
// not person by person for each post: the same people as inAudience, counted in bulk.
func (s store) managed(author uuid.UUID, now time.Time, limit int) ([]Managed, error) {
	q := `WITH listed AS (SELECT * FROM news_posts p WHERE @author = '00000000-0000-0000-0000-000000000000'::uuid OR p.author_id = @author
			ORDER BY p.updated_at DESC, p.id LIMIT @limit), ` + audienceSizes + `
		SELECT ` + postColumns + `,
		coalesce(rd.n, 0) AS readers,
		CASE p.audience WHEN 'etablissement' THEN t.everyone WHEN 'personnels' THEN t.staff
			WHEN 'responsables' THEN CASE WHEN p.class_id IS NULL THEN t.guardians ELSE coalesce(cs.guardians, 0) END
			ELSE coalesce(cs.members, 0) END AS audience_size,
		(` + current + `) AS current
		FROM listed p LEFT JOIN people a ON a.id = p.author_id LEFT JOIN classes c ON c.id = p.class_id
		CROSS JOIN totals t LEFT JOIN class_sizes cs ON cs.class_id = p.class_id LEFT JOIN readers rd ON rd.post_id = p.id
		ORDER BY p.updated_at DESC, p.id`
	var rows []struct {
		Post
		Readers, AudienceSize int
		Current               bool
	}
	if err := s.tx.Raw(q, map[string]any{"now": now, "limit": limit, "author": author}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("news: managed posts: %w", err)
	}
	out := make([]Managed, len(rows))
	for i, r := range rows {
		out[i] = Managed{Post: r.Post, Readers: r.Readers, Audience: r.AudienceSize, Current: r.Current}
	}
	return out, nil
}

// audienceSizes are the CTEs counting, for the posts of "listed", the people inAudience
// addresses: totals (everyone, the staff, every guardian) and, per class or group of a
// listed post, its members (pupils, teachers, professeur principal, legal guardians of its
// pupils) and its pupils' legal guardians who hold the responsable role; then, per post,
// its readers who are in its audience today. TestAudienceSizesMatchTheCondition checks them
// against inAudience.
const audienceSizes = `totals AS (SELECT count(*) AS everyone, count(*) FILTER (WHERE category = 'personnel') AS staff,
		count(*) FILTER (WHERE 'responsable' = ANY (roles)) AS guardians FROM people WHERE active),
	class_people AS (SELECT c.class_id, x.person_id, x.guardian FROM (SELECT DISTINCT class_id FROM listed WHERE class_id IS NOT NULL) c
		CROSS JOIN LATERAL (
			SELECT m.person_id, false AS guardian FROM class_members m WHERE m.class_id = c.class_id
			UNION SELECT te.teacher_id, false FROM teachings te WHERE te.class_id = c.class_id
			UNION SELECT pt.teacher_id, false FROM principal_teachers pt WHERE pt.class_id = c.class_id
			UNION SELECT g.guardian_id, true FROM class_members m JOIN guardianships g ON g.pupil_id = m.person_id AND g.legal
				WHERE m.class_id = c.class_id) x),
	class_audience AS (SELECT cp.class_id, cp.person_id, bool_or(cp.guardian) AND 'responsable' = ANY (pe.roles) AS guardian
		FROM class_people cp JOIN people pe ON pe.id = cp.person_id AND pe.active GROUP BY cp.class_id, cp.person_id, pe.roles),
	class_sizes AS (SELECT class_id, count(*) AS members, count(*) FILTER (WHERE guardian) AS guardians FROM class_audience GROUP BY class_id),
	readers AS (SELECT p.id AS post_id, count(*) FILTER (WHERE CASE p.audience WHEN 'etablissement' THEN true
			WHEN 'personnels' THEN pe.category = 'personnel'
			WHEN 'responsables' THEN CASE WHEN p.class_id IS NULL THEN 'responsable' = ANY (pe.roles) ELSE coalesce(ca.guardian, false) END
			ELSE ca.person_id IS NOT NULL END) AS n
		FROM listed p JOIN news_reads r ON r.post_id = p.id JOIN people pe ON pe.id = r.person_id AND pe.active
		LEFT JOIN class_audience ca ON ca.class_id = p.class_id AND ca.person_id = r.person_id
		GROUP BY p.id)`

// classes are the current school year's classes and groups a post may address.
func (s store) classes() ([]ClassChoice, error) {
	var out []ClassChoice
	if err := s.tx.Raw(`SELECT id, kind, label FROM classes WHERE school_year IN (SELECT code FROM school_years WHERE current)
		ORDER BY kind, label`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("news: classes: %w", err)
	}
	return out, nil
}

// postRow is a post's columns as written.
type postRow struct {
	ID          uuid.UUID
	AuthorID    uuid.UUID
	Title       string
	Body        string
	BodyHTML    string `gorm:"column:body_html"`
	Audience    Audience
	ClassID     *uuid.UUID
	State       State
	Headline    bool
	PublishAt   *time.Time
	ExpiresAt   *time.Time
	PublishedAt *time.Time
	PublishedBy *uuid.UUID
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (s store) insert(r postRow) error {
	if err := s.tx.Table("news_posts").Create(&r).Error; err != nil {
		return fmt.Errorf("news: create post: %w", err)
	}
	return nil
}

func (s store) update(r postRow) error {
	res := s.tx.Exec(`UPDATE news_posts SET title = ?, body = ?, body_html = ?, audience = ?, class_id = ?, state = ?, headline = ?,
		publish_at = ?, expires_at = ?, published_at = ?, published_by = ?, updated_at = ? WHERE id = ?`,
		r.Title, r.Body, r.BodyHTML, r.Audience, r.ClassID, r.State, r.Headline, r.PublishAt, r.ExpiresAt, r.PublishedAt, r.PublishedBy, r.UpdatedAt, r.ID)
	if res.Error != nil {
		return fmt.Errorf("news: update post %s: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound()
	}
	return nil
}

// lockPost reads post id for an update (FOR UPDATE: two validations do not cross).
func (s store) lockPost(id uuid.UUID) (postRow, error) {
	var out []postRow
	if err := s.tx.Raw(`SELECT * FROM news_posts WHERE id = ? FOR UPDATE`, id).Scan(&out).Error; err != nil {
		return postRow{}, fmt.Errorf("news: lock post %s: %w", id, err)
	}
	if len(out) == 0 {
		return postRow{}, notFound()
	}
	return out[0], nil
}

func (s store) delete(id uuid.UUID) error {
	if err := s.tx.Exec(`DELETE FROM news_posts WHERE id = ?`, id).Error; err != nil {
		return fmt.Errorf("news: delete post %s: %w", id, err)
	}
	return nil
}

func (s store) files(post uuid.UUID) ([]File, error) {
	var out []File
	if err := s.tx.Raw(`SELECT * FROM news_files WHERE post_id = ? ORDER BY created_at, id`, post).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("news: files of %s: %w", post, err)
	}
	return out, nil
}

func (s store) file(id uuid.UUID) (File, error) {
	var out []File
	if err := s.tx.Raw(`SELECT * FROM news_files WHERE id = ?`, id).Scan(&out).Error; err != nil {
		return File{}, fmt.Errorf("news: file %s: %w", id, err)
	}
	if len(out) == 0 {
		return File{}, fault.New(fault.ErrNotFound, "pièce jointe introuvable")
	}
	return out[0], nil
}

func (s store) insertFile(f File) error {
	if err := s.tx.Exec(`INSERT INTO news_files (id, post_id, blob_key, name, content_type, size, sha256, alt, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, f.PostID, f.Key, f.Name, f.ContentType, f.Size, f.SHA256, f.Alt, f.CreatedAt).Error; err != nil {
		return fmt.Errorf("news: attach %q: %w", f.Name, err)
	}
	return nil
}

func (s store) deleteFile(id uuid.UUID) error {
	if err := s.tx.Exec(`DELETE FROM news_files WHERE id = ?`, id).Error; err != nil {
		return fmt.Errorf("news: delete file %s: %w", id, err)
	}
	return nil
}
