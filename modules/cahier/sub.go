package cahier

// Work handed in (issue 15): a piece of work may ask for a submission (files, text or both);
// each pupil of its class hands theirs in from the work's page, late ones flagged, and may
// replace it until the teacher returned it; the teacher sees who handed in and who did not,
// returns each with a comment and optionally a mark, which goes into the grades grid. The
// submission's content is the pupil's: a portfolio item recorded in the same transaction.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Expected is what a piece of work asks its pupils to hand in (« Rendu attendu »).
type Expected string

// What a piece of work may ask.
const (
	ExpectNothing Expected = "aucun"
	ExpectFiles   Expected = "fichiers"
	ExpectText    Expected = "texte"
	ExpectBoth    Expected = "fichiers_texte"
)

// expectations are the form's choices, in order.
var expectations = []Expected{ExpectNothing, ExpectFiles, ExpectText, ExpectBoth}

func (e Expected) valid() bool {
	for _, x := range expectations {
		if e == x {
			return true
		}
	}
	return false
}

// Label is the choice in French.
func (e Expected) Label() string {
	switch e {
	case ExpectFiles:
		return "Des fichiers"
	case ExpectText:
		return "Un texte"
	case ExpectBoth:
		return "Des fichiers et un texte"
	}
	return "Aucun"
}

// Asks tells whether pupils hand something in.
func (e Expected) Asks() bool { return e == ExpectFiles || e == ExpectText || e == ExpectBoth }

// Files tells whether files are expected.
func (e Expected) Files() bool { return e == ExpectFiles || e == ExpectBoth }

// Text tells whether a text is expected.
func (e Expected) Text() bool { return e == ExpectText || e == ExpectBoth }

// Limits of a submission.
const (
	maxSubmissionFiles = 5
	maxSubmissionText  = 20000 // the portfolio item's body
	maxReturnComment   = 5000
	// SubmissionLimit is the hand-in form's largest body: its files and text.
	SubmissionLimit = portfolio.MaxFileBytes + 256<<10
)

// Portfolio is what the cahier asks the pupil's portfolio (portfolio.Service): record a
// submission as the pupil's item with its files, in the hand-in's transaction, and read them.
type Portfolio interface {
	Record(tx *gorm.DB, e portfolio.Entry) (uuid.UUID, error)
	AttachFiles(tx *gorm.DB, item uuid.UUID, fs ...files.Stored) error
	DetachFiles(tx *gorm.DB, item uuid.UUID) ([]string, error)
	ItemFiles(tx *gorm.DB, item uuid.UUID) ([]portfolio.File, error)
	Open(ctx context.Context, t *tenant.Tenant, f portfolio.File) (*files.Content, error)
	Files() *files.Store
}

// Marks is what the cahier asks the grades module (grades.Service) to put a returned mark
// into the teacher's grid.
type Marks interface {
	SaveEvaluation(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID, f grades.EvaluationForm) (*grades.Evaluation, error)
	SaveMarks(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID, in grades.GridInput) (*grades.Grid, error)
}

// SetPortfolio wires the pupils' portfolio (cmd/cartable); without it hand-ins are refused.
func (s *Service) SetPortfolio(p Portfolio) { s.portfolio = p }

// SetMarks wires the grades (cmd/cartable); without them a mark on a return is refused.
func (s *Service) SetMarks(m Marks) { s.marks = m }

var errNoPortfolio = fault.New(fault.ErrUnavailable, "le rendu de travail n'est pas disponible sur ce serveur")

// Submission is a pupil's work handed in.
type Submission struct {
	ID          uuid.UUID
	WorkID      uuid.UUID
	PupilID     uuid.UUID
	Pupil       string // « Alice Martin »
	ItemID      *uuid.UUID
	SubmittedAt time.Time
	FirstAt     time.Time
	Late        bool
	ReturnedAt  *time.Time
	ReturnedBy  *uuid.UUID
	Comment     string
	Mark        string           // « 15/20 », « Abs »; empty: none
	Text        string           // the portfolio item's text
	Files       []portfolio.File `gorm:"-"`
}

// Returned tells whether the teacher returned it.
func (s Submission) Returned() bool { return s.ReturnedAt != nil }

// When is the hand-in's date in French: « le 3 décembre à 18 h 02 ».
func (s Submission) When() string { return frInstant(s.SubmittedAt) }

// ReturnedWhen is the return's date in French.
func (s Submission) ReturnedWhen() string {
	if s.ReturnedAt == nil {
		return ""
	}
	return frInstant(*s.ReturnedAt)
}

// Href is the submission's page.
func (s Submission) Href() string { return "/cahier/rendus/" + s.ID.String() }

// FileHref is the address of one of its files.
func (s Submission) FileHref(f portfolio.File) string {
	return s.Href() + "/fichiers/" + f.ID.String()
}

// Summary is the portfolio item's line: « Rendu le 3 décembre à 18 h 02, en retard, corrigé : 15/20 ».
func (s Submission) Summary() string {
	out := "Rendu " + s.When()
	if s.Late {
		out += ", en retard"
	}
	if s.Returned() {
		out += ", rendu corrigé"
		if s.Mark != "" {
			out += " : " + s.Mark
		}
	}
	return out
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frInstant is « le 3 décembre à 18 h 02 » in the school zone.
func frInstant(t time.Time) string {
	t = t.In(directory.SchoolZone)
	return "le " + itoa(t.Day()) + " " + frMonths[t.Month()-1] + " à " + itoa(t.Hour()) + " h " + pad2(t.Minute())
}

// deadline is the end of the due date in the school zone: a hand-in from then on is late.
func deadline(due time.Time) time.Time {
	return time.Date(due.Year(), due.Month(), due.Day()+1, 0, 0, 0, 0, directory.SchoolZone)
}

// submissionColumns read a submission with its pupil's name and its item's text (the
// portfolio keeps the content; this is its one read of the portfolio's table).
const submissionColumns = `s.id, s.work_id, s.pupil_id, p.first_name || ' ' || p.last_name AS pupil, s.item_id, s.submitted_at, s.first_at, s.late,
	s.returned_at, s.returned_by, s.comment, s.mark, coalesce(i.body, '') AS text
	FROM cahier_submissions s JOIN people p ON p.id = s.pupil_id LEFT JOIN portfolio_items i ON i.id = s.item_id `

func (st store) submissions(where string, args ...any) ([]Submission, error) {
	var out []Submission
	if err := st.tx.Raw(`SELECT `+submissionColumns+`WHERE `+where+` ORDER BY p.last_name, p.first_name`, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("cahier: submissions: %w", err)
	}
	return out, nil
}

// withFiles fills the submission's files from its portfolio item.
func (s *Service) withFiles(st store, sub *Submission) error {
	sub.Files = []portfolio.File{}
	if sub.ItemID == nil || s.portfolio == nil {
		return nil
	}
	fs, err := s.portfolio.ItemFiles(st.tx, *sub.ItemID)
	if err != nil {
		return fmt.Errorf("cahier: files of submission %s: %w", sub.ID, err)
	}
	sub.Files = fs
	return nil
}

// handInWork is the work a pupil hands in: visible, of one of their classes, asking a submission.
func (st store) handInWork(a Actor, id uuid.UUID, now time.Time) (Work, error) {
	found, err := st.works(`w.id = @id AND w.class_id IN (SELECT m.class_id FROM class_members m WHERE m.person_id = @me) AND `+workVisible,
		map[string]any{"id": id, "me": a.PersonID, "now": now}, uuid.Nil)
	if err != nil {
		return Work{}, err
	}
	if len(found) == 0 {
		return Work{}, notFound("travail")
	}
	return found[0], nil
}

// OwnSubmission is the pupil's own submission of a piece of work of theirs (nil: none yet).
func (s *Service) OwnSubmission(ctx context.Context, t *tenant.Tenant, a Actor, work uuid.UUID) (Work, *Submission, error) {
	var w Work
	var out *Submission
	err := s.read(ctx, t, func(st store) (err error) {
		if !a.can(PermTick) {
			return notFound("travail")
		}
		if w, err = st.handInWork(a, work, s.now()); err != nil {
			return err
		}
		found, err := st.submissions(`s.work_id = ? AND s.pupil_id = ?`, work, a.PersonID)
		if err != nil || len(found) == 0 {
			return err
		}
		out = &found[0]
		return s.withFiles(st, out)
	})
	return w, out, err
}

// HandIn records the pupil's submission of a piece of work of their class, or replaces the
// one they handed in while the teacher has not returned it: text replaces the text; files,
// when any are sent, replace the files (none sent: the previous ones are kept). Each file is
// checked as a portfolio document (type by content, size). A refusal is FormErrors
// (« texte », « fichiers ») and writes nothing. After the end of the due date the hand-in is
// accepted and flagged late.
func (s *Service) HandIn(ctx context.Context, t *tenant.Tenant, a Actor, work uuid.UUID, text string, sent []files.Upload) (uuid.UUID, error) {
	if !a.can(PermTick) {
		return uuid.Nil, notFound("travail")
	}
	if s.portfolio == nil {
		return uuid.Nil, errNoPortfolio
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	errs := FormErrors{}
	if n := utf8.RuneCountInString(text); n > maxSubmissionText {
		errs["texte"] = "Texte : " + itoa(maxSubmissionText) + " caractères au plus (" + itoa(n) + " saisis)."
	}
	var checked []files.Checked
	if len(sent) > maxSubmissionFiles {
		errs["fichiers"] = "Fichiers : " + itoa(maxSubmissionFiles) + " fichiers au plus (" + itoa(len(sent)) + " envoyés)."
	} else {
		for _, u := range sent {
			c, err := portfolio.Documents.Check(u.Name, u.Data, "fichiers")
			var inv *fault.Invalid
			if errors.As(err, &inv) {
				errs["fichiers"] = "Fichiers : " + inv.Message
				break
			}
			if err != nil {
				return uuid.Nil, err
			}
			checked = append(checked, c)
		}
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	docs := s.portfolio.Files()
	if len(checked) > 0 && docs == nil {
		return uuid.Nil, portfolio.ErrNoStore
	}
	now := s.now()
	var id uuid.UUID
	var dropped []string // the replaced files' blobs, removed once the replacement commits
	record := func(stored []files.Stored) error {
		return s.write(ctx, t, func(st store) error {
			w, err := st.handInWork(a, work, now)
			if err != nil {
				return err
			}
			if !w.Submission.Asks() {
				return fault.New(fault.ErrConflict, "ce travail ne demande pas de rendu")
			}
			// One hand-in of a pupil for a piece of work at a time (two first ones would both insert).
			if err := st.tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, "cahier-submission:"+work.String()+"/"+a.PersonID.String()).Error; err != nil {
				return fmt.Errorf("cahier: lock submission: %w", err)
			}
			var prev []Submission
			if err := st.tx.Raw(`SELECT * FROM cahier_submissions WHERE work_id = ? AND pupil_id = ? FOR UPDATE`, work, a.PersonID).Scan(&prev).Error; err != nil {
				return fmt.Errorf("cahier: lock submission: %w", err)
			}
			sub := Submission{ID: uuid.New(), WorkID: work, PupilID: a.PersonID, FirstAt: now}
			kept := 0
			if len(prev) > 0 {
				sub = prev[0]
				if sub.Returned() {
					return FormErrors{"rendu": "Votre travail a déjà été corrigé et rendu par votre enseignant : il ne se remplace plus."}
				}
				if sub.ItemID != nil && len(stored) == 0 {
					fs, err := s.portfolio.ItemFiles(st.tx, *sub.ItemID)
					if err != nil {
						return err
					}
					kept = len(fs)
				}
			}
			switch {
			case w.Submission.Files() && len(stored)+kept == 0:
				errs["fichiers"] = "Fichiers : ce travail se rend avec au moins un fichier ; choisissez-le."
			case w.Submission.Text() && text == "":
				errs["texte"] = "Texte : ce travail se rend avec un texte ; écrivez-le."
			case !w.Submission.Text() && text != "":
				errs["texte"] = "Texte : ce travail se rend en fichiers seulement ; laissez le texte vide."
			case !w.Submission.Files() && len(stored) > 0:
				errs["fichiers"] = "Fichiers : ce travail se rend en texte seulement ; n'envoyez pas de fichier."
			}
			if len(errs) > 0 {
				return errs
			}
			sub.SubmittedAt, sub.Late = now, !now.Before(deadline(w.DueOn))
			item, err := s.portfolio.Record(st.tx, s.entryOf(w, sub, text))
			if err != nil {
				return err
			}
			if len(stored) > 0 {
				if dropped, err = s.portfolio.DetachFiles(st.tx, item); err != nil {
					return err
				}
				if err := s.portfolio.AttachFiles(st.tx, item, stored...); err != nil {
					return err
				}
			}
			id = sub.ID
			return st.tx.Exec(`INSERT INTO cahier_submissions (id, work_id, pupil_id, item_id, submitted_at, first_at, late) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id, submitted_at = excluded.submitted_at, late = excluded.late`,
				sub.ID, work, a.PersonID, item, now, sub.FirstAt, sub.Late).Error
		})
	}
	var err error
	if len(checked) > 0 {
		err = docs.Storing(ctx, t, checked, record)
	} else {
		err = record(nil)
	}
	if err != nil {
		return uuid.Nil, err
	}
	if len(dropped) > 0 {
		err = docs.Remove(ctx, t, dropped...)
	}
	return id, err
}

// entryOf is the portfolio item of a submission: the pupil's, titled by the work.
func (s *Service) entryOf(w Work, sub Submission, text string) portfolio.Entry {
	title := strings.Join(strings.Fields(w.Description), " ")
	if r := []rune(title); len(r) > 80 {
		title = string(r[:79]) + "…"
	}
	return portfolio.Entry{PupilID: sub.PupilID, Kind: portfolio.Submission, Source: "cahier:" + sub.ID.String(), SubjectCode: w.SubjectCode,
		Subject: w.SubjectLabel, Title: title, Summary: sub.Summary(), Body: text, OccurredAt: sub.SubmittedAt}
}

// Handed is a pupil of the work's class and what they handed in (nil: nothing).
type Handed struct {
	PupilID    uuid.UUID
	Name       string
	Submission *Submission `gorm:"-"`
}

// Submissions is a piece of work's hand-ins as its teacher sees them: every pupil of the
// class, who handed in, when, late or not, who did not.
type Submissions struct {
	Work   Work
	Pupils []Handed
	Count  int // handed in
	Late   int
}

// checkTeacher refuses (not found) an actor who is neither the work's teacher nor teaches its class.
func (st store) checkTeacher(a Actor, w Work) error {
	if w.TeacherID == a.PersonID && a.Writes() {
		return nil
	}
	ok, err := st.teaches(a, w.ClassID)
	if err == nil && !ok {
		err = notFound("travail")
	}
	return err
}

// workOf reads a piece of work by id, whatever its visibility (the callers check access).
func (st store) workOf(id uuid.UUID) (Work, error) {
	found, err := st.works(`w.id = @id`, map[string]any{"id": id}, uuid.Nil)
	if err != nil {
		return Work{}, err
	}
	if len(found) == 0 {
		return Work{}, notFound("travail")
	}
	return found[0], nil
}

// WorkSubmissions lists the hand-ins of a piece of work for the teacher of its class.
func (s *Service) WorkSubmissions(ctx context.Context, t *tenant.Tenant, a Actor, work uuid.UUID) (*Submissions, error) {
	out := &Submissions{}
	err := s.read(ctx, t, func(st store) (err error) {
		if out.Work, err = st.workOf(work); err != nil {
			return err
		}
		if err := st.checkTeacher(a, out.Work); err != nil {
			return err
		}
		if err := st.tx.Raw(`SELECT pe.id AS pupil_id, pe.first_name || ' ' || pe.last_name AS name FROM class_members m JOIN people pe ON pe.id = m.person_id
			WHERE m.class_id = ? AND pe.category = 'eleve' AND (pe.active OR EXISTS (SELECT 1 FROM cahier_submissions s WHERE s.work_id = ? AND s.pupil_id = pe.id))
			ORDER BY pe.last_name, pe.first_name`, out.Work.ClassID, work).Scan(&out.Pupils).Error; err != nil {
			return fmt.Errorf("cahier: pupils of %s: %w", out.Work.ClassID, err)
		}
		subs, err := st.submissions(`s.work_id = ?`, work)
		if err != nil {
			return err
		}
		by := map[uuid.UUID]*Submission{}
		for i := range subs {
			by[subs[i].PupilID] = &subs[i]
		}
		for i := range out.Pupils {
			if sub := by[out.Pupils[i].PupilID]; sub != nil {
				out.Pupils[i].Submission = sub
				out.Count++
				if sub.Late {
					out.Late++
				}
			}
		}
		return nil
	})
	return out, err
}

// SubmissionView is one submission with its work, as whoever may read it sees it.
type SubmissionView struct {
	Work       Work
	Submission Submission
	Teacher    bool // the actor returns it (the teacher of the work's class)
}

// SubmissionByID is a submission for the pupil, their legal guardians (read-only) or the
// teacher of its work's class; anyone else: not found.
func (s *Service) SubmissionByID(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (*SubmissionView, error) {
	var out *SubmissionView
	err := s.read(ctx, t, func(st store) (err error) { out, err = s.submissionFor(st, a, id); return err })
	return out, err
}

func (s *Service) submissionFor(st store, a Actor, id uuid.UUID) (*SubmissionView, error) {
	found, err := st.submissions(`s.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, notFound("travail rendu")
	}
	out := &SubmissionView{Submission: found[0]}
	if out.Work, err = st.workOf(out.Submission.WorkID); err != nil {
		return nil, err
	}
	if a.PersonID != out.Submission.PupilID {
		ok, err := s.guardians.IsLegalGuardian(st.tx, a.PersonID, out.Submission.PupilID)
		if err == nil && ok {
			ok, err = s.minor(st, out.Submission.PupilID)
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			if err := st.checkTeacher(a, out.Work); err != nil {
				return nil, notFound("travail rendu")
			}
			out.Teacher = true
		}
	}
	return out, s.withFiles(st, &out.Submission)
}

// ChildrenSubmissions are the submissions of a piece of work by the actor's legal children.
func (s *Service) ChildrenSubmissions(ctx context.Context, t *tenant.Tenant, a Actor, work uuid.UUID) ([]Submission, error) {
	var out []Submission
	err := s.read(ctx, t, func(st store) (err error) {
		all, err := st.submissions(`s.work_id = ? AND s.pupil_id IN (SELECT g.pupil_id FROM guardianships g WHERE g.guardian_id = ? AND g.legal)`, work, a.PersonID)
		for _, sub := range all {
			if err != nil {
				break
			}
			var minor bool
			if minor, err = s.minor(st, sub.PupilID); minor {
				out = append(out, sub)
			}
		}
		return err
	})
	return out, err
}

// minor tells whether pupil is under age today: a submission is an item of the pupil's
// portfolio, which their guardians read only while they are a minor (portfolio.Adult).
func (s *Service) minor(st store, pupil uuid.UUID) (bool, error) {
	var p []struct{ BirthDate *time.Time }
	if err := st.tx.Raw(`SELECT birth_date FROM people WHERE id = ?`, pupil).Scan(&p).Error; err != nil {
		return false, fmt.Errorf("cahier: birth date of %s: %w", pupil, err)
	}
	return len(p) == 1 && !portfolio.Adult(p[0].BirthDate, s.now()), nil
}

// SubmissionFile opens a file of a submission for whoever reads the submission.
func (s *Service) SubmissionFile(ctx context.Context, t *tenant.Tenant, a Actor, id, file uuid.UUID) (portfolio.File, *files.Content, error) {
	if s.portfolio == nil {
		return portfolio.File{}, nil, errNoPortfolio
	}
	v, err := s.SubmissionByID(ctx, t, a, id)
	if err != nil {
		return portfolio.File{}, nil, err
	}
	for _, f := range v.Submission.Files {
		if f.ID == file {
			fc, err := s.portfolio.Open(ctx, t, f)
			return f, fc, err
		}
	}
	return portfolio.File{}, nil, notFound("fichier")
}

// ReturnForm is a teacher's return of a submission.
type ReturnForm struct {
	Comment string
	Mark    string // « 15 », « 12,5 », « Abs »; empty: no mark (a mark given before stays in the grid)
}

// marksNamespace names the evaluations made for the work's marks (uuid.NewSHA1 of the work's id).
var marksNamespace = uuid.MustParse("8b3c6f0e-4d1a-4f7b-9c2e-1a5d7e9f3b42")

// EvaluationOf is the id of the grades' evaluation of a piece of work's returned marks.
func EvaluationOf(work uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(marksNamespace, []byte(work.String()))
}

// Return records the teacher's return of a submission with a comment and optionally a mark:
// the mark goes first into the grades grid (an evaluation of the work in its class and subject,
// made on the first returned mark, published), then the return is recorded, the pupil's
// portfolio item updated and the pupil told. A refusal is FormErrors (« commentaire »,
// « note ») and writes nothing.
func (s *Service) Return(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f ReturnForm) error {
	if s.portfolio == nil {
		return errNoPortfolio
	}
	var v *SubmissionView
	if err := s.read(ctx, t, func(st store) (err error) { v, err = s.submissionFor(st, a, id); return err }); err != nil {
		return err
	}
	if !v.Teacher {
		return notFound("travail rendu")
	}
	comment := strings.TrimSpace(strings.ReplaceAll(f.Comment, "\r\n", "\n"))
	mark := strings.TrimSpace(f.Mark)
	errs := FormErrors{}
	if n := utf8.RuneCountInString(comment); n > maxReturnComment {
		errs["commentaire"] = "Commentaire : " + itoa(maxReturnComment) + " caractères au plus (" + itoa(n) + " saisis)."
	}
	if len(errs) > 0 {
		return errs
	}
	shown := v.Submission.Mark
	if mark != "" {
		var err error
		if shown, err = s.markInGrid(ctx, t, a, v, mark); err != nil {
			return err
		}
	}
	now := s.now()
	return s.write(ctx, t, func(st store) error {
		res := st.tx.Exec(`UPDATE cahier_submissions SET returned_at = ?, returned_by = ?, comment = ?, mark = ? WHERE id = ?`, now, a.PersonID, comment, shown, id)
		if res.Error != nil {
			return fmt.Errorf("cahier: return %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("travail rendu")
		}
		sub := v.Submission
		sub.ReturnedAt, sub.Mark, sub.Comment = &now, shown, comment
		if _, err := s.portfolio.Record(st.tx, s.entryOf(v.Work, sub, sub.Text)); err != nil {
			return err
		}
		if s.notifier == nil {
			return nil
		}
		body := "Votre travail pour le " + frDay(v.Work.DueOn) + " a été corrigé"
		if shown != "" {
			body += " : " + shown
		}
		return s.notifier.Notify(st.tx, t, notify.Notice{Kind: notify.KindWork, Recipients: []uuid.UUID{sub.PupilID},
			Title: "Travail corrigé en " + v.Work.SubjectLabel, Body: body + ".", Link: "/cahier/travail/" + v.Work.ID.String()})
	})
}

// defaultScale is the scale of the evaluation made for a work's marks (/20).
var defaultScale = grades.Hundredths(2000)

// markInGrid writes the pupil's mark into the work's evaluation (made, published, on the first
// mark) and returns it as shown: « 15/20 », « Abs ».
func (s *Service) markInGrid(ctx context.Context, t *tenant.Tenant, a Actor, v *SubmissionView, mark string) (string, error) {
	if s.marks == nil {
		return "", fault.New(fault.ErrUnavailable, "les notes ne sont pas disponibles dans cet établissement")
	}
	ga := grades.Actor{PersonID: a.PersonID, Roles: a.Roles}
	ev := EvaluationOf(v.Work.ID)
	in := grades.GridInput{Marks: map[uuid.UUID]string{v.Submission.PupilID: mark}, Comments: map[uuid.UUID]string{}}
	g, err := s.marks.SaveMarks(ctx, t, ga, ev, in)
	if errors.Is(err, fault.ErrNotFound) { // the first mark (or the evaluation deleted in the marks)
		if _, _, msg := grades.ParseMark(mark, defaultScale); msg != "" { // refused before the evaluation is made
			return "", FormErrors{"note": "Note : " + msg + "."}
		}
		title := "Travail : " + strings.Join(strings.Fields(v.Work.Description), " ")
		if r := []rune(title); len(r) > 100 {
			title = string(r[:99]) + "…"
		}
		_, err = s.marks.SaveEvaluation(ctx, t, ga, uuid.Nil, grades.EvaluationForm{ClassID: v.Work.ClassID.String(), Subject: v.Work.SubjectCode,
			Title: title, Date: v.Work.DueOn.Format(dateLayout), Scale: "20", Coefficient: "1", Published: true, NewID: ev})
		var fe grades.FieldErrors
		if errors.As(err, &fe) {
			return "", FormErrors{"note": "Note : la note n'a pas pu aller dans le relevé de notes (" + fe.Error() + ")."}
		}
		if errors.Is(err, fault.ErrNotFound) {
			return "", FormErrors{"note": "Note : vous n'enseignez pas cette matière dans cette classe au relevé de notes ; rendez le travail sans note."}
		}
		if err == nil {
			g, err = s.marks.SaveMarks(ctx, t, ga, ev, in)
		}
	}
	var ge *grades.GridError
	if errors.As(err, &ge) {
		for _, r := range ge.Grid.Rows {
			if r.Error != "" {
				return "", FormErrors{"note": "Note : " + r.Error + "."}
			}
		}
	}
	if err != nil {
		return "", err
	}
	for _, r := range g.Rows {
		if r.PupilID == v.Submission.PupilID && r.Mark != nil {
			if r.Mark.Value != nil {
				return r.Mark.Value.Short() + "/" + g.Evaluation.Scale.Short(), nil
			}
			return codeLabel(r.Mark.Code), nil
		}
	}
	return mark, nil
}

func codeLabel(code string) string {
	switch code {
	case grades.CodeAbsent:
		return "Abs"
	case grades.CodeDispensed:
		return "Disp"
	case grades.CodeNotMarked:
		return "NN"
	}
	return code
}
