package exercises

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/tenant"
)

// importPlan is where each question of an import goes under the clean path root, and what
// the service refuses in them, by index (ImportQuestions' checks, also shown before an
// import by the import's report).
func importPlan(root string, qs []question.Question, mode ImportMode) (paths []string, problems map[int]string) {
	problems = map[int]string{}
	paths = make([]string, len(qs))
	for i, q := range qs {
		if msg := checkQuestion(q); msg != "" {
			problems[i] = fmt.Sprintf("Question %d (« %s ») : %s.", i+1, nameOf(q), msg)
		}
		paths[i] = root
		if mode == ImportSubcategories && strings.TrimSpace(q.Category) != "" {
			sub, _ := cleanPath(strings.TrimPrefix(strings.TrimPrefix(q.Category, "$course$/"), "top/"))
			if p, ok := cleanPath(root + "/" + sub); ok {
				paths[i] = p
			} else {
				problems[i] = fmt.Sprintf("Question %d (« %s ») : le chemin de sa catégorie dépasse 300 caractères.", i+1, nameOf(q))
			}
		}
	}
	return paths, problems
}

// importRefusals are the questions ImportQuestions would refuse under the category path,
// by index; a path that is no category refuses nothing here (ImportQuestions says so).
func importRefusals(category string, qs []question.Question, mode ImportMode) map[int]string {
	root, ok := cleanPath(category)
	if !ok {
		root = "x"
	}
	_, problems := importPlan(root, qs, mode)
	return problems
}

// exportQuestions are the teacher's own questions, of one of their categories and its
// subcategories (category Nil: all of them), by category path and name, each with its
// category's path as Category (what the formats write).
func (s *Service) exportQuestions(ctx context.Context, t *tenant.Tenant, a Actor, category uuid.UUID) (scope string, qs []question.Question, err error) {
	if err := mustWrite(a); err != nil {
		return "", nil, err
	}
	err = s.read(ctx, t, func(st store) error {
		where := `q.owner_id = @me`
		args := map[string]any{"me": a.PersonID}
		if category != uuid.Nil {
			path, err := ownCategory(st, a.PersonID, category)
			if err != nil {
				return err
			}
			scope = path
			where += ` AND (c.path = @path OR c.path LIKE @prefix)`
			args["path"], args["prefix"] = path, likeEscape(path)+"/%"
		}
		var rows []struct {
			Path string
			Body string
		}
		if err := st.scan("export", &rows, `SELECT c.path, q.body::text AS body FROM exercise_questions q JOIN exercise_categories c ON c.id = q.category_id
			WHERE `+where+` ORDER BY c.path, q.name, q.id`, args); err != nil {
			return err
		}
		qs = make([]question.Question, len(rows))
		for i, r := range rows {
			if err := json.Unmarshal([]byte(r.Body), &qs[i]); err != nil {
				return fmt.Errorf("exercises: export question: %w", err)
			}
			qs[i].Category = r.Path
		}
		return nil
	})
	return scope, qs, err
}
