package billing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// StripeConfig is how Cartable reaches Stripe, from the configuration:
// CARTABLE_STRIPE_KEY (the secret API key), CARTABLE_STRIPE_URL (empty: Stripe's real API;
// stripe-mock's URL in tests and `make dev`) and CARTABLE_STRIPE_WEBHOOK_SECRET (whsec_…, the
// signing secret of the webhook endpoint).
type StripeConfig struct {
	Key           string
	URL           string
	WebhookSecret string
	// HTTPClient carries the calls (default: a client with a 30 s timeout).
	HTTPClient *http.Client
}

// NewStripe builds the Stripe client of cfg. A missing key is an error; the URL, when set,
// replaces Stripe's API (stripe-mock). The library's own retries of a failed network call
// keep the call's idempotency key, so they never bill twice either.
func NewStripe(cfg StripeConfig) (*client.API, error) {
	if cfg.Key == "" {
		return nil, errors.New("billing: CARTABLE_STRIPE_KEY is not set: the monthly invoices need Stripe's secret key (sk_…), or stripe-mock's URL in CARTABLE_STRIPE_URL with any key")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(2),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		EnableTelemetry:   stripe.Bool(false),
	}
	if cfg.URL != "" {
		bc.URL = stripe.String(strings.TrimSuffix(cfg.URL, "/"))
	}
	return client.New(cfg.Key, stripe.NewBackendsWithConfig(bc)), nil
}

// InvoiceActor is the audit log's actor of the invoicing steps (a job or a resumed run).
const InvoiceActor = "jobs:billing_invoice_month"

// invoiceRow is billing_invoices.
type invoiceRow struct {
	Payer       string
	InvoiceID   *string
	ItemsDone   int
	Status      string
	FinalizedAt *time.Time
}

// item is one invoice item to create: a statement line that is not zero, or the VAT.
type item struct {
	step   string // the idempotency key's step: item-<line index> or item-tva
	amount Cents
	desc   string
}

// idempotencyKey is the key of one Stripe call: cartable:<YYYY-MM>:<payer>:<step>. The same
// step of the same invoice always sends the same key, so that Stripe answers a repeated call
// with its first answer instead of doing it again.
func idempotencyKey(month time.Time, payer, step string) string {
	return "cartable:" + month.Format("2006-01") + ":" + payer + ":" + step
}

// Invoice makes and finalises the Stripe invoice of every département of the closed month
// whose invoice is not finalised yet, one step at a time: the customer (created once per
// département, kept in billing_customers), the draft invoice (auto_advance off, sent for
// payment within 30 days, no pending item swept in), one invoice item per non-zero line of
// the statement and one for the VAT, then the finalisation. Every call carries the
// idempotency key of its step and its result is recorded before the next call, so a run
// that dies anywhere resumes where it was, and a call repeated after a crash is answered by
// Stripe with its first result: nothing is billed twice. When every invoice of the month is
// finalised, billing_months.invoiced_at is set. The région is never invoiced.
//
// Stripe keeps idempotency keys 24 hours: a run interrupted between a call and its record
// must be resumed within that time (the periodic job retries every hour).
func (c *Closer) Invoice(ctx context.Context, month time.Time) error {
	month = MonthOf(month)
	if c.stripe == nil {
		return errors.New("billing: Invoice without a Stripe client (CARTABLE_STRIPE_KEY)")
	}
	db := c.store.db.WithContext(ctx)
	m, err := closedMonth(db, month)
	if err != nil {
		return fmt.Errorf("billing: read the close of %s: %w", month.Format("2006-01"), err)
	}
	if m == nil {
		return fault.New(fault.ErrNotFound, "Le mois de %s n'est pas clos : clôturez-le avant de facturer les départements.", formatMonth(month))
	}
	var rows []invoiceRow
	if err := db.Raw(`SELECT payer, invoice_id, items_done, status, finalized_at FROM platform.billing_invoices
		WHERE month = ? AND finalized_at IS NULL ORDER BY payer`, month).Scan(&rows).Error; err != nil {
		return fmt.Errorf("billing: invoices of %s: %w", month.Format("2006-01"), err)
	}
	for _, r := range rows {
		if err := c.invoiceOne(ctx, month, r); err != nil {
			return fmt.Errorf("billing: invoice of %s for %s: %w", r.Payer, month.Format("2006-01"), err)
		}
	}
	if err := db.Exec(`UPDATE platform.billing_months SET invoiced_at = ? WHERE month = ? AND invoiced_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM platform.billing_invoices WHERE month = ? AND finalized_at IS NULL)`,
		c.store.Now(), month, month).Error; err != nil {
		return fmt.Errorf("billing: mark %s invoiced: %w", month.Format("2006-01"), err)
	}
	return nil
}

// invoiceOne takes one département's invoice from where it is to finalised.
func (c *Closer) invoiceOne(ctx context.Context, month time.Time, r invoiceRow) error {
	db := c.store.db.WithContext(ctx)
	key := func(step string) *stripe.Params {
		p := &stripe.Params{Context: ctx}
		p.SetIdempotencyKey(idempotencyKey(month, r.Payer, step))
		return p
	}
	monthText := month.Format("2006-01")

	// 1. The customer, once per département.
	customer, err := c.customer(ctx, month, r.Payer, key("customer"))
	if err != nil {
		return err
	}

	// 2. The draft invoice.
	var st struct {
		Net, VAT, Gross int64
		Lines           string
	}
	if err := db.Raw(`SELECT net, vat, gross, lines::text AS lines FROM platform.billing_statements WHERE month = ? AND payer = ?`,
		month, r.Payer).Scan(&st).Error; err != nil {
		return fmt.Errorf("read the statement: %w", err)
	}
	var lines []Line
	if err := json.Unmarshal([]byte(st.Lines), &lines); err != nil {
		return fmt.Errorf("decode the statement's lines: %w", err)
	}
	if r.InvoiceID == nil {
		p := &stripe.InvoiceParams{
			Params:                      *key("invoice"),
			Customer:                    stripe.String(customer),
			AutoAdvance:                 stripe.Bool(false),
			CollectionMethod:            stripe.String(string(stripe.InvoiceCollectionMethodSendInvoice)),
			DaysUntilDue:                stripe.Int64(30),
			Currency:                    stripe.String(string(stripe.CurrencyEUR)),
			PendingInvoiceItemsBehavior: stripe.String("exclude"),
			Description:                 stripe.String("Cartable : part des coûts de la plateforme, " + formatMonth(month)),
		}
		p.AddMetadata("month", monthText)
		p.AddMetadata("payer", r.Payer)
		inv, err := c.stripe.Invoices.New(p)
		if err != nil {
			return fmt.Errorf("create the invoice: %w", err)
		}
		if err := db.Exec(`UPDATE platform.billing_invoices SET invoice_id = ? WHERE month = ? AND payer = ? AND invoice_id IS NULL`,
			inv.ID, month, r.Payer).Error; err != nil {
			return fmt.Errorf("record invoice %s: %w", inv.ID, err)
		}
		r.InvoiceID = &inv.ID
	}
	invoiceID := *r.InvoiceID

	// 3. The items, one per cost component, then the VAT.
	items := invoiceItems(lines)
	if st.VAT != 0 {
		items = append(items, item{step: "item-tva", amount: Cents(st.VAT), desc: "TVA sur " + FormatCents(Cents(st.Net))})
	}
	for i := r.ItemsDone; i < len(items); i++ {
		it := items[i]
		p := &stripe.InvoiceItemParams{
			Params:      *key(it.step),
			Customer:    stripe.String(customer),
			Invoice:     stripe.String(invoiceID),
			Amount:      stripe.Int64(int64(it.amount)),
			Currency:    stripe.String(string(stripe.CurrencyEUR)),
			Description: stripe.String(it.desc),
		}
		p.AddMetadata("month", monthText)
		p.AddMetadata("payer", r.Payer)
		p.AddMetadata("step", it.step)
		if _, err := c.stripe.InvoiceItems.New(p); err != nil {
			return fmt.Errorf("create invoice item %s: %w", it.step, err)
		}
		if err := db.Exec(`UPDATE platform.billing_invoices SET items_done = ? WHERE month = ? AND payer = ? AND items_done = ?`,
			i+1, month, r.Payer, i).Error; err != nil {
			return fmt.Errorf("record invoice item %s: %w", it.step, err)
		}
	}

	// 4. The finalisation.
	fp := &stripe.InvoiceFinalizeInvoiceParams{Params: *key("finalize"), AutoAdvance: stripe.Bool(false)}
	inv, err := c.stripe.Invoices.FinalizeInvoice(invoiceID, fp)
	if err != nil {
		// Finalised already (a run that died before its record, past Stripe's 24 hours)?
		got, gerr := c.stripe.Invoices.Get(invoiceID, &stripe.InvoiceParams{Params: stripe.Params{Context: ctx}})
		if gerr != nil || got.Status == stripe.InvoiceStatusDraft || got.Status == "" {
			return fmt.Errorf("finalize invoice %s: %w", invoiceID, err)
		}
		inv = got
	}
	now := c.store.Now()
	return db.Transaction(func(tx *gorm.DB) error {
		// A webhook may have told a state already (paid before this record): it stays.
		res := tx.Exec(`UPDATE platform.billing_invoices SET number = ?, hosted_url = ?, amount_due = ?,
				status = CASE WHEN status = 'en_preparation' THEN 'open' ELSE status END, status_at = ?, finalized_at = ?
			WHERE month = ? AND payer = ? AND finalized_at IS NULL`,
			nullable(inv.Number), nullable(inv.HostedInvoiceURL), inv.AmountDue, now, now, month, r.Payer)
		if res.Error != nil {
			return fmt.Errorf("record the finalised invoice %s: %w", invoiceID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // another run recorded it
		}
		return audit(tx, InvoiceActor, "billing.invoice", r.Payer, map[string]any{
			"month": monthText, "invoice_id": invoiceID, "number": inv.Number, "amount_due": inv.AmountDue,
			"gross": st.Gross, "items": len(items),
		})
	})
}

// customer is the département's Stripe customer id, created the first time (its name is
// the organisation's, its metadata the payer code).
func (c *Closer) customer(ctx context.Context, month time.Time, payer string, params *stripe.Params) (string, error) {
	db := c.store.db.WithContext(ctx)
	var org struct {
		Name       string
		CustomerID *string
	}
	if err := db.Raw(`SELECT o.name, c.customer_id FROM platform.organisations o
		LEFT JOIN platform.billing_customers c ON c.payer = o.code WHERE o.code = ?`, payer).Scan(&org).Error; err != nil {
		return "", fmt.Errorf("read the customer: %w", err)
	}
	if org.CustomerID != nil {
		return *org.CustomerID, nil
	}
	p := &stripe.CustomerParams{Params: *params, Name: stripe.String(org.Name), PreferredLocales: []*string{stripe.String("fr-FR")}}
	p.AddMetadata("payer", payer)
	cu, err := c.stripe.Customers.New(p)
	if err != nil {
		return "", fmt.Errorf("create the customer: %w", err)
	}
	if err := db.Exec(`INSERT INTO platform.billing_customers (payer, customer_id, created_at) VALUES (?, ?, ?) ON CONFLICT (payer) DO NOTHING`,
		payer, cu.ID, c.store.Now()).Error; err != nil {
		return "", fmt.Errorf("record customer %s: %w", cu.ID, err)
	}
	var id string
	if err := db.Raw(`SELECT customer_id FROM platform.billing_customers WHERE payer = ?`, payer).Scan(&id).Error; err != nil {
		return "", fmt.Errorf("read the customer: %w", err)
	}
	return id, nil
}

// nullable is NULL for an empty string.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// invoiceItems are the invoice's items for a statement's lines: one per cost component
// (subscriptions, active pupils, storage, the platform's share), in that order, each the sum
// of the component's lines and saying over how many establishments; zero components are
// left out. A département's statement has three lines per collège, and Stripe takes at most
// 250 items per invoice: the detail is the statement (page, PDF, CSV), which the invoice's
// description names.
func invoiceItems(lines []Line) []item {
	order := []string{ComponentSchool, ComponentPupils, ComponentStorage, ComponentPlatform}
	sums := map[string]Cents{}
	schools := map[string]map[string]bool{}
	for _, l := range lines {
		if _, known := componentItemLabels[l.Component]; !known && !slices.Contains(order, l.Component) {
			order = append(order, l.Component) // a line of no known component still gets billed
		}
		sums[l.Component] += l.Amount
		if l.UAI != "" {
			if schools[l.Component] == nil {
				schools[l.Component] = map[string]bool{}
			}
			schools[l.Component][l.UAI] = true
		}
	}
	var items []item
	for _, c := range order {
		if sums[c] == 0 {
			continue
		}
		desc := cmp.Or(componentItemLabels[c], "Autres coûts")
		if n := len(schools[c]); n > 0 {
			desc += fmt.Sprintf(" — %s %s", formatCount(int64(n)), plural(n, "établissement", "établissements"))
		}
		items = append(items, item{step: "item-" + c, amount: sums[c], desc: desc + " (détail : relevé de répartition)"})
	}
	return items
}

// componentItemLabels name an invoice's items.
var componentItemLabels = map[string]string{
	ComponentSchool:   "Abonnements des établissements",
	ComponentPupils:   "Élèves actifs",
	ComponentStorage:  "Stockage des fichiers",
	ComponentPlatform: "Part des coûts fixes de la plateforme",
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
