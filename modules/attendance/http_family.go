package attendance

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
)

// home is "Absences": a pupil's own, a parent's choice of child (straight to the only one),
// the vie scolaire's day for staff.
func (h *Handler) home(c echo.Context) error {
	a := requestActor(c)
	if a.Processes() {
		return c.Redirect(http.StatusSeeOther, "/vie-scolaire")
	}
	if identity.ViewerOf(c).Has(identity.RoleEleve) {
		return c.Redirect(http.StatusSeeOther, "/absences/eleves/"+a.PersonID.String())
	}
	kids, err := h.svc.Children(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	if len(kids) == 1 {
		return c.Redirect(http.StatusSeeOther, "/absences/eleves/"+kids[0].ID.String())
	}
	return render(c, http.StatusOK, "attendance_children.html", "Absences", kids)
}

// pupil is a pupil's absences of the year.
func (h *Handler) pupil(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Pupil(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	a := requestActor(c)
	v := struct {
		Pupil, PupilID, Class, Year, Month, Method, Notice string
		Events                                             []eventView
		Family, Guardian                                   bool
	}{Pupil: p.Pupil, PupilID: id.String(), Class: p.ClassLabel, Year: p.Year.Text(), Month: p.Month.Text(), Method: p.Method.Label(), Family: !a.Processes(),
		Guardian: identity.ViewerOf(c).Has(identity.RoleResponsable) && a.PersonID != id, Notice: notice(c.QueryParam("ok"))}
	for _, e := range p.Events {
		ev := eventViewOf(e)
		ev.When = frLongDay(e.Date) + ", " + ev.When
		v.Events = append(v.Events, ev)
	}
	return render(c, http.StatusOK, "attendance_pupil.html", "Absences – "+p.Pupil, v)
}

// justifyForm is a legal guardian's justification form of an event, with its history.
func (h *Handler) justifyForm(c echo.Context) error {
	return h.renderJustify(c, http.StatusOK, JustificationForm{}, nil)
}

func (h *Handler) renderJustify(c echo.Context, status int, f JustificationForm, errs FormErrors) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	pg, err := h.svc.JustifyForm(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	ev := eventViewOf(pg.Event)
	ev.When = frLongDay(pg.Event.Date) + ", " + ev.When
	v := struct {
		Event                 eventView
		Motifs                []Motif
		Form                  JustificationForm
		Errors                FormErrors
		Action, Back, MaxFile string
	}{Event: ev, Motifs: pg.Motifs, Form: f, Errors: errs, Action: "/absences/" + id.String() + "/justifier",
		Back: "/absences/eleves/" + pg.Event.PupilID.String(), MaxFile: MaxFileText}
	return render(c, status, "attendance_justify.html", "Justifier une absence – "+pg.Pupil, v)
}

// justify sends the justification to the vie scolaire.
func (h *Handler) justify(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	file, err := formUpload(c, "piece")
	if err != nil {
		return err
	}
	f := JustificationForm{Motif: c.FormValue("motif"), Comment: c.FormValue("commentaire"), File: file}
	err = h.svc.Justify(c.Request().Context(), web.TenantOf(c), requestActor(c), id, f)
	var errs FormErrors
	if errors.As(err, &errs) {
		return h.renderJustify(c, http.StatusUnprocessableEntity, f, errs)
	}
	if err != nil {
		return err
	}
	pg, err := h.svc.JustifyForm(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/absences/eleves/"+pg.Event.PupilID.String()+"?ok=justification")
}
