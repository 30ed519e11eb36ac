package courses

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// listLimit bounds the lists: every course of an establishment's year fits.
const listLimit = 300

// Service writes, publishes, copies and shows the courses of every establishment.
type Service struct {
	db        *tenant.DB
	files     *files.Store // the pages' images and documents; nil: files are refused
	guardians Guardians
	notifier  Notifier  // SetNotifier; nil: nobody is told
	exercises Exercises // SetExercises; nil: no exercise block
	now       func() time.Time
}

// NewService wires courses on the tenants' database and the registry's blob store (nil: no
// files). now is the clock (nil: time.Now).
func NewService(db *tenant.DB, blobs *blob.Bucket, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: db, now: now, guardians: directory.Guardianship{}}
	if blobs != nil {
		s.files = files.NewStore(blobs, documents)
	}
	return s
}

// FileTable is courses' table of files, one row per blob however many blocks (a copy's)
// name it, as the establishment's space counts them: named with who sent them on the
// direction's page.
var FileTable = files.Table{Name: "course_files", Module: "Cours", Owner: "f.author_id"}

// SetSpace makes the pages' images and documents count against the establishment's quota
// (files.Space): an upload that would pass it is refused, naming the file field.
func (s *Service) SetSpace(sp *files.Space) {
	if s.files != nil {
		s.files.Within(sp)
	}
}

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.ReadTx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(st store) error) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error { return fn(store{tx}) })
}

func scopeOf(a Actor) scope {
	return scope{Me: a.PersonID, All: a.ReadsAll(), Edit: a.Writes(), Pupil: a.Pupil(), Guardian: a.Guardian(), Own: a.Pupil()}
}

// List lists the courses the viewer sees: their own and co-authored (teachers), every one
// (direction), those published to their classes and groups (pupils, with where to resume),
// those of their children (legal guardians; per child: ChildCourses).
func (s *Service) List(ctx context.Context, t *tenant.Tenant, a Actor) ([]Course, error) {
	var out []Course
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.list(scopeOf(a), listLimit); return err })
	return out, err
}

// Managed lists the courses the teacher writes or co-writes.
func (s *Service) Managed(ctx context.Context, t *tenant.Tenant, a Actor) ([]Course, error) {
	if !a.Writes() {
		return nil, fault.New(fault.ErrForbidden, "vous n'écrivez pas de cours")
	}
	var out []Course
	err := s.read(ctx, t, func(st store) (err error) {
		out, err = st.list(scope{Me: a.PersonID, Edit: true}, listLimit)
		return err
	})
	return out, err
}

// Course returns a course with its outline to whoever may read it: its authors, the
// direction, pupils it is published to (with their own progress: pages seen, where to
// resume) and their legal guardians (read-only, without the progress). For anyone else,
// and for a draft to its pupils and guardians, it does not exist.
func (s *Service) Course(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Course, error) {
	var c Course
	err := s.read(ctx, t, func(st store) error {
		var err error
		if c, err = s.full(st, a, id); err != nil {
			return err
		}
		if !a.Pupil() {
			return nil
		}
		seen, err := st.seen(id, a.PersonID)
		if err != nil {
			return err
		}
		for i := range c.Sections {
			for j := range c.Sections[i].Pages {
				c.Sections[i].Pages[j].Seen = seen[c.Sections[i].Pages[j].ID]
			}
		}
		c.ResumePage, err = st.resume(id, a.PersonID)
		return err
	})
	return c, err
}

// full reads a course the viewer may read, with its outline, co-authors and audience.
func (s *Service) full(st store, a Actor, id uuid.UUID) (Course, error) {
	c, err := st.course(id, scopeOf(a))
	if err != nil {
		return c, err
	}
	if c.Sections, err = st.outline(id); err != nil {
		return c, err
	}
	if c.Coauthors, err = st.coauthors(id); err != nil {
		return c, err
	}
	c.Audience, err = st.audience(id)
	return c, err
}

// Editable returns a course its viewer writes or co-writes.
func (s *Service) Editable(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Course, error) {
	var c Course
	err := s.read(ctx, t, func(st store) error {
		var err error
		c, err = s.full(st, a, id)
		if err == nil && !c.Edits {
			err = notFound()
		}
		return err
	})
	return c, err
}

// CourseForm is a course as typed.
type CourseForm struct {
	Title       string
	Description string
	Subject     string   // a subject's code, or empty
	Classes     []string // ids of classes and groups
}

// FormOf is the form of an existing course.
func FormOf(c Course) CourseForm {
	f := CourseForm{Title: c.Title, Description: c.Description, Subject: c.SubjectCode}
	for _, id := range c.Audience {
		f.Classes = append(f.Classes, id.String())
	}
	return f
}

// validate checks the form and fills row's content; it returns the classes chosen, all of
// year (a course is of one school year).
func validate(st store, f CourseForm, row *courseRow) ([]uuid.UUID, error) {
	errs := FormErrors{}
	row.Title = strings.TrimSpace(f.Title)
	switch n := utf8.RuneCountInString(row.Title); {
	case n == 0:
		errs["titre"] = "Titre : indiquez le titre du cours."
	case n > maxTitle:
		errs["titre"] = fmt.Sprintf("Titre : 150 caractères au plus (%d saisis).", n)
	}
	row.Description = strings.TrimSpace(f.Description)
	if n := utf8.RuneCountInString(row.Description); n > maxDescription {
		errs["description"] = fmt.Sprintf("Présentation : 2 000 caractères au plus (%d saisis).", n)
	}
	row.SubjectCode = nil
	if code := strings.TrimSpace(f.Subject); code != "" {
		subjects, err := st.subjects()
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(subjects, func(s Subject) bool { return s.Code == code }) {
			errs["matiere"] = "Matière : choisissez une matière de la liste."
		} else {
			row.SubjectCode = &code
		}
	}
	choices, err := st.choices()
	if err != nil {
		return nil, err
	}
	var classes []uuid.UUID
	for _, raw := range f.Classes {
		id, err := uuid.Parse(raw)
		i := slices.IndexFunc(choices, func(c Choice) bool { return c.ID == id })
		switch {
		case err != nil || i < 0:
			errs["classes"] = "Classes et groupes : choisissez des classes ou groupes de la liste."
		case choices[i].SchoolYear != row.SchoolYear:
			errs["classes"] = "Classes et groupes : « " + choices[i].Label + " » est de l'année " + choices[i].SchoolYear + ", le cours de l'année " + row.SchoolYear + " ; copiez le cours vers cette année."
		case !slices.Contains(classes, id):
			classes = append(classes, id)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return classes, nil
}

// Create writes a draft course of the current school year, authored by a teacher.
func (s *Service) Create(ctx context.Context, t *tenant.Tenant, a Actor, f CourseForm) (uuid.UUID, error) {
	if !a.Writes() {
		return uuid.Nil, fault.New(fault.ErrForbidden, "seuls les enseignants écrivent des cours")
	}
	now := s.now()
	row := courseRow{ID: uuid.New(), AuthorID: &a.PersonID, State: Draft, CreatedAt: now, UpdatedAt: now}
	err := s.write(ctx, t, func(st store) error {
		var err error
		if row.SchoolYear, err = st.currentYear(); err != nil {
			return err
		}
		classes, err := validate(st, f, &row)
		if err != nil {
			return err
		}
		if err := st.insertCourse(row); err != nil {
			return err
		}
		return st.setAudience(row.ID, classes)
	})
	return row.ID, err
}

// Update changes a course's title, presentation, subject and classes (its authors). A
// published course keeps at least one class; the pupils of a class added to it are told.
func (s *Service) Update(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f CourseForm) error {
	return s.write(ctx, t, func(st store) error {
		row, err := st.lockCourse(id, a.PersonID)
		if err != nil {
			return err
		}
		classes, err := validate(st, f, &row)
		if err != nil {
			return err
		}
		if row.State == Published && len(classes) == 0 {
			return FormErrors{"classes": "Classes et groupes : un cours publié est montré à au moins une classe ou un groupe ; retirez d'abord la publication."}
		}
		before, err := st.audience(id)
		if err != nil {
			return err
		}
		row.UpdatedAt = s.now()
		if err := st.updateCourse(row); err != nil {
			return err
		}
		if err := st.setAudience(id, classes); err != nil {
			return err
		}
		if row.State != Published {
			return nil
		}
		var added []uuid.UUID
		for _, c := range classes {
			if !slices.Contains(before, c) {
				added = append(added, c)
			}
		}
		return s.tell(st, t, id, added, row.UpdatedAt)
	})
}

// SetPublished publishes a course to its classes and groups (at least one), telling their
// pupils (tell), or takes it back to a draft (its pupils no longer see it; their progress
// stays theirs).
func (s *Service) SetPublished(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, publish bool) error {
	return s.write(ctx, t, func(st store) error {
		var told []uuid.UUID
		row, err := st.lockCourse(id, a.PersonID)
		if err != nil {
			return err
		}
		now := s.now()
		if !publish {
			row.State, row.PublishedAt = Draft, nil
		} else {
			classes, err := st.audience(id)
			if err != nil {
				return err
			}
			if len(classes) == 0 {
				return fault.Invalidf("classes", "Classes et groupes : choisissez au moins une classe ou un groupe avant de publier le cours.")
			}
			if row.State != Published {
				row.State, row.PublishedAt = Published, &now
				told = classes
			}
		}
		row.UpdatedAt = now
		if err := st.updateCourse(row); err != nil {
			return err
		}
		return s.tell(st, t, id, told, now)
	})
}

// Delete deletes a course (its author only: a co-author edits, the author decides); the
// blobs its blocks alone named are removed after.
func (s *Service) Delete(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	var gone []string
	err := s.write(ctx, t, func(st store) error {
		row, err := st.lockCourse(id, a.PersonID)
		if err != nil {
			return err
		}
		if row.AuthorID == nil || *row.AuthorID != a.PersonID {
			return fault.New(fault.ErrForbidden, "seul l'auteur du cours le supprime")
		}
		keys, err := st.lockFiles("se.course_id", id)
		if err != nil {
			return err
		}
		if err := st.exec("delete course", `DELETE FROM courses WHERE id = ?`, id); err != nil {
			return err
		}
		gone, err = st.release(keys)
		return err
	})
	return s.removeBlobs(ctx, t, err, gone)
}

func (s *Service) removeBlobs(ctx context.Context, t *tenant.Tenant, err error, keys []string) error {
	if err != nil || s.files == nil || len(keys) == 0 {
		return err
	}
	return s.files.Remove(ctx, t, keys...)
}

// Teachers are the colleagues a course may name as co-authors.
func (s *Service) Teachers(ctx context.Context, t *tenant.Tenant) ([]Person, error) {
	var out []Person
	err := s.read(ctx, t, func(st store) (err error) { out, err = st.teachers(); return err })
	return out, err
}

// Choices are the classes and groups of the current and later years, and the subjects.
func (s *Service) Choices(ctx context.Context, t *tenant.Tenant) ([]Choice, []Subject, error) {
	var cs []Choice
	var ss []Subject
	err := s.read(ctx, t, func(st store) (err error) {
		if cs, err = st.choices(); err != nil {
			return err
		}
		ss, err = st.subjects()
		return err
	})
	return cs, ss, err
}

// AddCoauthor names a colleague (an active teacher) co-author: they edit the course too.
// Only the author names co-authors.
func (s *Service) AddCoauthor(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, person string) error {
	return s.write(ctx, t, func(st store) error {
		row, err := st.lockCourse(id, a.PersonID)
		if err != nil {
			return err
		}
		if row.AuthorID == nil || *row.AuthorID != a.PersonID {
			return fault.New(fault.ErrForbidden, "seul l'auteur du cours choisit ses co-auteurs")
		}
		pid, err := uuid.Parse(person)
		teachers, terr := st.teachers()
		if terr != nil {
			return terr
		}
		if err != nil || pid == a.PersonID || !slices.ContainsFunc(teachers, func(p Person) bool { return p.ID == pid }) {
			return fault.Invalidf("coauteur", "Co-auteur : choisissez un ou une collègue enseignant de l'établissement.")
		}
		return st.exec("add co-author", `INSERT INTO course_coauthors (course_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, pid)
	})
}

// RemoveCoauthor takes a co-author's rights back (the author; a co-author may leave).
func (s *Service) RemoveCoauthor(ctx context.Context, t *tenant.Tenant, a Actor, id, person uuid.UUID) error {
	return s.write(ctx, t, func(st store) error {
		row, err := st.lockCourse(id, a.PersonID)
		if err != nil {
			return err
		}
		if (row.AuthorID == nil || *row.AuthorID != a.PersonID) && person != a.PersonID {
			return fault.New(fault.ErrForbidden, "seul l'auteur du cours retire un co-auteur")
		}
		return st.exec("remove co-author", `DELETE FROM course_coauthors WHERE course_id = ? AND person_id = ?`, id, person)
	})
}

// ForgetProgress erases the pupil's own progress in a course.
func (s *Service) ForgetProgress(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.write(ctx, t, func(st store) error { return st.forget(id, a.PersonID) })
}
