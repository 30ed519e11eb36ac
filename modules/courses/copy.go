package courses

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// CopyForm is where a course is copied: a school year (the current one or the next) and
// classes or groups of that year (none: the copy waits for them, as a draft).
type CopyForm struct {
	Year    string
	Classes []string
}

// NextYear is the school year after code ("2026-2027" after "2025-2026").
func NextYear(code string) string {
	first, err := strconv.Atoi(strings.SplitN(code, "-", 2)[0])
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d-%d", first+1, first+2)
}

// Years are the school years a course may be copied to: the current and the next.
func (s *Service) Years(ctx context.Context, t *tenant.Tenant) ([]string, error) {
	var cur string
	err := s.read(ctx, t, func(st store) (err error) { cur, err = st.currentYear(); return err })
	if err != nil {
		return nil, err
	}
	return []string{cur, NextYear(cur)}, nil
}

// Copy copies a course its viewer edits into a new draft of theirs, for the year and
// classes of the form: sections, pages and blocks are copied row by row (the copy changes
// independently of the original), the co-authors and the pupils' progress are not. Images
// and documents are copied by reference: the copy's blocks name the same blobs, which are
// never rewritten once stored (a new file is a new key), so nothing can change under the
// other course; a blob is removed only when no block names it any more (Service.Remove,
// the sweep). Re-storing each file would double the establishment's storage for every
// course carried to the next year, for no gain. An exercise block is kept only if its
// assignment is the copier's and given to one of the copy's classes (a copy for next year's
// classes has none yet): any other becomes, at its place, a text telling the teacher that the
// exercise was not carried over and how to add it back (droppedNote), so that nothing
// vanishes silently and no pupil gets a button to an exercise not given to them.
func (s *Service) Copy(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f CopyForm) (uuid.UUID, error) {
	if !a.Writes() {
		return uuid.Nil, fault.New(fault.ErrForbidden, "seuls les enseignants copient des cours")
	}
	keep, err := s.keptExercises(ctx, t, a, f.Classes)
	if err != nil {
		return uuid.Nil, err
	}
	now := s.now()
	copied := uuid.New()
	err = s.write(ctx, t, func(st store) error {
		orig, err := st.lockCourse(id, a.PersonID)
		if err != nil {
			return err
		}
		cur, err := st.currentYear()
		if err != nil {
			return err
		}
		year := strings.TrimSpace(f.Year)
		if year == "" {
			year = cur
		}
		if year != cur && year != NextYear(cur) {
			return FormErrors{"annee": "Année scolaire : choisissez l'année en cours (" + cur + ") ou la suivante (" + NextYear(cur) + ")."}
		}
		row := courseRow{ID: copied, AuthorID: &a.PersonID, Title: orig.Title, Description: orig.Description, SubjectCode: orig.SubjectCode,
			SchoolYear: year, State: Draft, CopiedFrom: &orig.ID, CreatedAt: now, UpdatedAt: now}
		classes, err := validate(st, CourseForm{Title: orig.Title, Description: orig.Description, Subject: deref(orig.SubjectCode), Classes: f.Classes}, &row)
		if err != nil {
			return err
		}
		if err := st.insertCourse(row); err != nil {
			return err
		}
		if err := st.setAudience(copied, classes); err != nil {
			return err
		}
		return st.copyOutline(orig.ID, copied, now, keep)
	})
	return copied, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// copyOutline copies from's sections, pages and blocks under course to, one statement per
// level whatever the course's size: a copied row's id is derived from its original's and
// the copy's (md5 of both, unique since the copy's id is new), so that the next level finds
// its new parent without a table of ids.
func (s store) copyOutline(from, to uuid.UUID, now time.Time, keep []uuid.UUID) error {
	ids := make([]string, len(keep))
	for i, id := range keep {
		ids[i] = id.String()
	}
	args := map[string]any{"from": from, "dest": to, "now": now, "keep": "{" + strings.Join(ids, ",") + "}"} // keep: a uuid[] literal
	steps := []struct{ what, q string }{
		{"copy sections", `INSERT INTO course_sections (id, course_id, position, title)
			SELECT md5(se.id::text || CAST(@dest AS text))::uuid, @dest, se.position, se.title FROM course_sections se WHERE se.course_id = @from`},
		{"copy pages", `INSERT INTO course_pages (id, section_id, position, title)
			SELECT md5(p.id::text || CAST(@dest AS text))::uuid, md5(se.id::text || CAST(@dest AS text))::uuid, p.position, p.title
			FROM course_pages p JOIN course_sections se ON se.id = p.section_id WHERE se.course_id = @from`},
		{"copy blocks", `INSERT INTO course_blocks (page_id, position, kind, body, body_html, url, label, blob_key, assignment_id, created_at)
			SELECT md5(p.id::text || CAST(@dest AS text))::uuid, b.position, b.kind, b.body, b.body_html, b.url, b.label, b.blob_key, b.assignment_id, @now
			FROM course_blocks b JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id
			WHERE se.course_id = @from AND (b.assignment_id IS NULL OR b.assignment_id = ANY(CAST(@keep AS uuid[])))`},
	}
	for _, st := range steps {
		if err := s.tx.Exec(st.q, args).Error; err != nil {
			return fmt.Errorf("courses: %s: %w", st.what, err)
		}
	}
	var dropped []struct {
		PageID   uuid.UUID
		Position int
		Label    string
	}
	if err := s.tx.Raw(`SELECT md5(p.id::text || CAST(@dest AS text))::uuid AS page_id, b.position, b.label
		FROM course_blocks b JOIN course_pages p ON p.id = b.page_id JOIN course_sections se ON se.id = p.section_id
		WHERE se.course_id = @from AND b.assignment_id IS NOT NULL AND b.assignment_id <> ALL(CAST(@keep AS uuid[]))`, args).Scan(&dropped).Error; err != nil {
		return fmt.Errorf("courses: dropped exercises: %w", err)
	}
	for _, d := range dropped {
		b := Block{ID: uuid.New(), PageID: d.PageID, Position: d.Position, Kind: Text, Body: droppedNote(d.Label), CreatedAt: now}
		html, err := renderBody(b.Body)
		if err != nil {
			return err
		}
		b.BodyHTML = html
		if err := s.insertBlock(b); err != nil {
			return err
		}
	}
	return nil
}
