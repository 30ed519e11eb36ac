package billing

// The monthly close (issue 12 §4): once a month is over, the région closes it. In one
// transaction the month's allocation is frozen (billing_months, one billing_statements row
// per payer, one billing_invoices row per département that owes something) and the
// database's trigger then refuses any write to the month's metering. Invoicing the
// départements through Stripe comes after (Invoice, stripe.go), step by step and resumable.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v76/client"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// UsageFunc reads the usage of every establishment during a month ((*Store).MonthUsage).
type UsageFunc func(ctx context.Context, month time.Time) ([]Usage, error)

// Closer closes months and invoices the départements.
type Closer struct {
	store  *Store
	usage  UsageFunc
	stripe *client.API
	// enqueue, set by RegisterJobs, enqueues the month's invoicing in the close's transaction.
	enqueue func(tx *gorm.DB, month time.Time) error
}

// NewCloser binds the close to the store, the month's usage (store.MonthUsage) and Stripe
// (NewStripe; nil when only Preview and Close are used).
func NewCloser(store *Store, usage func(ctx context.Context, month time.Time) ([]Usage, error), stripe *client.API) *Closer {
	return &Closer{store: store, usage: usage, stripe: stripe}
}

// Store is the closer's store.
func (c *Closer) Store() *Store { return c.store }

// Preview is the dry run of the close: the month's statements and the tariff they use, as
// Close would freeze them now, without writing anything.
func (c *Closer) Preview(ctx context.Context, month time.Time) ([]Statement, Tariff, error) {
	month = MonthOf(month)
	t, err := c.store.TariffFor(ctx, month)
	if err != nil {
		return nil, Tariff{}, err
	}
	usage, err := c.usage(ctx, month)
	if err != nil {
		return nil, Tariff{}, fmt.Errorf("billing: usage of %s: %w", month.Format("2006-01"), err)
	}
	sts, err := Allocate(month, t, usage)
	if err != nil {
		return nil, Tariff{}, err
	}
	return sts, t, nil
}

// Close freezes month's allocation: the month must be over (Europe/Paris, by the store's
// clock) and not yet closed (else a fault.Message of kind ErrConflict). In one transaction:
// the billing_months row with the tariff in force, one statement per payer with its lines
// and its establishments' usage, one invoice to prepare per département whose statement is
// more than zero (the région's statement is internal), and the audit line billing.close.
// The month's metering is frozen from then on (trigger BIL01). Invoicing is Invoice's work.
func (c *Closer) Close(ctx context.Context, month time.Time, actor string) error {
	month = MonthOf(month)
	now := c.store.Now()
	if !MonthOf(now).After(month) {
		next := month.AddDate(0, 1, 0)
		return fault.New(fault.ErrConflict, "Le mois de %s n'est pas terminé : il pourra être clos à partir du 1er %s.", formatMonth(month), formatMonth(next))
	}
	err := c.store.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// No tariff version may be written while the month closes on one (SetTariff checks
		// the closed months under its own transaction; this waits for it, or it for us), and
		// no day metered (a late billing_meter_day) between the usage read below and the
		// commit that freezes the month: the metering waits for the close, then finds the
		// month closed (trigger BIL01) and skips it.
		if err := tx.Exec(`LOCK TABLE platform.billing_tariffs, platform.billing_usage_days, platform.billing_storage_days IN SHARE MODE`).Error; err != nil {
			return err
		}
		usage, err := c.usage(withTx(ctx, tx), month)
		if err != nil {
			return fmt.Errorf("usage of %s: %w", month.Format("2006-01"), err)
		}
		byPayer := map[string][]Usage{}
		for _, u := range usage {
			byPayer[u.Payer] = append(byPayer[u.Payer], u)
		}
		if done, err := closedMonth(tx, month); err != nil {
			return err
		} else if done != nil {
			return fault.New(fault.ErrConflict, "Le mois de %s est déjà clos (le %s, par %s) : ses relevés ne changent plus.",
				formatMonth(month), done.ClosedAt.In(Paris).Format("02/01/2006 à 15:04"), done.ClosedBy)
		}
		t, err := tariffFor(tx, month)
		if err != nil {
			return err
		}
		sts, err := Allocate(month, t, usage)
		if err != nil {
			return err
		}
		res := tx.Exec(`INSERT INTO platform.billing_months (month, tariff_id, closed_at, closed_by) VALUES (?, ?, ?, ?) ON CONFLICT (month) DO NOTHING`,
			month, t.ID, now, actor)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // closed by another transaction meanwhile
			return fault.New(fault.ErrConflict, "Le mois de %s vient d'être clos par une autre action : ses relevés ne changent plus.", formatMonth(month))
		}
		invoiced := []string{}
		for _, s := range sts {
			lj, err := json.Marshal(s.Lines)
			if err != nil {
				return err
			}
			u := byPayer[s.Payer]
			if u == nil {
				u = []Usage{}
			}
			uj, err := json.Marshal(u)
			if err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO platform.billing_statements (month, payer, net, vat, gross, lines, usage) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				month, s.Payer, int64(s.Net), int64(s.VAT), int64(s.Gross), string(lj), string(uj)).Error; err != nil {
				return fmt.Errorf("statement of %s: %w", s.Payer, err)
			}
			if s.Payer != RegionPayer && s.Gross > 0 {
				if err := tx.Exec(`INSERT INTO platform.billing_invoices (month, payer, status_at) VALUES (?, ?, ?)`, month, s.Payer, now).Error; err != nil {
					return fmt.Errorf("invoice of %s: %w", s.Payer, err)
				}
				invoiced = append(invoiced, s.Payer)
			}
		}
		if c.enqueue != nil && len(invoiced) > 0 {
			if err := c.enqueue(tx, month); err != nil {
				return err
			}
		}
		return audit(tx, actor, "billing.close", RegionPayer, map[string]any{
			"month": month.Format("2006-01"), "tariff_id": t.ID, "statements": len(sts), "invoices": invoiced,
		})
	})
	if err != nil {
		var m *fault.Message
		if errors.As(err, &m) {
			return err
		}
		var inv *fault.Invalid
		if errors.As(err, &inv) {
			return err
		}
		return fmt.Errorf("billing: close %s: %w", month.Format("2006-01"), err)
	}
	return nil
}

// monthRow is billing_months.
type monthRow struct {
	Month      time.Time
	TariffID   int64
	ClosedAt   time.Time
	ClosedBy   string
	InvoicedAt *time.Time
}

// closedMonth is month's billing_months row, or nil when it is not closed.
func closedMonth(db *gorm.DB, month time.Time) (*monthRow, error) {
	var rows []monthRow
	if err := db.Raw(`SELECT month, tariff_id, closed_at, closed_by, invoiced_at FROM platform.billing_months WHERE month = ?`, month).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// MonthsToInvoice are the closed months whose invoicing is not finished (invoiced_at unset),
// the oldest first: what the periodic job resumes.
func (s *Store) MonthsToInvoice(ctx context.Context) ([]time.Time, error) {
	var months []time.Time
	if err := s.db.WithContext(ctx).Raw(`SELECT month FROM platform.billing_months WHERE invoiced_at IS NULL ORDER BY month`).Scan(&months).Error; err != nil {
		return nil, fmt.Errorf("billing: months to invoice: %w", err)
	}
	for i, m := range months {
		months[i] = time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return months, nil
}
