package exercises

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// ReviewedQuestion is one question of an attempt as its teacher reviews it.
type ReviewedQuestion struct {
	Position int
	Question question.Question
	Points   Points
	Response *question.Response
	SavedAt  *time.Time
	Graded   bool     // graded by the grader (false: an essay)
	Auto     *big.Rat // the grader's fraction of the points; nil for an essay
	Override *Points  // the teacher's points instead
	Comment  string
	Reviewed bool
	Obtained *big.Rat // what counts; nil: awaits review
}

// ReviewedAttempt is an attempt as its teacher reviews it.
type ReviewedAttempt struct {
	Attempt
	Pupil     string
	Questions []ReviewedQuestion
}

// teacherAttempt locks an attempt at an assignment of an exercise of owner's.
func teacherAttempt(st store, owner, id uuid.UUID) (Attempt, error) {
	ats, err := st.attempts(`a.id = ? AND EXISTS (SELECT 1 FROM exercise_assignments x JOIN exercises e ON e.id = x.exercise_id
		WHERE x.id = a.assignment_id AND e.owner_id = ?) FOR UPDATE`, id, owner)
	if err != nil {
		return Attempt{}, err
	}
	if len(ats) == 0 {
		return Attempt{}, notFound("tentative")
	}
	return ats[0], nil
}

// ReviewAttempt is an attempt at an exercise of the teacher's, with the questions as drawn,
// the responses, the scores (an expired attempt is submitted first).
func (s *Service) ReviewAttempt(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (ReviewedAttempt, error) {
	if err := mustWrite(a); err != nil {
		return ReviewedAttempt{}, err
	}
	var out ReviewedAttempt
	err := s.write(ctx, t, func(st store) error {
		if _, err := teacherAttempt(st, a.PersonID, id); err != nil {
			return err
		}
		if err := s.expire(st, `a.id = ?`, id); err != nil {
			return err
		}
		at, err := teacherAttempt(st, a.PersonID, id)
		if err != nil {
			return err
		}
		out.Attempt = at
		var names []string
		if err := st.scan("pupil", &names, `SELECT first_name || ' ' || last_name FROM people WHERE id = ?`, at.PupilID); err != nil {
			return err
		}
		if len(names) > 0 {
			out.Pupil = names[0]
		}
		rows, err := st.responses(id)
		if err != nil {
			return err
		}
		for _, r := range rows {
			rq := ReviewedQuestion{Position: r.Position, Question: r.q, Points: r.Points, SavedAt: r.SavedAt, Graded: r.Graded,
				Override: r.OverridePoints, Comment: r.OverrideComment, Reviewed: r.Reviewed}
			if rq.Response, err = r.response(); err != nil {
				return err
			}
			if rq.Auto, err = r.auto(); err != nil {
				return err
			}
			if rq.Obtained, err = r.obtained(); err != nil {
				return err
			}
			out.Questions = append(out.Questions, rq)
		}
		return nil
	})
	return out, err
}

// Review is the teacher's review of one question of a submitted attempt: points given
// instead of the grader's (« » gives the grader's back; an essay then awaits review again)
// and a comment the pupil sees with the correction.
func (s *Service) Review(ctx context.Context, t *tenant.Tenant, a Actor, attempt uuid.UUID, position int, points, comment string) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > 2000 {
		return FormErrors{"commentaire": fmt.Sprintf("Commentaire : 2 000 caractères au plus (%d saisis).", n)}
	}
	return s.write(ctx, t, func(st store) error {
		at, err := teacherAttempt(st, a.PersonID, attempt)
		if err != nil {
			return err
		}
		if at.SubmittedAt == nil && !s.now().Before(at.Deadline) {
			if err := s.finalize(st, at, at.Deadline, true); err != nil {
				return err
			}
		} else if at.SubmittedAt == nil {
			return fault.New(fault.ErrConflict, "La tentative n'est pas encore remise : corrigez-la une fois remise.")
		}
		rows, err := st.responses(attempt)
		if err != nil {
			return err
		}
		var row *responseRow
		for i := range rows {
			if rows[i].Position == position {
				row = &rows[i]
			}
		}
		if row == nil {
			return notFound("question")
		}
		var override any
		reviewed := true
		if strings.TrimSpace(points) != "" {
			p, ok := grades.ParseHundredths(points)
			if !ok || p > row.Points {
				return FormErrors{"points": fmt.Sprintf("Points : de 0 à %s, deux décimales au plus.", row.Points.Short())}
			}
			override = fmt.Sprintf("%d.%02d", p/100, p%100)
		} else if !row.Graded {
			reviewed = comment != ""
		}
		if err := st.exec("review", `UPDATE exercise_responses SET override_points = ?::numeric, override_comment = ?, reviewed = ?, reviewed_by = ?, reviewed_at = ?
			WHERE attempt_id = ? AND position = ?`, override, comment, reviewed, a.PersonID, s.now(), attempt, position); err != nil {
			return err
		}
		if err := rescore(st, attempt); err != nil {
			return err
		}
		return s.recordAttempt(st, attempt)
	})
}

// GradeOf is the exercise's grade, a fraction in [0, 1], from the ratios of the submitted
// attempts in their order by rule: the best, the average, the first or the last; nil when
// there is none.
func GradeOf(rule Rule, ratios []*big.Rat) *big.Rat {
	if len(ratios) == 0 {
		return nil
	}
	switch rule {
	case RuleFirst:
		return new(big.Rat).Set(ratios[0])
	case RuleLast:
		return new(big.Rat).Set(ratios[len(ratios)-1])
	case RuleAverage:
		sum := new(big.Rat)
		for _, r := range ratios {
			sum.Add(sum, r)
		}
		return sum.Quo(sum, big.NewRat(int64(len(ratios)), 1))
	}
	best := ratios[0]
	for _, r := range ratios[1:] {
		if r.Cmp(best) > 0 {
			best = r
		}
	}
	return new(big.Rat).Set(best)
}

// PupilResult is one pupil's line of the results.
type PupilResult struct {
	PupilID  uuid.UUID
	Name     string
	Attempts []Attempt `gorm:"-"` // submitted, in order
	Working  bool      `gorm:"-"` // an attempt under way
	Grade    *big.Rat  `gorm:"-"` // by the assignment's rule, in [0, 1]; nil: no submitted attempt
	Pending  bool      `gorm:"-"` // an essay of a counted attempt awaits review
}

// QuestionRate is a question's success rate over the submitted attempts.
type QuestionRate struct {
	QuestionID *uuid.UUID
	Name       string
	Answers    int      // attempts it was drawn in, scored
	Rate       *big.Rat // mean fraction of its points obtained; nil when none is scored
}

// Results are an assignment's results for one of its classes.
type Results struct {
	Assignment Assignment
	ClassID    uuid.UUID
	ClassLabel string
	Pupils     []PupilResult
	Questions  []QuestionRate
}

// Results are the results of an assignment of the teacher's in one of its classes: each
// pupil's attempts and grade, and each question's success rate (expired attempts are
// submitted first).
func (s *Service) Results(ctx context.Context, t *tenant.Tenant, a Actor, assignment, class uuid.UUID) (Results, error) {
	if err := mustWrite(a); err != nil {
		return Results{}, err
	}
	var out Results
	err := s.write(ctx, t, func(st store) (err error) { out, err = s.results(st, a, assignment, class); return err })
	return out, err
}

func (s *Service) results(st store, a Actor, assignment, class uuid.UUID) (Results, error) {
	as, err := ownAssignment(st, a.PersonID, assignment)
	if err != nil {
		return Results{}, err
	}
	out := Results{Assignment: as, ClassID: class}
	var labels []string
	if err := st.scan("class", &labels, `SELECT c.label FROM exercise_assignment_classes ac JOIN classes c ON c.id = ac.class_id WHERE ac.assignment_id = ? AND ac.class_id = ?`,
		assignment, class); err != nil {
		return out, err
	}
	if len(labels) == 0 {
		return out, notFound("classe")
	}
	out.ClassLabel = labels[0]
	if err := s.expire(st, `a.assignment_id = ?`, assignment); err != nil {
		return out, err
	}
	if err := st.scan("pupils", &out.Pupils, `SELECT p.id AS pupil_id, p.last_name || ' ' || p.first_name AS name FROM class_members m JOIN people p ON p.id = m.person_id
		WHERE m.class_id = ? AND p.active AND p.category = 'eleve' ORDER BY lower(p.last_name), lower(p.first_name), p.id`, class); err != nil {
		return out, err
	}
	type rate struct {
		name  string
		n     int
		sum   *big.Rat
		order int
	}
	rates := map[string]*rate{}
	var keys []string
	for i := range out.Pupils {
		p := &out.Pupils[i]
		ats, err := st.attempts(`a.assignment_id = ? AND a.pupil_id = ? ORDER BY a.number`, assignment, p.PupilID)
		if err != nil {
			return out, err
		}
		var ratios []*big.Rat
		for _, at := range ats {
			if at.SubmittedAt == nil {
				p.Working = true
				continue
			}
			p.Attempts = append(p.Attempts, at)
			ratios = append(ratios, at.Ratio())
			rows, err := st.responses(at.ID)
			if err != nil {
				return out, err
			}
			for _, r := range rows {
				key := fmt.Sprintf("item%d", r.ItemPosition)
				if r.QuestionID != nil {
					key = r.QuestionID.String()
				}
				rt := rates[key]
				if rt == nil {
					rt = &rate{name: nameOf(r.q), sum: new(big.Rat), order: r.ItemPosition}
					rates[key] = rt
					keys = append(keys, key)
				}
				got, err := r.obtained()
				if err != nil {
					return out, err
				}
				if got != nil && r.Points > 0 {
					rt.n++
					rt.sum.Add(rt.sum, got.Quo(got, pointsRat(r.Points)))
				}
			}
		}
		for j := range ratios {
			if ratios[j] == nil {
				ratios[j] = new(big.Rat) // an exercise worth nothing
			}
		}
		p.Grade = GradeOf(as.Rule, ratios)
		for _, at := range counted(as.Rule, p.Attempts) {
			p.Pending = p.Pending || at.Pending
		}
	}
	for _, k := range keys {
		rt := rates[k]
		qr := QuestionRate{Name: rt.name, Answers: rt.n}
		if id, err := uuid.Parse(k); err == nil {
			qr.QuestionID = &id
		}
		if rt.n > 0 {
			qr.Rate = new(big.Rat).Quo(rt.sum, big.NewRat(int64(rt.n), 1))
		}
		out.Questions = append(out.Questions, qr)
	}
	return out, nil
}

// counted are the attempts the rule makes the grade of (the best: all may be, as a review
// can change which).
func counted(rule Rule, ats []Attempt) []Attempt {
	if len(ats) == 0 {
		return nil
	}
	switch rule {
	case RuleFirst:
		return ats[:1]
	case RuleLast:
		return ats[len(ats)-1:]
	}
	return ats
}
