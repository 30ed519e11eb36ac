package grades

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

type gridView struct {
	Evaluation Evaluation
	Date       string
	Scale      string
	Coef       string
	Rows       []gridRow
	Errors     []gridRow // rows in error, for the summary
	Stats      statsView
	Notice     string
	Back       string
	Refused    bool
}

type gridRow struct {
	ID      uuid.UUID
	Name    string
	Input   string
	Comment string
	Error   string
}

func (h *Handler) renderGrid(c echo.Context, status int, g *Grid, refused bool) error {
	ev := g.Evaluation
	gv := gridView{Evaluation: ev, Date: frDate(ev.OnDate), Scale: ev.Scale.Short(), Coef: ev.Coefficient.Short(), Stats: statsViewOf(g.Stats),
		Back: evaluationBack(&ev, g.Period), Refused: refused}
	if !refused {
		gv.Notice = notice(c.QueryParam("ok"))
	}
	for _, r := range g.Rows {
		rv := gridRow{ID: r.PupilID, Name: r.LastName + " " + r.FirstName, Input: r.Input, Comment: r.Comment, Error: r.Error}
		gv.Rows = append(gv.Rows, rv)
		if r.Error != "" {
			gv.Errors = append(gv.Errors, rv)
		}
	}
	return render(c, status, "marks_grid.html", "Saisie des notes – "+ev.Title, gv)
}

// gridOfRequest reads the grid of the :id evaluation, if the viewer may change it.
func (h *Handler) gridOfRequest(c echo.Context) (*Grid, error) {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	return h.svc.Grid(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
}

func (h *Handler) grid(c echo.Context) error {
	g, err := h.gridOfRequest(c)
	if err != nil {
		return err
	}
	return h.renderGrid(c, http.StatusOK, g, false)
}

// Grid form fields: note_<pupil id> and comm_<pupil id>.
const (
	gridMarkField    = "note_"
	gridCommentField = "comm_"
)

func (h *Handler) saveGrid(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return web.BadRequest(err)
	}
	in := GridInput{Marks: map[uuid.UUID]string{}, Comments: map[uuid.UUID]string{}}
	for key, vals := range form {
		target := in.Marks
		rest, ok := strings.CutPrefix(key, gridMarkField)
		if !ok {
			if rest, ok = strings.CutPrefix(key, gridCommentField); !ok {
				continue
			}
			target = in.Comments
		}
		pid, err := uuid.Parse(rest)
		if err != nil || len(vals) == 0 {
			return fault.Invalidf("notes", "champ de saisie inconnu : %s", key)
		}
		target[pid] = vals[0]
	}
	g, err := h.svc.SaveMarks(c.Request().Context(), web.TenantOf(c), requestActor(c), id, in)
	var ge *GridError
	if errors.As(err, &ge) {
		return h.renderGrid(c, http.StatusUnprocessableEntity, ge.Grid, true)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notes/evaluations/"+g.Evaluation.ID.String()+"/saisie?ok=notes")
}
