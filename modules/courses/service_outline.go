package courses

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The outline of a course: its sections, their pages, the pages' blocks, added, renamed,
// moved up or down and deleted by its authors, each change in one transaction that locks
// the course (two authors moving items at once do not cross).

func checkTitle(raw, field, what string) (string, error) {
	title := strings.TrimSpace(raw)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return "", fault.Invalidf(field, "Titre %s : indiquez-le.", what)
	case n > maxTitle:
		return "", fault.Invalidf(field, "Titre %s : 150 caractères au plus (%d saisis).", what, n)
	}
	return title, nil
}

// editing runs fn on an item of level l (id) once its course is locked for a viewer who
// edits it, then marks the course changed.
func (s *Service) editing(ctx context.Context, t *tenant.Tenant, a Actor, l level, id uuid.UUID, fn func(st store, it item) error) (item, error) {
	var it item
	err := s.write(ctx, t, func(st store) error {
		var err error
		if it, err = st.find(l, id); err != nil {
			return err
		}
		if _, err := st.lockCourse(it.CourseID, a.PersonID); err != nil {
			return fault.New(fault.ErrNotFound, "%s", l.noun)
		}
		if err := fn(st, it); err != nil {
			return err
		}
		return st.touch(it.CourseID, s.now())
	})
	return it, err
}

// AddSection adds a section at the end of a course.
func (s *Service) AddSection(ctx context.Context, t *tenant.Tenant, a Actor, course uuid.UUID, title string) (uuid.UUID, error) {
	title, err := checkTitle(title, "section", "de la section")
	if err != nil {
		return uuid.Nil, err
	}
	id := uuid.New()
	err = s.write(ctx, t, func(st store) error {
		if _, err := st.lockCourse(course, a.PersonID); err != nil {
			return err
		}
		pos, err := st.nextPosition(sections, course)
		if err != nil {
			return err
		}
		if err := st.exec("add section", `INSERT INTO course_sections (id, course_id, position, title) VALUES (?, ?, ?, ?)`, id, course, pos, title); err != nil {
			return err
		}
		return st.touch(course, s.now())
	})
	return id, err
}

// AddPage adds a page at the end of a section; it returns the page and its course (the
// course also when the title is refused, to show the message in its outline).
func (s *Service) AddPage(ctx context.Context, t *tenant.Tenant, a Actor, section uuid.UUID, title string) (page, course uuid.UUID, err error) {
	page = uuid.New()
	it, err := s.editing(ctx, t, a, sections, section, func(st store, _ item) error {
		if title, err = checkTitle(title, "page-"+section.String(), "de la page"); err != nil {
			return err
		}
		pos, err := st.nextPosition(pages, section)
		if err != nil {
			return err
		}
		return st.exec("add page", `INSERT INTO course_pages (id, section_id, position, title) VALUES (?, ?, ?, ?)`, page, section, pos, title)
	})
	return page, it.CourseID, err
}

// Outline names a level of a course's outline in addresses: sections, pages, blocs.
type Outline string

// The levels of the outline.
const (
	Sections Outline = "sections"
	Pages    Outline = "pages"
	Blocks   Outline = "blocs"
)

func (o Outline) level() (level, error) {
	switch o {
	case Sections:
		return sections, nil
	case Pages:
		return pages, nil
	case Blocks:
		return blocks, nil
	}
	return level{}, fault.New(fault.ErrNotFound, "élément introuvable")
}

// Rename renames a section or a page; it returns its course (also when the title is
// refused).
func (s *Service) Rename(ctx context.Context, t *tenant.Tenant, a Actor, o Outline, id uuid.UUID, title string) (uuid.UUID, error) {
	l, err := o.level()
	if err != nil || o == Blocks {
		return uuid.Nil, cmpErr(err, fault.New(fault.ErrNotFound, "élément introuvable"))
	}
	field, what := "section-"+id.String(), "de la section"
	if o == Pages {
		field, what = "titre", "de la page"
	}
	it, err := s.editing(ctx, t, a, l, id, func(st store, _ item) error {
		if title, err = checkTitle(title, field, what); err != nil {
			return err
		}
		return st.exec("rename", `UPDATE `+l.table+` SET title = ? WHERE id = ?`, title, id)
	})
	return it.CourseID, err
}

// Move moves a section, page or block one place up or down among its siblings; it returns
// the item's course and parent.
func (s *Service) Move(ctx context.Context, t *tenant.Tenant, a Actor, o Outline, id uuid.UUID, up bool) (item, error) {
	l, err := o.level()
	if err != nil {
		return item{}, err
	}
	return s.editing(ctx, t, a, l, id, func(st store, it item) error { return st.swap(l, id, it, up) })
}

// Remove deletes a section (its pages), a page (its blocks) or a block; the blobs no block
// names any more are removed after. It returns the item's course and parent.
func (s *Service) Remove(ctx context.Context, t *tenant.Tenant, a Actor, o Outline, id uuid.UUID) (item, error) {
	l, err := o.level()
	if err != nil {
		return item{}, err
	}
	where := map[Outline]string{Sections: "se.id", Pages: "p.id", Blocks: "b.id"}[o]
	var gone []string
	it, err := s.editing(ctx, t, a, l, id, func(st store, _ item) error {
		keys, err := st.lockFiles(where, id)
		if err != nil {
			return err
		}
		if err := st.exec("delete", `DELETE FROM `+l.table+` WHERE id = ?`, id); err != nil {
			return err
		}
		gone, err = st.release(keys)
		return err
	})
	return it, s.removeBlobs(ctx, t, err, gone)
}

// PageView is a page as its reader sees it: its course, section, blocks, and the pages
// before and after it in the course.
type PageView struct {
	Course     Course
	Section    Section
	Page       Page
	Blocks     []Block
	Prev, Next *Page
	Exercises  map[uuid.UUID]ExerciseView // by block: the exercise blocks as the reader sees them
}

// Page returns a page to whoever may read its course; a pupil's opening is recorded for
// them (their « Reprendre » and pages seen), nobody else's.
func (s *Service) Page(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (PageView, error) {
	var v PageView
	err := s.write(ctx, t, func(st store) error {
		it, err := st.find(pages, id)
		if err != nil {
			return err
		}
		if v.Course, err = s.full(st, a, it.CourseID); err != nil {
			return fault.New(fault.ErrNotFound, "page introuvable")
		}
		if err := v.place(id); err != nil {
			return err
		}
		if v.Blocks, err = st.pageBlocks(id); err != nil {
			return err
		}
		// Only a pupil the course is published to reaches here as a reader (not as its
		// author or the direction): their own progress.
		if a.Pupil() && !v.Course.Edits && v.Course.State == Published {
			return st.markOpened(it.CourseID, id, a.PersonID, s.now())
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	return v, s.embed(ctx, t, a, &v)
}

// EditablePage returns a page with its blocks to an author of its course.
func (s *Service) EditablePage(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (PageView, error) {
	var v PageView
	err := s.read(ctx, t, func(st store) error {
		it, err := st.find(pages, id)
		if err != nil {
			return err
		}
		if v.Course, err = s.full(st, a, it.CourseID); err != nil || !v.Course.Edits {
			return fault.New(fault.ErrNotFound, "page introuvable")
		}
		if err := v.place(id); err != nil {
			return err
		}
		v.Blocks, err = st.pageBlocks(id)
		return err
	})
	if err != nil {
		return v, err
	}
	return v, s.embed(ctx, t, a, &v)
}

// place finds page id in the course's outline: its section and neighbours.
func (v *PageView) place(id uuid.UUID) error {
	var flat []Page
	at := -1
	for _, se := range v.Course.Sections {
		for _, p := range se.Pages {
			if p.ID == id {
				at, v.Section, v.Page = len(flat), se, p
			}
			flat = append(flat, p)
		}
	}
	if at < 0 {
		return fault.New(fault.ErrNotFound, "page introuvable")
	}
	if at > 0 {
		v.Prev = &flat[at-1]
	}
	if at+1 < len(flat) {
		v.Next = &flat[at+1]
	}
	return nil
}

// AddBlock adds a text, link, video or exercise block at the end of a page; it returns the
// block.
func (s *Service) AddBlock(ctx context.Context, t *tenant.Tenant, a Actor, page uuid.UUID, f BlockForm) (Block, error) {
	if BlockKind(f.Kind) == Exercise {
		return s.addExercise(ctx, t, a, page, f)
	}
	b := Block{ID: uuid.New(), PageID: page, CreatedAt: s.now()}
	if err := checkBlock(f, &b); err != nil {
		return Block{}, err
	}
	_, err := s.editing(ctx, t, a, pages, page, func(st store, _ item) (err error) {
		if b.Position, err = st.nextPosition(blocks, page); err != nil {
			return err
		}
		return st.insertBlock(b)
	})
	return b, err
}

// UpdateBlock changes a text, link or video block (not its kind); it returns its page.
func (s *Service) UpdateBlock(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f BlockForm) (uuid.UUID, error) {
	it, err := s.editing(ctx, t, a, blocks, id, func(st store, _ item) error {
		b, err := st.block(id)
		if err != nil {
			return err
		}
		if b.Kind == Image || b.Kind == Document {
			return fault.Invalidf("type", "Type de bloc : une image ou un document se remplace en l'envoyant à nouveau.")
		}
		f.Kind = string(b.Kind)
		if err := checkBlock(f, &b); err != nil {
			return err
		}
		return st.exec("update block", `UPDATE course_blocks SET body = ?, body_html = ?, url = ?, label = ? WHERE id = ?`, b.Body, b.BodyHTML, b.URL, b.Label, id)
	})
	return it.ParentID, err
}

// Block returns a block to an author of its course (its edit form).
func (s *Service) Block(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Block, error) {
	var b Block
	err := s.read(ctx, t, func(st store) error {
		it, err := st.find(blocks, id)
		if err != nil {
			return err
		}
		if c, err := st.course(it.CourseID, scope{Me: a.PersonID, Edit: a.Writes()}); err != nil || !c.Edits {
			return fault.New(fault.ErrNotFound, "bloc introuvable")
		}
		b, err = st.block(id)
		return err
	})
	return b, err
}

// Attach checks an image (with its text alternative) or a document and adds it at the end
// of a page. The blob is written first, then its row; if that fails the blob is deleted.
func (s *Service) Attach(ctx context.Context, t *tenant.Tenant, a Actor, page uuid.UUID, u Upload) (Block, error) {
	if _, err := s.EditablePage(ctx, t, a, page); err != nil {
		return Block{}, err
	}
	b, c, err := checkFile(u)
	if err != nil {
		return Block{}, err
	}
	if s.files == nil {
		return Block{}, errNoStore
	}
	b.ID, b.PageID, b.CreatedAt = uuid.New(), page, s.now()
	err = s.files.Storing(ctx, t, []files.Checked{c}, func(stored []files.Stored) error {
		b.Key = stored[0].Key
		_, err := s.editing(ctx, t, a, pages, page, func(st store, _ item) (err error) {
			if b.Position, err = st.nextPosition(blocks, page); err != nil {
				return err
			}
			if err := st.insertFile(b, a.PersonID); err != nil {
				return err
			}
			return st.insertBlock(b)
		})
		return err
	})
	if err != nil {
		return Block{}, err
	}
	return b, nil
}

// Download returns an image or document to whoever may read its course.
func (s *Service) Download(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Block, *files.Content, error) {
	var b Block
	err := s.read(ctx, t, func(st store) error {
		it, err := st.find(blocks, id)
		if err != nil {
			return err
		}
		if _, err := st.course(it.CourseID, scopeOf(a)); err != nil {
			return fault.New(fault.ErrNotFound, "fichier introuvable")
		}
		if b, err = st.block(id); err != nil {
			return err
		}
		if b.Key == "" {
			return fault.New(fault.ErrNotFound, "fichier introuvable")
		}
		return nil
	})
	if err != nil {
		return Block{}, nil, err
	}
	if s.files == nil {
		return Block{}, nil, errNoStore
	}
	fc, err := s.files.Open(ctx, t, b.stored())
	return b, fc, err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// SweepPageFiles is the hourly job that removes the blobs no block names any more.
type SweepPageFiles struct{}

// Kind names the job in River.
func (SweepPageFiles) Kind() string { return "sweep_course_files" }

// NewSweeper wires the courses' files' sweep on the queue (jobs.Work).
func NewSweeper(svc *Service, tenants files.Establishments) *files.Sweeper[SweepPageFiles] {
	return files.NewSweeper[SweepPageFiles]("Nettoyage des fichiers de cours supprimés", svc, tenants)
}

// SweepFiles removes the establishment's course blobs no file row knows and older than
// files.OrphanAge (a crash between a blob's write and its row's commit, a failed removal).
func (s *Service) SweepFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	var keys []string
	if err := s.read(ctx, t, func(st store) error {
		if err := st.tx.Raw(`SELECT blob_key FROM course_files`).Scan(&keys).Error; err != nil {
			return fmt.Errorf("courses: file keys: %w", err)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	return s.files.SweepKeys(ctx, t, keys, s.now())
}

// DropFiles removes every course blob of an establishment purged for good.
func (s *Service) DropFiles(ctx context.Context, t *tenant.Tenant) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.Drop(ctx, t)
}
