package console

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// depRow is a département as the console shows it.
type depRow struct {
	Code, Name, OptIn, Page string
	OptedIn                 bool
}

func (h *Handler) depRowOf(o tenant.Organisation) depRow {
	r := depRow{Code: o.Code, Name: o.Name, Page: "/console/departements/" + o.Code, OptIn: "n'a pas adhéré"}
	if o.OptInDate != nil {
		r.OptedIn = o.OptedIn(h.cfg.Now())
		if r.OptedIn {
			r.OptIn = "adhérent depuis le " + o.OptInDate.Format("02/01/2006")
		} else {
			r.OptIn = "adhère à partir du " + o.OptInDate.Format("02/01/2006")
		}
	}
	return r
}

// departements lists the départements of the viewer's scope: all for the région, their own
// for a département's administrator.
func (h *Handler) departements(c echo.Context) ([]depRow, error) {
	os, err := h.cfg.Registry.Organisations(c.Request().Context())
	if err != nil {
		return nil, err
	}
	sc := tenant.ScopeOf(c)
	var out []depRow
	for _, o := range os {
		if o.Kind == "departement" && (sc.All || o.Code == sc.Organisation) {
			out = append(out, h.depRowOf(o))
		}
	}
	return out, nil
}

// departement returns the route's département when the viewer's scope covers it.
func (h *Handler) departement(c echo.Context) (*tenant.Organisation, error) {
	code := strings.TrimLeft(strings.TrimSpace(c.Param("code")), "0")
	sc := tenant.ScopeOf(c)
	if !sc.All && code != sc.Organisation {
		return nil, fault.New(fault.ErrNotFound, "aucun département « %s » dans votre périmètre : vous administrez le département %s", c.Param("code"), sc.Organisation)
	}
	o, err := h.cfg.Registry.Organisation(c.Request().Context(), code)
	if err != nil {
		return nil, err
	}
	if o.Kind != "departement" {
		return nil, fault.New(fault.ErrNotFound, "« %s » n'est pas un département", c.Param("code"))
	}
	return o, nil
}

// departementPage is a département's page: its opt-in and its collèges.
func (h *Handler) departementPage(c echo.Context) error {
	o, err := h.departement(c)
	if err != nil {
		return err
	}
	return h.renderDepartement(c, o, http.StatusOK, nil, "")
}

func (h *Handler) renderDepartement(c echo.Context, o *tenant.Organisation, status int, fe *formError, typed string) error {
	out, err := h.optOutOf(c, o, "", nil)
	if err != nil {
		return err
	}
	return h.renderDepartementWith(c, o, status, fe, typed, out)
}

// renderDepartementWith shows the page with out, its opt-out part (http_billing_optout.go).
func (h *Handler) renderDepartementWith(c echo.Context, o *tenant.Organisation, status int, fe *formError, typed string, out optOutView) error {
	ts, err := h.cfg.Registry.List(c.Request().Context(), tenant.ListFilter{Organisation: o.Code})
	if err != nil {
		return err
	}
	rows, err := h.rows(c, ts, false)
	if err != nil {
		return err
	}
	journal, err := h.journal(c, o.Code, 10)
	if err != nil {
		return err
	}
	date := typed
	if date == "" && o.OptInDate != nil {
		date = o.OptInDate.Format("2006-01-02")
	}
	msg := ""
	if c.QueryParam("message") == "adhesion" {
		msg = "L'adhésion du département est enregistrée : " + h.depRowOf(*o).OptIn + "."
	}
	return render(c, status, "console_departement.html", o.Name, map[string]any{
		"D": h.depRowOf(*o), "Tenants": rows, "Journal": journal, "Date": date, "Error": fe, "Flash": msg, "OptOut": out})
}

// optIn records the date from which the département's collèges may be opened, as
// `cartable departement opt-in` does.
func (h *Handler) optIn(c echo.Context) error {
	o, err := h.departement(c)
	if err != nil {
		return err
	}
	typed := trimmed(c, "effective_date")
	day, err := tenant.ParseDate(typed)
	if err == nil {
		err = tenant.ScopeOf(c).OptInRefusal(o, day, h.cfg.Now())
	}
	if err == nil {
		_, err = h.cfg.Registry.OptIn(c.Request().Context(), o.Code, day, tenant.ActorOf(c))
	}
	if err != nil {
		if fe, ok := userError(err); ok {
			return h.renderDepartement(c, o, fe.Status, fe, typed)
		}
		return err
	}
	return redirect(c, "/console/departements/"+o.Code, "adhesion")
}
