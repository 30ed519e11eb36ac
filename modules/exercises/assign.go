package exercises

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// teachesOf is the SQL of the classes and groups @me teaches (a teaching or a timetable
// slot), as the cahier reads them.
const teachesOf = `SELECT te.class_id FROM teachings te WHERE te.teacher_id = @me
	UNION SELECT s.class_id FROM lesson_slots s JOIN lesson_slot_teachers lt ON lt.slot_id = s.id WHERE lt.teacher_id = @me`

// Class is a class or group an exercise may be assigned to.
type Class struct {
	ID    uuid.UUID
	Kind  string
	Label string
}

// Classes are the classes and groups the teacher teaches this school year: those they may
// assign exercises to.
func (s *Service) Classes(ctx context.Context, t *tenant.Tenant, a Actor) ([]Class, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	var out []Class
	err := s.read(ctx, t, func(st store) (err error) { out, err = taught(st, a.PersonID); return err })
	return out, err
}

func taught(st store, me uuid.UUID) ([]Class, error) {
	var out []Class
	err := st.scan("classes taught", &out, `SELECT c.id, c.kind, c.label FROM classes c WHERE c.id IN (`+teachesOf+`)
		AND c.school_year >= (SELECT code FROM school_years WHERE current) ORDER BY c.kind, c.label`, map[string]any{"me": me})
	return out, err
}

// AssignmentForm is an assignment as chosen.
type AssignmentForm struct {
	Classes          []uuid.UUID
	OpensAt          time.Time
	ClosesAt         time.Time
	Attempts         int // 1 to 100
	TimeLimitMinutes int // 0: none
	ShuffleQuestions bool
	ShuffleAnswers   bool
	Feedback         Feedback
	Training         bool
	Rule             Rule
}

// checkAssignment validates f for teacher me; the classes of kept (the assignment's own
// before a change) may stay even if me no longer teaches them.
func checkAssignment(st store, me uuid.UUID, f AssignmentForm, kept []uuid.UUID) error {
	errs := FormErrors{}
	classes, err := taught(st, me)
	if err != nil {
		return err
	}
	if len(f.Classes) == 0 {
		errs["classes"] = "Classes et groupes : choisissez au moins une de vos classes ou un de vos groupes."
	}
	for _, c := range f.Classes {
		if !slices.Contains(kept, c) && !slices.ContainsFunc(classes, func(k Class) bool { return k.ID == c }) {
			errs["classes"] = "Classes et groupes : vous n'enseignez pas dans l'une des classes choisies ; choisissez parmi vos classes et groupes."
		}
	}
	switch {
	case f.OpensAt.IsZero():
		errs["ouverture"] = "Ouverture : indiquez la date et l'heure d'ouverture."
	case f.ClosesAt.IsZero():
		errs["cloture"] = "Clôture : indiquez la date et l'heure de clôture."
	case !f.ClosesAt.After(f.OpensAt):
		errs["cloture"] = "Clôture : la clôture vient après l'ouverture."
	}
	if f.Attempts < 1 || f.Attempts > 100 {
		errs["tentatives"] = "Tentatives : de 1 à 100."
	}
	if f.TimeLimitMinutes < 0 || f.TimeLimitMinutes > 1440 {
		errs["duree"] = "Durée : de 1 à 1 440 minutes, ou aucune limite."
	}
	if !slices.Contains([]Feedback{FeedbackNever, FeedbackEachAnswer, FeedbackAfterClose}, f.Feedback) {
		errs["correction"] = "Correction : choisissez jamais, après chaque réponse ou après la clôture."
	}
	if !slices.Contains([]Rule{RuleBest, RuleAverage, RuleFirst, RuleLast}, f.Rule) {
		errs["note"] = "Note retenue : choisissez la meilleure, la moyenne, la première ou la dernière tentative."
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Assign gives an exercise of the teacher's to classes and groups they teach.
func (s *Service) Assign(ctx context.Context, t *tenant.Tenant, a Actor, exercise uuid.UUID, f AssignmentForm) (uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return uuid.Nil, err
	}
	id := uuid.New()
	err := s.write(ctx, t, func(st store) error {
		if _, err := ownExercise(st, a.PersonID, exercise, false); err != nil {
			return err
		}
		if err := checkAssignment(st, a.PersonID, f, nil); err != nil {
			return err
		}
		now := s.now()
		if err := st.exec("assign", `INSERT INTO exercise_assignments (id, exercise_id, opens_at, closes_at, attempts_allowed, time_limit_minutes,
			shuffle_questions, shuffle_answers, feedback, training, grade_rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?, ?)`,
			id, exercise, f.OpensAt, f.ClosesAt, f.Attempts, f.TimeLimitMinutes, f.ShuffleQuestions, f.ShuffleAnswers, f.Feedback, f.Training, f.Rule, now, now); err != nil {
			return err
		}
		return setClasses(st, id, f.Classes)
	})
	return id, err
}

func setClasses(st store, id uuid.UUID, classes []uuid.UUID) error {
	if err := st.exec("assignment classes", `DELETE FROM exercise_assignment_classes WHERE assignment_id = ?`, id); err != nil {
		return err
	}
	for _, c := range classes {
		if err := st.exec("assignment classes", `INSERT INTO exercise_assignment_classes (assignment_id, class_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, c); err != nil {
			return err
		}
	}
	return nil
}

// UpdateAssignment changes an assignment of the teacher's (dates, attempts, modes, classes:
// a class they no longer teach may stay, not be added). The attempts made stay.
func (s *Service) UpdateAssignment(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f AssignmentForm) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	return s.write(ctx, t, func(st store) error {
		as, err := ownAssignment(st, a.PersonID, id)
		if err != nil {
			return err
		}
		if err := checkAssignment(st, a.PersonID, f, as.Classes); err != nil {
			return err
		}
		if err := st.exec("update assignment", `UPDATE exercise_assignments SET opens_at = ?, closes_at = ?, attempts_allowed = ?, time_limit_minutes = nullif(?, 0),
			shuffle_questions = ?, shuffle_answers = ?, feedback = ?, training = ?, grade_rule = ?, updated_at = ? WHERE id = ?`,
			f.OpensAt, f.ClosesAt, f.Attempts, f.TimeLimitMinutes, f.ShuffleQuestions, f.ShuffleAnswers, f.Feedback, f.Training, f.Rule, s.now(), id); err != nil {
			return err
		}
		return setClasses(st, id, f.Classes)
	})
}

// assignmentColumns are an Assignment's columns from x (the assignment) and e (its exercise).
const assignmentColumns = `x.id, x.exercise_id, e.title, e.owner_id, x.opens_at, x.closes_at, x.attempts_allowed,
	coalesce(x.time_limit_minutes, 0) * 60000000000::bigint AS time_limit, x.shuffle_questions, x.shuffle_answers, x.feedback, x.training, x.grade_rule AS rule`

func readAssignment(st store, where string, args ...any) (Assignment, error) {
	var out []Assignment
	if err := st.scan("assignment", &out, `SELECT `+assignmentColumns+` FROM exercise_assignments x JOIN exercises e ON e.id = x.exercise_id WHERE `+where, args...); err != nil {
		return Assignment{}, err
	}
	if len(out) == 0 {
		return Assignment{}, notFound("exercice")
	}
	as := out[0]
	var labels []struct {
		ID    uuid.UUID
		Label string
	}
	if err := st.scan("assignment classes", &labels, `SELECT c.id, c.label FROM exercise_assignment_classes ac JOIN classes c ON c.id = ac.class_id
		WHERE ac.assignment_id = ? ORDER BY c.kind, c.label`, as.ID); err != nil {
		return as, err
	}
	for i, l := range labels {
		as.Classes = append(as.Classes, l.ID)
		if i > 0 {
			as.ClassLabels += ", "
		}
		as.ClassLabels += l.Label
	}
	return as, nil
}

// ownAssignment reads an assignment of an exercise of owner's.
func ownAssignment(st store, owner, id uuid.UUID) (Assignment, error) {
	return readAssignment(st, `x.id = ? AND e.owner_id = ?`, id, owner)
}

// Assignments lists the assignments of an exercise of the teacher's.
func (s *Service) Assignments(ctx context.Context, t *tenant.Tenant, a Actor, exercise uuid.UUID) ([]Assignment, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	var out []Assignment
	err := s.read(ctx, t, func(st store) error {
		var ids []uuid.UUID
		if err := st.scan("assignments", &ids, `SELECT x.id FROM exercise_assignments x JOIN exercises e ON e.id = x.exercise_id
			WHERE e.id = ? AND e.owner_id = ? ORDER BY x.opens_at DESC, x.id`, exercise, a.PersonID); err != nil {
			return err
		}
		for _, id := range ids {
			as, err := ownAssignment(st, a.PersonID, id)
			if err != nil {
				return err
			}
			out = append(out, as)
		}
		return nil
	})
	return out, err
}

// Assignment reads an assignment of the teacher's.
func (s *Service) Assignment(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Assignment, error) {
	if err := mustWrite(a); err != nil {
		return Assignment{}, err
	}
	var out Assignment
	err := s.read(ctx, t, func(st store) (err error) { out, err = ownAssignment(st, a.PersonID, id); return err })
	return out, err
}

// pupilSees is the SQL condition that assignment x is given to a class or group of @me.
const pupilSees = `EXISTS (SELECT 1 FROM exercise_assignment_classes ac JOIN class_members m ON m.class_id = ac.class_id
	WHERE ac.assignment_id = x.id AND m.person_id = @me)`

// pupilAssignment reads an assignment given to one of the pupil's classes; not found otherwise.
func pupilAssignment(st store, pupil, id uuid.UUID) (Assignment, error) {
	return readAssignment(st, `x.id = @id AND `+pupilSees, map[string]any{"id": id, "me": pupil})
}

// Todo is an assignment as a pupil's « Exercices » list shows it.
type Todo struct {
	Assignment
	AttemptsUsed int
	Unfinished   bool // an attempt to resume
}

// ToDo lists the assignments given to the pupil's classes and groups, the latest closing
// first, with the attempts they used.
func (s *Service) ToDo(ctx context.Context, t *tenant.Tenant, a Actor) ([]Todo, error) {
	if err := mustTake(a); err != nil {
		return nil, err
	}
	var out []Todo
	err := s.write(ctx, t, func(st store) error {
		if err := s.expire(st, `a.pupil_id = ?`, a.PersonID); err != nil {
			return err
		}
		var ids []uuid.UUID
		if err := st.scan("pupil's assignments", &ids, `SELECT x.id FROM exercise_assignments x WHERE `+pupilSees+` ORDER BY x.closes_at DESC, x.id LIMIT 500`,
			map[string]any{"me": a.PersonID}); err != nil {
			return err
		}
		for _, id := range ids {
			as, err := pupilAssignment(st, a.PersonID, id)
			if err != nil {
				return err
			}
			var n struct{ Used, Open int }
			if err := st.scan("attempts used", &n, `SELECT count(*) AS used, count(*) FILTER (WHERE submitted_at IS NULL) AS open FROM exercise_attempts
				WHERE assignment_id = ? AND pupil_id = ?`, id, a.PersonID); err != nil {
				return err
			}
			as.ClassLabels = "" // the pupil's list does not name the other classes
			as.Classes = nil
			out = append(out, Todo{Assignment: as, AttemptsUsed: n.Used, Unfinished: n.Open > 0})
		}
		return nil
	})
	return out, err
}

// Subject is a subject a teacher teaches in a class (what an evaluation of the marks is of).
type Subject struct {
	Code  string
	Label string
}

// Subjects are the subjects the teacher teaches in class (their teachings and slots).
func (s *Service) Subjects(ctx context.Context, t *tenant.Tenant, a Actor, class uuid.UUID) ([]Subject, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	var out []Subject
	err := s.read(ctx, t, func(st store) error {
		return st.scan("subjects taught", &out, `SELECT DISTINCT sub.code, sub.label FROM (
			SELECT te.subject_code FROM teachings te WHERE te.teacher_id = @me AND te.class_id = @class
			UNION SELECT s.subject_code FROM lesson_slots s JOIN lesson_slot_teachers lt ON lt.slot_id = s.id WHERE lt.teacher_id = @me AND s.class_id = @class) x
			JOIN subjects sub ON sub.code = x.subject_code ORDER BY sub.label`, map[string]any{"me": a.PersonID, "class": class})
	})
	return out, err
}
