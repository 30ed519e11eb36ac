package exercises

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/exercises/gift"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The teachers' side of the JSON API: their exercises with their assignments, an
// assignment's results in a class, their bank, a GIFT import.

type apiExercise struct {
	ID           uuid.UUID       `json:"id"`
	Title        string          `json:"title"`
	Instructions string          `json:"instructions"`
	UpdatedAt    time.Time       `json:"updated_at"`
	Assignments  []apiAssignment `json:"assignments"`
}

// apiExercises lists the teacher's exercises, the latest changed first, each with its
// assignments (the ids the results ask for).
func (h *Handler) apiExercises(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	exs, err := h.svc.Exercises(ctx, t, a)
	if err != nil {
		return err
	}
	out := make([]apiExercise, len(exs))
	for i, ex := range exs {
		as, err := h.svc.Assignments(ctx, t, a, ex.ID)
		if err != nil {
			return err
		}
		out[i] = apiExercise{ID: ex.ID, Title: ex.Title, Instructions: ex.Instructions, UpdatedAt: ex.UpdatedAt, Assignments: []apiAssignment{}}
		for _, as := range as {
			out[i].Assignments = append(out[i].Assignments, apiAssignmentOf(as))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"exercises": out})
}

type apiResultAttempt struct {
	ID            uuid.UUID  `json:"id"`
	Number        int        `json:"number"`
	StartedAt     time.Time  `json:"started_at"`
	SubmittedAt   *time.Time `json:"submitted_at"`
	AutoSubmitted bool       `json:"auto_submitted"`
	MaxPoints     string     `json:"max_points"`
	Score         *string    `json:"score"`
	Pending       bool       `json:"pending"`
}

type apiPupilResult struct {
	PupilID  uuid.UUID          `json:"pupil_id"`
	Name     string             `json:"name"`
	Attempts []apiResultAttempt `json:"attempts"`
	Working  bool               `json:"working"`
	Grade    *string            `json:"grade"`
	Pending  bool               `json:"pending"`
}

type apiQuestionRate struct {
	QuestionID *uuid.UUID `json:"question_id"`
	Name       string     `json:"name"`
	Answers    int        `json:"answers"`
	Rate       *string    `json:"rate"`
}

// apiResults are an assignment's results in one of its classes (?classe=).
func (h *Handler) apiResults(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	class, err := uuid.Parse(c.QueryParam("classe"))
	if err != nil {
		return fault.Invalidf("classe", "Classe : indiquez l'identifiant de la classe (paramètre classe) dont vous voulez les résultats.")
	}
	res, err := h.svc.Results(c.Request().Context(), web.TenantOf(c), requestActor(c), id, class)
	if err != nil {
		return err
	}
	pupils := make([]apiPupilResult, len(res.Pupils))
	for i, p := range res.Pupils {
		pr := apiPupilResult{PupilID: p.PupilID, Name: p.Name, Attempts: []apiResultAttempt{}, Working: p.Working, Grade: apiRat(p.Grade), Pending: p.Pending}
		for _, at := range p.Attempts {
			pr.Attempts = append(pr.Attempts, apiResultAttempt{ID: at.ID, Number: at.Number, StartedAt: at.StartedAt, SubmittedAt: at.SubmittedAt,
				AutoSubmitted: at.AutoSubmitted, MaxPoints: apiPoints(at.MaxPoints), Score: apiRat(at.Score), Pending: at.Pending})
		}
		pupils[i] = pr
	}
	rates := make([]apiQuestionRate, len(res.Questions))
	for i, q := range res.Questions {
		rates[i] = apiQuestionRate{QuestionID: q.QuestionID, Name: q.Name, Answers: q.Answers, Rate: apiRat(q.Rate)}
	}
	return c.JSON(http.StatusOK, map[string]any{"assignment": apiAssignmentOf(res.Assignment), "class_id": res.ClassID, "class_label": res.ClassLabel,
		"pupils": pupils, "questions": rates})
}

type apiBankQuestion struct {
	ID           uuid.UUID          `json:"id"`
	Owner        string             `json:"owner"`
	CategoryID   uuid.UUID          `json:"category_id"`
	CategoryPath string             `json:"category_path"`
	Type         question.Type      `json:"type"`
	Name         string             `json:"name"`
	Shared       bool               `json:"shared"`
	Mine         bool               `json:"mine"`
	UpdatedAt    time.Time          `json:"updated_at"`
	Question     *question.Question `json:"question,omitempty"`
}

func apiBankQuestionOf(q BankQuestion) apiBankQuestion {
	return apiBankQuestion{ID: q.ID, Owner: q.Owner, CategoryID: q.CategoryID, CategoryPath: q.CategoryPath, Type: q.Type, Name: q.Name,
		Shared: q.Shared, Mine: q.Mine, UpdatedAt: q.UpdatedAt}
}

// apiBank lists the questions the teacher reads: their own, then their colleagues' shared ones.
func (h *Handler) apiBank(c echo.Context) error {
	qs, err := h.svc.Bank(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiBankQuestion, len(qs))
	for i, q := range qs {
		out[i] = apiBankQuestionOf(q)
	}
	return c.JSON(http.StatusOK, map[string]any{"questions": out})
}

// apiQuestion is one question the teacher reads, with its body (answers, weights, feedback).
func (h *Handler) apiQuestion(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	q, err := h.svc.Question(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	out := apiBankQuestionOf(q)
	out.Question = &q.Question
	return c.JSON(http.StatusOK, out)
}

type apiImportProblem struct {
	Line    int    `json:"line,omitempty"`
	Index   *int   `json:"index,omitempty"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// apiImportGIFT imports a GIFT file sent as the body (text/plain) into the category path
// ?categorie=. Questions that do not parse are reported with their line; ?valides=1 imports
// the others all the same (and reports the skipped ones), otherwise nothing is imported.
func (h *Handler) apiImportGIFT(c echo.Context) error {
	category := strings.TrimSpace(c.QueryParam("categorie"))
	if category == "" {
		return fault.Invalidf("categorie", "Catégorie : indiquez la catégorie où importer les questions (paramètre categorie, « Algèbre/Équations »).")
	}
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(ct, "text/plain") {
		return fault.Invalidf("body", "Envoyez le fichier GIFT comme corps de la requête, en texte (Content-Type: text/plain; charset=utf-8).")
	}
	validOnly, err := apiBool(c, "valides")
	if err != nil {
		return err
	}
	subcats, err := apiBool(c, "sous_categories")
	if err != nil {
		return err
	}
	qs, perrs, err := gift.Parse(c.Request().Body)
	if err != nil {
		return fault.Decoding(err)
	}
	skipped := make([]apiImportProblem, len(perrs))
	for i, pe := range perrs {
		skipped[i] = apiImportProblem{Line: pe.Line, Title: pe.Title, Message: pe.Message}
	}
	refuse := func(msg string, problems []apiImportProblem) error {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": msg, "problems": problems})
	}
	if len(perrs) > 0 && !validOnly {
		return refuse("import refusé : des questions du fichier sont mal écrites (voir leurs lignes) ; rien n'a été importé. Corrigez-les, ou importez seulement les questions valides (valides=1).", skipped)
	}
	if len(qs) == 0 {
		return refuse("import refusé : le fichier ne contient aucune question valide ; rien n'a été importé.", skipped)
	}
	mode := ImportInto
	if subcats {
		mode = ImportSubcategories
	}
	ids, err := h.svc.ImportQuestions(c.Request().Context(), web.TenantOf(c), requestActor(c), category, qs, mode)
	var ie *ImportError
	if errors.As(err, &ie) {
		var problems []apiImportProblem
		for _, i := range slices.Sorted(maps.Keys(ie.Problems)) {
			title := qs[i].Name
			if title == "" {
				title = qs[i].Text.Text
			}
			problems = append(problems, apiImportProblem{Index: &i, Title: title, Message: ie.Problems[i]})
		}
		return refuse("import refusé : des questions lues sont refusées par la banque ; rien n'a été importé.", problems)
	}
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return c.JSON(http.StatusCreated, map[string]any{"imported": len(ids), "ids": ids, "skipped": skipped})
}

// apiBool reads a boolean query parameter: 1/true/oui, 0/false/non, absent is false.
func apiBool(c echo.Context, name string) (bool, error) {
	switch strings.ToLower(c.QueryParam(name)) {
	case "", "0", "false", "non":
		return false, nil
	case "1", "true", "oui":
		return true, nil
	}
	return false, fault.Invalidf(name, "Paramètre %s : 1 (oui) ou 0 (non).", name)
}
