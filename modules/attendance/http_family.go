package attendance

import (
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
	v := struct {
		Pupil, Class, Year, Month, Method string
		Events                            []eventView
		Family                            bool
	}{Pupil: p.Pupil, Class: p.ClassLabel, Year: p.Year.Text(), Month: p.Month.Text(), Method: p.Method.Label(), Family: !requestActor(c).Processes()}
	for _, e := range p.Events {
		ev := eventViewOf(e)
		ev.When = frLongDay(e.Date) + ", " + ev.When
		v.Events = append(v.Events, ev)
	}
	return render(c, http.StatusOK, "attendance_pupil.html", "Absences – "+p.Pupil, v)
}
