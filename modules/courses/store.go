package courses

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// store is courses' SQL, bound to one tenant transaction.
type store struct{ tx *gorm.DB }

func notFound() error { return fault.New(fault.ErrNotFound, "cours introuvable") }

// courseColumns are a course's columns as Course scans them, from c (the course), a (its
// author) and s (its subject), for the viewer @me.
const courseColumns = `c.id, c.author_id, coalesce(a.first_name || ' ' || a.last_name, 'Ancien auteur') AS author,
	c.title, c.description, coalesce(c.subject_code, '') AS subject_code, coalesce(s.label, '') AS subject_label,
	c.school_year, c.state, c.published_at, c.updated_at,
	coalesce((SELECT string_agg(cl.label, ', ' ORDER BY cl.kind, cl.label) FROM course_audiences ca JOIN classes cl ON cl.id = ca.class_id
		WHERE ca.course_id = c.id), '') AS classes,
	(` + edits + `) AS edits`

const courseFrom = ` FROM courses c LEFT JOIN people a ON a.id = c.author_id LEFT JOIN subjects s ON s.code = c.subject_code `

// edits is the SQL condition that @me is course c's author or a co-author.
const edits = `(c.author_id IS NOT NULL AND c.author_id = @me) OR EXISTS (SELECT 1 FROM course_coauthors co WHERE co.course_id = c.id AND co.person_id = @me)`

// pupilSees is the SQL condition that course c is published to a class or group of @me.
const pupilSees = `c.state = 'publie' AND EXISTS (SELECT 1 FROM course_audiences ca JOIN class_members m ON m.class_id = ca.class_id
	WHERE ca.course_id = c.id AND m.person_id = @me)`

// guardianSees is the SQL condition that course c is published to a class or group of a
// pupil @me is the legal guardian of.
const guardianSees = `c.state = 'publie' AND EXISTS (SELECT 1 FROM course_audiences ca JOIN class_members m ON m.class_id = ca.class_id
	JOIN guardianships g ON g.pupil_id = m.person_id AND g.legal WHERE ca.course_id = c.id AND g.guardian_id = @me)`

// scope is what a list shows the viewer, by their roles. Own is the pupil @me's own request:
// only then is their progress read (a guardian's list of a child's courses is of a pupil
// too, without it).
type scope struct {
	Me                              uuid.UUID
	All, Edit, Pupil, Guardian, Own bool
}

func (sc scope) args() map[string]any {
	return map[string]any{"me": sc.Me, "all": sc.All, "edit": sc.Edit, "pupil": sc.Pupil, "guardian": sc.Guardian, "own": sc.Own}
}

// list lists the courses the scope shows, the latest changed first; a pupil's carry their
// own last opened page, a guardian's the children they are shown to.
func (s store) list(sc scope, limit int) ([]Course, error) {
	q := `SELECT ` + courseColumns + `,
		CASE WHEN @pupil AND @own THEN (SELECT v.page_id FROM course_views v WHERE v.pupil_id = @me AND v.course_id = c.id ORDER BY v.last_opened_at DESC LIMIT 1) END AS resume_page,
		CASE WHEN @guardian THEN coalesce((SELECT string_agg(DISTINCT ch.first_name, ', ') FROM course_audiences ca JOIN class_members m ON m.class_id = ca.class_id
			JOIN guardianships g ON g.pupil_id = m.person_id AND g.legal AND g.guardian_id = @me JOIN people ch ON ch.id = m.person_id
			WHERE ca.course_id = c.id AND c.state = 'publie'), '') ELSE '' END AS children` + courseFrom + `
		WHERE @all OR (@edit AND (` + edits + `)) OR (@pupil AND ` + pupilSees + `) OR (@guardian AND ` + guardianSees + `)
		ORDER BY c.updated_at DESC, c.id LIMIT @limit`
	args := sc.args()
	args["limit"] = limit
	var out []Course
	if err := s.tx.Raw(q, args).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: list for %s: %w", sc.Me, err)
	}
	return out, nil
}

// course reads course id as the viewer of sc sees it: not found when the scope does not
// show it.
func (s store) course(id uuid.UUID, sc scope) (Course, error) {
	args := sc.args()
	args["id"] = id
	var out []Course
	q := `SELECT ` + courseColumns + courseFrom + `WHERE c.id = @id AND (@all OR (@edit AND (` + edits + `)) OR (@pupil AND ` + pupilSees + `)
		OR (@guardian AND ` + guardianSees + `))`
	if err := s.tx.Raw(q, args).Scan(&out).Error; err != nil {
		return Course{}, fmt.Errorf("courses: course %s: %w", id, err)
	}
	if len(out) == 0 {
		return Course{}, notFound()
	}
	return out[0], nil
}

// outline reads the course's sections and pages in order.
func (s store) outline(course uuid.UUID) ([]Section, error) {
	var secs []Section
	if err := s.tx.Raw(`SELECT id, course_id, position, title FROM course_sections WHERE course_id = ? ORDER BY position`, course).Scan(&secs).Error; err != nil {
		return nil, fmt.Errorf("courses: sections of %s: %w", course, err)
	}
	var pages []Page
	if err := s.tx.Raw(`SELECT p.id, p.section_id, p.position, p.title FROM course_pages p JOIN course_sections se ON se.id = p.section_id
		WHERE se.course_id = ? ORDER BY se.position, p.position`, course).Scan(&pages).Error; err != nil {
		return nil, fmt.Errorf("courses: pages of %s: %w", course, err)
	}
	at := map[uuid.UUID]int{}
	for i := range secs {
		at[secs[i].ID] = i
	}
	for _, p := range pages {
		secs[at[p.SectionID]].Pages = append(secs[at[p.SectionID]].Pages, p)
	}
	return secs, nil
}

// seen are the pages of course that pupil opened: their own progress, read for them only.
func (s store) seen(course, pupil uuid.UUID) (map[uuid.UUID]bool, error) {
	var ids []uuid.UUID
	if err := s.tx.Raw(`SELECT page_id FROM course_views WHERE course_id = ? AND pupil_id = ?`, course, pupil).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("courses: progress: %w", err)
	}
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// resume is the page of course that pupil opened last, Nil if none.
func (s store) resume(course, pupil uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := s.tx.Raw(`SELECT page_id FROM course_views WHERE course_id = ? AND pupil_id = ? ORDER BY last_opened_at DESC LIMIT 1`, course, pupil).Scan(&ids).Error; err != nil {
		return uuid.Nil, fmt.Errorf("courses: resume: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, nil
	}
	return ids[0], nil
}

func (s store) markOpened(course, page, pupil uuid.UUID, now time.Time) error {
	if err := s.tx.Exec(`INSERT INTO course_views (course_id, page_id, pupil_id, first_seen_at, last_opened_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (pupil_id, page_id) DO UPDATE SET last_opened_at = excluded.last_opened_at`, course, page, pupil, now, now).Error; err != nil {
		return fmt.Errorf("courses: record the page opened: %w", err)
	}
	return nil
}

func (s store) forget(course, pupil uuid.UUID) error {
	if err := s.tx.Exec(`DELETE FROM course_views WHERE course_id = ? AND pupil_id = ?`, course, pupil).Error; err != nil {
		return fmt.Errorf("courses: forget progress: %w", err)
	}
	return nil
}

func (s store) coauthors(course uuid.UUID) ([]Person, error) {
	var out []Person
	if err := s.tx.Raw(`SELECT p.id, p.first_name || ' ' || p.last_name AS name FROM course_coauthors co JOIN people p ON p.id = co.person_id
		WHERE co.course_id = ? ORDER BY p.last_name, p.first_name`, course).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: co-authors of %s: %w", course, err)
	}
	return out, nil
}

func (s store) audience(course uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	if err := s.tx.Raw(`SELECT class_id FROM course_audiences WHERE course_id = ?`, course).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: audience of %s: %w", course, err)
	}
	return out, nil
}

func (s store) setAudience(course uuid.UUID, classes []uuid.UUID) error {
	if err := s.tx.Exec(`DELETE FROM course_audiences WHERE course_id = ?`, course).Error; err != nil {
		return fmt.Errorf("courses: audience of %s: %w", course, err)
	}
	for _, c := range classes {
		if err := s.tx.Exec(`INSERT INTO course_audiences (course_id, class_id) VALUES (?, ?)`, course, c).Error; err != nil {
			return fmt.Errorf("courses: audience of %s: %w", course, err)
		}
	}
	return nil
}

// teachers are the establishment's active teachers (a course's possible co-authors).
func (s store) teachers() ([]Person, error) {
	var out []Person
	if err := s.tx.Raw(`SELECT id, first_name || ' ' || last_name AS name FROM people WHERE active AND 'enseignant' = ANY (roles)
		ORDER BY last_name, first_name, id`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: teachers: %w", err)
	}
	return out, nil
}

// choices are the classes and groups of the current and later school years.
func (s store) choices() ([]Choice, error) {
	var out []Choice
	if err := s.tx.Raw(`SELECT id, kind, label, school_year FROM classes WHERE school_year >= (SELECT code FROM school_years WHERE current)
		ORDER BY school_year, kind, label`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: classes: %w", err)
	}
	return out, nil
}

func (s store) subjects() ([]Subject, error) {
	var out []Subject
	if err := s.tx.Raw(`SELECT code, label FROM subjects ORDER BY label`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: subjects: %w", err)
	}
	return out, nil
}

func (s store) currentYear() (string, error) {
	var out []string
	if err := s.tx.Raw(`SELECT code FROM school_years WHERE current`).Scan(&out).Error; err != nil {
		return "", fmt.Errorf("courses: current school year: %w", err)
	}
	if len(out) == 0 {
		return "", fault.New(fault.ErrConflict, "aucune année scolaire n'est ouverte : demandez à l'administrateur d'ouvrir l'année")
	}
	return out[0], nil
}

// courseRow is a course's columns as written.
type courseRow struct {
	ID          uuid.UUID
	AuthorID    *uuid.UUID
	Title       string
	Description string
	SubjectCode *string
	SchoolYear  string
	State       State
	PublishedAt *time.Time
	CopiedFrom  *uuid.UUID
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// lockCourse reads course id for a change (FOR UPDATE: two edits of its outline do not
// cross) if me may edit it.
func (s store) lockCourse(id, me uuid.UUID) (courseRow, error) {
	var out []courseRow
	if err := s.tx.Raw(`SELECT c.* FROM courses c WHERE c.id = @id AND (`+edits+`) FOR UPDATE`, map[string]any{"id": id, "me": me}).Scan(&out).Error; err != nil {
		return courseRow{}, fmt.Errorf("courses: lock course %s: %w", id, err)
	}
	if len(out) == 0 {
		return courseRow{}, notFound()
	}
	return out[0], nil
}

func (s store) insertCourse(r courseRow) error {
	if err := s.tx.Table("courses").Create(&r).Error; err != nil {
		return fmt.Errorf("courses: create course: %w", err)
	}
	return nil
}

func (s store) updateCourse(r courseRow) error {
	if err := s.tx.Exec(`UPDATE courses SET title = ?, description = ?, subject_code = ?, state = ?, published_at = ?, updated_at = ? WHERE id = ?`,
		r.Title, r.Description, r.SubjectCode, r.State, r.PublishedAt, r.UpdatedAt, r.ID).Error; err != nil {
		return fmt.Errorf("courses: update course %s: %w", r.ID, err)
	}
	return nil
}

func (s store) touch(course uuid.UUID, now time.Time) error {
	if err := s.tx.Exec(`UPDATE courses SET updated_at = ? WHERE id = ?`, now, course).Error; err != nil {
		return fmt.Errorf("courses: touch %s: %w", course, err)
	}
	return nil
}

// lockFiles locks the file rows of the blocks under where (a course, section, page or block)
// and returns their keys, before those blocks are deleted: two deletions of the last two
// blocks naming one blob (an original's and its copy's) then follow each other, and the
// second sees the first's gone (release).
func (s store) lockFiles(where string, id uuid.UUID) ([]string, error) {
	var out []string
	q := `SELECT f.blob_key FROM course_files f WHERE f.blob_key IN (SELECT b.blob_key FROM course_blocks b
		JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id
		WHERE b.blob_key IS NOT NULL AND ` + where + ` = ?) ORDER BY f.blob_key FOR UPDATE OF f`
	if err := s.tx.Raw(q, id).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: files: %w", err)
	}
	return out, nil
}

// release deletes the rows of the files among keys that no block names any more (a copy
// may still name a blob) and returns their keys, whose blobs go after the commit.
func (s store) release(keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var out []string
	if err := s.tx.Raw(`DELETE FROM course_files f WHERE f.blob_key IN ? AND NOT EXISTS (SELECT 1 FROM course_blocks b WHERE b.blob_key = f.blob_key)
		RETURNING f.blob_key`, keys).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: release files: %w", err)
	}
	return out, nil
}

func (s store) exec(what, q string, args ...any) error {
	if err := s.tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("courses: %s: %w", what, err)
	}
	return nil
}

// item is where a section, page or block sits: its course, its parent and position.
type item struct {
	CourseID uuid.UUID
	ParentID uuid.UUID
	Position int
}

// level is one level of a course's outline, as SQL names it.
type level struct {
	table, parent string // course_sections, course_id
	find          string // the query of an item's course, parent and position
	noun          string // in the not-found message
}

var (
	sections = level{"course_sections", "course_id", `SELECT course_id, course_id AS parent_id, position FROM course_sections WHERE id = ?`, "section introuvable"}
	pages    = level{"course_pages", "section_id", `SELECT se.course_id, p.section_id AS parent_id, p.position FROM course_pages p
		JOIN course_sections se ON se.id = p.section_id WHERE p.id = ?`, "page introuvable"}
	blocks = level{"course_blocks", "page_id", `SELECT se.course_id, b.page_id AS parent_id, b.position FROM course_blocks b
		JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id WHERE b.id = ?`, "bloc introuvable"}
)

func (s store) find(l level, id uuid.UUID) (item, error) {
	var out []item
	if err := s.tx.Raw(l.find, id).Scan(&out).Error; err != nil {
		return item{}, fmt.Errorf("courses: find %s %s: %w", l.table, id, err)
	}
	if len(out) == 0 {
		return item{}, fault.New(fault.ErrNotFound, "%s", l.noun)
	}
	return out[0], nil
}

// nextPosition is the position after the last child of parent.
func (s store) nextPosition(l level, parent uuid.UUID) (int, error) {
	var n int
	if err := s.tx.Raw(`SELECT coalesce(max(position), 0) + 1 FROM `+l.table+` WHERE `+l.parent+` = ?`, parent).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("courses: next position in %s: %w", l.table, err)
	}
	return n, nil
}

// swap exchanges the positions of item id and its neighbour above (up) or below; at the
// top or the bottom it changes nothing. Positions are unique at commit (deferred).
func (s store) swap(l level, id uuid.UUID, it item, up bool) error {
	cmp, order := "<", "DESC"
	if !up {
		cmp, order = ">", "ASC"
	}
	var other []struct {
		ID       uuid.UUID
		Position int
	}
	if err := s.tx.Raw(`SELECT id, position FROM `+l.table+` WHERE `+l.parent+` = ? AND position `+cmp+` ? ORDER BY position `+order+` LIMIT 1`,
		it.ParentID, it.Position).Scan(&other).Error; err != nil {
		return fmt.Errorf("courses: neighbour in %s: %w", l.table, err)
	}
	if len(other) == 0 {
		return nil
	}
	if err := s.exec("move", `UPDATE `+l.table+` SET position = ? WHERE id = ?`, other[0].Position, id); err != nil {
		return err
	}
	return s.exec("move", `UPDATE `+l.table+` SET position = ? WHERE id = ?`, it.Position, other[0].ID)
}

// blockColumns are a block's columns with its file's (b, the block; f, its file if any).
const blockColumns = `SELECT b.*, f.name, f.content_type, f.size, f.sha256 FROM course_blocks b LEFT JOIN course_files f ON f.blob_key = b.blob_key `

func (s store) pageBlocks(page uuid.UUID) ([]Block, error) {
	var out []Block
	if err := s.tx.Raw(blockColumns+`WHERE b.page_id = ? ORDER BY b.position`, page).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("courses: blocks of %s: %w", page, err)
	}
	return out, nil
}

func (s store) block(id uuid.UUID) (Block, error) {
	var out []Block
	if err := s.tx.Raw(blockColumns+`WHERE b.id = ?`, id).Scan(&out).Error; err != nil {
		return Block{}, fmt.Errorf("courses: block %s: %w", id, err)
	}
	if len(out) == 0 {
		return Block{}, fault.New(fault.ErrNotFound, "bloc introuvable")
	}
	return out[0], nil
}

func (s store) insertBlock(b Block) error {
	var key any
	if b.Key != "" {
		key = b.Key
	}
	return s.exec("add block", `INSERT INTO course_blocks (id, page_id, position, kind, body, body_html, url, label, blob_key, assignment_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.PageID, b.Position, b.Kind, b.Body, b.BodyHTML, b.URL, b.Label, key, b.AssignmentID, b.CreatedAt)
}

// insertFile records a stored blob, sent by author, as the file its first block names.
func (s store) insertFile(b Block, author uuid.UUID) error {
	return s.exec("add file", `INSERT INTO course_files (blob_key, name, content_type, size, sha256, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.Key, b.Name, b.ContentType, b.Size, b.SHA256, author, b.CreatedAt)
}
