package timetable

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// weekView is a week as the week page shows it: a list per day, readable on a phone.
type weekView struct {
	Title            string
	Range            string // "du lundi 5 au samedi 10 octobre 2026"
	AB               string // "semaine B"
	Prev, This, Next string
	IsThisWeek       bool
	Days             []dayView
	Feed             *feedView  // on one's own week: the calendar subscription
	OtherFeed        *otherFeed // direction, on someone's week: their subscription to revoke
	Links            []link
	Notice           string
}

type dayView struct {
	ID, Label string
	Today     bool
	Holiday   string // "Vacances de la Toussaint"
	Lessons   []lessonView
}

type lessonView struct {
	Time, Subject, Group, Room, Teachers, Note string
	Status, Moved                              string
	Cancelled                                  bool
}

type link struct{ Href, Text string }

// weekViewOf lays a week out; base is the page's address, for the week navigation.
func (h *Handler) weekViewOf(w *Week, base string, kind string) weekView {
	q := func(d time.Time) string {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "semaine=" + d.Format(dateLayout)
	}
	last := w.Days[len(w.Days)-1].Date
	today := h.svc.Today()
	v := weekView{Title: w.Title, AB: w.AB.Label(), Prev: q(w.Monday.AddDate(0, 0, -7)), This: base, Next: q(w.Monday.AddDate(0, 0, 7)),
		IsThisWeek: Monday(today).Equal(w.Monday)}
	v.Range = "du " + frDay(w.Monday) + " au " + frLongDay(last)
	if w.Monday.Month() == last.Month() {
		v.Range = "du " + weekdayName(w.Monday.Weekday()) + " " + w.Monday.Format("2") + " au " + frLongDay(last)
	}
	if w.Profile.allOff(w.Monday, w.Monday.AddDate(0, 0, 4)) { // no school all week: neither A nor B
		v.AB = "vacances"
	}
	for _, d := range w.Days {
		dv := dayView{ID: "jour-" + d.Date.Format(dateLayout), Label: frDay(d.Date), Today: d.Date.Equal(today), Holiday: d.Holiday}
		for _, l := range d.Lessons {
			dv.Lessons = append(dv.Lessons, lessonViewOf(l, kind))
		}
		v.Days = append(v.Days, dv)
	}
	return v
}

func lessonViewOf(l Lesson, kind string) lessonView {
	names := make([]string, len(l.Teachers))
	for i, p := range l.Teachers {
		names[i] = p.Name
	}
	lv := lessonView{Time: l.Start.French() + " – " + l.End.French(), Subject: l.Subject.Label, Group: l.Group.Label,
		Room: l.Room, Teachers: strings.Join(names, ", "), Note: l.Note, Status: l.Status.Label(), Cancelled: l.Status == StatusAnnule}
	if kind == "classe" {
		lv.Group = ""
	}
	if l.Status == StatusRempl && len(l.Planned) > 0 {
		planned := make([]string, len(l.Planned))
		for i, p := range l.Planned {
			planned[i] = p.Name
		}
		lv.Teachers += " (remplace " + strings.Join(planned, ", ") + ")"
	}
	if l.Status == StatusDeplace {
		lv.Moved = "initialement le " + frDay(l.Date) + " à " + l.FromStart.French()
		if l.FromRoom != "" && l.FromRoom != l.Room {
			lv.Moved += ", salle " + l.FromRoom
		}
	}
	return lv
}

// otherFeed is a person's subscription as direction sees it on their week: since when, and
// the form that revokes it (a lost phone, an address given away).
type otherFeed struct {
	Action, Back, Since string
}

// renderWeek shows someone's week; person, when set, is whose (a pupil's, a teacher's).
func (h *Handler) renderWeek(c echo.Context, status int, w *Week, base string, person uuid.UUID) error {
	v := h.weekViewOf(w, base, w.Kind)
	v.Notice = noticeOf(c.QueryParam("ok"))
	if person != uuid.Nil && requestActor(c).Manages() {
		since, err := h.svc.FeedSince(c.Request().Context(), web.TenantOf(c), person)
		if err != nil {
			return err
		}
		if !since.IsZero() {
			v.OtherFeed = &otherFeed{Action: "/emploi-du-temps/personnes/" + person.String() + "/abonnement/revoquer", Back: base, Since: frLongDay(since)}
		}
	}
	return render(c, status, "timetable_week.html", "Emploi du temps – "+w.Title, v)
}

func noticeOf(code string) string {
	switch code {
	case "revoque":
		return "L'adresse d'abonnement a été révoquée : les agendas qui l'utilisaient ne reçoivent plus rien."
	}
	return ""
}

// home is "Emploi du temps": a pupil's or teacher's own week, a parent's children, staff's
// choice of a class, teacher or room.
func (h *Handler) home(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	home, err := h.svc.HomeOf(ctx, t, a)
	if err != nil {
		return err
	}
	monday, err := h.weekParam(c)
	if err != nil {
		return err
	}
	switch {
	case c.QueryParam("enfants") != "" && slices.Contains(a.Roles, identity.RoleResponsable):
		return h.children(c, http.StatusOK, home.Children, "")
	case home.Self != nil && home.Self.Category == directory.CategoryEleve:
		return h.ownWeek(c, http.StatusOK, &home, monday, "", "")
	case home.Self != nil && slices.Contains(a.Roles, identity.RoleEnseignant):
		return h.ownWeek(c, http.StatusOK, &home, monday, "", "")
	case slices.Contains(a.Roles, identity.RoleResponsable):
		return h.children(c, http.StatusOK, home.Children, "")
	case a.Browses():
		return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/consulter")
	}
	return fault.New(fault.ErrNotFound, "vous n'avez pas d'emploi du temps dans cet établissement")
}

// ownWeek is the viewer's own week with the calendar subscription; home is what HomeOf said
// of the viewer (nil: read it); secret, when set, is a subscribe address just made (shown once).
func (h *Handler) ownWeek(c echo.Context, status int, home *Home, monday time.Time, secret, notice string) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	if home == nil {
		got, err := h.svc.HomeOf(ctx, t, a)
		if err != nil {
			return err
		}
		home = &got
	}
	var w *Week
	var err error
	if home.Self != nil && home.Self.Category == directory.CategoryEleve {
		w, err = h.svc.PupilWeek(ctx, t, a, a.PersonID, monday)
	} else {
		w, err = h.svc.TeacherWeek(ctx, t, a, a.PersonID, monday)
	}
	if err != nil {
		return err
	}
	feed, err := h.feedView(c, secret)
	if err != nil {
		return err
	}
	var links []link
	if len(home.Children) > 0 {
		links = append(links, link{"/emploi-du-temps?enfants=1", "Emplois du temps de mes enfants"})
	}
	if a.Browses() {
		links = append(links, link{"/emploi-du-temps/consulter", "Autres emplois du temps (classes, enseignants, salles)"})
	}
	v := h.weekViewOf(w, "/emploi-du-temps", w.Kind)
	v.Feed, v.Links, v.Notice = feed, links, notice
	if v.Notice == "" {
		v.Notice = noticeOf(c.QueryParam("ok"))
	}
	return render(c, status, "timetable_week.html", "Mon emploi du temps", v)
}

type childrenView struct {
	Children []directory.Child
	Feed     *feedView
	Notice   string
}

// children is a parent's list of their legal children, each leading to the child's week.
func (h *Handler) children(c echo.Context, status int, kids []directory.Child, secret string) error {
	feed, err := h.feedView(c, secret)
	if err != nil {
		return err
	}
	return render(c, status, "timetable_children.html", "Emplois du temps de mes enfants", childrenView{Children: kids, Feed: feed, Notice: noticeOf(c.QueryParam("ok"))})
}

// weekReader reads the week of the person or class id (PupilWeek, TeacherWeek, ClassWeek).
type weekReader func(ctx context.Context, t *tenant.Tenant, a Actor, id uuid.UUID, monday time.Time) (*Week, error)

// idWeek reads, with read, the week of the address's :id for the request's ?semaine=. A
// person looking at their own address gets their own week page instead (own true).
func (h *Handler) idWeek(c echo.Context, read weekReader, ownPage bool) (id uuid.UUID, w *Week, own bool, err error) {
	if id, err = paramID(c, "id"); err != nil {
		return id, nil, false, err
	}
	monday, err := h.weekParam(c)
	if err != nil {
		return id, nil, false, err
	}
	a := requestActor(c)
	if ownPage && id == a.PersonID {
		return id, nil, true, h.ownWeek(c, http.StatusOK, nil, monday, "", "")
	}
	w, err = read(c.Request().Context(), web.TenantOf(c), a, id, monday)
	return id, w, false, err
}

// personWeek is the week page of the pupil or teacher of the address (base + id).
func (h *Handler) personWeek(c echo.Context, read weekReader, base string) error {
	id, w, own, err := h.idWeek(c, read, true)
	if own || err != nil {
		return err
	}
	return h.renderWeek(c, http.StatusOK, w, base+id.String(), id)
}

func (h *Handler) pupilWeek(c echo.Context) error {
	return h.personWeek(c, h.svc.PupilWeek, "/emploi-du-temps/eleves/")
}

func (h *Handler) teacherWeek(c echo.Context) error {
	return h.personWeek(c, h.svc.TeacherWeek, "/emploi-du-temps/enseignants/")
}

func (h *Handler) classWeek(c echo.Context) error {
	id, w, _, err := h.idWeek(c, h.svc.ClassWeek, false)
	if err != nil {
		return err
	}
	return h.renderWeek(c, http.StatusOK, w, "/emploi-du-temps/classes/"+id.String(), uuid.Nil)
}

func (h *Handler) roomWeek(c echo.Context) error {
	room := strings.TrimSpace(c.QueryParam("nom"))
	if room == "" {
		return c.Redirect(http.StatusSeeOther, "/emploi-du-temps/consulter")
	}
	monday, err := h.weekParam(c)
	if err != nil {
		return err
	}
	w, err := h.svc.RoomWeek(c.Request().Context(), web.TenantOf(c), requestActor(c), room, monday)
	if err != nil {
		return err
	}
	return h.renderWeek(c, http.StatusOK, w, "/emploi-du-temps/salle?nom="+url.QueryEscape(room), uuid.Nil)
}

type browseView struct {
	Classes, Groups []Group
	Teachers        []Person
	Rooms           []roomLink
	Own             string // the viewer's own week, when they teach
}

type roomLink struct{ Name, Href string }

// browse lets staff choose a class, group, teacher or room.
func (h *Handler) browse(c echo.Context) error {
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	ch, rooms, err := h.svc.Browse(ctx, t)
	if err != nil {
		return err
	}
	v := browseView{Teachers: ch.Teachers}
	for _, g := range ch.Groups {
		if g.Kind == "groupe" {
			v.Groups = append(v.Groups, g)
		} else {
			v.Classes = append(v.Classes, g)
		}
	}
	for _, r := range rooms {
		v.Rooms = append(v.Rooms, roomLink{Name: r, Href: "/emploi-du-temps/salle?nom=" + url.QueryEscape(r)})
	}
	if a.PersonID != uuid.Nil && slices.Contains(a.Roles, identity.RoleEnseignant) {
		v.Own = "/emploi-du-temps"
	}
	return render(c, http.StatusOK, "timetable_browse.html", "Emplois du temps de l'établissement", v)
}
