package console

// The billing pages (issue 12): the région's administrators see every payer's usage and
// costs, set the tariffs, close a month and follow the invoices; a département's
// administrators see their collèges' usage, their statements and their invoices only. Every
// read goes through billing.Store with the viewer's payer scope ("" for the région, the
// département's code otherwise), so that another payer's figures are never read.

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Billing is what the billing pages need: the store (tariffs, closed months, statements,
// invoices) and the billing operations, wired by cmd/cartable. A nil function leaves its
// part of the pages out, saying so.
type Billing struct {
	Store *billing.Store
	// Usage is the live usage of an open month (the metering).
	Usage func(ctx context.Context, month time.Time) ([]billing.Usage, error)
	// Preview is the dry run of a month's close: every payer's statement and the tariff.
	Preview func(ctx context.Context, month time.Time) ([]billing.Statement, billing.Tariff, error)
	// Close freezes a month and queues the départements' invoicing.
	Close func(ctx context.Context, month time.Time, actor string) error
	// OptOut records a département's leaving at an effective date.
	OptOut func(ctx context.Context, code string, effective time.Time, actor string) error
}

// PermBillingRead is reading the billing pages: the région's administrators (every payer)
// and the départements' (their own).
const PermBillingRead identity.Permission = "billing.read"

// PermBillingManage is setting the tariffs, closing a month and recording an opt-out: the
// région's administrators only.
const PermBillingManage identity.Permission = "billing.manage"

// billingRoutes are the billing pages' routes, none without the billing wired.
func (h *Handler) billingRoutes() []moduleRoute {
	if h.cfg.Billing == nil {
		return nil
	}
	r, m := PermBillingRead, PermBillingManage
	return []moduleRoute{
		{http.MethodGet, "/console/facturation", r, h.billingPage},
		{http.MethodGet, "/console/facturation/usage.csv", r, h.usageCSV},
		{http.MethodGet, "/console/facturation/releves/:mois", r, h.statementPage},
		{http.MethodGet, "/console/facturation/factures", r, h.invoicesPage},
		{http.MethodGet, "/console/facturation/tarifs", m, h.tariffsPage},
		{http.MethodPost, "/console/facturation/tarifs", m, h.setTariff},
		{http.MethodGet, "/console/facturation/cloture", m, h.closePage},
		{http.MethodPost, "/console/facturation/cloture", m, h.closeMonth},
		{http.MethodPost, "/console/departements/:code/fin-adhesion", m, h.optOut},
	}
}

// moduleRoute is one of the billing pages' routes before the module contract wraps it.
type moduleRoute struct {
	method, path string
	perm         identity.Permission
	handler      echo.HandlerFunc
}

// payerScope is the viewer's payer scope for billing.Store: "" for the région, the
// département's code for its administrator.
func payerScope(c echo.Context) string {
	if sc := tenant.ScopeOf(c); !sc.All {
		return sc.Organisation
	}
	return ""
}

// monthParam reads a month « YYYY-MM » from the query's name (default: the clock's month).
func (h *Handler) monthParam(c echo.Context, name string, def time.Time) (time.Time, error) {
	return parseMonth(c.QueryParam(name), def)
}

func parseMonth(s string, def time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return billing.MonthOf(def), nil
	}
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fault.NewField(fault.ErrInvalid, "mois", "Le mois « %s » n'est pas lisible : écrivez-le AAAA-MM, par exemple 2026-11.", s)
	}
	return m, nil
}

// statementView is a payer's statement as the pages show it.
type statementView struct {
	Payer, PayerName, Net, VAT, Gross, Rate string
	Provisional                             bool
	Page, PDF, CSV                          string // "" for a provisional one
	Lines                                   []lineView
}

type lineView struct{ Label, Formula, Amount string }

// usageView is an establishment's month as the pages show it.
type usageView struct {
	UAI, Name, Payer, Days, Pupils, Accounts, Storage, Cost string
}

// payerView is a payer's month: its establishments' totals and its costs.
type payerView struct {
	Payer, Name, Schools, Pupils, Accounts, Net, Gross string
	Provisional                                        bool
	Page                                               string
}

func statementPath(month time.Time, payer, suffix string) string {
	return "/console/facturation/releves/" + month.Format("2006-01") + suffix + "?payeur=" + payer
}

func viewOf(d billing.Document) statementView {
	v := statementView{Payer: d.Payer, PayerName: d.PayerName, Net: billing.FormatCents(d.Net), VAT: billing.FormatCents(d.VAT),
		Gross: billing.FormatCents(d.Gross), Rate: billing.FormatBasis(d.VATBasis), Provisional: d.Provisional}
	if !d.Provisional {
		v.Page, v.PDF, v.CSV = statementPath(d.Month, d.Payer, ""), statementPath(d.Month, d.Payer, ".pdf"), statementPath(d.Month, d.Payer, ".csv")
	}
	for _, l := range d.Lines {
		v.Lines = append(v.Lines, lineView{Label: l.Label, Formula: l.Formula, Amount: billing.FormatCents(l.Amount)})
	}
	return v
}

// monthDocuments are the month's statements within the viewer's scope: frozen when the
// month is closed, otherwise allocated from the live usage (provisional). note says why
// there are none.
func (h *Handler) monthDocuments(c echo.Context, month time.Time) (docs []billing.Document, closed bool, note string, err error) {
	b, ctx := h.cfg.Billing, c.Request().Context()
	_, closed, err = b.Store.ClosedMonth(ctx, month)
	if err != nil {
		return nil, false, "", err
	}
	if closed {
		docs, err = b.Store.Statements(ctx, payerScope(c), month)
		return docs, true, "", err
	}
	if b.Usage == nil {
		return nil, false, "La mesure de l'usage n'est pas disponible sur ce serveur : les chiffres du mois en cours ne peuvent pas être calculés.", nil
	}
	docs, _, err = b.Store.Provisional(ctx, payerScope(c), month, b.Usage)
	if fe, ok := userError(err); ok {
		return nil, false, fe.Text, nil
	}
	return docs, false, "", err
}

// billingPage is a month's usage and costs per payer and per establishment, and the year's
// costs per payer and month as a chart with its table.
func (h *Handler) billingPage(c echo.Context) error {
	now := h.cfg.Now()
	month, err := h.monthParam(c, "mois", now)
	if err != nil {
		return err
	}
	docs, closed, note, err := h.monthDocuments(c, month)
	if err != nil {
		return err
	}
	var payers []payerView
	var schools []usageView
	for _, d := range docs {
		pv := payerView{Payer: d.Payer, Name: d.PayerName, Schools: billing.FormatCount(int64(len(d.Usage))), Net: billing.FormatCents(d.Net),
			Gross: billing.FormatCents(d.Gross), Provisional: d.Provisional}
		if !d.Provisional {
			pv.Page = statementPath(d.Month, d.Payer, "")
		}
		var pupils, accounts int64
		for _, u := range d.Usage {
			pupils += int64(u.ActivePupils)
			accounts += int64(u.Accounts)
			var cost billing.Cents
			for _, l := range d.Lines {
				if l.UAI == u.UAI {
					cost += l.Amount
				}
			}
			schools = append(schools, usageView{UAI: u.UAI, Name: cmp.Or(u.Name, u.UAI), Payer: d.PayerName,
				Days: strconv.Itoa(u.BilledDays) + "/" + strconv.Itoa(u.DaysInMonth), Pupils: billing.FormatCount(int64(u.ActivePupils)),
				Accounts: billing.FormatCount(int64(u.Accounts)), Storage: billing.GBMonths(u), Cost: billing.FormatCents(cost)})
		}
		pv.Pupils, pv.Accounts = billing.FormatCount(pupils), billing.FormatCount(accounts)
		payers = append(payers, pv)
	}
	costs, err := h.cfg.Billing.Store.Year(c.Request().Context(), payerScope(c), month.Year(), h.cfg.Billing.Usage)
	if err != nil {
		return err
	}
	months, err := h.cfg.Billing.Store.ClosedMonths(c.Request().Context())
	if err != nil {
		return err
	}
	var closedLinks []map[string]string
	for _, m := range months {
		closedLinks = append(closedLinks, map[string]string{"Href": "/console/facturation?mois=" + m.Month.Format("2006-01"), "Text": billing.MonthName(m.Month)})
	}
	msg := ""
	if c.QueryParam("message") == "cloture" {
		msg = "Le mois de " + billing.MonthName(month) + " est clos : ses relevés sont figés et la facturation des départements est lancée."
	}
	return render(c, http.StatusOK, "billing_overview.html", "Facturation — "+billing.MonthName(month), map[string]any{
		"Month": billing.MonthName(month), "MonthValue": month.Format("2006-01"), "Closed": closed, "Note": note, "Flash": msg,
		"Payers": payers, "Schools": schools, "Chart": yearChart(month.Year(), costs), "ClosedMonths": closedLinks,
		"Regional": regional(c), "UsageCSV": "/console/facturation/usage.csv?mois=" + month.Format("2006-01"),
		"CloseLink": "/console/facturation/cloture?mois=" + month.Format("2006-01"),
	})
}

// usageCSV is the month's usage of the viewer's establishments as CSV.
func (h *Handler) usageCSV(c echo.Context) error {
	month, err := h.monthParam(c, "mois", h.cfg.Now())
	if err != nil {
		return err
	}
	docs, _, note, err := h.monthDocuments(c, month)
	if err != nil {
		return err
	}
	if note != "" {
		return fault.New(fault.ErrNotFound, "%s", note)
	}
	var usage []billing.Usage
	for _, d := range docs {
		usage = append(usage, d.Usage...)
	}
	var b bytes.Buffer
	if err := billing.UsageCSV(&b, month, usage); err != nil {
		return err
	}
	name := "usage-" + month.Format("2006-01")
	if s := payerScope(c); s != "" {
		name += "-" + s
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// statementPage is a payer's frozen statement of a closed month: the page, or with the
// suffix .pdf or .csv the document. The payer is the query's payeur (the région's
// administrators) or the viewer's département; another payer's answers 404.
func (h *Handler) statementPage(c echo.Context) error {
	raw, format := c.Param("mois"), ""
	for _, s := range []string{".pdf", ".csv"} {
		if strings.HasSuffix(raw, s) {
			raw, format = strings.TrimSuffix(raw, s), s
		}
	}
	month, err := parseMonth(raw, time.Time{})
	if err != nil || raw == "" {
		return fault.New(fault.ErrNotFound, "Aucun relevé pour « %s » : l'adresse attend un mois AAAA-MM.", c.Param("mois"))
	}
	scope := payerScope(c)
	payer := strings.TrimLeft(strings.TrimSpace(c.QueryParam("payeur")), "0")
	if payer == "" {
		payer = cmp.Or(scope, billing.RegionPayer)
	}
	d, err := h.cfg.Billing.Store.StatementOf(c.Request().Context(), scope, payer, month)
	if err != nil {
		return err
	}
	file := "releve-" + month.Format("2006-01") + "-" + d.Payer
	var b bytes.Buffer
	switch format {
	case ".pdf":
		if err := billing.StatementPDF(&b, d); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `inline; filename="`+file+`.pdf"`)
		return c.Blob(http.StatusOK, "application/pdf", b.Bytes())
	case ".csv":
		if err := billing.StatementCSV(&b, d); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+file+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	}
	invoices, err := h.invoiceViews(c, func(i billing.Invoice) bool { return i.Payer == d.Payer && i.Month.Equal(d.Month) })
	if err != nil {
		return err
	}
	var usage []usageView
	for _, u := range d.Usage {
		usage = append(usage, usageView{UAI: u.UAI, Name: cmp.Or(u.Name, u.UAI), Days: strconv.Itoa(u.BilledDays) + "/" + strconv.Itoa(u.DaysInMonth),
			Pupils: billing.FormatCount(int64(u.ActivePupils)), Accounts: billing.FormatCount(int64(u.Accounts)), Storage: billing.GBMonths(u)})
	}
	return render(c, http.StatusOK, "billing_statement.html", d.Title(), map[string]any{
		"Title": d.Title(), "S": viewOf(d), "Usage": usage, "Invoices": invoices,
		"Back": "/console/facturation?mois=" + month.Format("2006-01"),
	})
}

// invoiceView is an invoice as the pages show it.
type invoiceView struct {
	Month, Payer, Number, Amount, Status, StatusAt, Hosted, Statement string
}

// invoiceViews are the invoices within the viewer's scope that keep selects.
func (h *Handler) invoiceViews(c echo.Context, keep func(billing.Invoice) bool) ([]invoiceView, error) {
	invs, err := h.cfg.Billing.Store.Invoices(c.Request().Context(), payerScope(c))
	if err != nil {
		return nil, err
	}
	var out []invoiceView
	for _, i := range invs {
		if keep != nil && !keep(i) {
			continue
		}
		v := invoiceView{Month: billing.MonthName(i.Month), Payer: i.PayerName, Number: cmp.Or(i.Number, "—"), Amount: "—",
			Status: i.StatusLabel(), StatusAt: h.stamp(i.StatusAt), Statement: statementPath(i.Month, i.Payer, ".pdf")}
		if i.AmountDue != nil {
			v.Amount = billing.FormatCents(*i.AmountDue)
		}
		if strings.HasPrefix(i.HostedURL, "https://") {
			v.Hosted = i.HostedURL
		}
		out = append(out, v)
	}
	return out, nil
}

// invoicesPage lists the invoices of the viewer's scope and their states.
func (h *Handler) invoicesPage(c echo.Context) error {
	invs, err := h.invoiceViews(c, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "billing_invoices.html", "Factures", map[string]any{"Invoices": invs, "Regional": regional(c)})
}
