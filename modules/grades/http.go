package grades

import (
	"embed"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the grades pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the marks and report cards on the establishments' host.
type Handler struct {
	svc   *Service
	auth  *identity.Authenticator
	pages *keptPages // pupils' marks pages, rendered
}

// NewHandler wires the grades' HTTP side.
func NewHandler(svc *Service, auth *identity.Authenticator) *Handler {
	return &Handler{svc: svc, auth: auth, pages: newKeptPages()}
}

// What every page of the module shares: reading the address, choosing the period, and
// writing figures the French way. Each resource's pages are in their own http_<resource>.go.

// render renders a page of this module inside the layout.
func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

// parseID reads an identifier from the address: anything but a UUID is an unknown address.
func parseID(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return id, nil
}

// parseSubject reads a subject code from the address (path-escaped by the links).
func parseSubject(raw string) (string, error) {
	s, err := url.PathUnescape(raw)
	if err != nil || strings.TrimSpace(s) == "" {
		return "", fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return s, nil
}

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

// choosePeriod returns the period named by raw (the current one when raw is empty) and the
// year's periods for the selector. An unknown period is a 404.
func (h *Handler) choosePeriod(c echo.Context, raw string) (*Period, []Period, error) {
	id, err := periodParam(raw)
	if err != nil {
		return nil, nil, err
	}
	ps, err := h.svc.Periods(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return nil, nil, err
	}
	p, err := h.svc.choosePeriod(ps, id)
	return p, ps, err
}

// periodParam reads ?periode=: uuid.Nil (the current period) when empty, a 404 when it is
// not an identifier.
func periodParam(raw string) (uuid.UUID, error) {
	if raw == "" {
		return uuid.Nil, nil
	}
	return parseID(raw)
}

// periodOption is an entry of a period selector.
type periodOption struct {
	ID       uuid.UUID
	Label    string
	Dates    string
	Selected bool
}

func periodOptions(ps []Period, sel *Period) []periodOption {
	out := make([]periodOption, len(ps))
	for i, p := range ps {
		out[i] = periodOption{ID: p.ID, Label: p.Label(), Dates: "du " + frDate(p.StartsOn) + " au " + frDate(p.EndsOn), Selected: sel != nil && p.ID == sel.ID}
	}
	return out
}

func frDate(d time.Time) string { return d.Format("02/01/2006") }

// periodContaining is the period of ps that contains day, if any.
func periodContaining(ps []Period, day time.Time) *Period {
	for i := range ps {
		if ps[i].Contains(day) {
			return &ps[i]
		}
	}
	return nil
}

// statsView are class figures as shown: two decimals and a comma, "–" when there are none.
type statsView struct {
	Avg, Min, Max string
	Count         int
}

func statsViewOf(s Stats) statsView {
	return statsView{Avg: French(s.Avg), Min: French(s.Min), Max: French(s.Max), Count: s.Count}
}

// averageText is an average as shown: "12,50", or "Pas de moyenne" (never 0).
func averageText(r *big.Rat) string {
	if r == nil {
		return "Pas de moyenne"
	}
	return French(r)
}

// codeLabel spells out a mark code.
func codeLabel(code string) string {
	switch code {
	case CodeAbsent:
		return "absent"
	case CodeDispensed:
		return "dispensé"
	case CodeNotMarked:
		return "non noté"
	}
	return ""
}

func classSubjectURL(classID uuid.UUID, subject string, p *Period) string {
	u := "/notes/classes/" + classID.String() + "/" + url.PathEscape(subject)
	if p != nil {
		u += "?periode=" + p.ID.String()
	}
	return u
}

// notice is the confirmation shown after a redirect (?ok=…).
func notice(code string) string {
	switch code {
	case "supprimee":
		return "L'évaluation a été supprimée."
	case "modifiee":
		return "L'évaluation a été enregistrée."
	case "notes":
		return "Les notes ont été enregistrées."
	case "coefficient":
		return "Le coefficient a été enregistré."
	case "periodes":
		return "Le découpage de l'année a été enregistré."
	}
	return ""
}

// classOption is an entry of a class selector.
type classOption struct {
	ID       uuid.UUID
	Label    string
	Selected bool
}

func classOptions(classes []classRef, chosen *classRef) []classOption {
	out := make([]classOption, len(classes))
	for i, cl := range classes {
		out[i] = classOption{ID: cl.ID, Label: cl.Label, Selected: chosen != nil && cl.ID == chosen.ID}
	}
	return out
}

// chosenClass returns the class of classes named by raw, nil when raw is empty, and a
// 404 for anything else.
func chosenClass(classes []classRef, raw string) (*classRef, error) {
	if raw == "" {
		return nil, nil
	}
	id, err := parseID(raw)
	if err != nil {
		return nil, err
	}
	for i := range classes {
		if classes[i].ID == id {
			return &classes[i], nil
		}
	}
	return nil, fault.New(fault.ErrNotFound, "cette classe n'existe pas cette année")
}

func paramID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return id, nil
}
