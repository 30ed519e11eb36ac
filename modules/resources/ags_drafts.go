package resources

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// TeacherItem is a line item of one of the teacher's classes, with the scores received.
type TeacherItem struct {
	LineItem
	ClassLabel string
	ToolName   string
	Subjects   []SubjectChoice // what the teacher teaches in the class
	Scores     []PupilScore
}

// Maximum is the line item's maximum as a French number (20, 12,5).
func (t TeacherItem) Maximum() string { return frenchNumber(t.ScoreMaximum) }

// SubjectChoice is a subject the teacher teaches in a class.
type SubjectChoice struct{ Code, Label string }

// PupilScore is a pupil's score as the teacher reads it.
type PupilScore struct {
	PersonID        uuid.UUID
	LastName        string
	FirstName       string
	ScoreGiven      *string
	ScoreMaximum    *string
	Comment         string
	GradingProgress string
	ScoredAt        time.Time
}

// Shown is the score in French (« 13,5 / 20 »), or « — » when the tool sent none.
func (p PupilScore) Shown() string {
	if p.ScoreGiven == nil || p.ScoreMaximum == nil {
		return "—"
	}
	return frenchNumber(*p.ScoreGiven) + " / " + frenchNumber(*p.ScoreMaximum)
}

// Progress is the tool's grading progress in French.
func (p PupilScore) Progress() string {
	switch p.GradingProgress {
	case "FullyGraded":
		return "noté"
	case "Pending", "PendingManual":
		return "correction en attente"
	case "Failed":
		return "échec de la notation"
	case "NotReady":
		return "pas encore prêt"
	}
	return p.GradingProgress
}

func frenchNumber(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.ReplaceAll(s, ".", ",")
}

// TeacherLineItems are the line items of the classes a teaches, newest first.
func (s *Service) TeacherLineItems(ctx context.Context, t *tenant.Tenant, a Actor) ([]TeacherItem, error) {
	if a.Profile() != ProfileEnseignant {
		return nil, nil
	}
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []TeacherItem
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		var items []LineItem
		if err := tx.Raw(`SELECT * FROM lti_line_items WHERE class_id IN (SELECT class_id FROM teachings WHERE teacher_id = ?)
			ORDER BY updated_at DESC, id`, a.PersonID).Scan(&items).Error; err != nil {
			return fmt.Errorf("resources: teacher's line items: %w", err)
		}
		type classOf struct {
			label    string
			subjects []SubjectChoice
		}
		classes := map[uuid.UUID]*classOf{} // read once per class
		for _, it := range items {
			ti := TeacherItem{LineItem: it}
			if tool, ok := snap.Tools[it.ToolID]; ok {
				ti.ToolName = tool.Name
			}
			c, ok := classes[it.ClassID]
			if !ok {
				c = &classOf{}
				if err := tx.Raw(`SELECT label FROM classes WHERE id = ?`, it.ClassID).Scan(&c.label).Error; err != nil {
					return fmt.Errorf("resources: class of line item: %w", err)
				}
				if err := tx.Raw(`SELECT s.code, s.label FROM teachings t JOIN subjects s ON s.code = t.subject_code
					WHERE t.teacher_id = ? AND t.class_id = ? ORDER BY s.label`, a.PersonID, it.ClassID).Scan(&c.subjects).Error; err != nil {
					return fmt.Errorf("resources: subjects of the teacher: %w", err)
				}
				classes[it.ClassID] = c
			}
			ti.ClassLabel, ti.Subjects = c.label, c.subjects
			if err := tx.Raw(`SELECT p.id AS person_id, p.last_name, p.first_name, sc.score_given, sc.score_maximum, sc.comment, sc.grading_progress, sc.scored_at
				FROM lti_scores sc JOIN people p ON p.id = sc.person_id WHERE sc.line_item_id = ?
				ORDER BY lower(p.last_name), lower(p.first_name), p.id`, it.ID).Scan(&ti.Scores).Error; err != nil {
				return fmt.Errorf("resources: scores of line item: %w", err)
			}
			out = append(out, ti)
		}
		return nil
	})
	return out, err
}

// DraftForm is the teacher's choice for the evaluation a line item becomes.
type DraftForm struct {
	Subject     string // a subject the teacher teaches in the class
	Title       string // default: the line item's label
	Date        string // default: today
	Scale       string // « 20 » by default
	Coefficient string // « 1 » by default
}

// DraftErrors are the form's fields refused, with French messages (matiere, titre, date,
// bareme, coefficient).
type DraftErrors map[string]string

func (e DraftErrors) Error() string {
	return fmt.Sprintf("brouillon refusé : %v", map[string]string(e))
}

// draftNamespace names the evaluations made from line items (uuid.NewSHA1 of the line item).
var draftNamespace = uuid.MustParse("9b7e4c52-1f0a-4d8e-b3a6-2c5d7e9f0a14")

// MakeDraft turns a line item of a class the teacher teaches into an unpublished evaluation
// of the grades module with the pupils' scores as marks (scoreGiven / scoreMaximum on the
// evaluation's scale, rounded half-up to the hundredth), or, when made before, updates its
// marks with the scores received since. It says whether it created the evaluation.
func (s *Service) MakeDraft(ctx context.Context, t *tenant.Tenant, a Actor, item uuid.UUID, f DraftForm) (created bool, err error) {
	if s.ags.grades == nil {
		return false, fault.New(fault.ErrUnavailable, "les notes ne sont pas disponibles dans cet établissement")
	}
	var it LineItem
	var scores []Score
	var pupils []uuid.UUID
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		var items []LineItem
		if err := tx.Raw(`SELECT * FROM lti_line_items WHERE id = ? AND class_id IN (SELECT class_id FROM teachings WHERE teacher_id = ?)`,
			item, a.PersonID).Scan(&items).Error; err != nil {
			return fmt.Errorf("resources: read line item %s: %w", item, err)
		}
		if len(items) == 0 || a.Profile() != ProfileEnseignant {
			return fault.New(fault.ErrNotFound, "ces scores n'existent pas, ou vous n'enseignez pas dans leur classe")
		}
		it = items[0]
		if err := tx.Where("line_item_id = ? AND score_given IS NOT NULL AND score_maximum > 0", item).Find(&scores).Error; err != nil {
			return fmt.Errorf("resources: read scores: %w", err)
		}
		return tx.Raw(`SELECT p.id FROM class_members m JOIN people p ON p.id = m.person_id WHERE m.class_id = ? AND p.category = 'eleve'`,
			it.ClassID).Scan(&pupils).Error
	})
	if err != nil {
		return false, err
	}
	ga := grades.Actor{PersonID: a.PersonID, Roles: a.Roles}
	var ev *grades.Evaluation
	if it.EvaluationID != nil {
		ev, err = s.saveDraftMarks(ctx, t, ga, *it.EvaluationID, scores, pupils)
		if !errors.Is(err, fault.ErrNotFound) {
			return false, err // updated, or failed
		}
		// deleted in the grades module since, or a colleague's: a new one, with the form's subject
		if strings.TrimSpace(f.Subject) == "" {
			return false, DraftErrors{"matiere": "Le brouillon fait de ces scores n'est plus dans vos notes (supprimé, ou créé par un collègue) : choisissez la matière pour en créer un nouveau."}
		}
	}
	form, errs := s.draftEvaluation(it, f)
	if errs != nil {
		return false, errs
	}
	derived := uuid.NewSHA1(draftNamespace, []byte(it.ID.String()))
	ev, err = s.ags.grades.SaveEvaluation(ctx, t, ga, derived, form) // found again after a crash before the link
	if errors.Is(err, fault.ErrNotFound) {
		form.NewID = derived
		if it.EvaluationID != nil && *it.EvaluationID == derived {
			form.NewID = uuid.New() // the derived one was deleted: its id cannot come back
		}
		ev, err = s.ags.grades.SaveEvaluation(ctx, t, ga, uuid.Nil, form)
	}
	var fe grades.FieldErrors
	if errors.As(err, &fe) {
		return false, DraftErrors(fe)
	}
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return false, DraftErrors{"matiere": "Choisissez une matière que vous enseignez dans cette classe."}
		}
		return false, err
	}
	if err := s.write(ctx, t, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE lti_line_items SET evaluation_id = ? WHERE id = ?`, ev.ID, it.ID).Error
	}); err != nil {
		return false, fmt.Errorf("resources: link the draft: %w", err)
	}
	_, err = s.saveDraftMarks(ctx, t, ga, ev.ID, scores, pupils)
	return err == nil, err
}

func (s *Service) draftEvaluation(it LineItem, f DraftForm) (grades.EvaluationForm, DraftErrors) {
	title := strings.TrimSpace(f.Title)
	if title == "" {
		title = it.Label
	}
	if r := []rune(title); len(r) > 200 {
		title = string(r[:200])
	}
	form := grades.EvaluationForm{ClassID: it.ClassID.String(), Subject: strings.TrimSpace(f.Subject), Title: title,
		Date: strings.TrimSpace(f.Date), Scale: strings.TrimSpace(f.Scale), Coefficient: strings.TrimSpace(f.Coefficient)}
	if form.Subject == "" {
		return form, DraftErrors{"matiere": "Choisissez la matière de l'évaluation."}
	}
	if form.Date == "" {
		form.Date = s.Today().Format(time.DateOnly)
	}
	if form.Scale == "" {
		form.Scale = "20"
	}
	if form.Coefficient == "" {
		form.Coefficient = "1"
	}
	return form, nil
}

// saveDraftMarks writes each scored pupil still in the class their mark on the evaluation's
// scale; the others keep theirs.
func (s *Service) saveDraftMarks(ctx context.Context, t *tenant.Tenant, ga grades.Actor, ev uuid.UUID, scores []Score, pupils []uuid.UUID) (*grades.Evaluation, error) {
	grid, err := s.ags.grades.Grid(ctx, t, ga, ev)
	if err != nil {
		return nil, err
	}
	scale := big.NewRat(int64(grid.Evaluation.Scale), 100)
	in := grades.GridInput{Marks: map[uuid.UUID]string{}, Comments: map[uuid.UUID]string{}}
	present := map[uuid.UUID]bool{}
	for _, p := range pupils {
		present[p] = true
	}
	for _, sc := range scores {
		if !present[sc.PersonID] {
			continue
		}
		given, ok1 := new(big.Rat).SetString(*sc.ScoreGiven)
		maximum, ok2 := new(big.Rat).SetString(*sc.ScoreMaximum)
		if !ok1 || !ok2 || maximum.Sign() <= 0 {
			continue
		}
		frac := new(big.Rat).Quo(given, maximum)
		if frac.Cmp(big.NewRat(1, 1)) > 0 {
			frac.SetInt64(1) // a bonus beyond the maximum is capped at the scale
		}
		in.Marks[sc.PersonID] = grades.Round2(new(big.Rat).Mul(frac, scale)).Short()
		comment := sc.Comment
		if r := []rune(comment); len(r) > 500 {
			comment = string(r[:500])
		}
		in.Comments[sc.PersonID] = comment
	}
	if _, err := s.ags.grades.SaveMarks(ctx, t, ga, ev, in); err != nil {
		return nil, err
	}
	return &grid.Evaluation, nil
}
