package attendance

import (
	"embed"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are attendance's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves attendance on the establishments' host.
type Handler struct{ svc *Service }

// NewHandler wires attendance's HTTP side.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// What the pages share: the actor, the address's identifiers and dates, French dates.

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

// dayParam reads ?jour= (aaaa-mm-jj); today without it.
func (h *Handler) dayParam(c echo.Context) (time.Time, error) {
	raw := c.QueryParam("jour")
	if raw == "" {
		return h.svc.Today(), nil
	}
	d, err := time.Parse(dateLayout, raw)
	if err != nil {
		return time.Time{}, fault.Invalidf("jour", "jour « %s » illisible : indiquez une date aaaa-mm-jj", raw)
	}
	return d, nil
}

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frLongDay is "lundi 5 octobre 2026".
func frLongDay(d time.Time) string {
	return fmt.Sprintf("%s %d %s %d", weekdayNames[d.Weekday()], d.Day(), months[d.Month()-1], d.Year())
}

// frMonth is "octobre 2026".
func frMonth(d time.Time) string { return fmt.Sprintf("%s %d", months[d.Month()-1], d.Year()) }

func frTime(t time.Time) string { return t.In(directory.SchoolZone).Format("02/01/2006 à 15h04") }

// dayNav are the links to the previous and next days of a day page.
type dayNav struct {
	Label, Prev, Next, Today string
	IsToday                  bool
}

func (h *Handler) navOf(base string, d time.Time) dayNav {
	q := func(t time.Time) string { return base + "?jour=" + t.Format(dateLayout) }
	today := h.svc.Today()
	return dayNav{Label: frLongDay(d), Prev: q(d.AddDate(0, 0, -1)), Next: q(d.AddDate(0, 0, 1)), Today: base, IsToday: day(d).Equal(today)}
}

// notice is the confirmation shown after a redirect (?ok=…).
func notice(code string) string {
	switch code {
	case "appel":
		return "L'appel a été enregistré."
	case "inchange":
		return "L'appel était déjà enregistré ainsi : rien n'a changé."
	case "decision":
		return "La décision a été enregistrée."
	case "justification":
		return "Votre justification a été envoyée à la vie scolaire."
	case "signalement":
		return "Votre signalement a été envoyé à la vie scolaire."
	case "annulation":
		return "Le signalement a été annulé."
	case "reponse":
		return "La réponse a été enregistrée."
	case "motifs":
		return "Les motifs ont été enregistrés."
	case "reglages":
		return "Les règles de décompte ont été enregistrées."
	}
	return ""
}
