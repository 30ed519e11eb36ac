package attendance

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// registerView is a register as the day lists show it.
type registerView struct {
	Href, Time, Title, Meta, State string
	Taken, Late                    bool
}

func (h *Handler) registerViewOf(r Register) registerView {
	v := registerView{Href: "/appel/registres/" + r.ID.String(), Time: r.Start.French() + " – " + r.End.French(),
		Title: r.ClassLabel, Meta: r.Subject, Taken: r.Taken()}
	if r.Subject != "" {
		v.Title += " · " + r.Subject
	}
	v.Meta = r.Teachers
	if r.AdHoc {
		v.Meta = strings.TrimPrefix(v.Meta+" · "+cmpStr(r.Label, "Appel ponctuel"), " · ")
	}
	switch {
	case r.Taken():
		v.State = "Appel fait"
	case r.Overdue(h.svc.now()):
		v.State, v.Late = "Appel non fait", true
	default:
		v.State = "Appel à faire"
	}
	return v
}

func cmpStr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// teacherDay reads the day of ?jour= and the viewer's registers of it (the page and the API).
func (h *Handler) teacherDay(c echo.Context) (time.Time, []Register, error) {
	d, err := h.dayParam(c)
	if err != nil {
		return d, nil, err
	}
	regs, err := h.svc.Day(c.Request().Context(), web.TenantOf(c), requestActor(c), d, false)
	return d, regs, err
}

// myDay is "Mes cours du jour": the teacher's registers of the day.
func (h *Handler) myDay(c echo.Context) error {
	d, regs, err := h.teacherDay(c)
	if err != nil {
		return err
	}
	v := struct {
		Nav       dayNav
		Registers []registerView
	}{Nav: h.navOf("/appel", d)}
	for _, r := range regs {
		v.Registers = append(v.Registers, h.registerViewOf(r))
	}
	return render(c, http.StatusOK, "attendance_day.html", "Mes cours du jour", v)
}

// rollView is the roll page: one line per pupil, one tap each.
type rollView struct {
	Action, Title, Meta, Taken string
	Back                       string
	Rows                       []rollRow
	Changes                    []changeView
	Notice                     string
	Error                      string
	Counts                     string
}

type rollRow struct {
	ID, Name, Minutes, Error, State string
	Declared                        bool // a declaration of the family covers the lesson
	Status                          Status
	Choices                         []choice
}

// choice is one of a pupil's four buttons.
type choice struct {
	ID, Name, Value, Text string
	Checked               bool
}

type changeView struct{ Pupil, From, To, By, At string }

var statuses = []struct {
	Value Status
	Text  string
}{{Present, "Présent"}, {Absent, "Absent"}, {Late, "Retard"}, {LeftEarly, "Parti"}}

func (h *Handler) rollViewOf(r *Roll, posted map[uuid.UUID]Mark, errs RollErrors) rollView {
	v := rollView{Action: "/appel/registres/" + r.ID.String(), Title: r.ClassLabel, Back: "/appel?jour=" + r.OnDate.Format(dateLayout),
		Meta: frLongDay(r.OnDate) + ", " + r.Start.French() + " – " + r.End.French()}
	if r.Subject != "" {
		v.Title += " · " + r.Subject
	}
	if r.AdHoc {
		v.Meta += " · " + cmpStr(r.Label, "appel ponctuel")
	}
	if r.Taken() {
		v.Taken = "Appel fait le " + frTime(*r.TakenAt)
		if r.TakenBy != "" {
			v.Taken += " par " + r.TakenBy
		}
	}
	n := map[Status]int{}
	for _, e := range r.Entries {
		m := Mark{e.Status, e.Minutes}
		if p, ok := posted[e.PupilID]; ok {
			m = p
		}
		n[m.Status]++
		row := rollRow{ID: e.PupilID.String(), Name: e.LastName + " " + e.FirstName, Status: m.Status, Error: errs[e.PupilID], Declared: r.Declared[e.PupilID]}
		for _, st := range statuses {
			row.Choices = append(row.Choices, choice{ID: "s-" + row.ID + "-" + string(st.Value), Name: "s-" + row.ID, Value: string(st.Value), Text: st.Text, Checked: st.Value == m.Status})
		}
		if m.Minutes > 0 {
			row.Minutes = strconv.Itoa(m.Minutes)
		}
		if e.State != "" && e.Status != Present {
			row.State = e.State.Label()
		}
		v.Rows = append(v.Rows, row)
	}
	v.Counts = strconv.Itoa(len(r.Entries)) + " élèves : " + strconv.Itoa(n[Absent]) + " absent(s), " + strconv.Itoa(n[Late]) + " en retard, " +
		strconv.Itoa(n[LeftEarly]) + " parti(s)"
	for _, ch := range r.Changes {
		v.Changes = append(v.Changes, changeView{Pupil: ch.Pupil, From: ch.From, To: ch.To, By: cmpStr(ch.By, "—"), At: frTime(ch.At)})
	}
	return v
}

// roll is a register's page.
func (h *Handler) roll(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.Roll(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	v := h.rollViewOf(r, nil, nil)
	v.Notice = notice(c.QueryParam("ok"))
	return render(c, http.StatusOK, "attendance_roll.html", "Appel – "+v.Title, v)
}

// rollForm reads the roll's form: s-<pupil> is the status, m-<pupil> a lateness's minutes.
func rollForm(c echo.Context) (map[uuid.UUID]Mark, RollErrors, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, fault.Wrap(fault.ErrInvalid, err, "formulaire illisible")
	}
	marks, errs := map[uuid.UUID]Mark{}, RollErrors{}
	for k, vs := range form {
		raw, ok := strings.CutPrefix(k, "s-")
		if !ok || len(vs) == 0 {
			continue
		}
		id, err := uuid.Parse(raw)
		if err != nil {
			return nil, nil, fault.Invalidf("eleve", "élève « %s » inconnu dans ce formulaire", raw)
		}
		st, ok := ParseStatus(vs[0])
		if !ok {
			errs[id] = "choisissez présent, absent, en retard ou parti"
		}
		m := Mark{Status: st}
		if st == Late {
			mins := strings.TrimSpace(form.Get("m-" + raw))
			n, err := strconv.Atoi(mins)
			if err != nil || n < 1 || n > 600 {
				errs[id] = "indiquez les minutes de retard (de 1 à 600)"
			}
			m.Minutes = n
		}
		marks[id] = m
	}
	return marks, errs, nil
}

// saveRoll records the roll; a wrong line shows the page again with every entry kept.
func (h *Handler) saveRoll(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	marks, errs, err := rollForm(c)
	if err != nil {
		return err
	}
	n := 0
	if len(errs) == 0 {
		n, err = h.svc.SaveRoll(ctx, t, a, id, marks)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		r, err := h.svc.Roll(ctx, t, a, id)
		if err != nil {
			return err
		}
		v := h.rollViewOf(r, marks, errs)
		v.Error = "L'appel n'est pas enregistré : " + strconv.Itoa(len(errs)) + " ligne(s) à corriger, signalée(s) ci-dessous."
		return render(c, http.StatusUnprocessableEntity, "attendance_roll.html", "Appel – "+v.Title, v)
	}
	ok := "appel"
	if n == 0 {
		ok = "inchange"
	}
	return c.Redirect(http.StatusSeeOther, "/appel/registres/"+id.String()+"?ok="+ok)
}

type adHocView struct {
	Form    AdHocForm
	Classes []classOption
	Errors  FormErrors
}

type classOption struct {
	ID, Label string
	Selected  bool
}

func (h *Handler) renderAdHoc(c echo.Context, status int, f AdHocForm, errs FormErrors) error {
	classes, err := h.svc.Classes(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	v := adHocView{Form: f, Errors: errs}
	for _, cl := range classes {
		v.Classes = append(v.Classes, classOption{ID: cl.ID.String(), Label: cl.Label, Selected: cl.ID.String() == f.ClassID})
	}
	return render(c, status, "attendance_adhoc.html", "Appel ponctuel", v)
}

// newAdHoc is the form of an ad hoc register (a replacement, an outing).
func (h *Handler) newAdHoc(c echo.Context) error {
	return h.renderAdHoc(c, http.StatusOK, AdHocForm{Date: h.svc.Today().Format(dateLayout)}, nil)
}

// createAdHoc creates it and opens its roll.
func (h *Handler) createAdHoc(c echo.Context) error {
	f := AdHocForm{ClassID: c.FormValue("classe"), Date: c.FormValue("date"), Start: c.FormValue("debut"), End: c.FormValue("fin"), Label: c.FormValue("libelle")}
	id, err := h.svc.CreateAdHoc(c.Request().Context(), web.TenantOf(c), requestActor(c), f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.renderAdHoc(c, http.StatusUnprocessableEntity, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/appel/registres/"+id.String())
}
