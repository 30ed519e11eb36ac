package exercises

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/exercises/question"
	"github.com/cartable-ent/cartable/web"
)

// describe writes a pupil's response for the teacher, in words.
func describe(q question.Question, r *question.Response) string {
	if r == nil {
		return "Pas de réponse."
	}
	switch q.Type {
	case question.SingleChoice, question.MultipleChoice:
		var out []string
		for _, i := range r.Choices {
			if i >= 0 && i < len(q.Answers) {
				out = append(out, "« "+q.Answers[i].Text.Text+" »")
			}
		}
		if len(out) == 0 {
			return "Aucun choix."
		}
		return strings.Join(out, ", ")
	case question.TrueFalse:
		switch {
		case r.Bool == nil:
			return "Pas de réponse."
		case *r.Bool:
			return "Vrai"
		}
		return "Faux"
	case question.Matching:
		var out []string
		for i, m := range r.Matches {
			if i < len(q.Pairs) {
				out = append(out, q.Pairs[i].Question.Text+" → "+m)
			}
		}
		return strings.Join(out, " ; ")
	case question.Ordering:
		var out []string
		for _, i := range r.Order {
			if i >= 0 && i < len(q.Items) {
				out = append(out, q.Items[i].Text)
			}
		}
		return strings.Join(out, " ; ")
	case question.Blanks:
		return strings.Join(r.Blanks, " ; ")
	}
	return r.Text
}

// review is an attempt of a pupil as its teacher corrects it.
func (h *Handler) review(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ra, err := h.svc.ReviewAttempt(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	type line struct {
		ReviewedQuestion
		Text     template.HTML
		Answer   string
		Auto     string
		Obtained string
		Override string
	}
	var lines []line
	for _, q := range ra.Questions {
		q.Question = questionWithFiles(q.Question, reviewFilesBase(ra.ID, q.Position))
		l := line{ReviewedQuestion: q, Text: textHTML(q.Question.Text), Answer: describe(q.Question, q.Response), Obtained: points(q.Obtained)}
		if q.Auto != nil {
			l.Auto = points(q.Auto.Mul(q.Auto, pointsRat(q.Points)))
		}
		if q.Override != nil {
			l.Override = q.Override.Short()
		}
		lines = append(lines, l)
	}
	score := "–"
	if ra.Score != nil {
		score = points(ra.Score) + " / " + ra.MaxPoints.Short()
	}
	return render(c, http.StatusOK, "exercises_review.html", "Correction – "+ra.Pupil, map[string]any{"Attempt": ra, "Lines": lines, "Score": score,
		"Saved": c.QueryParam("ok") == "corrige"})
}

// reviewQuestion saves the teacher's points and comment on one question.
func (h *Handler) reviewQuestion(c echo.Context) error {
	id, pos, err := attemptQuestion(c)
	if err != nil {
		return err
	}
	if err := h.svc.Review(c.Request().Context(), web.TenantOf(c), requestActor(c), id, pos, c.FormValue("points"), c.FormValue("commentaire")); err != nil {
		return shownError(err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/exercices/corrections/%s?ok=corrige#q%d", id, pos))
}

// parseLocal reads a form's date and time (« 2026-10-05T08:00 ») in the establishments' zone.
func parseLocal(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), directory.SchoolZone)
	return t, err == nil
}

// assignForm is the form giving an exercise to classes.
func (h *Handler) assignForm(c echo.Context) error {
	return h.renderAssign(c, http.StatusOK, nil)
}

func (h *Handler) renderAssign(c echo.Context, status int, errs FormErrors) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	ex, err := h.svc.Exercise(ctx, t, a, id)
	if err != nil {
		return err
	}
	classes, err := h.svc.Classes(ctx, t, a)
	if err != nil {
		return err
	}
	now := h.svc.now().In(directory.SchoolZone)
	values := map[string]string{"ouverture": now.Format("2006-01-02T15:04"), "cloture": now.Add(7 * 24 * time.Hour).Format("2006-01-02T15:04"),
		"tentatives": "1", "duree": "", "correction": string(FeedbackAfterClose), "note": string(RuleBest)}
	checked := map[string]bool{}
	if c.Request().Method == http.MethodPost {
		for k := range values {
			values[k] = c.FormValue(k)
		}
		form, _ := c.FormParams()
		for _, v := range form["classes"] {
			checked[v] = true
		}
		for _, k := range []string{"melanger_questions", "melanger_reponses", "entrainement"} {
			checked[k] = c.FormValue(k) != ""
		}
	}
	return render(c, status, "exercises_assign.html", "Donner « "+ex.Title+" »", map[string]any{"Exercise": ex, "Classes": classes, "Values": values,
		"Checked": checked, "Errors": errs, "Feedbacks": []Feedback{FeedbackAfterClose, FeedbackEachAnswer, FeedbackNever},
		"Rules": []Rule{RuleBest, RuleAverage, RuleFirst, RuleLast}})
}

// assign gives the exercise to the classes chosen.
func (h *Handler) assign(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := AssignmentForm{Feedback: Feedback(c.FormValue("correction")), Rule: Rule(c.FormValue("note")),
		ShuffleQuestions: c.FormValue("melanger_questions") != "", ShuffleAnswers: c.FormValue("melanger_reponses") != "", Training: c.FormValue("entrainement") != ""}
	errs := FormErrors{}
	form, _ := c.FormParams()
	for _, v := range form["classes"] {
		if cl, err := uuid.Parse(v); err == nil {
			f.Classes = append(f.Classes, cl)
		}
	}
	var ok bool
	if f.OpensAt, ok = parseLocal(c.FormValue("ouverture")); !ok {
		errs["ouverture"] = "Ouverture : date et heure illisibles (jj/mm/aaaa hh:mm)."
	}
	if f.ClosesAt, ok = parseLocal(c.FormValue("cloture")); !ok {
		errs["cloture"] = "Clôture : date et heure illisibles (jj/mm/aaaa hh:mm)."
	}
	if f.Attempts, err = strconv.Atoi(strings.TrimSpace(c.FormValue("tentatives"))); err != nil {
		errs["tentatives"] = "Tentatives : un nombre de 1 à 100."
	}
	if d := strings.TrimSpace(c.FormValue("duree")); d != "" {
		if f.TimeLimitMinutes, err = strconv.Atoi(d); err != nil || f.TimeLimitMinutes < 1 {
			errs["duree"] = "Durée : un nombre de minutes, ou rien pour aucune limite."
		}
	}
	if len(errs) == 0 {
		_, err = h.svc.Assign(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f)
		if fe, isForm := err.(FormErrors); isForm {
			errs = fe
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return h.renderAssign(c, http.StatusUnprocessableEntity, errs)
	}
	return c.Redirect(http.StatusSeeOther, "/exercices/"+id.String())
}
