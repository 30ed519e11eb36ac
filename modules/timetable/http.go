package timetable

import (
	"embed"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the timetable's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the timetable on the establishments' host.
type Handler struct {
	svc *Service
	// tenantURL is an establishment's address ("http://lycee-x.cartable.localhost:8080/"),
	// for the calendar feeds' subscribe links.
	tenantURL func(slug string) string
}

// NewHandler wires the timetable's HTTP side; tenantURL writes an establishment's address.
func NewHandler(svc *Service, tenantURL func(slug string) string) *Handler {
	return &Handler{svc: svc, tenantURL: tenantURL}
}

// What the pages share: reading the address and the week, writing dates the French way.
// Each resource's pages are in their own http_<resource>.go.

func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

func paramID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return id, nil
}

// weekParam reads ?semaine= (any date of the week, aaaa-mm-jj): its Monday. Without it, the
// current week; on a Sunday, the next one (what a pupil looks at on Sunday evening).
func (h *Handler) weekParam(c echo.Context) (time.Time, error) {
	if raw := c.QueryParam("semaine"); raw != "" {
		d, err := time.Parse(dateLayout, raw)
		if err != nil {
			return time.Time{}, fault.Invalidf("semaine", "semaine « %s » illisible : indiquez une date aaaa-mm-jj", raw)
		}
		return Monday(d), nil
	}
	today := h.svc.Today()
	if today.Weekday() == time.Sunday {
		today = today.AddDate(0, 0, 1)
	}
	return Monday(today), nil
}

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frDay is "lundi 5 octobre".
func frDay(d time.Time) string {
	return fmt.Sprintf("%s %d %s", weekdayName(d.Weekday()), d.Day(), months[d.Month()-1])
}

// frLongDay is "lundi 5 octobre 2026".
func frLongDay(d time.Time) string { return fmt.Sprintf("%s %d", frDay(d), d.Year()) }

func weekdayName(w time.Weekday) string {
	if w == time.Sunday {
		return "dimanche"
	}
	return weekdays[isoWeekday(w)-1]
}

func frDate(d time.Time) string { return d.Format("02/01/2006") }
