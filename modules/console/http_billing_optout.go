package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// optOutView is the « Fin d'adhésion » part of a département's page: its opt-out date, and
// for the région's administrators the form.
type optOutView struct {
	Date    string // « 31/08/2028 », "" when it has not left
	Form    bool   // the viewer may record it
	Typed   string
	Error   *formError
	Flash   string
	Unwired bool // the server has no opt-out operation
	Shown   bool
}

// optOutOf is the opt-out part of o's page.
func (h *Handler) optOutOf(c echo.Context, o *tenant.Organisation, typed string, fe *formError) (optOutView, error) {
	if h.cfg.Billing == nil {
		return optOutView{}, nil
	}
	v := optOutView{Shown: true, Typed: typed, Error: fe, Unwired: h.cfg.Billing.OptOut == nil}
	if viewer := identity.ViewerOf(c); viewer != nil && viewer.Can(PermBillingManage) {
		v.Form = true
	}
	d, err := h.cfg.Billing.Store.OptOutDate(c.Request().Context(), o.Code)
	if err != nil {
		return v, err
	}
	if d != nil {
		v.Date = d.Format("02/01/2006")
	}
	if c.QueryParam("message") == "fin" {
		v.Flash = "La fin d'adhésion du département est enregistrée."
	}
	return v, nil
}

// optOut records the date from which the département leaves (Billing.OptOut: its collèges
// are billed until the day before, then suspended, their data kept).
func (h *Handler) optOut(c echo.Context) error {
	o, err := h.departement(c)
	if err != nil {
		return err
	}
	typed := trimmed(c, "opt_out_date")
	if c.FormValue("confirmation") != "oui" {
		return h.renderDepartementOptOut(c, o, http.StatusUnprocessableEntity, typed,
			&formError{Field: "confirmation", Label: "Confirmation", Text: "Cochez la case pour confirmer la fin d'adhésion : rien n'a été enregistré."})
	}
	if h.cfg.Billing.OptOut == nil {
		return h.renderDepartementOptOut(c, o, http.StatusServiceUnavailable, typed,
			&formError{Text: "La fin d'adhésion n'est pas disponible sur ce serveur."})
	}
	day, err := tenant.ParseDate(typed)
	if err == nil {
		err = h.cfg.Billing.OptOut(c.Request().Context(), o.Code, day, tenant.ActorOf(c))
	}
	if err != nil {
		if fe, ok := userError(err); ok {
			if fe.Field == "" || fe.Field == "effective_date" || fe.Field == "date" {
				fe.Field, fe.Label = "opt_out_date", "Date de fin d'adhésion"
			}
			return h.renderDepartementOptOut(c, o, fe.Status, typed, fe)
		}
		return err
	}
	return redirect(c, "/console/departements/"+o.Code, "fin")
}

// renderDepartementOptOut shows the département's page with the opt-out form's error.
func (h *Handler) renderDepartementOptOut(c echo.Context, o *tenant.Organisation, status int, typed string, fe *formError) error {
	v, err := h.optOutOf(c, o, typed, fe)
	if err != nil {
		return err
	}
	return h.renderDepartementWith(c, o, status, nil, "", v)
}
