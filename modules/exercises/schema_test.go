package exercises_test

// What migration 0030 refuses by itself, whatever code writes.

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

func TestSchemaRefuses(t *testing.T) {
	s := newSite(t)
	cat, qs := s.bank(choice("Q1"))
	ex := s.exercise(qs...)
	as := s.assign(ex, s.week())
	paulCat := uuid.New()
	s.exec(s.alpha, `INSERT INTO exercise_categories (id, owner_id, path, created_at) VALUES (?, ?, 'Paul', now())`, paulCat, s.paul.PersonID)
	attempt := uuid.New()
	s.exec(s.alpha, `INSERT INTO exercise_attempts (id, assignment_id, pupil_id, number, started_at, deadline, max_points) VALUES (?, ?, ?, 1, now(), now() + interval '1 hour', 2)`,
		attempt, as, s.alice.PersonID)
	for name, c := range map[string]struct{ q, want string }{
		"a question in a colleague's category": {`INSERT INTO exercise_questions (owner_id, category_id, type, name, body, created_at, updated_at)
			VALUES ('` + s.claire.PersonID.String() + `', '` + paulCat.String() + `', 'redaction', 'x', '{"type":"redaction"}', now(), now())`, "foreign key"},
		"a body of another type": {`INSERT INTO exercise_questions (owner_id, category_id, type, name, body, created_at, updated_at)
			VALUES ('` + s.claire.PersonID.String() + `', '` + cat.String() + `', 'redaction', 'x', '{"type":"vrai_faux"}', now(), now())`, "check"},
		"an item both question and draw": {`INSERT INTO exercise_items (exercise_id, owner_id, position, question_id, category_id, draw_count, points)
			VALUES ('` + ex.String() + `', '` + s.claire.PersonID.String() + `', 2, '` + qs[0].String() + `', '` + cat.String() + `', 1, 1)`, "check"},
		"an item of a colleague's question": {`INSERT INTO exercise_items (exercise_id, owner_id, position, question_id, points)
			VALUES ('` + ex.String() + `', '` + s.paul.PersonID.String() + `', 2, '` + qs[0].String() + `', 1)`, "foreign key"},
		"a second open attempt": {`INSERT INTO exercise_attempts (assignment_id, pupil_id, number, started_at, deadline, max_points)
			VALUES ('` + as.String() + `', '` + s.alice.PersonID.String() + `', 2, now(), now() + interval '1 hour', 2)`, "exercise_attempts_open"},
		"the same attempt number": {`UPDATE exercise_attempts SET submitted_at = now(), score_num = 0, score_den = 1 WHERE id = '` + attempt.String() + `';
			INSERT INTO exercise_attempts (assignment_id, pupil_id, number, started_at, deadline, max_points)
			VALUES ('` + as.String() + `', '` + s.alice.PersonID.String() + `', 1, now(), now() + interval '1 hour', 2)`, "unique"},
		"a deadline before the start": {`INSERT INTO exercise_attempts (assignment_id, pupil_id, number, started_at, deadline, max_points)
			VALUES ('` + as.String() + `', '` + s.bob.PersonID.String() + `', 1, now(), now() - interval '1 second', 2)`, "check"},
		"submitted without a score": {`UPDATE exercise_attempts SET submitted_at = now() WHERE id = '` + attempt.String() + `'`, "check"},
		"an assignment closing before it opens": {`INSERT INTO exercise_assignments (exercise_id, opens_at, closes_at, created_at, updated_at)
			VALUES ('` + ex.String() + `', now(), now(), now(), now())`, "check"},
		"an unknown feedback mode": {`UPDATE exercise_assignments SET feedback = 'toujours' WHERE id = '` + as.String() + `'`, "check"},
		"an override above the points": {`INSERT INTO exercise_responses (attempt_id, position, item_position, question, points, override_points)
			VALUES ('` + attempt.String() + `', 1, 1, '{}', 2, 3)`, "check"},
	} {
		err := s.reg.DB().Tx(s.ctx, s.alpha, func(tx *gorm.DB) error { return tx.Exec(c.q).Error })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want a %s violation, got %v", name, c.want, err)
		}
	}
}
