package billing

// The read side of the consoles: closed months, frozen statements, invoices and a year's
// costs. Every method that returns a payer's figures takes the viewer's scope: "" for the
// région (every payer) or a département's code (that payer only), and filters in SQL, so
// that a département's administrator never reads another payer's row.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cartable-ent/cartable/web/fault"
)

// Month is a closed month (billing_months).
type Month struct {
	Month      time.Time // the first of the month
	TariffID   int64
	ClosedAt   time.Time
	ClosedBy   string
	InvoicedAt *time.Time // every département's invoice finalised
}

// ClosedMonths lists the closed months, the newest first.
func (s *Store) ClosedMonths(ctx context.Context) ([]Month, error) {
	var rows []struct {
		Month      time.Time
		TariffID   int64
		ClosedAt   time.Time
		ClosedBy   string
		InvoicedAt *time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT month, tariff_id, closed_at, closed_by, invoiced_at FROM platform.billing_months ORDER BY month DESC`).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: read the closed months: %w", err)
	}
	out := make([]Month, len(rows))
	for i, r := range rows {
		out[i] = Month{Month: r.Month.UTC(), TariffID: r.TariffID, ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy, InvoicedAt: r.InvoicedAt}
	}
	return out, nil
}

// ClosedMonth is month's close, and whether it is closed.
func (s *Store) ClosedMonth(ctx context.Context, month time.Time) (Month, bool, error) {
	ms, err := s.ClosedMonths(ctx)
	if err != nil {
		return Month{}, false, err
	}
	m := MonthOf(month)
	for _, c := range ms {
		if c.Month.Equal(m) {
			return c, true, nil
		}
	}
	return Month{}, false, nil
}

// Document is a payer's statement of a month as the PDF and CSV show it: the statement,
// its establishments' usage, the payer's name and the VAT rate applied.
type Document struct {
	Statement
	Usage       []Usage
	PayerName   string
	VATBasis    int64
	Provisional bool // an open month's figures, not yet frozen by its close
}

// Title is « Relevé de répartition — novembre 2026 — Gironde ».
func (d Document) Title() string {
	return "Relevé de répartition — " + formatMonth(d.Month) + " — " + d.PayerName
}

// statementRow is billing_statements with the payer's name and the month's VAT rate.
type statementRow struct {
	Month     time.Time
	Payer     string
	PayerName string
	Net       int64
	VAT       int64 `gorm:"column:vat"`
	Gross     int64
	Lines     string
	Usage     string
	VATBasis  int64 `gorm:"column:vat_basis"`
}

func (r statementRow) document() (Document, error) {
	d := Document{Statement: Statement{Payer: r.Payer, Month: r.Month.UTC(), Net: Cents(r.Net), VAT: Cents(r.VAT), Gross: Cents(r.Gross)},
		PayerName: cmp.Or(r.PayerName, r.Payer), VATBasis: r.VATBasis}
	if err := json.Unmarshal([]byte(r.Lines), &d.Lines); err != nil {
		return Document{}, fmt.Errorf("billing: the lines of %s's statement of %s: %w", r.Payer, r.Month.Format("2006-01"), err)
	}
	if err := json.Unmarshal([]byte(r.Usage), &d.Usage); err != nil {
		return Document{}, fmt.Errorf("billing: the usage of %s's statement of %s: %w", r.Payer, r.Month.Format("2006-01"), err)
	}
	return d, nil
}

const statementSelect = `SELECT s.month, s.payer, o.name AS payer_name, s.net, s.vat, s.gross, s.lines::text AS lines, s.usage::text AS usage, t.vat_basis
	FROM platform.billing_statements s
	JOIN platform.billing_months m ON m.month = s.month
	JOIN platform.billing_tariffs t ON t.id = m.tariff_id
	LEFT JOIN platform.organisations o ON o.code = s.payer`

// Statements are the frozen statements of a closed month within scope ("" the région: every
// payer; a département's code: its own), the région first then the départements by number.
// An open month has none.
func (s *Store) Statements(ctx context.Context, scope string, month time.Time) ([]Document, error) {
	var rows []statementRow
	if err := s.db.WithContext(ctx).Raw(statementSelect+` WHERE s.month = ? AND (? = '' OR s.payer = ?)`, MonthOf(month), scope, scope).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: read the statements of %s: %w", MonthOf(month).Format("2006-01"), err)
	}
	out := make([]Document, 0, len(rows))
	for _, r := range rows {
		d, err := r.document()
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Document) int { return comparePayers(a.Payer, b.Payer) })
	return out, nil
}

// StatementOf is payer's frozen statement of a closed month. Outside scope, or when the
// month is not closed, the error is of kind fault.ErrNotFound (the same answer: a
// département's administrator learns nothing of another payer).
func (s *Store) StatementOf(ctx context.Context, scope, payer string, month time.Time) (Document, error) {
	m := MonthOf(month)
	var rows []statementRow
	if err := s.db.WithContext(ctx).Raw(statementSelect+` WHERE s.month = ? AND s.payer = ? AND (? = '' OR s.payer = ?)`, m, payer, scope, scope).
		Scan(&rows).Error; err != nil {
		return Document{}, fmt.Errorf("billing: read %s's statement of %s: %w", payer, m.Format("2006-01"), err)
	}
	if len(rows) == 0 {
		return Document{}, fault.New(fault.ErrNotFound, "Aucun relevé de %s pour ce payeur : le mois n'est pas encore clos, ou ce relevé n'est pas dans votre périmètre.", formatMonth(m))
	}
	return rows[0].document()
}

// Invoice is a département's invoice for a closed month (billing_invoices).
type Invoice struct {
	Month       time.Time
	Payer       string
	PayerName   string
	InvoiceID   string // Stripe's in_…, "" until created
	Number      string
	HostedURL   string // Stripe's hosted page, once finalised
	AmountDue   *Cents
	Status      string // en_preparation, open, paid, payment_failed, void, uncollectible
	StatusAt    time.Time
	FinalizedAt *time.Time
}

// StatusLabel is the invoice's state in French.
func (i Invoice) StatusLabel() string { return InvoiceStatusLabel(i.Status) }

// InvoiceStatusLabel names an invoice state (billing_invoices.status) in French.
func InvoiceStatusLabel(status string) string {
	switch status {
	case "en_preparation":
		return "en préparation"
	case "open":
		return "émise"
	case "paid":
		return "payée"
	case "payment_failed":
		return "échec de paiement"
	case "void":
		return "annulée"
	case "uncollectible":
		return "irrécouvrable"
	}
	return status
}

// Invoices lists the invoices within scope ("" every département's; a code: its own), the
// newest month first, then by département.
func (s *Store) Invoices(ctx context.Context, scope string) ([]Invoice, error) {
	var rows []struct {
		Month       time.Time
		Payer       string
		PayerName   *string
		InvoiceID   *string
		Number      *string
		HostedURL   *string
		AmountDue   *int64
		Status      string
		StatusAt    time.Time
		FinalizedAt *time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT i.month, i.payer, o.name AS payer_name, i.invoice_id, i.number, i.hosted_url, i.amount_due,
			i.status, i.status_at, i.finalized_at
		FROM platform.billing_invoices i LEFT JOIN platform.organisations o ON o.code = i.payer
		WHERE (? = '' OR i.payer = ?)
		ORDER BY i.month DESC, i.payer`, scope, scope).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: read the invoices: %w", err)
	}
	out := make([]Invoice, len(rows))
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for i, r := range rows {
		out[i] = Invoice{Month: r.Month.UTC(), Payer: r.Payer, PayerName: cmp.Or(str(r.PayerName), r.Payer), InvoiceID: str(r.InvoiceID),
			Number: str(r.Number), HostedURL: str(r.HostedURL), Status: r.Status, StatusAt: r.StatusAt, FinalizedAt: r.FinalizedAt}
		if r.AmountDue != nil {
			c := Cents(*r.AmountDue)
			out[i].AmountDue = &c
		}
	}
	return out, nil
}

// MonthCost is what a payer owes for a month: a closed month's frozen statement, or an open
// month's allocation so far (Provisional).
type MonthCost struct {
	Payer, PayerName string
	Month            time.Time
	Net, VAT, Gross  Cents
	Provisional      bool
}

// OpenUsage is the live usage of an open month (the metering's MonthUsage).
type OpenUsage func(ctx context.Context, month time.Time) ([]Usage, error)

// Provisional allocates an open month from its live usage under the tariff in force, and
// keeps the statements within scope. The allocation runs on every payer's usage (a
// département's share of the platform depends on the others'), then drops the others.
func (s *Store) Provisional(ctx context.Context, scope string, month time.Time, usage OpenUsage) ([]Document, Tariff, error) {
	m := MonthOf(month)
	t, err := s.TariffFor(ctx, m)
	if err != nil {
		return nil, Tariff{}, err
	}
	us, err := usage(ctx, m)
	if err != nil {
		return nil, Tariff{}, err
	}
	sts, err := Allocate(m, t, us)
	if err != nil {
		return nil, Tariff{}, err
	}
	names, err := s.payerNames(ctx)
	if err != nil {
		return nil, Tariff{}, err
	}
	var out []Document
	for _, st := range sts {
		if scope != "" && st.Payer != scope {
			continue
		}
		d := Document{Statement: st, PayerName: cmp.Or(names[st.Payer], st.Payer), VATBasis: t.VATBasis, Provisional: true}
		for _, u := range us {
			if u.Payer == st.Payer {
				d.Usage = append(d.Usage, u)
			}
		}
		out = append(out, d)
	}
	return out, t, nil
}

// payerNames are the organisations' names by code.
func (s *Store) payerNames(ctx context.Context) (map[string]string, error) {
	var rows []struct{ Code, Name string }
	if err := s.db.WithContext(ctx).Raw(`SELECT code, name FROM platform.organisations`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: read the payers: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Name
	}
	return out, nil
}

// Year is each payer's cost for every month of year (Europe/Paris) within scope: the closed
// months' frozen statements, then, when usage is given, each later month up to the store's
// current month that a tariff covers, allocated from its live usage and marked Provisional.
// Ordered by month, then the région first and the départements by number.
func (s *Store) Year(ctx context.Context, scope string, year int, usage OpenUsage) ([]MonthCost, error) {
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	var rows []struct {
		Month            time.Time
		Payer, PayerName string
		Net, VAT, Gross  int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT s.month, s.payer, coalesce(o.name, s.payer) AS payer_name, s.net, s.vat, s.gross
		FROM platform.billing_statements s LEFT JOIN platform.organisations o ON o.code = s.payer
		WHERE s.month >= ? AND s.month < ? AND (? = '' OR s.payer = ?)`, from, to, scope, scope).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: read the costs of %d: %w", year, err)
	}
	var out []MonthCost
	for _, r := range rows {
		out = append(out, MonthCost{Payer: r.Payer, PayerName: r.PayerName, Month: r.Month.UTC(), Net: Cents(r.Net), VAT: Cents(r.VAT), Gross: Cents(r.Gross)})
	}
	if usage != nil {
		closed, err := s.ClosedMonths(ctx)
		if err != nil {
			return nil, err
		}
		isClosed := map[time.Time]bool{}
		for _, c := range closed {
			isClosed[c.Month] = true
		}
		now := MonthOf(s.now())
		for m := from; m.Before(to) && !m.After(now); m = m.AddDate(0, 1, 0) {
			// The open months' figures are live: the current month and the last one (closed
			// in the first days of the next); an older month left open is the close's to
			// settle, not the overview's to recompute at every page.
			if isClosed[m] || m.Before(now.AddDate(0, -1, 0)) {
				continue
			}
			docs, _, err := s.Provisional(ctx, scope, m, usage)
			if errors.Is(err, fault.ErrNotFound) { // no tariff yet: nothing to owe
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, d := range docs {
				out = append(out, MonthCost{Payer: d.Payer, PayerName: d.PayerName, Month: m, Net: d.Net, VAT: d.VAT, Gross: d.Gross, Provisional: true})
			}
		}
	}
	slices.SortFunc(out, func(a, b MonthCost) int {
		return cmp.Or(a.Month.Compare(b.Month), comparePayers(a.Payer, b.Payer))
	})
	return out, nil
}

// MonthName is month in French: « novembre 2026 ».
func MonthName(month time.Time) string { return formatMonth(month) }

// FormatBasis writes a VAT rate in basis points as a percentage: 2000 → « 20 », 550 → « 5,5 ».
func FormatBasis(b int64) string { return formatBasis(b) }

// FormatCount writes a count with its digits grouped: « 2 500 ».
func FormatCount(n int64) string { return formatCount(n) }

// GBMonths writes u's storage in GB-months: « 12,50 ».
func GBMonths(u Usage) string { return formatDecimal(gbMonths(u), 2) }

// OptOutDate is the date from which département code stops paying for its collèges (its
// opt-out), nil when it has not left.
func (s *Store) OptOutDate(ctx context.Context, code string) (*time.Time, error) {
	var out []struct{ OptOutDate *time.Time }
	if err := s.db.WithContext(ctx).Raw(`SELECT opt_out_date FROM platform.organisations WHERE code = ?`, code).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("billing: read the opt-out of %s: %w", code, err)
	}
	if len(out) == 0 || out[0].OptOutDate == nil {
		return nil, nil
	}
	d := out[0].OptOutDate.UTC()
	return &d, nil
}
