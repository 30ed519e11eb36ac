package timetable

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
)

// The holidays page (vacances scolaires), next to the management page, for direction: the
// periods with no lessons, a form to add one, deletion after confirmation.

type holidaysView struct {
	Holidays []holidayLine
	Form     HolidayForm
	Errors   FormErrors
	Notice   string
}

type holidayLine struct {
	ID, Label, Dates string
}

func holidayLineOf(h Holiday) holidayLine {
	return holidayLine{ID: h.ID.String(), Label: h.Label, Dates: "du " + frLongDay(h.From) + " au " + frLongDay(h.To)}
}

func (h *Handler) holidaysPage(c echo.Context, status int, v holidaysView) error {
	hs, err := h.svc.Holidays(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	for _, x := range hs {
		v.Holidays = append(v.Holidays, holidayLineOf(x))
	}
	return render(c, status, "timetable_holidays.html", "Vacances scolaires", v)
}

func (h *Handler) holidays(c echo.Context) error {
	notice := ""
	switch c.QueryParam("ok") {
	case "ajoute":
		notice = "Les vacances ont été enregistrées : aucun cours n'a lieu ces jours-là."
	case "supprime":
		notice = "Les vacances ont été supprimées : les cours de ces jours-là ont lieu de nouveau."
	}
	return h.holidaysPage(c, http.StatusOK, holidaysView{Notice: notice})
}

func (h *Handler) addHoliday(c echo.Context) error {
	f := HolidayForm{Label: c.FormValue("libelle"), From: c.FormValue("du"), To: c.FormValue("au")}
	_, err := h.svc.AddHoliday(c.Request().Context(), web.TenantOf(c), f)
	var errs FormErrors
	switch {
	case errors.As(err, &errs):
		return h.holidaysPage(c, http.StatusUnprocessableEntity, holidaysView{Form: f, Errors: errs})
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/gestion/vacances?ok=ajoute")
}

func (h *Handler) confirmDeleteHoliday(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	x, err := h.svc.Holiday(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	l := holidayLineOf(x)
	return render(c, http.StatusOK, "timetable_confirm_delete.html", "Supprimer des vacances", confirmView{
		Question: "Supprimer ces vacances ?", What: l.Label + ", " + l.Dates + ".",
		Warning: "Les cours de ces jours-là auront lieu de nouveau, et l'alternance des semaines A et B sera recalculée.",
		Action:  "/emploi-du-temps/gestion/vacances/" + l.ID + "/supprimer", Button: "Supprimer les vacances", Back: "/emploi-du-temps/gestion/vacances"})
}

func (h *Handler) deleteHoliday(c echo.Context) error {
	return deleteParam(c, h.svc.DeleteHoliday, "/emploi-du-temps/gestion/vacances?ok=supprime")
}

// confirmView is a deletion to confirm: what goes, what it entails, the form that does it.
type confirmView struct {
	Question, What, Warning string
	Action, Button, Back    string
}
