package cahier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Limits of a séance, as the form states them.
const (
	maxTitle = 150
	maxBody  = 20000
	maxLinks = 20
	// bookLimit bounds a cahier's page: a year of one subject fits.
	bookLimit = 400
)

// sessionColumns are a séance's columns as Session scans them, from se, its class c, its
// subject sub and its teacher p.
const sessionColumns = `se.id, se.class_id, c.label AS class_label, se.subject_code, coalesce(sub.label, se.subject_code) AS subject_label,
	se.teacher_id, coalesce(p.first_name || ' ' || p.last_name, '') AS teacher, se.slot_id, se.on_date, coalesce(se.lesson_date, se.on_date) AS lesson_date,
	to_char(se.starts_at, 'HH24:MI') AS starts, to_char(se.ends_at, 'HH24:MI') AS ends,
	se.title, se.body, se.body_html, se.links::text AS links, se.state, se.publish_at`

const sessionFrom = ` FROM cahier_sessions se JOIN classes c ON c.id = se.class_id LEFT JOIN subjects sub ON sub.code = se.subject_code
	LEFT JOIN people p ON p.id = se.teacher_id `

// sessionShown is the SQL condition that séance se is shown to readers at @now, or is
// @me's own (their drafts and séances to come).
const sessionShown = `((se.state = 'publie' AND se.publish_at <= @now) OR se.teacher_id = @me)`

func (st store) sessions(where string, args map[string]any, order string) ([]Session, error) {
	var out []Session
	if err := st.tx.Raw(`SELECT `+sessionColumns+sessionFrom+`WHERE `+where+` ORDER BY `+order+` LIMIT `+itoa(bookLimit), args).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: séances: %w", err)
	}
	for i := range out {
		if err := json.Unmarshal([]byte(out[i].LinksJSON), &out[i].Links); err != nil {
			return nil, fmt.Errorf("cahier: links of %s: %w", out[i].ID, err)
		}
	}
	return out, nil
}

// SessionForm is a séance as typed: from a lesson (Slot and Date) or exceptional (Choice,
// Date, Starts, Ends).
type SessionForm struct {
	Slot        string // a timetable slot's id, with Date the lesson's date
	Choice      string // exceptional: "<class id>|<subject code>" (Choice.Value)
	Date        string // aaaa-mm-jj
	Starts      string // hh:mm, exceptional
	Ends        string
	Title       string
	Body        string
	Links       string // one a line: "Titre https://…" or an address alone
	VisibleFrom string // aaaa-mm-jjThh:mm; empty: the end of the lesson
}

// FormOfSession is the form of an existing séance, to edit it: a lesson's is named by its
// slot and the date the slot gives it (a moved lesson's too).
func FormOfSession(se Session) SessionForm {
	f := SessionForm{Choice: se.ClassID.String() + "|" + se.SubjectCode, Date: se.OnDate.Format(dateLayout), Starts: se.Starts, Ends: se.Ends,
		Title: se.Title, Body: se.Body, VisibleFrom: se.PublishAt.In(directory.SchoolZone).Format("2006-01-02T15:04")}
	if se.SlotID != uuid.Nil {
		f.Slot, f.Date = se.SlotID.String(), se.LessonDate.Format(dateLayout)
	}
	var lines []string
	for _, l := range se.Links {
		lines = append(lines, strings.TrimSpace(l.Title+" "+l.URL))
	}
	f.Links = strings.Join(lines, "\n")
	return f
}

// sessionRow is a séance as stored.
type sessionRow struct {
	ID          uuid.UUID
	ClassID     uuid.UUID
	SubjectCode string
	TeacherID   uuid.UUID
	SlotID      *uuid.UUID
	OnDate      time.Time  // the day it takes place
	LessonDate  *time.Time // a lesson's: the occurrence's date as the slot gives it
	StartsAt    string
	EndsAt      string
	Title       string
	Body        string
	BodyHTML    string
	Links       string
	State       State
	PublishAt   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (sessionRow) TableName() string { return "cahier_sessions" }

// parseLinks reads one link a line; every address must be http or https with a host.
func parseLinks(raw string, errs FormErrors) []Link {
	out := []Link{}
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		addr := fields[len(fields)-1]
		title := strings.TrimSpace(strings.TrimSuffix(line, addr))
		u, err := url.Parse(addr)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs["liens"] = "Liens : « " + addr + " » n'est pas une adresse http:// ou https:// ; écrivez une adresse complète à la fin de la ligne."
			continue
		}
		if utf8.RuneCountInString(title) > 150 || len(addr) > 2000 {
			errs["liens"] = "Liens : la ligne « " + line + " » est trop longue (titre de 150 caractères au plus)."
			continue
		}
		if title == "" {
			title = u.Host
		}
		out = append(out, Link{Title: title, URL: u.String()})
	}
	if len(out) > maxLinks {
		errs["liens"] = "Liens : 20 au plus."
	}
	return out
}

// parseDate reads aaaa-mm-jj.
func parseDate(raw string) (time.Time, bool) {
	d, err := time.Parse(dateLayout, strings.TrimSpace(raw))
	return d, err == nil
}

// parseChoice reads "<class id>|<subject code>".
func parseChoice(raw string) (uuid.UUID, string, bool) {
	id, subject, ok := strings.Cut(raw, "|")
	class, err := uuid.Parse(id)
	return class, subject, ok && err == nil && subject != ""
}

// lessonOf finds the lesson a séance form names (its slot and the date the slot gives it),
// from the timetable, outside any transaction (the timetable opens its own): one the actor
// teaches, replaces in or was to teach before a replacement, and that is not cancelled.
func (s *Service) lessonOf(ctx context.Context, t *tenant.Tenant, a Actor, f SessionForm, errs FormErrors) *timetable.Lesson {
	if f.Slot == "" {
		return nil
	}
	slot, err := uuid.Parse(f.Slot)
	d, ok := parseDate(f.Date)
	if err != nil || !ok {
		errs["cours"] = "Cours : ce cours de l'emploi du temps est introuvable ; choisissez-le dans « Mes séances »."
		return nil
	}
	l, err := s.lessons.LessonAt(ctx, t, slot, d)
	if err != nil || !l.HasTeacher(a.PersonID) {
		errs["cours"] = "Cours : vous n'assurez pas ce cours à cette date ; choisissez un de vos cours dans « Mes séances »."
		return nil
	}
	if !l.Taught() {
		errs["cours"] = "Cours : ce cours est annulé dans l'emploi du temps ; il n'a pas de séance à remplir."
		return nil
	}
	return &l
}

// SaveSession creates (id Nil) or edits a séance of a class the actor teaches; publish true
// publishes it (shown from its visibility date, by default the end of the lesson), false
// keeps a draft. It returns the séance's id.
func (s *Service) SaveSession(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f SessionForm, publish bool) (uuid.UUID, error) {
	if !a.Writes() {
		return uuid.Nil, fault.New(fault.ErrForbidden, "seuls les enseignants remplissent le cahier de textes")
	}
	errs := FormErrors{}
	lesson := s.lessonOf(ctx, t, a, f, errs)
	now := s.now()
	row := sessionRow{ID: id, TeacherID: a.PersonID, CreatedAt: now, UpdatedAt: now, State: Draft}
	if publish {
		row.State = Published
	}
	if lesson != nil {
		row.SlotID, row.ClassID, row.SubjectCode = &lesson.SlotID, lesson.Group.ID, lesson.Subject.Code
		// The day it takes place (a moved lesson's new date and times), and the slot's date
		// that names the lesson.
		row.OnDate, row.LessonDate, row.StartsAt, row.EndsAt = lesson.On, &lesson.Date, lesson.Start.String(), lesson.End.String()
	} else if f.Slot == "" {
		var ok bool
		if row.ClassID, row.SubjectCode, ok = parseChoice(f.Choice); !ok {
			errs["classe"] = "Classe et matière : choisissez la classe ou le groupe et la matière de la séance."
		}
		if row.OnDate, ok = parseDate(f.Date); !ok {
			errs["date"] = "Date : indiquez la date de la séance (aaaa-mm-jj)."
		}
		starts, ok1 := timetable.ParseClock(f.Starts)
		ends, ok2 := timetable.ParseClock(f.Ends)
		if !ok1 || !ok2 || ends <= starts {
			errs["debut"] = "Horaires : indiquez le début et la fin de la séance (8:00 et 9:00), la fin après le début."
		}
		row.StartsAt, row.EndsAt = starts.String(), ends.String()
	}
	row.Title = strings.TrimSpace(f.Title)
	switch n := utf8.RuneCountInString(row.Title); {
	case n == 0:
		errs["titre"] = "Titre : indiquez ce qui a été fait pendant la séance, en quelques mots."
	case n > maxTitle:
		errs["titre"] = "Titre : 150 caractères au plus (" + itoa(n) + " saisis)."
	}
	row.Body = strings.TrimSpace(f.Body)
	if n := utf8.RuneCountInString(row.Body); n > maxBody {
		errs["contenu"] = "Contenu : 20 000 caractères au plus (" + itoa(n) + " saisis)."
	}
	links := parseLinks(f.Links, errs)
	row.PublishAt = at(row.OnDate, row.EndsAt)
	if v := strings.TrimSpace(f.VisibleFrom); v != "" {
		p, err := time.ParseInLocation("2006-01-02T15:04", v, directory.SchoolZone)
		if err != nil {
			errs["visible"] = "Visible à partir du : date et heure illisibles ; indiquez par exemple 2026-10-05T18:00, ou laissez vide pour la fin du cours."
		}
		row.PublishAt = p
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	html, err := render(row.Body)
	if err != nil {
		return uuid.Nil, err
	}
	raw, err := json.Marshal(links)
	if err != nil {
		return uuid.Nil, fmt.Errorf("cahier: links: %w", err)
	}
	row.BodyHTML, row.Links = html, string(raw)
	err = s.write(ctx, t, func(st store) error {
		// A lesson's teacher is the timetable's (a replacement too: lessonOf); an exceptional
		// séance's, one of the class's.
		if lesson == nil {
			if err := st.mayWrite(a, row.ClassID, row.SubjectCode); err != nil {
				return err
			}
		}
		if id != uuid.Nil {
			var old []sessionRow
			if err := st.tx.Raw(`SELECT * FROM cahier_sessions WHERE id = ? FOR UPDATE`, id).Scan(&old).Error; err != nil {
				return fmt.Errorf("cahier: lock séance %s: %w", id, err)
			}
			if len(old) == 0 || old[0].TeacherID != a.PersonID {
				return notFound("séance")
			}
			row.CreatedAt = old[0].CreatedAt
			return st.tx.Save(&row).Error
		}
		if row.SlotID != nil {
			var n int
			if err := st.tx.Raw(`SELECT count(*) FROM cahier_sessions WHERE slot_id = ? AND lesson_date = ? AND class_id = ?`, *row.SlotID, *row.LessonDate, row.ClassID).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return FormErrors{"cours": "Cours : la séance de ce cours est déjà remplie ; modifiez-la depuis « Mes séances »."}
			}
		}
		row.ID = uuid.New()
		return st.tx.Create(&row).Error
	})
	if err != nil {
		return uuid.Nil, err
	}
	return row.ID, nil
}

// Session returns a séance the actor may read: shown to the class's readers, or their own.
func (s *Service) Session(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Session, error) {
	var out Session
	err := s.read(ctx, t, func(st store) error {
		found, err := st.sessions(`se.id = @id AND `+sessionShown, map[string]any{"id": id, "now": s.now(), "me": a.PersonID}, "se.on_date")
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return notFound("séance")
		}
		if found[0].TeacherID != a.PersonID { // their own: a replacement's too
			if err := st.mayRead(a, found[0].ClassID); err != nil {
				return err
			}
		}
		out = found[0]
		work, err := st.works(`w.session_id = @id AND `+workShown, map[string]any{"id": id, "now": s.now(), "me": a.PersonID}, uuid.Nil)
		if err != nil {
			return err
		}
		out.Work = work
		if out.Files, err = st.filesOf("session_id", []uuid.UUID{id}); err != nil {
			return err
		}
		return st.workFiles(out.Work)
	})
	return out, err
}

// Book is a class's or a pupil's cahier de textes: its séances (with the work set in them)
// newest first, of one subject or all.
type Book struct {
	Title    string
	Subject  string // the subject shown, or all
	Subjects []Choice
	Sessions []Session
}

// ClassBook is the cahier de textes of a class or group (its readers only).
func (s *Service) ClassBook(ctx context.Context, t *tenant.Tenant, a Actor, class uuid.UUID, subject string) (*Book, error) {
	out := &Book{Subject: subject}
	err := s.read(ctx, t, func(st store) error {
		var err error
		if out.Title, err = st.readableClass(a, class); err != nil {
			return err
		}
		return s.fillBook(st, a, out, []uuid.UUID{class})
	})
	return out, err
}

// PupilBook is a pupil's cahier de textes: the séances of all their classes and groups, as
// the pupil or a legal guardian reads it.
func (s *Service) PupilBook(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID, subject string) (*Book, error) {
	out := &Book{Subject: subject}
	err := s.read(ctx, t, func(st store) error {
		classes, _, err := s.pupilClasses(st, a, pupil)
		if err != nil {
			return err
		}
		return s.fillBook(st, a, out, classes)
	})
	return out, err
}

// PupilSubjects are the subjects of a pupil's cahier (the links of their week's page).
func (s *Service) PupilSubjects(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID) ([]Choice, error) {
	var out []Choice
	err := s.read(ctx, t, func(st store) error {
		classes, _, err := s.pupilClasses(st, a, pupil)
		if err != nil || len(classes) == 0 {
			return err
		}
		out, err = st.subjects(map[string]any{"classes": classes, "now": s.now(), "me": a.PersonID})
		return err
	})
	return out, err
}

// subjects are the subjects of the séances of @classes shown to @me.
func (st store) subjects(args map[string]any) ([]Choice, error) {
	var out []Choice
	if err := st.tx.Raw(`SELECT sub.code AS subject_code, sub.label AS subject_label FROM subjects sub WHERE EXISTS (
		SELECT 1 FROM cahier_sessions se WHERE se.subject_code = sub.code AND se.class_id IN @classes AND `+sessionShown+`) ORDER BY sub.label`, args).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: subjects: %w", err)
	}
	return out, nil
}

func (s *Service) fillBook(st store, a Actor, b *Book, classes []uuid.UUID) error {
	if len(classes) == 0 {
		return nil
	}
	args := map[string]any{"classes": classes, "now": s.now(), "me": a.PersonID, "subject": b.Subject}
	var err error
	if b.Subjects, err = st.subjects(args); err != nil {
		return err
	}
	where := `se.class_id IN @classes AND ` + sessionShown
	if b.Subject != "" {
		where += ` AND se.subject_code = @subject`
	}
	if b.Sessions, err = st.sessions(where, args, "se.on_date DESC, se.starts_at DESC"); err != nil {
		return err
	}
	return st.attachWork(b.Sessions, args)
}

// attachWork fills each séance's work shown to the reader.
func (st store) attachWork(ss []Session, args map[string]any) error {
	if len(ss) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ss))
	at := make(map[uuid.UUID]int, len(ss))
	for i, se := range ss {
		ids[i], at[se.ID] = se.ID, i
	}
	a := map[string]any{"ids": ids, "now": args["now"], "me": args["me"]}
	work, err := st.works(`w.session_id IN @ids AND `+workShown, a, uuid.Nil)
	if err != nil {
		return err
	}
	for _, w := range work {
		i := at[w.SessionID]
		ss[i].Work = append(ss[i].Work, w)
	}
	return nil
}

// LessonEntry is a lesson of the teacher's week with its séance, if filled (by them, or by
// the other teacher of a replaced lesson).
type LessonEntry struct {
	Lesson  timetable.Lesson
	Session *Session
}

// Day is the lesson's date in French: the day it takes place.
func (e LessonEntry) Day() string { return frDay(e.Lesson.On) }

// Moved says where a moved lesson was planned: « prévu le lundi 05/10/2026 à 8h00 ».
func (e LessonEntry) Moved() string {
	if e.Lesson.Status != timetable.StatusDeplace {
		return ""
	}
	return "prévu le " + frDay(e.Lesson.Date) + " à " + e.Lesson.FromStart.French()
}

// TeacherWeek is a teacher's week: their lessons with their séances, and their séances
// outside the timetable.
type TeacherWeek struct {
	Monday      time.Time
	Lessons     []LessonEntry
	Exceptional []Session
}

// TeacherWeek returns the actor's lessons from monday to its Saturday, as the timetable has
// them on the days they take place (moved, cancelled, replaced: those they replace in and
// those they were to teach), each with its séance whoever filled it, and their exceptional
// séances of the week.
func (s *Service) TeacherWeek(ctx context.Context, t *tenant.Tenant, a Actor, monday time.Time) (*TeacherWeek, error) {
	if !a.Writes() {
		return nil, fault.New(fault.ErrForbidden, "seuls les enseignants remplissent le cahier de textes")
	}
	out := &TeacherWeek{Monday: monday}
	lessons, err := s.lessons.LessonsOfPerson(ctx, t, a.PersonID, monday, monday.AddDate(0, 0, 5))
	if err != nil {
		return nil, err
	}
	// The lessons' séances by slot and the date the slot gives (a lesson moved into the week
	// may be planned outside it).
	slots, from, to := []uuid.UUID{}, monday, monday.AddDate(0, 0, 6)
	for _, l := range lessons {
		slots = append(slots, l.SlotID)
		if l.Date.Before(from) {
			from = l.Date
		}
		if l.Date.After(to) {
			to = l.Date
		}
	}
	var filled []Session
	err = s.read(ctx, t, func(st store) (err error) {
		args := map[string]any{"me": a.PersonID, "from": monday, "to": monday.AddDate(0, 0, 6), "slots": slots, "lfrom": from, "lto": to}
		if out.Exceptional, err = st.sessions(`se.teacher_id = @me AND se.slot_id IS NULL AND se.on_date BETWEEN @from AND @to`, args, "se.on_date, se.starts_at"); err != nil {
			return err
		}
		if len(slots) == 0 {
			return nil
		}
		filled, err = st.sessions(`se.slot_id IN @slots AND se.lesson_date BETWEEN @lfrom AND @lto`, args, "se.on_date, se.starts_at")
		return err
	})
	if err != nil {
		return nil, err
	}
	key := func(slot, class uuid.UUID, d time.Time) string {
		return slot.String() + class.String() + d.Format(dateLayout)
	}
	bySlot := map[string]*Session{}
	for i := range filled {
		bySlot[key(filled[i].SlotID, filled[i].ClassID, filled[i].LessonDate)] = &filled[i]
	}
	for _, l := range lessons {
		out.Lessons = append(out.Lessons, LessonEntry{Lesson: l, Session: bySlot[key(l.SlotID, l.Group.ID, l.Date)]})
	}
	return out, nil
}

// DeleteSession removes one of the actor's séances with its work.
func (s *Service) DeleteSession(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.write(ctx, t, func(st store) error {
		res := st.tx.Exec(`DELETE FROM cahier_sessions WHERE id = ? AND teacher_id = ?`, id, a.PersonID)
		if res.Error != nil {
			return fmt.Errorf("cahier: delete séance %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("séance")
		}
		return nil
	})
}
