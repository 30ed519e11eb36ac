package exercises

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
)

// exerciseFormPage is the exercise form's model: the teacher's questions and categories,
// with what is chosen.
type exerciseFormPage struct {
	New        bool
	Action     string
	Form       ExerciseForm
	Questions  []choiceRow
	Categories []choiceRow
	Errors     FormErrors
}

type choiceRow struct {
	ID      uuid.UUID
	Label   string
	Detail  string
	Checked bool
	Count   string
	Points  string
}

// exerciseForm is the new exercise's form, or an exercise's to change.
func (h *Handler) exerciseForm(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := ExerciseForm{}
	id := uuid.Nil
	if c.Param("id") != "" {
		var err error
		if id, err = paramID(c, "id"); err != nil {
			return err
		}
		ex, err := h.svc.Exercise(ctx, t, a, id)
		if err != nil {
			return err
		}
		f = ExerciseForm{Title: ex.Title, Instructions: ex.Instructions}
		for _, it := range ex.Items {
			item := ItemForm{Count: it.Count, Points: it.Points.Short()}
			if it.QuestionID != nil {
				item.Question = *it.QuestionID
			}
			if it.CategoryID != nil {
				item.Category = *it.CategoryID
			}
			f.Items = append(f.Items, item)
		}
	}
	return h.renderExercise(c, http.StatusOK, id, f, nil)
}

func (h *Handler) renderExercise(c echo.Context, status int, id uuid.UUID, f ExerciseForm, errs FormErrors) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	bank, err := h.svc.Bank(ctx, t, a)
	if err != nil {
		return err
	}
	cats, err := h.svc.Categories(ctx, t, a)
	if err != nil {
		return err
	}
	p := exerciseFormPage{New: id == uuid.Nil, Action: "/exercices/nouveau", Form: f, Errors: errs}
	if id != uuid.Nil {
		p.Action = "/exercices/" + id.String() + "/modifier"
	}
	chosen := map[uuid.UUID]ItemForm{}
	for _, it := range f.Items {
		chosen[it.Question] = it
		chosen[it.Category] = it
	}
	for _, q := range bank {
		if !q.Mine || q.Type == "description" {
			continue
		}
		it, ok := chosen[q.ID]
		row := choiceRow{ID: q.ID, Label: q.Name, Detail: q.CategoryPath, Checked: ok, Points: "1"}
		if ok {
			row.Points = it.Points
		}
		p.Questions = append(p.Questions, row)
	}
	for _, cat := range cats {
		if cat.Questions == 0 {
			continue
		}
		row := choiceRow{ID: cat.ID, Label: cat.Path, Detail: strconv.Itoa(cat.Questions) + " question(s)", Points: "1"}
		if it, ok := chosen[cat.ID]; ok {
			row.Count, row.Points = strconv.Itoa(it.Count), it.Points
		}
		p.Categories = append(p.Categories, row)
	}
	title := "Nouvel exercice"
	if id != uuid.Nil {
		title = "Modifier l'exercice"
	}
	return render(c, status, "exercises_form.html", title, p)
}

// formOf reads the exercise form: the questions ticked in the bank's order, then the draws.
func formOf(c echo.Context) ExerciseForm {
	form, _ := c.FormParams()
	f := ExerciseForm{Title: form.Get("titre"), Instructions: form.Get("consignes")}
	for _, v := range form["questions"] {
		if id, err := uuid.Parse(v); err == nil {
			f.Items = append(f.Items, ItemForm{Question: id, Points: form.Get("points-" + v)})
		}
	}
	for key, vs := range form {
		raw, ok := strings.CutPrefix(key, "tirer-")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" || strings.TrimSpace(vs[0]) == "0" {
			continue
		}
		id, err := uuid.Parse(raw)
		if err != nil {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil {
			n = -1
		}
		f.Items = append(f.Items, ItemForm{Category: id, Count: n, Points: form.Get("points-" + raw)})
	}
	return f
}

// saveExercise creates or changes an exercise from its form.
func (h *Handler) saveExercise(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := formOf(c)
	id := uuid.Nil
	var err error
	if c.Param("id") != "" {
		if id, err = paramID(c, "id"); err != nil {
			return err
		}
		err = h.svc.UpdateExercise(ctx, t, a, id, f)
	} else {
		id, err = h.svc.CreateExercise(ctx, t, a, f)
	}
	if fe, ok := err.(FormErrors); ok {
		if c.Param("id") == "" {
			id = uuid.Nil
		}
		return h.renderExercise(c, http.StatusUnprocessableEntity, id, f, fe)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/exercices/"+id.String())
}
