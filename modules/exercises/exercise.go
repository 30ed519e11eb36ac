package exercises

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/tenant"
)

// maxItems bounds an exercise.
const maxItems = 200

// ExerciseForm is an exercise as typed: its items in order.
type ExerciseForm struct {
	Title        string
	Instructions string
	Items        []ItemForm
}

// ItemForm is one item: a question of the teacher's bank (Question), or Count questions
// drawn from one of their categories (Category); Points as typed (« 2 », « 0,5 »), each.
type ItemForm struct {
	Question uuid.UUID
	Category uuid.UUID
	Count    int
	Points   string
}

type itemRow struct {
	ExerciseID uuid.UUID
	OwnerID    uuid.UUID
	Position   int
	QuestionID *uuid.UUID
	CategoryID *uuid.UUID
	DrawCount  *int
	Points     Points
}

// checkExercise validates f for owner: items of their bank, a category holding at least the
// questions it is drawn for.
func checkExercise(st store, owner uuid.UUID, f ExerciseForm) ([]itemRow, error) {
	errs := FormErrors{}
	f.Title = strings.TrimSpace(f.Title)
	switch n := utf8.RuneCountInString(f.Title); {
	case n == 0:
		errs["titre"] = "Titre : indiquez le titre de l'exercice."
	case n > 150:
		errs["titre"] = fmt.Sprintf("Titre : 150 caractères au plus (%d saisis).", n)
	}
	if n := utf8.RuneCountInString(f.Instructions); n > 5000 {
		errs["consignes"] = fmt.Sprintf("Consignes : 5 000 caractères au plus (%d saisis).", n)
	}
	if len(f.Items) == 0 {
		errs["questions"] = "Questions : choisissez au moins une question."
	}
	if len(f.Items) > maxItems {
		errs["questions"] = "Questions : 200 au plus."
	}
	var rows []itemRow
	seen := map[uuid.UUID]bool{}
	for i, it := range f.Items {
		key := fmt.Sprintf("question_%d", i+1)
		pts, ok := ParsePoints(it.Points)
		if !ok {
			errs[key] = fmt.Sprintf("Question %d : les points sont un nombre positif, deux décimales au plus (ex. 1 ou 0,5).", i+1)
			continue
		}
		row := itemRow{OwnerID: owner, Position: i + 1, Points: pts}
		switch {
		case it.Question != uuid.Nil && it.Category == uuid.Nil:
			var types []string
			if err := st.scan("item question", &types, `SELECT type FROM exercise_questions WHERE id = ? AND owner_id = ?`, it.Question, owner); err != nil {
				return nil, err
			}
			if len(types) == 1 && types[0] == string(question.Description) {
				errs[key] = fmt.Sprintf("Question %d : une description ne se note pas ; mettez ce texte dans les consignes.", i+1)
				continue
			}
			if len(types) == 0 {
				errs[key] = fmt.Sprintf("Question %d : choisissez une question de votre banque (copiez d'abord celle d'un collègue).", i+1)
				continue
			}
			if seen[it.Question] {
				errs[key] = fmt.Sprintf("Question %d : cette question est déjà dans l'exercice.", i+1)
				continue
			}
			seen[it.Question] = true
			q := it.Question
			row.QuestionID = &q
		case it.Category != uuid.Nil && it.Question == uuid.Nil:
			var cat []struct {
				Path      string
				Questions int
			}
			if err := st.scan("item category", &cat, `SELECT c.path, (SELECT count(*) FROM exercise_questions q WHERE q.category_id = c.id AND q.type <> 'description') AS questions
				FROM exercise_categories c WHERE c.id = ? AND c.owner_id = ?`, it.Category, owner); err != nil {
				return nil, err
			}
			switch {
			case len(cat) == 0:
				errs[key] = fmt.Sprintf("Question %d : choisissez une catégorie de votre banque.", i+1)
				continue
			case it.Count < 1 || it.Count > 100:
				errs[key] = fmt.Sprintf("Question %d : tirez de 1 à 100 questions.", i+1)
				continue
			case it.Count > cat[0].Questions:
				errs[key] = fmt.Sprintf("Question %d : la catégorie « %s » n'a que %d question(s), %d demandée(s).", i+1, cat[0].Path, cat[0].Questions, it.Count)
				continue
			}
			c, n := it.Category, it.Count
			row.CategoryID, row.DrawCount = &c, &n
		default:
			errs[key] = fmt.Sprintf("Question %d : choisissez une question ou une catégorie où en tirer.", i+1)
			continue
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

// CreateExercise writes an exercise of the teacher's.
func (s *Service) CreateExercise(ctx context.Context, t *tenant.Tenant, a Actor, f ExerciseForm) (uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return uuid.Nil, err
	}
	id := uuid.New()
	err := s.write(ctx, t, func(st store) error {
		rows, err := checkExercise(st, a.PersonID, f)
		if err != nil {
			return err
		}
		now := s.now()
		if err := st.exec("create exercise", `INSERT INTO exercises (id, owner_id, title, instructions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, a.PersonID, strings.TrimSpace(f.Title), strings.TrimSpace(f.Instructions), now, now); err != nil {
			return err
		}
		return insertItems(st, id, rows)
	})
	return id, err
}

func insertItems(st store, id uuid.UUID, rows []itemRow) error {
	for _, r := range rows {
		if err := st.exec("add item", `INSERT INTO exercise_items (exercise_id, owner_id, position, question_id, category_id, draw_count, points) VALUES (?, ?, ?, ?, ?, ?, ?::numeric / 100)`,
			id, r.OwnerID, r.Position, r.QuestionID, r.CategoryID, r.DrawCount, int64(r.Points)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateExercise changes an exercise of the teacher's; the attempts already made keep what
// they drew.
func (s *Service) UpdateExercise(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, f ExerciseForm) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	return s.write(ctx, t, func(st store) error {
		if _, err := ownExercise(st, a.PersonID, id, true); err != nil {
			return err
		}
		rows, err := checkExercise(st, a.PersonID, f)
		if err != nil {
			return err
		}
		if err := st.exec("update exercise", `UPDATE exercises SET title = ?, instructions = ?, updated_at = ? WHERE id = ?`,
			strings.TrimSpace(f.Title), strings.TrimSpace(f.Instructions), s.now(), id); err != nil {
			return err
		}
		if err := st.exec("clear items", `DELETE FROM exercise_items WHERE exercise_id = ?`, id); err != nil {
			return err
		}
		return insertItems(st, id, rows)
	})
}

// DeleteExercise deletes an exercise of the teacher's with its assignments and attempts.
func (s *Service) DeleteExercise(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	return s.write(ctx, t, func(st store) error {
		if _, err := ownExercise(st, a.PersonID, id, true); err != nil {
			return err
		}
		return st.exec("delete exercise", `DELETE FROM exercises WHERE id = ?`, id)
	})
}

// Exercises lists the teacher's exercises, the latest changed first (without their items).
func (s *Service) Exercises(ctx context.Context, t *tenant.Tenant, a Actor) ([]Exercise, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	var out []Exercise
	err := s.read(ctx, t, func(st store) error {
		return st.scan("exercises", &out, `SELECT id, owner_id, title, instructions, updated_at FROM exercises WHERE owner_id = ? ORDER BY updated_at DESC, id LIMIT 1000`, a.PersonID)
	})
	return out, err
}

// Exercise reads an exercise of the teacher's with its items.
func (s *Service) Exercise(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (Exercise, error) {
	if err := mustWrite(a); err != nil {
		return Exercise{}, err
	}
	var out Exercise
	err := s.read(ctx, t, func(st store) (err error) { out, err = ownExercise(st, a.PersonID, id, false); return err })
	return out, err
}

// ownExercise reads exercise id of owner with its items (lock: FOR UPDATE).
func ownExercise(st store, owner, id uuid.UUID, lock bool) (Exercise, error) {
	q := `SELECT id, owner_id, title, instructions, updated_at FROM exercises WHERE id = ? AND owner_id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var out []Exercise
	if err := st.scan("exercise", &out, q, id, owner); err != nil {
		return Exercise{}, err
	}
	if len(out) == 0 {
		return Exercise{}, notFound("exercice")
	}
	e := out[0]
	err := st.scan("items", &e.Items, `SELECT i.position, i.question_id, i.category_id, coalesce(i.draw_count, 0) AS count,
		(i.points * 100)::bigint AS points,
		CASE WHEN i.question_id IS NOT NULL THEN q.name ELSE i.draw_count || ' question(s) de « ' || c.path || ' »' END AS label
		FROM exercise_items i LEFT JOIN exercise_questions q ON q.id = i.question_id LEFT JOIN exercise_categories c ON c.id = i.category_id
		WHERE i.exercise_id = ? ORDER BY i.position`, id)
	return e, err
}
