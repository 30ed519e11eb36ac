// Package billingtest makes billing data for tests: a closed month frozen from a usage (the
// real allocation, written as the close writes it) and invoices in a given state, so that the
// consoles' tests need neither the metering nor Stripe.
package billingtest

import (
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
)

// CloseMonth allocates month from usage under the tariff in force and writes the month's
// close and every payer's statement, as the monthly close does; it returns the statements.
func CloseMonth(t testing.TB, s *billing.Store, month time.Time, usage []billing.Usage) []billing.Statement {
	t.Helper()
	ctx := t.Context()
	m := billing.MonthOf(month)
	tariff, err := s.TariffFor(ctx, m)
	if err != nil {
		t.Fatalf("close %s: %v", m.Format("2006-01"), err)
	}
	sts, err := billing.Allocate(m, tariff, usage)
	if err != nil {
		t.Fatalf("allocate %s: %v", m.Format("2006-01"), err)
	}
	db := s.DB().WithContext(ctx)
	if err := db.Exec(`INSERT INTO platform.billing_months (month, tariff_id, closed_by) VALUES (?, ?, 'test')`, m, tariff.ID).Error; err != nil {
		t.Fatalf("close %s: %v", m.Format("2006-01"), err)
	}
	for _, st := range sts {
		lines, err := billing.StatementLinesJSON(st)
		if err != nil {
			t.Fatal(err)
		}
		var mine []billing.Usage
		for _, u := range usage {
			if u.Payer == st.Payer {
				mine = append(mine, u)
			}
		}
		us, err := billing.UsageJSON(mine)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`INSERT INTO platform.billing_statements (month, payer, net, vat, gross, lines, usage) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m, st.Payer, st.Net, st.VAT, st.Gross, string(lines), string(us)).Error; err != nil {
			t.Fatalf("statement of %s for %s: %v", st.Payer, m.Format("2006-01"), err)
		}
	}
	return sts
}

// Invoice records payer's invoice of a closed month in status, with Stripe's hosted page.
func Invoice(t testing.TB, s *billing.Store, month time.Time, payer, status, hostedURL string, amount billing.Cents) {
	t.Helper()
	m := billing.MonthOf(month)
	if err := s.DB().WithContext(t.Context()).Exec(`INSERT INTO platform.billing_invoices (month, payer, invoice_id, number, hosted_url, amount_due, status)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m, payer, "in_test_"+m.Format("200601")+"_"+payer, "CART-"+m.Format("200601")+"-"+payer, hostedURL, amount, status).Error; err != nil {
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
