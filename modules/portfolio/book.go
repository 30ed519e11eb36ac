package portfolio

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/cartable-ent/cartable/web/frsort"
)

// NoSubject is the heading of the items recorded without a subject.
const NoSubject = "Sans matière"

// Book is a pupil's portfolio as someone reads it: every school year, newest first, its
// items grouped by subject.
type Book struct {
	PupilID     uuid.UUID
	FirstName   string
	LastName    string
	Reach       Reach
	CurrentYear string // "" when the establishment has no current year: every year is closed
	// Years are the portfolio's years, newest first. A page shows one of them (Shown) with its
	// items and lists the others with their counts; the API reads them all.
	Years []Year
	Shown string // the year whose items were read ("" when every year was)
}

// Empty tells whether the reader sees no item in any year.
func (b *Book) Empty() bool {
	for _, y := range b.Years {
		if y.Count > 0 {
			return false
		}
	}
	return true
}

// YearHref is the address of the portfolio's page showing year.
func (b *Book) YearHref(year string) string {
	base := "/portfolio"
	if !b.Own() {
		base += "/eleves/" + b.PupilID.String()
	}
	return base + "?" + url.Values{"annee": {year}}.Encode()
}

// Own tells whether the reader is the pupil themself (who changes it).
func (b *Book) Own() bool { return b.Reach == OwnerReach }

// ForTeacher tells whether the reader is a teacher, who sees what the pupil shows them.
func (b *Book) ForTeacher() bool { return b.Reach == TeacherReach }

// Name is the pupil's name.
func (b *Book) Name() string { return b.FirstName + " " + b.LastName }

// Count is the number of items shown.
func (b *Book) Count() int {
	n := 0
	for _, y := range b.Years {
		for _, s := range y.Subjects {
			n += len(s.Items)
		}
	}
	return n
}

// Year is one school year of a portfolio.
type Year struct {
	Code     string
	Closed   bool // no longer the current year: read-only, kept
	Count    int  // its items (those the reader sees)
	Subjects []Subject
}

// Subject is a year's items of one subject, newest first (a year the page does not show:
// only their count).
type Subject struct {
	Label string
	Count int
	Items []Item
}

// Date is the item's date in French (« 03/12/2026 »).
func (it Item) Date() string { return it.OccurredAt.In(directory.SchoolZone).Format("02/01/2006") }

// KindLabel is the item's kind in French.
func (it Item) KindLabel() string { return it.Kind.Label() }

// Carried tells whether the item came from another establishment.
func (it Item) Carried() bool { return it.OriginName != "" || it.OriginUAI != "" }

// Origin is the establishment a carried item came from.
func (it Item) Origin() string {
	if it.OriginName != "" {
		return it.OriginName
	}
	return it.OriginUAI
}

// Deletable tells whether the pupil may delete the item: their own document of the current year.
func (it Item) Deletable() bool { return it.Kind == Document && !it.Closed }

// AllYears asks Portfolio and Own for every year's items at once (the API).
const AllYears = "*"

// Portfolio is pupil's portfolio as a reads it: all of it for the pupil and their legal
// guardians (of a minor), the items the pupil made visible for their teachers of the current
// year; nothing (not found) for anyone else. Only year's items are read ("": the current
// year; AllYears: every year), the other years are counted: a page shows one year.
func (s *Service) Portfolio(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID, year string) (*Book, error) {
	var b *Book
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		r, err := s.mustReach(tx, a, pupil)
		if err != nil {
			return err
		}
		b, err = s.book(tx, pupil, r, year)
		return err
	})
	return b, err
}

// Own is the actor's own portfolio (year as for Portfolio) with what its page needs besides:
// the establishment's subjects (the document form) and the room their documents take; one read.
func (s *Service) Own(ctx context.Context, t *tenant.Tenant, a Actor, year string) (b *Book, subjects []SubjectChoice, u Usage, err error) {
	err = s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		r, err := s.mustReach(tx, a, a.PersonID)
		if err != nil {
			return err
		}
		if b, err = s.book(tx, a.PersonID, r, year); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT code, label FROM subjects ORDER BY label, code`).Scan(&subjects).Error; err != nil {
			return fmt.Errorf("portfolio: subjects: %w", err)
		}
		u, err = s.usage(tx, a.PersonID)
		return err
	})
	return b, subjects, u, err
}

// book reads pupil's portfolio for a reader of reach r, within tx: year's items (see
// Portfolio) and every year's count. A year the portfolio does not have is not found.
func (s *Service) book(tx *gorm.DB, pupil uuid.UUID, r Reach, year string) (*Book, error) {
	b := &Book{PupilID: pupil, Reach: r}
	if err := tx.Raw(`SELECT first_name, last_name, coalesce((SELECT code FROM school_years WHERE current), '') FROM people WHERE id = ?`, pupil).
		Row().Scan(&b.FirstName, &b.LastName, &b.CurrentYear); err != nil {
		return nil, fmt.Errorf("portfolio: pupil %s: %w", pupil, err)
	}
	only := ""
	if r == TeacherReach {
		only = " AND i.visible_to_teachers"
	}
	// The years and their subjects' counts, from the index on (pupil_id, school_year, subject_label, …).
	rows, err := tx.Raw(`SELECT i.school_year, i.subject_label, count(*) FROM portfolio_items i WHERE i.pupil_id = ?`+only+`
		GROUP BY i.school_year, i.subject_label ORDER BY i.school_year DESC`, pupil).Rows()
	if err != nil {
		return nil, fmt.Errorf("portfolio: years of %s: %w", pupil, err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var sub Subject
		if err := rows.Scan(&code, &sub.Label, &sub.Count); err != nil {
			return nil, fmt.Errorf("portfolio: years of %s: %w", pupil, err)
		}
		if sub.Label == "" {
			sub.Label = NoSubject
		}
		if n := len(b.Years); n == 0 || b.Years[n-1].Code != code {
			b.Years = append(b.Years, Year{Code: code, Closed: code != b.CurrentYear})
		}
		y := &b.Years[len(b.Years)-1]
		y.Count += sub.Count
		y.Subjects = append(y.Subjects, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("portfolio: years of %s: %w", pupil, err)
	}
	for i := range b.Years {
		sortSubjects(b.Years[i].Subjects)
	}
	// The current year is listed even before its first item.
	if b.CurrentYear != "" && !slices.ContainsFunc(b.Years, func(y Year) bool { return y.Code == b.CurrentYear }) {
		b.Years = append(b.Years, Year{Code: b.CurrentYear})
		slices.SortFunc(b.Years, func(x, y Year) int { return strings.Compare(y.Code, x.Code) })
	}
	switch {
	case year == AllYears:
	case year == "" && b.CurrentYear != "":
		b.Shown = b.CurrentYear
	case year == "" && len(b.Years) > 0:
		b.Shown = b.Years[0].Code
	case year == "":
		return b, nil // no year at all: an empty portfolio
	case !slices.ContainsFunc(b.Years, func(y Year) bool { return y.Code == year }):
		return nil, notFound("année du portfolio")
	default:
		b.Shown = year
	}
	q := `SELECT ` + itemColumns + ` FROM portfolio_items i WHERE i.pupil_id = ?` + only
	args := []any{pupil}
	if b.Shown != "" {
		q += ` AND i.school_year = ?`
		args = append(args, b.Shown)
	}
	items, err := scanItems(tx.Raw(q+` ORDER BY i.school_year DESC, i.occurred_at DESC, i.title`, args...))
	if err != nil {
		return nil, fmt.Errorf("portfolio: items of %s: %w", pupil, err)
	}
	for i := range items {
		items[i].Closed = items[i].SchoolYear != b.CurrentYear
	}
	if err := withFiles(tx, items); err != nil {
		return nil, fmt.Errorf("portfolio: files of %s: %w", pupil, err)
	}
	for _, y := range group(items) {
		for i := range b.Years {
			if b.Years[i].Code == y.Code {
				b.Years[i].Subjects = y.Subjects
			}
		}
	}
	return b, nil
}

// The columns scanItems and scanFiles read (a page reads hundreds of items: scanned by hand,
// without reflection).
const (
	itemColumns = `i.id, i.pupil_id, i.school_year, i.kind, i.source, i.subject_code, i.subject_label, i.title, i.summary, i.body,
		i.visible_to_teachers, i.origin_uai, i.origin_name, i.occurred_at, i.created_at, i.updated_at`
	fileColumns = `f.id, f.item_id, f.blob_key, f.name, f.content_type, f.size, f.sha256, f.created_at`
)

func scanItems(q *gorm.DB) ([]Item, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.PupilID, &it.SchoolYear, &it.Kind, &it.Source, &it.SubjectCode, &it.SubjectLabel, &it.Title, &it.Summary, &it.Body,
			&it.VisibleToTeachers, &it.OriginUAI, &it.OriginName, &it.OccurredAt, &it.CreatedAt, &it.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// withFiles reads the files of items within tx and attaches them, by the items' ids: a join
// on the pupil made PostgreSQL scan every file of the establishment (8 ms for 10,000 files),
// the ids probe the index.
func withFiles(tx *gorm.DB, items []Item) error {
	at := make(map[uuid.UUID]int, len(items))
	ids := make(pgarray.UUIDs, len(items))
	for i := range items {
		at[items[i].ID], ids[i] = i, items[i].ID
	}
	fs, err := scanFiles(tx.Raw(`SELECT `+fileColumns+` FROM portfolio_files f WHERE f.item_id = ANY(?) ORDER BY f.created_at, f.name`, ids))
	if err != nil {
		return err
	}
	for _, f := range fs {
		i := at[f.ItemID]
		items[i].Files = append(items[i].Files, f)
	}
	return nil
}

func scanFiles(q *gorm.DB) ([]File, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.ItemID, &f.Key, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// group puts items (ordered by year, newest first) into years and, within a year, subjects
// in French order (the items without a subject last), keeping the items' order.
func group(items []Item) []Year {
	var years []Year
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].SchoolYear == items[start].SchoolYear {
			end++
		}
		y := Year{Code: items[start].SchoolYear, Closed: items[start].Closed}
		bySubject := map[string]int{}
		for _, it := range items[start:end] {
			label := it.SubjectLabel
			if label == "" {
				label = NoSubject
			}
			i, ok := bySubject[label]
			if !ok {
				i = len(y.Subjects)
				bySubject[label] = i
				y.Subjects = append(y.Subjects, Subject{Label: label})
			}
			y.Subjects[i].Items = append(y.Subjects[i].Items, it)
			y.Subjects[i].Count++
		}
		sortSubjects(y.Subjects)
		years = append(years, y)
		start = end
	}
	return years
}

// sortSubjects puts subjects in French order, the items without a subject last.
func sortSubjects(subjects []Subject) {
	frsort.Slice(subjects, func(s Subject) []string {
		if s.Label == NoSubject {
			return []string{"\uffff"}
		}
		return []string{s.Label}
	})
}

// Child is a guardian's child as the portfolio's chooser lists them.
type Child struct {
	directory.Child
	Adult bool // of age: their portfolio is theirs alone
}

// Children are the actor's legal children, those of age marked.
func (s *Service) Children(ctx context.Context, t *tenant.Tenant, a Actor) ([]Child, error) {
	var out []Child
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		kids, err := s.guardians.LegalChildren(tx, a.PersonID)
		if err != nil || len(kids) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(kids))
		for i, k := range kids {
			ids[i] = k.ID
		}
		var births []struct {
			ID        uuid.UUID
			BirthDate *time.Time
		}
		if err := tx.Raw(`SELECT id, birth_date FROM people WHERE id IN ?`, ids).Scan(&births).Error; err != nil {
			return fmt.Errorf("portfolio: children's birth dates: %w", err)
		}
		adult := map[uuid.UUID]bool{}
		for _, b := range births {
			adult[b.ID] = Adult(b.BirthDate, s.now())
		}
		for _, k := range kids {
			out = append(out, Child{Child: k, Adult: adult[k.ID]})
		}
		return nil
	})
	return out, err
}

// ClassPupils is one of a teacher's classes or groups of the current year with its pupils.
type ClassPupils struct {
	ID     uuid.UUID
	Label  string
	Pupils []PupilCount
}

// PupilCount is a pupil with the number of items they show their teachers.
type PupilCount struct {
	ID        uuid.UUID
	FirstName string
	LastName  string
	Visible   int
}

// TeacherClasses are the classes and groups a teaches (or is professeur principal of) this
// year, with their active pupils and how many items each shows their teachers.
func (s *Service) TeacherClasses(ctx context.Context, t *tenant.Tenant, a Actor) ([]ClassPupils, error) {
	var out []ClassPupils
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var rows []struct {
			ClassID    uuid.UUID
			ClassLabel string
			PupilCount
		}
		if err := tx.Raw(`SELECT c.id AS class_id, c.label AS class_label, p.id, p.first_name, p.last_name,
				(SELECT count(*) FROM portfolio_items i WHERE i.pupil_id = p.id AND i.visible_to_teachers) AS visible
			FROM classes c JOIN school_years y ON y.code = c.school_year AND y.current
			JOIN class_members m ON m.class_id = c.id JOIN people p ON p.id = m.person_id AND p.active AND p.category = 'eleve'
			WHERE EXISTS (SELECT 1 FROM teachings te WHERE te.class_id = c.id AND te.teacher_id = ?)
				OR EXISTS (SELECT 1 FROM principal_teachers pt WHERE pt.class_id = c.id AND pt.teacher_id = ?)
			ORDER BY c.kind, c.label, c.id`, a.PersonID, a.PersonID).Scan(&rows).Error; err != nil {
			return fmt.Errorf("portfolio: classes of %s: %w", a.PersonID, err)
		}
		for _, r := range rows {
			if len(out) == 0 || out[len(out)-1].ID != r.ClassID {
				out = append(out, ClassPupils{ID: r.ClassID, Label: r.ClassLabel})
			}
			out[len(out)-1].Pupils = append(out[len(out)-1].Pupils, r.PupilCount)
		}
		for i := range out {
			frsort.Slice(out[i].Pupils, func(p PupilCount) []string { return []string{p.LastName, p.FirstName} })
		}
		return nil
	})
	return out, err
}
