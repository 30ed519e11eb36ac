package console

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/tenant"
)

// closeRefusal says why month cannot be closed now, or "".
func (h *Handler) closeRefusal(c echo.Context, month time.Time) (string, error) {
	b, ctx := h.cfg.Billing, c.Request().Context()
	if !billing.MonthOf(h.cfg.Now()).After(month) {
		return "Le mois de " + billing.MonthName(month) + " n'est pas terminé : il ne peut être clos qu'à partir du 1er du mois suivant.", nil
	}
	m, closed, err := b.Store.ClosedMonth(ctx, month)
	if err != nil {
		return "", err
	}
	if closed {
		return "Le mois de " + billing.MonthName(month) + " est déjà clos (le " + h.stamp(m.ClosedAt) + " par " + trimUser(m.ClosedBy) + ") : ses relevés sont figés.", nil
	}
	if _, err := b.Store.TariffFor(ctx, month); err != nil {
		if fe, ok := userError(err); ok {
			return fe.Text, nil
		}
		return "", err
	}
	if b.Preview == nil || b.Close == nil {
		return "La clôture n'est pas disponible sur ce serveur.", nil
	}
	return "", nil
}

// closePage is the dry run of a month's close (default: the previous month): every payer's
// total and lines, then the confirmation form; or why it cannot be closed.
func (h *Handler) closePage(c echo.Context) error {
	month, err := h.monthParam(c, "mois", billing.MonthOf(h.cfg.Now()).AddDate(0, -1, 0))
	if err != nil {
		return err
	}
	return h.renderClose(c, http.StatusOK, month, "")
}

func (h *Handler) renderClose(c echo.Context, status int, month time.Time, problem string) error {
	refusal, err := h.closeRefusal(c, month)
	if err != nil {
		return err
	}
	data := map[string]any{"Month": billing.MonthName(month), "MonthValue": month.Format("2006-01"), "Refusal": refusal, "Problem": problem,
		"Back": "/console/facturation?mois=" + month.Format("2006-01")}
	if refusal == "" {
		sts, t, err := h.cfg.Billing.Preview(c.Request().Context(), month)
		if fe, ok := userError(err); ok {
			data["Refusal"] = fe.Text
		} else if err != nil {
			return err
		}
		names, err := h.cfg.Registry.Organisations(c.Request().Context())
		if err != nil {
			return err
		}
		name := map[string]string{}
		for _, o := range names {
			name[o.Code] = o.Name
		}
		var views []statementView
		var total billing.Cents
		for _, st := range sts {
			views = append(views, viewOf(billing.Document{Statement: st, PayerName: name[st.Payer], VATBasis: t.VATBasis, Provisional: true}))
			total += st.Net
		}
		data["Statements"], data["Total"], data["Tariff"] = views, billing.FormatCents(total), billing.MonthName(t.EffectiveFrom)
	}
	if data["Refusal"] != "" && status == http.StatusOK && c.Request().Method == http.MethodPost {
		status = http.StatusConflict
	}
	return render(c, status, "billing_close.html", "Clôture de "+billing.MonthName(month), data)
}

// closeMonth closes the month once confirmed (Billing.Close freezes it, records the audit
// log and queues the invoicing).
func (h *Handler) closeMonth(c echo.Context) error {
	month, err := parseMonth(trimmed(c, "mois"), time.Time{})
	if err != nil || trimmed(c, "mois") == "" {
		return h.renderClose(c, http.StatusUnprocessableEntity, billing.MonthOf(h.cfg.Now()).AddDate(0, -1, 0), "Indiquez le mois à clore au format AAAA-MM.")
	}
	refusal, err := h.closeRefusal(c, month)
	if err != nil {
		return err
	}
	if refusal != "" {
		return h.renderClose(c, http.StatusConflict, month, "")
	}
	if c.FormValue("confirmation") != "oui" {
		return h.renderClose(c, http.StatusUnprocessableEntity, month, "Cochez la case de confirmation pour clore le mois : rien n'a été clos.")
	}
	if err := h.cfg.Billing.Close(c.Request().Context(), month, tenant.ActorOf(c)); err != nil {
		if fe, ok := userError(err); ok {
			return h.renderClose(c, fe.Status, month, fe.Text+" Rien n'a été clos.")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/facturation?mois="+month.Format("2006-01")+"&message=cloture")
}

func trimUser(actor string) string {
	if len(actor) > 5 && actor[:5] == "user:" {
		return actor[5:]
	}
	return actor
}
