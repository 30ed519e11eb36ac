package exercises

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

const exportAbout = "exercises.json : pour un élève, ses tentatives aux exercices (titre de l'exercice, numéro, début, remise, " +
	"points obtenus et sur combien) avec, pour chaque question, son nom, son énoncé, votre réponse, les points et le commentaire de l'enseignant ; " +
	"pour un enseignant, ses exercices (titre, consigne, dates) et les titres de sa banque de questions (catégories et noms des questions)."

type exportResponse struct {
	Position int             `json:"position"`
	Question string          `json:"question"`
	Text     string          `json:"text"`
	Points   string          `json:"points"`
	Response json.RawMessage `json:"response"`
	SavedAt  *time.Time      `json:"saved_at"`
	Obtained *string         `json:"points_obtained"` // null: not graded yet
	Comment  string          `json:"teacher_comment,omitempty"`
}

type exportAttempt struct {
	ID          uuid.UUID        `json:"id"`
	Exercise    string           `json:"exercise"`
	Number      int              `json:"number"`
	StartedAt   time.Time        `json:"started_at"`
	SubmittedAt *time.Time       `json:"submitted_at"`
	Score       *string          `json:"score"` // points obtained, two decimals; null until submitted
	MaxPoints   string           `json:"max_points"`
	Pending     bool             `json:"pending_review"`
	Responses   []exportResponse `json:"responses" gorm:"-"`
}

type exportExercise struct {
	Title        string    `json:"title"`
	Instructions string    `json:"instructions"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type exportQuestion struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Shared   bool   `json:"shared"`
}

type exportData struct {
	Attempts   []exportAttempt  `json:"attempts"`
	Exercises  []exportExercise `json:"exercises"`
	Categories []string         `json:"bank_categories"`
	Questions  []exportQuestion `json:"bank_questions"`
}

// Export writes what the exercises hold about person: their attempts and responses (a
// pupil), their exercises and their bank's titles (a teacher). The right answers of the
// questions are not in it: they are the teacher's.
func (s *Service) Export(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w module.ExportWriter) error {
	if t == nil {
		return nil // nothing at the platform's level
	}
	out := exportData{Attempts: []exportAttempt{}, Exercises: []exportExercise{}, Categories: []string{}, Questions: []exportQuestion{}}
	err := s.read(ctx, t, func(st store) error {
		var ats []exportAttempt
		if err := st.scan("export attempts", &ats, `SELECT a.id, e.title AS exercise, a.number, a.started_at, a.submitted_at,
				to_char(round(a.score_num / a.score_den, 2), 'FM9999990.00') AS score, a.max_points::text AS max_points, a.pending
			FROM exercise_attempts a JOIN exercise_assignments s ON s.id = a.assignment_id JOIN exercises e ON e.id = s.exercise_id
			WHERE a.pupil_id = ? ORDER BY a.started_at, a.id`, person); err != nil {
			return err
		}
		for _, a := range ats {
			at := a
			if err := st.scan("export responses", &at.Responses, `SELECT position, coalesce(question->>'name', '') AS question,
					coalesce(question->'text'->>'text', '') AS text, points::text AS points, response, saved_at,
					CASE WHEN override_points IS NOT NULL THEN override_points::text
						WHEN graded THEN to_char(round(points * auto_num / auto_den, 2), 'FM9999990.00') END AS obtained,
					override_comment AS comment
				FROM exercise_responses WHERE attempt_id = ? ORDER BY position`, at.ID); err != nil {
				return err
			}
			if at.Responses == nil {
				at.Responses = []exportResponse{}
			}
			out.Attempts = append(out.Attempts, at)
		}
		if err := st.scan("export exercises", &out.Exercises, `SELECT title, instructions, created_at, updated_at FROM exercises WHERE owner_id = ? ORDER BY created_at, id`, person); err != nil {
			return err
		}
		if err := st.scan("export categories", &out.Categories, `SELECT path FROM exercise_categories WHERE owner_id = ? ORDER BY path`, person); err != nil {
			return err
		}
		return st.scan("export questions", &out.Questions, `SELECT c.path AS category, q.name, q.type, q.shared FROM exercise_questions q
			JOIN exercise_categories c ON c.id = q.category_id WHERE q.owner_id = ? ORDER BY c.path, q.name, q.id`, person)
	})
	if err != nil {
		return fmt.Errorf("exercises: export of %s: %w", person, err)
	}
	if out.Categories == nil {
		out.Categories = []string{}
	}
	if out.Exercises == nil {
		out.Exercises = []exportExercise{}
	}
	if out.Questions == nil {
		out.Questions = []exportQuestion{}
	}
	return w.JSON(out)
}
