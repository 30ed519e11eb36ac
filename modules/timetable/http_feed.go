package timetable

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// feedView is the calendar subscription block of one's own week (or a parent's children).
type feedView struct {
	Active bool
	Since  string // "lundi 5 octobre 2026"
	URL    string // the address just made: shown once, never stored
}

// feedView reads the viewer's subscription; secret, when set, was just made.
func (h *Handler) feedView(c echo.Context, secret string) (*feedView, error) {
	a := requestActor(c)
	since, err := h.svc.FeedSince(c.Request().Context(), web.TenantOf(c), a.PersonID)
	if err != nil {
		return nil, err
	}
	f := &feedView{Active: !since.IsZero()}
	if f.Active {
		f.Since = frLongDay(since)
	}
	if secret != "" {
		f.URL = h.tenantURL(web.TenantOf(c).Slug) + "ical/" + secret + "/emploi-du-temps.ics"
	}
	return f, nil
}

// feedPage tells whether the viewer's "Emploi du temps" page offers a subscription: pupils,
// teachers and parents have lessons to follow.
func (h *Handler) feedPage(c echo.Context) (Home, bool, error) {
	a := requestActor(c)
	home, err := h.svc.HomeOf(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return home, false, err
	}
	pupil := home.Self != nil && home.Self.Category == directory.CategoryEleve
	teacher := home.Self != nil && slices.Contains(a.Roles, identity.RoleEnseignant)
	parent := slices.Contains(a.Roles, identity.RoleResponsable)
	return home, pupil || teacher || parent, nil
}

// subscribe makes a new subscribe address (replacing any) and shows it once.
func (h *Handler) subscribe(c echo.Context) error {
	home, ok, err := h.feedPage(c)
	if err != nil {
		return err
	}
	if !ok {
		return fault.New(fault.ErrNotFound, "vous n'avez pas d'emploi du temps à suivre dans cet établissement")
	}
	secret, err := h.svc.NewFeedSecret(c.Request().Context(), web.TenantOf(c), requestActor(c).PersonID)
	if err != nil {
		return err
	}
	notice := "Votre nouvelle adresse d'abonnement est prête ; toute adresse précédente ne fonctionne plus."
	if home.Self == nil || home.Self.Category == directory.CategoryResponsable && !slices.Contains(requestActor(c).Roles, identity.RoleEnseignant) {
		feed, err := h.feedView(c, secret)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, "timetable_children.html", "Emplois du temps de mes enfants", childrenView{Children: home.Children, Feed: feed, Notice: notice})
	}
	monday, err := h.weekParam(c)
	if err != nil {
		return err
	}
	return h.ownWeek(c, http.StatusOK, &home, monday, secret, notice)
}

// revoke ends the viewer's subscribe address.
func (h *Handler) revoke(c echo.Context) error {
	a := requestActor(c)
	if a.PersonID == uuid.Nil {
		return fault.New(fault.ErrNotFound, "vous n'avez pas d'emploi du temps à suivre dans cet établissement")
	}
	if err := h.svc.RevokeFeed(c.Request().Context(), web.TenantOf(c), a.PersonID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/emploi-du-temps?ok=revoque")
}

// feed serves the .ics of a subscribe address, to calendar apps without a session.
func (h *Handler) feed(c echo.Context) error {
	cal, err := h.svc.Feed(c.Request().Context(), web.TenantOf(c), c.Param("secret"))
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	return cal.SerializeTo(w)
}

// revokeFor ends a person's subscribe address, by direction (a lost phone), and goes back to
// their week.
func (h *Handler) revokeFor(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.RevokeFeed(c.Request().Context(), web.TenantOf(c), id); err != nil {
		return err
	}
	back := c.FormValue("retour")
	if !strings.HasPrefix(back, "/emploi-du-temps/") || strings.ContainsAny(back, "\\\r\n") {
		back = "/emploi-du-temps/consulter"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	return c.Redirect(http.StatusSeeOther, back+sep+"ok=revoque")
}
