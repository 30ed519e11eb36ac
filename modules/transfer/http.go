package transfer

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the transfer's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the transfer questions on the establishment the pupil arrived in.
type Handler struct{ svc *Service }

// NewHandler serves svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Root is the page of the open questions.
const Root = "/portfolio/transfert"

// viewer is the signed-in member of the establishment, or a 404: nobody else may know a
// transfer exists.
func viewer(c echo.Context) (*identity.Viewer, error) {
	v := identity.ViewerOf(c)
	if v == nil || !v.Member || v.PersonID == uuid.Nil || web.TenantOf(c) == nil {
		return nil, ErrNotFound
	}
	return v, nil
}

func paramID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

const questionsKey = "transfer.questions"

// questions are the viewer's open questions, read once per request (menu, home, page).
func (h *Handler) questions(c echo.Context) ([]Question, error) {
	if qs, ok := c.Get(questionsKey).([]Question); ok {
		return qs, nil
	}
	v, err := viewer(c)
	if err != nil {
		return nil, nil
	}
	qs, err := h.svc.Questions(c.Request().Context(), web.TenantOf(c), v.PersonID)
	if err != nil {
		return nil, err
	}
	c.Set(questionsKey, qs)
	return qs, nil
}

// entryHref shows the menu's entry while a question waits for the viewer.
func (h *Handler) entryHref(c echo.Context) string {
	qs, err := h.questions(c)
	if err != nil || len(qs) == 0 {
		return ""
	}
	return Root
}

// entryText names the entry after the first question.
func (h *Handler) entryText(c echo.Context) string {
	qs, _ := h.questions(c)
	if len(qs) == 0 {
		return "Apporter un portfolio"
	}
	return qs[0].Title()
}

// Title is the question's call to action, as the menu and the pages say it.
func (q Question) Title() string {
	if q.AsPupil {
		return "Apporter mon portfolio de " + q.FromName
	}
	return "Portfolio de " + q.PupilName + " : apporter celui de " + q.FromName
}

type listPage struct {
	Questions []Question
}

func (h *Handler) list(c echo.Context) error {
	if _, err := viewer(c); err != nil {
		return err
	}
	qs, err := h.questions(c)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "transfer_list.html", web.Page{Title: "Apporter un portfolio", Tenant: web.TenantOf(c), Data: listPage{Questions: qs}})
}

type questionPage struct {
	Q      *Question
	Notice string
	Error  string
}

func (h *Handler) show(c echo.Context) error {
	v, err := viewer(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Question(c.Request().Context(), web.TenantOf(c), v.PersonID, id)
	if err != nil {
		return err
	}
	p := questionPage{Q: q}
	if c.QueryParam("ok") != "" && q.Answered {
		p.Notice = q.Confirmation()
	}
	return c.Render(http.StatusOK, "transfer_question.html", web.Page{Title: q.Title(), Tenant: web.TenantOf(c), Data: p})
}

// answerOf reads the form's or the API's answer.
func answerOf(s string) Answer {
	switch strings.TrimSpace(s) {
	case "accepter", string(Accept):
		return Accept
	case "refuser", string(Refuse):
		return Refuse
	}
	return Answer(s)
}

func (h *Handler) answer(c echo.Context) error {
	v, err := viewer(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	t := web.TenantOf(c)
	q, _, err := h.svc.Answer(c.Request().Context(), t, v.PersonID, id, answerOf(c.FormValue("reponse")))
	var inv *fault.Invalid
	var msg *fault.Message
	if errors.As(err, &inv) || (errors.As(err, &msg) && errors.Is(err, fault.ErrConflict)) {
		cur, qerr := h.svc.Question(c.Request().Context(), t, v.PersonID, id)
		if qerr != nil {
			return qerr
		}
		return c.Render(http.StatusUnprocessableEntity, "transfer_question.html", web.Page{Title: cur.Title(), Tenant: t, Data: questionPage{Q: cur, Error: err.Error()}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, Root+"/"+q.ID.String()+"?ok=1")
}

// panel is the home page's block while a question waits.
var panel = template.Must(template.New("panel").Parse(`<section aria-labelledby="transfert-portfolio">
<h2 id="transfert-portfolio">Portfolio d'un autre établissement</h2>
<ul class="cards">{{range .}}<li><a href="/portfolio/transfert/{{.ID}}">{{.Title}}</a> <span class="meta">{{.Items}} éléments, {{.SizeText}} · réponse attendue avant le {{.ExpiresAt.Format "02/01/2006"}}</span></li>
{{end}}</ul>
</section>`))

func (h *Handler) homePanel(c echo.Context) (template.HTML, error) {
	qs, err := h.questions(c)
	if err != nil || len(qs) == 0 {
		return "", err
	}
	var buf bytes.Buffer
	if err := panel.Execute(&buf, qs); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// apiQuestions is GET /api/v1/portfolio/transfert.
func (h *Handler) apiQuestions(c echo.Context) error {
	if _, err := viewer(c); err != nil {
		return err
	}
	qs, err := h.questions(c)
	if err != nil {
		return err
	}
	if qs == nil {
		qs = []Question{}
	}
	return c.JSON(http.StatusOK, map[string]any{"questions": qs})
}

type apiAnswer struct {
	Answer string `json:"answer"`
}

// apiAnswer is POST /api/v1/portfolio/transfert/:id.
func (h *Handler) apiAnswer(c echo.Context) error {
	v, err := viewer(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in apiAnswer
	if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
		return fault.Decoding(err)
	}
	if in.Answer != string(Accept) && in.Answer != string(Refuse) {
		return fault.Invalidf("answer", "la réponse doit être « accepted » ou « refused », pas « %s »", in.Answer)
	}
	q, msg, err := h.svc.Answer(c.Request().Context(), web.TenantOf(c), v.PersonID, id, Answer(in.Answer))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"question": q, "message": msg})
}
