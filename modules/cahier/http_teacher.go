package cahier

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// teacherWeek is « Mes séances »: the teacher's lessons of the week, each with its séance
// to fill or filled, and their séances outside the timetable.
func (h *Handler) teacherWeek(c echo.Context) error {
	monday := h.weekOf(c)
	w, err := h.svc.TeacherWeek(c.Request().Context(), web.TenantOf(c), requestActor(c), monday)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "cahier_teacher.html", "Mes séances", map[string]any{"Week": w, "Monday": frDay(monday),
		"Me": requestActor(c).PersonID, "Now": h.svc.now(),
		"Prev": monday.AddDate(0, 0, -7).Format(dateLayout), "Next": monday.AddDate(0, 0, 7).Format(dateLayout), "Notice": notice(c.QueryParam("ok"))})
}

// sessionPage is the séance form's data.
type sessionPage struct {
	Action  string
	Form    SessionForm
	Errors  FormErrors
	Choices []Choice
	Lesson  string // the lesson it is filled from, in words
	New     bool
}

func (h *Handler) sessionForm(c echo.Context, status int, id uuid.UUID, f SessionForm, errs FormErrors) error {
	choices, err := h.svc.Choices(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	pg := sessionPage{Action: "/cahier/seances/nouvelle", Form: f, Errors: errs, Choices: choices, New: id == uuid.Nil}
	title := "Nouvelle séance"
	if id != uuid.Nil {
		pg.Action, title = "/cahier/seances/"+id.String()+"/modifier", "Modifier la séance"
	}
	if slot, err := uuid.Parse(f.Slot); err == nil {
		if d, ok := parseDate(f.Date); ok {
			pg.Lesson = "Cours du " + frDay(d)
			// A moved lesson is named on the day it takes place.
			if l, err := h.svc.lessons.LessonAt(c.Request().Context(), web.TenantOf(c), slot, d); err == nil && l.Status == timetable.StatusDeplace {
				pg.Lesson = "Cours du " + frDay(l.On) + " à " + l.Start.French() + " (déplacé ; prévu le " + frDay(l.Date) + " à " + l.FromStart.French() + ")"
			}
		}
	}
	return page(c, status, "cahier_session_form.html", title, pg)
}

func (h *Handler) newSession(c echo.Context) error {
	return h.sessionForm(c, http.StatusOK, uuid.Nil, SessionForm{Slot: c.QueryParam("creneau"), Date: c.QueryParam("date")}, nil)
}

func readSessionForm(c echo.Context) SessionForm {
	return SessionForm{Slot: c.FormValue("creneau"), Choice: c.FormValue("classe"), Date: c.FormValue("date"), Starts: c.FormValue("debut"),
		Ends: c.FormValue("fin"), Title: c.FormValue("titre"), Body: c.FormValue("contenu"), Links: c.FormValue("liens"), VisibleFrom: c.FormValue("visible")}
}

func (h *Handler) createSession(c echo.Context) error { return h.saveSession(c, uuid.Nil) }

func (h *Handler) updateSession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.saveSession(c, id)
}

func (h *Handler) saveSession(c echo.Context, id uuid.UUID) error {
	f := readSessionForm(c)
	publish := c.FormValue("action") == "publier"
	saved, err := h.svc.SaveSession(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f, publish)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.sessionForm(c, http.StatusUnprocessableEntity, id, f, errs)
	}
	if err != nil {
		return err
	}
	ok := "brouillon"
	if publish {
		ok = "publiee"
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/seances/"+saved.String()+"?ok="+ok)
}

func (h *Handler) editSession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	se, err := h.svc.Session(c.Request().Context(), web.TenantOf(c), a, id)
	if err != nil {
		return err
	}
	if se.TeacherID != a.PersonID {
		return notFound("séance")
	}
	if archived, err := h.svc.ClassArchived(c.Request().Context(), web.TenantOf(c), se.ClassID); err != nil {
		return err
	} else if archived {
		return errArchived
	}
	return h.sessionForm(c, http.StatusOK, id, FormOfSession(se), nil)
}

func (h *Handler) copySession(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	class, _, ok := parseChoice(c.FormValue("classe"))
	if !ok {
		return fault.Invalidf("classe", "Copier vers : choisissez une classe.")
	}
	copied, err := h.svc.CopySession(c.Request().Context(), web.TenantOf(c), requestActor(c), id, class)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/seances/"+copied.String()+"/modifier?ok=copiee")
}

// workPage is the work form's data, with the workload of its day once known.
type workPage struct {
	Action   string
	Form     WorkForm
	Errors   FormErrors
	Choices  []Choice
	Types    []string
	Session  *Session
	Workload *Workload
	New      bool
	Expected []Expected // the « rendu attendu » choices
}

func (h *Handler) workForm(c echo.Context, status int, id uuid.UUID, f WorkForm, errs FormErrors, wl *Workload) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	choices, err := h.svc.Choices(ctx, t, a)
	if err != nil {
		return err
	}
	set, err := h.svc.Settings(ctx, t)
	if err != nil {
		return err
	}
	pg := workPage{Action: "/cahier/travail/nouveau", Form: f, Errors: errs, Choices: choices, Types: set.Types, Workload: wl, New: id == uuid.Nil,
		Expected: expectations}
	if f.Session != "" {
		if sid, err := uuid.Parse(f.Session); err == nil {
			if se, err := h.svc.Session(ctx, t, a, sid); err == nil && se.TeacherID == a.PersonID {
				pg.Session = &se
			}
		}
	}
	title := "Nouveau travail à faire"
	if id != uuid.Nil {
		pg.Action, title = "/cahier/travail/"+id.String()+"/modifier", "Modifier le travail à faire"
	}
	return page(c, status, "cahier_work_form.html", title, pg)
}

func (h *Handler) newWork(c echo.Context) error {
	f := WorkForm{Session: c.QueryParam("seance"), Choice: c.QueryParam("classe"), Due: "prochaine"}
	return h.workForm(c, http.StatusOK, uuid.Nil, f, nil, nil)
}

func readWorkForm(c echo.Context) WorkForm {
	return WorkForm{Session: c.FormValue("seance"), Choice: c.FormValue("classe"), Kind: c.FormValue("type"), Description: c.FormValue("consigne"),
		Due: c.FormValue("pour"), DueOn: c.FormValue("echeance"), Minutes: c.FormValue("duree"), PublishAt: c.FormValue("publication"),
		Submission: c.FormValue("rendu")}
}

func (h *Handler) createWork(c echo.Context) error { return h.saveWork(c, uuid.Nil) }

func (h *Handler) updateWork(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return h.saveWork(c, id)
}

// saveWork saves the work, or with « Voir la charge » shows the day's workload first.
func (h *Handler) saveWork(c echo.Context, id uuid.UUID) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := readWorkForm(c)
	if c.FormValue("action") == "charge" {
		var wl *Workload
		class, _, ok := parseChoice(f.Choice)
		if f.Session != "" {
			if sid, err := uuid.Parse(f.Session); err == nil {
				if se, err := h.svc.Session(ctx, t, a, sid); err == nil {
					class, ok = se.ClassID, true
				}
			}
		}
		d, dok := parseDate(f.DueOn)
		if ok && dok {
			if err := h.svc.mayWrite(ctx, t, a, class); err != nil {
				return err
			}
			var err error
			if wl, err = h.svc.Workload(ctx, t, class, d, h.svc.now()); err != nil {
				return err
			}
		}
		return h.workForm(c, http.StatusOK, id, f, nil, wl)
	}
	saved, _, err := h.svc.SaveWork(ctx, t, a, id, f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.workForm(c, http.StatusUnprocessableEntity, id, f, errs, nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/travail/"+saved.String()+"?ok=travail")
}

func (h *Handler) editWork(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	w, err := h.svc.Work(c.Request().Context(), web.TenantOf(c), a, id)
	if err != nil {
		return err
	}
	if w.TeacherID != a.PersonID {
		return notFound("travail")
	}
	if archived, err := h.svc.ClassArchived(c.Request().Context(), web.TenantOf(c), w.ClassID); err != nil {
		return err
	} else if archived {
		return errArchived
	}
	return h.workForm(c, http.StatusOK, id, FormOfWork(w), nil, nil)
}

func (h *Handler) settings(c echo.Context) error {
	set, err := h.svc.Settings(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	types := ""
	for _, ty := range set.Types {
		types += ty + "\n"
	}
	return page(c, http.StatusOK, "cahier_settings.html", "Réglages du cahier de textes", map[string]any{
		"Form": SettingsForm{Threshold: itoa(set.Threshold), Types: types}, "Notice": notice(c.QueryParam("ok"))})
}

func (h *Handler) saveSettings(c echo.Context) error {
	f := SettingsForm{Threshold: c.FormValue("seuil"), Types: c.FormValue("types")}
	err := h.svc.SaveSettings(c.Request().Context(), web.TenantOf(c), requestActor(c), f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return page(c, http.StatusUnprocessableEntity, "cahier_settings.html", "Réglages du cahier de textes", map[string]any{"Form": f, "Errors": errs})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/reglages?ok=reglages")
}
