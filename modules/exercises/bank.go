package exercises

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// maxImport bounds one import (a GIFT file of 1,000 questions fits).
const maxImport = 5000

// Categories are the teacher's categories, by path (a tree: parents come first).
func (s *Service) Categories(ctx context.Context, t *tenant.Tenant, a Actor) ([]Category, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	var out []Category
	err := s.read(ctx, t, func(st store) error {
		return st.scan("categories", &out, `SELECT c.id, c.owner_id, c.path, (SELECT count(*) FROM exercise_questions q WHERE q.category_id = c.id) AS questions
			FROM exercise_categories c WHERE c.owner_id = ? ORDER BY c.path`, a.PersonID)
	})
	return out, err
}

// CreateCategory makes the category path (« Algèbre/Équations ») and its parents in the
// teacher's bank; an existing one is returned as is.
func (s *Service) CreateCategory(ctx context.Context, t *tenant.Tenant, a Actor, path string) (uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return uuid.Nil, err
	}
	clean, ok := cleanPath(path)
	if !ok {
		return uuid.Nil, FormErrors{"categorie": "Catégorie : indiquez un nom (300 caractères au plus ; « / » sépare les sous-catégories)."}
	}
	var id uuid.UUID
	err := s.write(ctx, t, func(st store) (err error) { id, err = s.ensureCategory(st, a.PersonID, clean); return err })
	return id, err
}

// ensureCategory makes a clean path and its parents for owner, returning its id.
func (s *Service) ensureCategory(st store, owner uuid.UUID, path string) (uuid.UUID, error) {
	parts := strings.Split(path, "/")
	now := s.now()
	for i := range parts {
		if err := st.exec("create category", `INSERT INTO exercise_categories (owner_id, path, created_at) VALUES (?, ?, ?) ON CONFLICT (owner_id, path) DO NOTHING`,
			owner, strings.Join(parts[:i+1], "/"), now); err != nil {
			return uuid.Nil, err
		}
	}
	var ids []uuid.UUID
	if err := st.scan("category", &ids, `SELECT id FROM exercise_categories WHERE owner_id = ? AND path = ?`, owner, path); err != nil {
		return uuid.Nil, err
	}
	if len(ids) == 0 {
		return uuid.Nil, fmt.Errorf("exercises: category %q vanished", path)
	}
	return ids[0], nil
}

// ownCategory reads the path of a category of owner; not found otherwise.
func ownCategory(st store, owner, id uuid.UUID) (string, error) {
	var paths []string
	if err := st.scan("category", &paths, `SELECT path FROM exercise_categories WHERE id = ? AND owner_id = ?`, id, owner); err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "", notFound("catégorie")
	}
	return paths[0], nil
}

// DeleteCategory deletes an empty category of the teacher's: no question, no subcategory,
// drawn by no exercise.
func (s *Service) DeleteCategory(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	return s.write(ctx, t, func(st store) error {
		path, err := ownCategory(st, a.PersonID, id)
		if err != nil {
			return err
		}
		var n struct{ Questions, Children, Items int }
		if err := st.scan("category use", &n, `SELECT (SELECT count(*) FROM exercise_questions WHERE category_id = @id) AS questions,
			(SELECT count(*) FROM exercise_categories WHERE owner_id = @me AND path LIKE @prefix) AS children,
			(SELECT count(*) FROM exercise_items WHERE category_id = @id) AS items`,
			map[string]any{"id": id, "me": a.PersonID, "prefix": likeEscape(path) + "/%"}); err != nil {
			return err
		}
		switch {
		case n.Questions > 0:
			return fault.Invalidf("categorie", "La catégorie « %s » contient %d question(s) : déplacez-les ou supprimez-les d'abord.", path, n.Questions)
		case n.Children > 0:
			return fault.Invalidf("categorie", "La catégorie « %s » a des sous-catégories : supprimez-les d'abord.", path)
		case n.Items > 0:
			return fault.Invalidf("categorie", "Un exercice tire des questions de la catégorie « %s » : retirez-la de l'exercice d'abord.", path)
		}
		return st.exec("delete category", `DELETE FROM exercise_categories WHERE id = ?`, id)
	})
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// bankColumns are a BankQuestion's columns from q (the question), c (its category) and p
// (its owner), for the viewer @me.
const bankColumns = `q.id, q.owner_id, coalesce(p.first_name || ' ' || p.last_name, '') AS owner, q.category_id, c.path AS category_path,
	q.type, q.name, q.shared, q.owner_id = @me AS mine, q.updated_at`

const bankFrom = ` FROM exercise_questions q JOIN exercise_categories c ON c.id = q.category_id LEFT JOIN people p ON p.id = q.owner_id `

// Bank lists the questions the teacher reads: their own, then their colleagues' shared
// ones, by category and name.
func (s *Service) Bank(ctx context.Context, t *tenant.Tenant, a Actor) ([]BankQuestion, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	var out []BankQuestion
	err := s.read(ctx, t, func(st store) error {
		return st.scan("bank", &out, `SELECT `+bankColumns+bankFrom+`WHERE q.owner_id = @me OR q.shared
			ORDER BY q.owner_id <> @me, owner, c.path, q.name, q.id LIMIT 10000`, map[string]any{"me": a.PersonID})
	})
	return out, err
}

// Question reads one question the teacher reads (their own, or a colleague's shared one),
// with its body.
func (s *Service) Question(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) (BankQuestion, error) {
	if err := mustWrite(a); err != nil {
		return BankQuestion{}, err
	}
	var out BankQuestion
	err := s.read(ctx, t, func(st store) (err error) { out, err = readQuestion(st, a.PersonID, id); return err })
	return out, err
}

func readQuestion(st store, me, id uuid.UUID) (BankQuestion, error) {
	var rows []struct {
		BankQuestion
		Body string
	}
	if err := st.scan("question", &rows, `SELECT `+bankColumns+`, q.body::text AS body`+bankFrom+`WHERE q.id = @id AND (q.owner_id = @me OR q.shared)`,
		map[string]any{"me": me, "id": id}); err != nil {
		return BankQuestion{}, err
	}
	if len(rows) == 0 {
		return BankQuestion{}, notFound("question")
	}
	out := rows[0].BankQuestion
	if err := json.Unmarshal([]byte(rows[0].Body), &out.Question); err != nil {
		return out, fmt.Errorf("exercises: question %s: %w", id, err)
	}
	return out, nil
}

// SaveQuestion creates (id Nil) or changes a question of the teacher's bank in one of their
// categories; shared makes it readable and copiable by the colleagues. The attempts already
// made keep the question as it was.
func (s *Service) SaveQuestion(ctx context.Context, t *tenant.Tenant, a Actor, id, category uuid.UUID, q question.Question, shared bool) (uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return uuid.Nil, err
	}
	if msg := checkQuestion(q); msg != "" {
		return uuid.Nil, FormErrors{"question": "Question : " + msg + "."}
	}
	err := s.write(ctx, t, func(st store) error {
		if _, err := ownCategory(st, a.PersonID, category); err != nil {
			return err
		}
		body, err := json.Marshal(q)
		if err != nil {
			return fmt.Errorf("exercises: encode question: %w", err)
		}
		now := s.now()
		if id == uuid.Nil {
			id = uuid.New()
			return st.exec("create question", `INSERT INTO exercise_questions (id, owner_id, category_id, type, name, body, shared, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, a.PersonID, category, q.Type, nameOf(q), string(body), shared, now, now)
		}
		res := st.tx.Exec(`UPDATE exercise_questions SET category_id = ?, type = ?, name = ?, body = ?, shared = ?, updated_at = ? WHERE id = ? AND owner_id = ?`,
			category, q.Type, nameOf(q), string(body), shared, now, id, a.PersonID)
		if res.Error != nil {
			return fmt.Errorf("exercises: update question %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("question")
		}
		return nil
	})
	return id, err
}

// DeleteQuestion deletes a question of the teacher's bank that no exercise names.
func (s *Service) DeleteQuestion(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	return s.write(ctx, t, func(st store) error {
		var mine int
		if err := st.scan("own question", &mine, `SELECT count(*) FROM exercise_questions WHERE id = ? AND owner_id = ?`, id, a.PersonID); err != nil {
			return err
		}
		if mine == 0 {
			return notFound("question") // a colleague's: neither its use nor its existence is told
		}
		var used []string
		if err := st.scan("question use", &used, `SELECT e.title FROM exercise_items i JOIN exercises e ON e.id = i.exercise_id WHERE i.question_id = ? ORDER BY e.title`, id); err != nil {
			return err
		}
		if len(used) > 0 {
			return fault.Invalidf("question", "La question sert dans l'exercice « %s » : retirez-la de l'exercice d'abord.", used[0])
		}
		res := st.tx.Exec(`DELETE FROM exercise_questions WHERE id = ? AND owner_id = ?`, id, a.PersonID)
		if res.Error != nil {
			return fmt.Errorf("exercises: delete question %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("question")
		}
		return nil
	})
}

// CopyQuestion copies a question the teacher reads (a colleague's shared one, or their own)
// into one of their categories, not shared; it returns the copy.
func (s *Service) CopyQuestion(ctx context.Context, t *tenant.Tenant, a Actor, id, category uuid.UUID) (uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return uuid.Nil, err
	}
	copyID := uuid.New()
	err := s.write(ctx, t, func(st store) error {
		src, err := readQuestion(st, a.PersonID, id)
		if err != nil {
			return err
		}
		if _, err := ownCategory(st, a.PersonID, category); err != nil {
			return err
		}
		now := s.now()
		return st.exec("copy question", `INSERT INTO exercise_questions (id, owner_id, category_id, type, name, body, shared, copied_from, created_at, updated_at)
			SELECT ?, ?, ?, type, name, body, false, id, ?, ? FROM exercise_questions WHERE id = ?`, copyID, a.PersonID, category, now, now, src.ID)
	})
	return copyID, err
}

// ImportMode is where imported questions go.
type ImportMode int

// The import modes.
const (
	// ImportInto puts every question into the category chosen.
	ImportInto ImportMode = iota
	// ImportSubcategories puts a question that names its category (GIFT $CATEGORY, Moodle
	// XML <category>) into that path under the category chosen.
	ImportSubcategories
)

// ImportError is a refused import: the questions that are wrong, by their index in the list
// given (from 0), with what is wrong. Nothing was imported.
type ImportError struct{ Problems map[int]string }

func (e *ImportError) Error() string {
	return fmt.Sprintf("import refusé : %d question(s) à corriger", len(e.Problems))
}

// Unwrap makes a refused import an invalid request.
func (e *ImportError) Unwrap() error { return fault.ErrInvalid }

// ImportQuestions puts questions a parser read into the teacher's bank under the category
// path (made if missing), all or nothing: one wrong question refuses the whole list with an
// *ImportError. (Whether to import the valid questions of a file whose others did not parse
// is the teacher's choice, made before: the caller passes those it keeps.) It returns the new
// questions' ids in order.
func (s *Service) ImportQuestions(ctx context.Context, t *tenant.Tenant, a Actor, category string, qs []question.Question, mode ImportMode) ([]uuid.UUID, error) {
	if err := mustWrite(a); err != nil {
		return nil, err
	}
	root, ok := cleanPath(category)
	if !ok {
		return nil, FormErrors{"categorie": "Catégorie : indiquez la catégorie où importer les questions."}
	}
	if len(qs) == 0 {
		return nil, FormErrors{"fichier": "Fichier : aucune question à importer."}
	}
	if len(qs) > maxImport {
		return nil, FormErrors{"fichier": fmt.Sprintf("Fichier : %d questions, 5 000 au plus par import ; coupez le fichier.", len(qs))}
	}
	paths, problems := importPlan(root, qs, mode)
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	ids := make([]uuid.UUID, len(qs))
	err := s.write(ctx, t, func(st store) error {
		cats := map[string]uuid.UUID{}
		now := s.now()
		const batch = 500
		for start := 0; start < len(qs); start += batch {
			end := min(start+batch, len(qs))
			var sb strings.Builder
			args := make([]any, 0, (end-start)*8)
			for i := start; i < end; i++ {
				cat, ok := cats[paths[i]]
				if !ok {
					var err error
					if cat, err = s.ensureCategory(st, a.PersonID, paths[i]); err != nil {
						return err
					}
					cats[paths[i]] = cat
				}
				body, err := json.Marshal(qs[i])
				if err != nil {
					return fmt.Errorf("exercises: encode question %d: %w", i+1, err)
				}
				ids[i] = uuid.New()
				if i > start {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, false, ?, ?)")
				args = append(args, ids[i], a.PersonID, cat, qs[i].Type, nameOf(qs[i]), string(body), now, now)
			}
			if err := st.exec("import questions", `INSERT INTO exercise_questions (id, owner_id, category_id, type, name, body, shared, created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// ShareQuestion shares a question of the teacher's with their colleagues of the
// establishment (they read and copy it), or takes it back.
func (s *Service) ShareQuestion(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, shared bool) error {
	if err := mustWrite(a); err != nil {
		return err
	}
	return s.write(ctx, t, func(st store) error {
		res := st.tx.Exec(`UPDATE exercise_questions SET shared = ?, updated_at = ? WHERE id = ? AND owner_id = ?`, shared, s.now(), id, a.PersonID)
		if res.Error != nil {
			return fmt.Errorf("exercises: share question %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("question")
		}
		return nil
	})
}
