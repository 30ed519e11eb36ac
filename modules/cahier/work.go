package cahier

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

const (
	maxDescription = 5000
	maxMinutes     = 600
	// nextLessonWithin is how far « pour la prochaine séance » looks (holidays included).
	nextLessonWithin = 42
)

const workColumns = `w.id, w.session_id, w.class_id, c.label AS class_label, w.subject_code, coalesce(sub.label, w.subject_code) AS subject_label,
	w.teacher_id, coalesce(p.first_name || ' ' || p.last_name, '') AS teacher, w.kind, w.description, w.description_html,
	w.due_on, w.next_lesson, w.minutes, w.publish_at, w.submission`

const workFrom = ` FROM cahier_work w JOIN classes c ON c.id = w.class_id LEFT JOIN subjects sub ON sub.code = w.subject_code
	LEFT JOIN people p ON p.id = w.teacher_id `

// workVisible is the SQL condition that work w is shown to its class's readers at @now: its
// publication time has come, and so has its séance's, when it hangs on one (a draft séance
// keeps its work unseen).
const workVisible = `(w.publish_at <= @now AND (w.session_id IS NULL OR EXISTS (
	SELECT 1 FROM cahier_sessions ws WHERE ws.id = w.session_id AND ws.state = 'publie' AND ws.publish_at <= @now)))`

// workShown is workVisible, or @me's own work.
const workShown = `(` + workVisible + ` OR w.teacher_id = @me)`

// works reads the work of where. tick is the pupil whose own « fait » ticks are read: the
// viewer themself when they are that pupil, Nil otherwise (nobody's ticks are read for
// anyone else, no tracking of minors).
func (st store) works(where string, args map[string]any, tick uuid.UUID) ([]Work, error) {
	var out []Work
	args["tick"] = tick
	if err := st.tx.Raw(`SELECT `+workColumns+`, EXISTS (SELECT 1 FROM cahier_done d WHERE d.pupil_id = @tick AND d.work_id = w.id) AS done`+workFrom+
		`WHERE `+where+` ORDER BY w.due_on, sub.label, w.id LIMIT `+itoa(bookLimit), args).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: work: %w", err)
	}
	return out, nil
}

// WorkForm is a piece of work as typed.
type WorkForm struct {
	Session     string // the séance it is set in, or empty
	Choice      string // standalone: "<class id>|<subject code>"
	Kind        string
	Description string
	Due         string // "date" or "prochaine" (the next lesson of that class and subject)
	DueOn       string // aaaa-mm-jj, for "date"
	Minutes     string
	PublishAt   string // aaaa-mm-jjThh:mm; empty: now (or the séance's publication)
	Submission  string // « rendu attendu »: aucun, fichiers, texte, fichiers_texte (empty: aucun)
}

// FormOfWork is the form of an existing piece of work.
func FormOfWork(w Work) WorkForm {
	f := WorkForm{Choice: w.ClassID.String() + "|" + w.SubjectCode, Kind: w.Kind, Description: w.Description, Due: "date",
		DueOn: w.DueOn.Format(dateLayout), Minutes: itoa(w.Minutes), PublishAt: w.PublishAt.In(directory.SchoolZone).Format("2006-01-02T15:04"), Submission: string(w.Submission)}
	if w.SessionID != uuid.Nil {
		f.Session = w.SessionID.String()
	}
	return f
}

type workRow struct {
	ID              uuid.UUID
	SessionID       *uuid.UUID
	ClassID         uuid.UUID
	SubjectCode     string
	TeacherID       uuid.UUID
	Kind            string
	Description     string
	DescriptionHTML string
	DueOn           time.Time
	NextLesson      bool
	Minutes         int
	PublishAt       time.Time
	Submission      Expected
	NotifiedAt      *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (workRow) TableName() string { return "cahier_work" }

// SaveWork creates (id Nil) or edits a piece of work for a class the actor teaches, and
// returns it with the workload of its due day. Work visible at once is told to the class's
// pupils in the same transaction; work published later is told by the periodic job.
func (s *Service) SaveWork(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f WorkForm) (uuid.UUID, *Workload, error) {
	if !a.Writes() {
		return uuid.Nil, nil, fault.New(fault.ErrForbidden, "seuls les enseignants donnent du travail")
	}
	now := s.now()
	errs := FormErrors{}
	row := workRow{ID: id, TeacherID: a.PersonID, CreatedAt: now, UpdatedAt: now, PublishAt: now}
	after := now // « la prochaine séance » is the next lesson after this
	var settings Settings
	err := s.read(ctx, t, func(st store) (err error) {
		settings, err = st.settings()
		if err != nil || f.Session == "" {
			return err
		}
		sid, perr := uuid.Parse(f.Session)
		found, err := st.sessions(`se.id = @id AND se.teacher_id = @me`, map[string]any{"id": sid, "me": a.PersonID}, "se.id")
		if perr != nil || err != nil || len(found) == 0 {
			errs["seance"] = "Séance : cette séance est introuvable parmi les vôtres."
			return err
		}
		se := found[0]
		row.SessionID, row.ClassID, row.SubjectCode = &se.ID, se.ClassID, se.SubjectCode
		after = at(se.OnDate, se.Ends)
		if se.PublishAt.After(now) {
			row.PublishAt = se.PublishAt
		}
		return nil
	})
	if err != nil {
		return uuid.Nil, nil, err
	}
	if f.Session == "" {
		var ok bool
		if row.ClassID, row.SubjectCode, ok = parseChoice(f.Choice); !ok {
			errs["classe"] = "Classe et matière : choisissez la classe ou le groupe et la matière du travail."
		}
	}
	row.Kind = strings.TrimSpace(f.Kind)
	if !slices.Contains(settings.Types, row.Kind) {
		errs["type"] = "Type : choisissez un type de travail de la liste."
	}
	row.Description = strings.TrimSpace(f.Description)
	switch n := utf8.RuneCountInString(row.Description); {
	case n == 0:
		errs["consigne"] = "Consigne : décrivez le travail à faire."
	case n > maxDescription:
		errs["consigne"] = "Consigne : 5 000 caractères au plus (" + itoa(n) + " saisis)."
	}
	if m := strings.TrimSpace(f.Minutes); m != "" {
		n, ok := atoi(m)
		if !ok || n > maxMinutes {
			errs["duree"] = "Temps estimé : indiquez un nombre de minutes entre 0 et 600."
		}
		row.Minutes = n
	}
	if v := strings.TrimSpace(f.PublishAt); v != "" {
		p, err := time.ParseInLocation("2006-01-02T15:04", v, directory.SchoolZone)
		if err != nil {
			errs["publication"] = "Publication : date et heure illisibles ; indiquez par exemple 2026-10-05T18:00, ou laissez vide pour tout de suite."
		}
		row.PublishAt = p
	}
	row.Submission = Expected(strings.TrimSpace(f.Submission))
	if row.Submission == "" {
		row.Submission = ExpectNothing
	}
	if !row.Submission.valid() {
		errs["rendu"] = "Rendu attendu : choisissez aucun, des fichiers, un texte, ou des fichiers et un texte."
	}
	switch f.Due {
	case "prochaine":
		if _, bad := errs["classe"]; !bad && row.ClassID != uuid.Nil {
			d, ok, err := s.nextLesson(ctx, t, row.ClassID, row.SubjectCode, after)
			if err != nil {
				return uuid.Nil, nil, err
			}
			if !ok {
				errs["echeance"] = "Pour la prochaine séance : aucun cours de cette matière n'est prévu pour cette classe dans les six semaines ; indiquez une date."
			}
			row.DueOn, row.NextLesson = d, true
		}
	default:
		d, ok := parseDate(f.DueOn)
		switch {
		case !ok:
			errs["echeance"] = "Pour le : indiquez la date à laquelle le travail est à faire (aaaa-mm-jj)."
		case id == uuid.Nil && d.Before(day(now)):
			errs["echeance"] = "Pour le : cette date est passée ; choisissez une date à venir."
		}
		row.DueOn = d
	}
	if len(errs) > 0 {
		return uuid.Nil, nil, errs
	}
	html, err := render(row.Description)
	if err != nil {
		return uuid.Nil, nil, err
	}
	row.DescriptionHTML = html
	err = s.write(ctx, t, func(st store) error {
		// Work set in one of the actor's séances is theirs to set (a replacement's lesson
		// too); standalone work, for a class they teach.
		if row.SessionID == nil {
			if err := st.mayWrite(a, row.ClassID, row.SubjectCode); err != nil {
				return err
			}
		}
		if id == uuid.Nil {
			row.ID = uuid.New()
			err = st.tx.Create(&row).Error
		} else {
			var old []workRow
			if err := st.tx.Raw(`SELECT * FROM cahier_work WHERE id = ? FOR UPDATE`, id).Scan(&old).Error; err != nil {
				return fmt.Errorf("cahier: lock work %s: %w", id, err)
			}
			if len(old) == 0 || old[0].TeacherID != a.PersonID {
				return notFound("travail")
			}
			// Work already handed in keeps asking for it: its submissions stay reachable.
			if !row.Submission.Asks() && old[0].Submission.Asks() {
				var n int
				if err := st.tx.Raw(`SELECT count(*) FROM cahier_submissions WHERE work_id = ?`, id).Scan(&n).Error; err != nil {
					return fmt.Errorf("cahier: submissions of %s: %w", id, err)
				}
				if n > 0 {
					return FormErrors{"rendu": fmt.Sprintf("Rendu attendu : %d élève(s) ont déjà rendu ce travail ; il ne peut plus être « aucun ». "+
						"Choisissez ce qui est attendu (fichiers, texte, ou les deux).", n)}
				}
			}
			row.CreatedAt, row.NotifiedAt = old[0].CreatedAt, old[0].NotifiedAt
			err = st.tx.Save(&row).Error
		}
		if err != nil {
			return fmt.Errorf("cahier: save work: %w", err)
		}
		return s.tellWork(st, t, row.ID, now)
	})
	if err != nil {
		return uuid.Nil, nil, err
	}
	wl, err := s.Workload(ctx, t, row.ClassID, row.DueOn, row.PublishAt)
	return row.ID, wl, err
}

// nextLesson is the date of the first lesson of class in subject after the instant after.
func (s *Service) nextLesson(ctx context.Context, t *tenant.Tenant, class uuid.UUID, subject string, after time.Time) (time.Time, bool, error) {
	from := day(after)
	lessons, err := s.lessons.LessonsOfGroup(ctx, t, class, from, from.AddDate(0, 0, nextLessonWithin))
	if err != nil {
		return time.Time{}, false, err
	}
	for _, l := range lessons {
		if l.Taught() && l.Subject.Code == subject && l.StartsAt().After(after) {
			return day(l.StartsAt()), true, nil
		}
	}
	return time.Time{}, false, nil
}

// Workload is a class's estimated work for one day, as the work form shows it.
type Workload struct {
	Day        time.Time
	Minutes    int // the most any pupil of the class has for that day, all subjects
	Threshold  int
	Over       bool // Minutes above Threshold
	Disconnect bool // set on a weekend or holiday for the next school day
}

// DayText is the day in French.
func (w Workload) DayText() string { return frDay(w.Day) }

// Total is the minutes in French.
func (w Workload) Total() string { return minutesText(w.Minutes) }

// Limit is the threshold in French.
func (w Workload) Limit() string { return minutesText(w.Threshold) }

// Workload computes the workload of class on the day due for work published at published.
// A pupil's day counts the work of each of their classes and groups, so the class's figure
// is its most loaded pupil's (a class with no pupil yet: its own work).
func (s *Service) Workload(ctx context.Context, t *tenant.Tenant, class uuid.UUID, due, published time.Time) (*Workload, error) {
	out := &Workload{Day: due}
	err := s.read(ctx, t, func(st store) error {
		set, err := st.settings()
		if err != nil {
			return err
		}
		out.Threshold = set.Threshold
		return st.tx.Raw(`SELECT greatest(
			(SELECT coalesce(max(total), 0) FROM (SELECT m1.person_id, sum(w.minutes) AS total FROM class_members m1
				JOIN class_members m2 ON m2.person_id = m1.person_id JOIN cahier_work w ON w.class_id = m2.class_id AND w.due_on = @day
				WHERE m1.class_id = @class GROUP BY m1.person_id) x),
			(SELECT coalesce(sum(minutes), 0) FROM cahier_work WHERE class_id = @class AND due_on = @day))`,
			map[string]any{"class": class, "day": due}).Scan(&out.Minutes).Error
	})
	if err != nil {
		return nil, fmt.Errorf("cahier: workload of %s: %w", class, err)
	}
	out.Over = out.Minutes > out.Threshold
	prof, err := s.lessons.Profile(ctx, t)
	if err != nil {
		return nil, err
	}
	off := func(d time.Time) bool {
		_, holiday := prof.HolidayOn(d)
		return holiday || d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
	}
	if p := day(published); off(p) {
		next := p.AddDate(0, 0, 1)
		for i := 0; i < 30 && off(next); i++ {
			next = next.AddDate(0, 0, 1)
		}
		out.Disconnect = !due.After(next)
	}
	return out, nil
}

// Work returns a piece of work the actor may read (its class's readers, its teacher), with
// the pupil's own tick when the actor is that pupil.
func (s *Service) Work(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Work, error) {
	var out Work
	err := s.read(ctx, t, func(st store) error {
		tick := uuid.Nil
		if a.can(PermTick) {
			tick = a.PersonID
		}
		found, err := st.works(`w.id = @id AND `+workShown, map[string]any{"id": id, "now": s.now(), "me": a.PersonID}, tick)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return notFound("travail")
		}
		if found[0].TeacherID != a.PersonID { // their own: a replacement's too
			if err := st.mayRead(a, found[0].ClassID); err != nil {
				return err
			}
		}
		out = found[0]
		out.Files, err = st.filesOf("work_id", []uuid.UUID{id})
		return err
	})
	return out, err
}

// ToDo is a pupil's « à faire » list from today on, by due date: the visible work of all
// their classes and groups. Their « fait » ticks are filled for the pupil themself only: a
// guardian's view of the same list has none.
func (s *Service) ToDo(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID) ([]Work, error) {
	var out []Work
	err := s.read(ctx, t, func(st store) error {
		own, err := s.seesPupil(st, a, pupil)
		if err != nil {
			return err
		}
		out, err = st.works(`w.class_id IN `+pupilsClasses+` AND w.due_on >= @today AND `+workVisible,
			map[string]any{"pupil": pupil, "today": s.Today(), "now": s.now()}, ownTick(own, pupil))
		return err
	})
	return out, err
}

// Tick records (done) or removes the pupil's own « fait » on a piece of work of theirs.
func (s *Service) Tick(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, done bool) error {
	if !a.can(PermTick) {
		return fault.New(fault.ErrForbidden, "seuls les élèves cochent leur propre travail")
	}
	return s.write(ctx, t, func(st store) error {
		var n int
		if err := st.tx.Raw(`SELECT count(*) FROM cahier_work w JOIN class_members m ON m.class_id = w.class_id AND m.person_id = @me WHERE w.id = @id AND `+workVisible,
			map[string]any{"id": id, "me": a.PersonID, "now": s.now()}).Scan(&n).Error; err != nil {
			return fmt.Errorf("cahier: tick %s: %w", id, err)
		}
		if n == 0 {
			return notFound("travail")
		}
		if done {
			return st.tx.Exec(`INSERT INTO cahier_done (pupil_id, work_id, done_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, a.PersonID, id, s.now()).Error
		}
		return st.tx.Exec(`DELETE FROM cahier_done WHERE pupil_id = ? AND work_id = ?`, a.PersonID, id).Error
	})
}

// DeleteWork removes one of the actor's pieces of work.
func (s *Service) DeleteWork(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	return s.write(ctx, t, func(st store) error {
		res := st.tx.Exec(`DELETE FROM cahier_work WHERE id = ? AND teacher_id = ?`, id, a.PersonID)
		if res.Error != nil {
			return fmt.Errorf("cahier: delete work %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("travail")
		}
		return nil
	})
}

// ownTick is whose ticks a pupil's list reads: the pupil's when they are the viewer, nobody's
// otherwise.
func ownTick(own bool, pupil uuid.UUID) uuid.UUID {
	if own {
		return pupil
	}
	return uuid.Nil
}

// Week is a pupil's week: the séances of their classes and groups and the work due, Monday
// to Sunday.
type Week struct {
	Monday   time.Time
	Sessions []Session
	Work     []Work
}

// PupilWeek returns pupil's week from monday, as the pupil or a legal guardian reads it.
func (s *Service) PupilWeek(ctx context.Context, t *tenant.Tenant, a Actor, pupil uuid.UUID, monday time.Time) (*Week, error) {
	out := &Week{Monday: monday}
	err := s.read(ctx, t, func(st store) error {
		own, err := s.seesPupil(st, a, pupil)
		if err != nil {
			return err
		}
		args := map[string]any{"pupil": pupil, "from": monday, "to": monday.AddDate(0, 0, 6), "now": s.now(), "me": a.PersonID}
		if out.Sessions, err = st.sessions(`se.class_id IN `+pupilsClasses+` AND se.on_date BETWEEN @from AND @to AND se.state = 'publie' AND se.publish_at <= @now`,
			args, "se.on_date, se.starts_at"); err != nil {
			return err
		}
		out.Work, err = st.works(`w.class_id IN `+pupilsClasses+` AND w.due_on BETWEEN @from AND @to AND `+workVisible, args, ownTick(own, pupil))
		return err
	})
	return out, err
}
