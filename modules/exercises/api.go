package exercises

import (
	_ "embed"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// The JSON API of the exercises (openapi.json): the same service as the pages, the same
// rules. A pupil's attempt carries a question's correction (right answers, feedback) only
// where the service sets it, at the moment the assignment's feedback mode chose.

// openAPI describes the module's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// apiRoutes are the pupils' (their list, an attempt: start, read, save, submit) and the
// teachers' (their exercises, an assignment's results, their bank, a GIFT import).
func (h *Handler) apiRoutes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/api/v1/exercices", PermTake, h.apiToDo).AsAPI(),
		module.Post(t, "/api/v1/exercices/affectations/:id/tentatives", PermTake, h.apiStart).AsAPI(),
		module.Get(t, "/api/v1/exercices/tentatives/:id", PermTake, h.apiAttempt).AsAPI(),
		module.Put(t, "/api/v1/exercices/tentatives/:id/reponses/:pos", PermTake, h.apiSave).AsAPI(),
		module.Post(t, "/api/v1/exercices/tentatives/:id/remise", PermTake, h.apiSubmit).AsAPI(),
		module.Get(t, "/api/v1/exercices/gestion", PermWrite, h.apiExercises).AsAPI(),
		module.Get(t, "/api/v1/exercices/affectations/:id/resultats", PermWrite, h.apiResults).AsAPI(),
		module.Get(t, "/api/v1/exercices/banque/questions", PermWrite, h.apiBank).AsAPI(),
		module.Get(t, "/api/v1/exercices/banque/questions/:id", PermWrite, h.apiQuestion).AsAPI(),
		module.Post(t, "/api/v1/exercices/banque/import-gift", PermWrite, h.apiImportGIFT).WithLimit(apiGIFTLimit).AsAPI(),
	}
}

// apiGIFTLimit is the largest GIFT file imported through the API.
const apiGIFTLimit = 8 << 20

// apiPoints writes points as a decimal with a point: « 1.50 ».
func apiPoints(p Points) string { return strings.Replace(p.String(), ",", ".", 1) }

// apiRat writes an exact fraction: « 3/4 », « 1 »; nil stays null.
func apiRat(r *big.Rat) *string {
	if r == nil {
		return nil
	}
	s := r.RatString()
	return &s
}

type apiText struct {
	Text   string          `json:"text"`
	Format question.Format `json:"format"`
	HTML   string          `json:"html"`
}

func apiTextOf(t question.Text) apiText {
	return apiText{Text: t.Text, Format: t.Format, HTML: string(textHTML(t))}
}

type apiAssignment struct {
	ID               uuid.UUID   `json:"id"`
	ExerciseID       uuid.UUID   `json:"exercise_id"`
	Title            string      `json:"title"`
	OpensAt          time.Time   `json:"opens_at"`
	ClosesAt         time.Time   `json:"closes_at"`
	AttemptsAllowed  int         `json:"attempts_allowed"`
	TimeLimitMinutes int         `json:"time_limit_minutes"`
	ShuffleQuestions bool        `json:"shuffle_questions"`
	ShuffleAnswers   bool        `json:"shuffle_answers"`
	Feedback         Feedback    `json:"feedback"`
	Training         bool        `json:"training"`
	Rule             Rule        `json:"rule"`
	ClassIDs         []uuid.UUID `json:"class_ids"`
	Classes          string      `json:"classes"`
}

func apiAssignmentOf(a Assignment) apiAssignment {
	out := apiAssignment{ID: a.ID, ExerciseID: a.ExerciseID, Title: a.Title, OpensAt: a.OpensAt, ClosesAt: a.ClosesAt, AttemptsAllowed: a.AttemptsAllowed,
		TimeLimitMinutes: int(a.TimeLimit / time.Minute), ShuffleQuestions: a.ShuffleQuestions, ShuffleAnswers: a.ShuffleAnswers,
		Feedback: a.Feedback, Training: a.Training, Rule: a.Rule, ClassIDs: a.Classes, Classes: a.ClassLabels}
	if out.ClassIDs == nil {
		out.ClassIDs = []uuid.UUID{}
	}
	return out
}

type apiTodo struct {
	apiAssignment
	AttemptsUsed int  `json:"attempts_used"`
	Unfinished   bool `json:"unfinished"`
	Open         bool `json:"open"`
}

// apiToDo lists the assignments given to the pupil's classes and groups.
func (h *Handler) apiToDo(c echo.Context) error {
	todo, err := h.svc.ToDo(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	now := h.svc.now()
	out := make([]apiTodo, len(todo))
	for i, td := range todo {
		out[i] = apiTodo{apiAssignment: apiAssignmentOf(td.Assignment), AttemptsUsed: td.AttemptsUsed, Unfinished: td.Unfinished, Open: td.Open(now)}
	}
	return c.JSON(http.StatusOK, map[string]any{"assignments": out})
}

type apiShown struct {
	Index int     `json:"index"`
	Text  apiText `json:"text"`
}

type apiBlank struct {
	Kind    question.Type `json:"kind"`
	Options []string      `json:"options"`
}

type apiCorrection struct {
	Question question.Question `json:"question"`
	Score    *string           `json:"score"`
	Obtained *string           `json:"obtained"`
	Comment  string            `json:"comment"`
}

type apiShownQuestion struct {
	Position   int                `json:"position"`
	Type       question.Type      `json:"type"`
	Text       apiText            `json:"text"`
	Points     string             `json:"points"`
	Choices    []apiShown         `json:"choices"`
	Prompts    []apiShown         `json:"prompts"`
	Options    []string           `json:"options"`
	Items      []apiShown         `json:"items"`
	Blanks     []apiBlank         `json:"blanks"`
	Response   *question.Response `json:"response"`
	SavedAt    *time.Time         `json:"saved_at"`
	Locked     bool               `json:"locked"`
	Correction *apiCorrection     `json:"correction"`
}

func apiShownOf(ss []Shown) []apiShown {
	out := make([]apiShown, len(ss))
	for i, s := range ss {
		out[i] = apiShown{Index: s.Index, Text: apiTextOf(s.Text)}
	}
	return out
}

func apiShownQuestionOf(q ShownQuestion) apiShownQuestion {
	out := apiShownQuestion{Position: q.Position, Type: q.Type, Text: apiTextOf(q.Text), Points: apiPoints(q.Points),
		Choices: apiShownOf(q.Choices), Prompts: apiShownOf(q.Prompts), Options: q.Options, Items: apiShownOf(q.Items),
		Blanks: []apiBlank{}, Response: q.Response, SavedAt: q.SavedAt, Locked: q.Locked}
	if out.Options == nil {
		out.Options = []string{}
	}
	for _, b := range q.Blanks {
		opts := b.Options
		if opts == nil {
			opts = []string{}
		}
		out.Blanks = append(out.Blanks, apiBlank{Kind: b.Kind, Options: opts})
	}
	if c := q.Correction; c != nil {
		out.Correction = &apiCorrection{Question: c.Question, Score: apiRat(c.Score), Obtained: apiRat(c.Obtained), Comment: c.Comment}
	}
	return out
}

type apiAttemptView struct {
	ID            uuid.UUID          `json:"id"`
	AssignmentID  uuid.UUID          `json:"assignment_id"`
	Number        int                `json:"number"`
	Title         string             `json:"title"`
	Instructions  string             `json:"instructions"`
	Feedback      Feedback           `json:"feedback"`
	StartedAt     time.Time          `json:"started_at"`
	Deadline      time.Time          `json:"deadline"`
	ClosesAt      time.Time          `json:"closes_at"`
	SubmittedAt   *time.Time         `json:"submitted_at"`
	AutoSubmitted bool               `json:"auto_submitted"`
	MaxPoints     string             `json:"max_points"`
	Score         *string            `json:"score"`
	Pending       bool               `json:"pending"`
	Questions     []apiShownQuestion `json:"questions"`
}

func apiAttemptViewOf(v AttemptView) apiAttemptView {
	out := apiAttemptView{ID: v.ID, AssignmentID: v.AssignmentID, Number: v.Number, Title: v.Title, Instructions: v.Instructions, Feedback: v.Feedback,
		StartedAt: v.StartedAt, Deadline: v.Deadline, ClosesAt: v.ClosesAt, SubmittedAt: v.SubmittedAt, AutoSubmitted: v.AutoSubmitted,
		MaxPoints: apiPoints(v.MaxPoints), Score: apiRat(v.Score), Pending: v.Pending, Questions: []apiShownQuestion{}}
	for _, q := range v.Questions {
		out.Questions = append(out.Questions, apiShownQuestionOf(q))
	}
	return out
}

// apiStart starts the pupil's next attempt at an assignment, or resumes the unfinished one.
func (h *Handler) apiStart(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.StartAttempt(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiAttemptViewOf(v))
}

func (h *Handler) apiAttempt(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Attempt(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiAttemptViewOf(v))
}

// apiSave saves the response (a question.Response) to one question and returns the question
// as the pupil now sees it (checked, with feedback after each answer).
func (h *Handler) apiSave(c echo.Context) error {
	id, pos, err := attemptQuestion(c)
	if err != nil {
		return err
	}
	var r question.Response
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return fault.Decoding(err)
	}
	q, err := h.svc.SaveResponse(c.Request().Context(), web.TenantOf(c), requestActor(c), id, pos, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiShownQuestionOf(q))
}

func (h *Handler) apiSubmit(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Submit(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiAttemptViewOf(v))
}
