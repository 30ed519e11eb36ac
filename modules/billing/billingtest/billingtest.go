// Package billingtest makes billing data for tests: a closed month frozen from a usage (the
// real allocation, written as the close writes it) and invoices in a given state, so that the
// consoles' tests need neither the metering nor Stripe.
package billingtest

import (
	"context"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
)

// CloseMonth closes month with the real monthly close (billing.Closer) on the given usage
// instead of the metering, under the tariff in force and the store's clock, and returns the
// statements it froze.
func CloseMonth(t testing.TB, s *billing.Store, month time.Time, usage []billing.Usage) []billing.Statement {
	t.Helper()
	m := billing.MonthOf(month)
	closer := billing.NewCloser(s, func(context.Context, time.Time) ([]billing.Usage, error) { return usage, nil }, nil)
	sts, _, err := closer.Preview(t.Context(), m)
	if err != nil {
		t.Fatalf("preview %s: %v", m.Format("2006-01"), err)
	}
	if err := closer.Close(t.Context(), m, "test"); err != nil {
		t.Fatalf("close %s: %v", m.Format("2006-01"), err)
	}
	return sts
}

// Invoice records payer's invoice of a closed month in status, with Stripe's hosted page.
func Invoice(t testing.TB, s *billing.Store, month time.Time, payer, status, hostedURL string, amount billing.Cents) {
	t.Helper()
	m := billing.MonthOf(month)
	if err := s.DB().WithContext(t.Context()).Exec(`INSERT INTO platform.billing_invoices (month, payer, invoice_id, number, hosted_url, amount_due, status)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (month, payer) DO UPDATE SET invoice_id = excluded.invoice_id, number = excluded.number,
			hosted_url = excluded.hosted_url, amount_due = excluded.amount_due, status = excluded.status`, m, payer, "in_test_"+m.Format("200601")+"_"+payer, "CART-"+m.Format("200601")+"-"+payer, hostedURL, amount, status).Error; err != nil {
		t.Fatalf("invoice of %s for %s: %v", payer, m.Format("2006-01"), err)
	}
}

// Tariff sets a tariff from month: 100,00 € of platform, 1,00 € per active pupil, 10,00 € per
// establishment, 0,50 € per GB-month, VAT 20 %, split by active pupils.
func Tariff(t testing.TB, s *billing.Store, month time.Time) billing.Tariff {
	t.Helper()
	tr, err := s.SetTariff(t.Context(), "test", billing.Tariff{EffectiveFrom: billing.MonthOf(month), PlatformMonth: 10000, PupilMonth: 100,
		SchoolMonth: 1000, GBMonth: 50, VATBasis: 2000, Key: billing.KeyActivePupils})
	if err != nil {
		t.Fatalf("set the tariff: %v", err)
	}
	return tr
}
