package grades

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// teachingChoice is an option of the evaluation form's class × subject selector.
type teachingChoice struct {
	Value string // "<class id>|<subject code>"
	Label string
}

type evaluationFormView struct {
	Form    EvaluationForm
	Choice  string
	Choices []teachingChoice
	Errors  FieldErrors
	Action  string
	Editing bool
	Cancel  string
}

func choiceValue(classID, subject string) string { return classID + "|" + subject }

// evaluationFormFor prepares the evaluation form with the actor's classes × subjects; current, when
// set, is kept among the choices even if nobody teaches it any more (direction's edits).
func (h *Handler) evaluationFormFor(c echo.Context, f EvaluationForm, errs FieldErrors, id uuid.UUID, current *Evaluation) (evaluationFormView, error) {
	ts, err := h.svc.Teachings(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return evaluationFormView{}, err
	}
	fv := evaluationFormView{Form: f, Choice: choiceValue(f.ClassID, f.Subject), Errors: errs, Action: "/notes/evaluations", Cancel: "/notes/enseignement"}
	seen := map[string]bool{}
	for _, te := range ts {
		v := choiceValue(te.ClassID.String(), te.SubjectCode)
		seen[v] = true
		fv.Choices = append(fv.Choices, teachingChoice{Value: v, Label: te.ClassLabel + " – " + te.SubjectLabel})
	}
	if current != nil {
		if v := choiceValue(current.ClassID.String(), current.SubjectCode); !seen[v] {
			fv.Choices = append(fv.Choices, teachingChoice{Value: v, Label: current.ClassLabel + " – " + current.SubjectLabel})
		}
	}
	if id != uuid.Nil {
		fv.Action, fv.Editing = "/notes/evaluations/"+id.String(), true
	}
	if current != nil {
		fv.Cancel = classSubjectURL(current.ClassID, current.SubjectCode, nil)
	}
	return fv, nil
}

func (h *Handler) newEvaluation(c echo.Context) error {
	f := EvaluationForm{ClassID: c.QueryParam("classe"), Subject: c.QueryParam("matiere"), Date: h.svc.Today(),
		Scale: "20", Coefficient: "1", Published: true}
	fv, err := h.evaluationFormFor(c, f, nil, uuid.Nil, nil)
	if err != nil {
		return err
	}
	if f.ClassID != "" && f.Subject != "" {
		fv.Cancel = "/notes/classes/" + url.PathEscape(f.ClassID) + "/" + url.PathEscape(f.Subject)
	}
	return render(c, http.StatusOK, "marks_evaluation_form.html", "Nouvelle évaluation", fv)
}

func (h *Handler) createEvaluation(c echo.Context) error {
	return h.saveEvaluation(c, uuid.Nil, nil)
}

// evaluationOfRequest reads the evaluation of the :id parameter, if the viewer may change it.
func (h *Handler) evaluationOfRequest(c echo.Context) (*Evaluation, error) {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	return h.svc.Evaluation(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
}

func (h *Handler) editEvaluation(c echo.Context) error {
	ev, err := h.evaluationOfRequest(c)
	if err != nil {
		return err
	}
	id := ev.ID
	f := EvaluationForm{ClassID: ev.ClassID.String(), Subject: ev.SubjectCode, Title: ev.Title, Date: ev.OnDate.Format("2006-01-02"),
		Scale: ev.Scale.Short(), Coefficient: ev.Coefficient.Short(), Bonus: ev.Bonus, Published: ev.Published}
	fv, err := h.evaluationFormFor(c, f, nil, id, ev)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "marks_evaluation_form.html", "Modifier « "+ev.Title+" »", fv)
}

func (h *Handler) updateEvaluation(c echo.Context) error {
	ev, err := h.evaluationOfRequest(c)
	if err != nil {
		return err
	}
	return h.saveEvaluation(c, ev.ID, ev)
}

// saveEvaluation creates (id == uuid.Nil) or changes an evaluation from the form; a refused
// form comes back with its messages and what was typed.
func (h *Handler) saveEvaluation(c echo.Context, id uuid.UUID, current *Evaluation) error {
	var f EvaluationForm
	if err := c.Bind(&f); err != nil {
		return web.BadRequest(err)
	}
	if choice := c.FormValue("enseignement"); choice != "" {
		f.ClassID, f.Subject, _ = strings.Cut(choice, "|")
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	ev, err := h.svc.SaveEvaluation(ctx, t, a, id, f)
	var fe FieldErrors
	switch {
	case errors.As(err, &fe):
	case errors.Is(err, fault.ErrNotFound):
		// The evaluation itself was checked before: the class × subject is not the actor's.
		fe = FieldErrors{"classe": "Vous n'enseignez pas cette matière dans cette classe ou ce groupe."}
	case err != nil:
		return err
	}
	if fe != nil {
		fv, err := h.evaluationFormFor(c, f, fe, id, current)
		if err != nil {
			return err
		}
		title := "Nouvelle évaluation"
		if current != nil {
			title = "Modifier « " + current.Title + " »"
		}
		return render(c, http.StatusUnprocessableEntity, "marks_evaluation_form.html", title, fv)
	}
	if id == uuid.Nil {
		return c.Redirect(http.StatusSeeOther, "/notes/evaluations/"+ev.ID.String()+"/saisie")
	}
	return c.Redirect(http.StatusSeeOther, h.evaluationHome(c, ev)+"&ok=modifiee")
}

// evaluationHome is the class × subject page of the period holding the evaluation.
func (h *Handler) evaluationHome(c echo.Context, ev *Evaluation) string {
	ps, err := h.svc.Periods(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return evaluationBack(ev, nil)
	}
	return evaluationBack(ev, periodContaining(ps, ev.OnDate))
}

// evaluationBack is the class × subject page of period p (nil: the current one), with a
// query string to add to.
func evaluationBack(ev *Evaluation, p *Period) string {
	if p == nil {
		return classSubjectURL(ev.ClassID, ev.SubjectCode, nil) + "?"
	}
	return classSubjectURL(ev.ClassID, ev.SubjectCode, p)
}

func (h *Handler) confirmDeleteEvaluation(c echo.Context) error {
	g, err := h.gridOfRequest(c)
	if err != nil {
		return err
	}
	n := 0
	for _, r := range g.Rows {
		if r.Mark != nil {
			n++
		}
	}
	ev := g.Evaluation
	return render(c, http.StatusOK, "marks_evaluation_delete.html", "Supprimer « "+ev.Title+" »", map[string]any{
		"Evaluation": ev, "Date": frDate(ev.OnDate), "Marks": n, "Cancel": evaluationBack(&ev, g.Period)})
}

func (h *Handler) deleteEvaluation(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	ev, err := h.svc.Evaluation(ctx, t, a, id)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteEvaluation(ctx, t, a, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.evaluationHome(c, ev)+"&ok=supprimee")
}
