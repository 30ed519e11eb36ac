package timetable

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The JSON API of the timetable (mobile apps): the viewer's week, a child's week. Described
// in openapi.json.

type apiWeek struct {
	Title    string       `json:"title"`
	Week     string       `json:"week"` // its Monday
	AB       string       `json:"ab"`   // A or B
	Lessons  []apiLesson  `json:"lessons"`
	Holidays []apiHoliday `json:"holidays,omitempty"`
}

// apiHoliday is a day of the week in holidays.
type apiHoliday struct {
	Date  string `json:"date"`
	Label string `json:"label"`
}

type apiLesson struct {
	SlotID          string   `json:"slot_id"`
	Date            string   `json:"date"` // the date the slot gives it: with slot_id, the lesson's key
	On              string   `json:"on"`   // when it takes place (date unless moved)
	Start           string   `json:"start"`
	End             string   `json:"end"`
	Status          string   `json:"status"`
	Subject         Subject  `json:"subject"`
	Group           Group    `json:"group"`
	Teachers        []Person `json:"teachers"`
	PlannedTeachers []Person `json:"planned_teachers,omitempty"`
	Room            string   `json:"room"`
	Note            string   `json:"note,omitempty"`
}

func apiWeekOf(w *Week) apiWeek {
	out := apiWeek{Title: w.Title, Week: w.Monday.Format(dateLayout), AB: string(w.AB), Lessons: []apiLesson{}}
	for _, d := range w.Days {
		if d.Holiday != "" {
			out.Holidays = append(out.Holidays, apiHoliday{Date: d.Date.Format(dateLayout), Label: d.Holiday})
		}
		for _, l := range d.Lessons {
			teachers := l.Teachers
			if teachers == nil {
				teachers = []Person{}
			}
			out.Lessons = append(out.Lessons, apiLesson{SlotID: l.SlotID.String(), Date: l.Date.Format(dateLayout), On: l.On.Format(dateLayout),
				Start: l.Start.String(), End: l.End.String(), Status: string(l.Status), Subject: l.Subject, Group: l.Group,
				Teachers: teachers, PlannedTeachers: l.Planned, Room: l.Room, Note: l.Note})
		}
	}
	return out
}

// apiMyWeek is the week of the viewer: a pupil's lessons, a teacher's.
func (h *Handler) apiMyWeek(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	monday, err := h.weekParam(c)
	if err != nil {
		return err
	}
	home, err := h.svc.HomeOf(ctx, t, a)
	if err != nil {
		return err
	}
	var w *Week
	switch {
	case home.Self != nil && home.Self.Category == directory.CategoryEleve:
		w, err = h.svc.PupilWeek(ctx, t, a, a.PersonID, monday)
	case home.Self != nil:
		w, err = h.svc.TeacherWeek(ctx, t, a, a.PersonID, monday)
	default:
		return fault.New(fault.ErrNotFound, "vous n'avez pas d'emploi du temps ; celui d'un enfant est à /api/v1/emploi-du-temps/eleves/{id}")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiWeekOf(w))
}

// apiPupilWeek is a pupil's week: their own, a legal guardian's child's, or any for staff.
func (h *Handler) apiPupilWeek(c echo.Context) error {
	_, w, _, err := h.idWeek(c, h.svc.PupilWeek, false)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiWeekOf(w))
}
