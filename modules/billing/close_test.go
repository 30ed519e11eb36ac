package billing

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76/client"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// afterNovember is the clock of the close tests: 2 December 2026, 10:00 in Paris.
var afterNovember = time.Date(2026, time.December, 2, 10, 0, 0, 0, testenv.Paris)

// closeUsage is November 2026's fixed usage: two lycées of the région, collèges of Gironde
// (one from the 16th) and of Dordogne.
func closeUsage() []Usage {
	return []Usage{
		lycee("0330021U", "Lycée Montaigne", 900),
		lycee("0330022V", "Lycée Camille Jullian", 700),
		college("0331234A", "Collège Cheverus", "33", 30, 400),
		college("0331235B", "Collège Aliénor", "33", 15, 300),
		college("0241234C", "Collège Bertran de Born", "24", 30, 250),
	}
}

func fixedUsage(u []Usage) UsageFunc {
	return func(context.Context, time.Time) ([]Usage, error) { return u, nil }
}

// billingDB is a migrated platform database for the billing tests.
func billingDB(t testing.TB) *gorm.DB {
	t.Helper()
	return tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 4}).Platform()
}

// newTestStore is a store on db at the fixed instant now, with the allocation tests' tariff
// in force since January 2026.
func newTestStore(t testing.TB, db *gorm.DB, now time.Time) *Store {
	t.Helper()
	s := NewStore(db, func() time.Time { return now })
	tariff := allocTariff()
	tariff.EffectiveFrom = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.SetTariff(context.Background(), "user:region", tariff); err != nil {
		t.Fatalf("SetTariff: %v", err)
	}
	return s
}

func count(t testing.TB, db *gorm.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// stripeCall is one request the proxy forwarded to stripe-mock.
type stripeCall struct {
	Method, Path, Key string
	Form              url.Values
}

// stripeProxy is a counting reverse proxy in front of stripe-mock: it records every call
// and may act after forwarding a response (the crash test kills its child there).
type stripeProxy struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []stripeCall
	after func(c stripeCall, w http.ResponseWriter)
}

func newStripeProxy(t testing.TB) *stripeProxy {
	t.Helper()
	target, err := url.Parse(testenv.StripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &stripeProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		c := stripeCall{Method: r.Method, Path: r.URL.Path, Key: r.Header.Get("Idempotency-Key"), Form: form}
		p.mu.Lock()
		p.calls = append(p.calls, c)
		after := p.after
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
		if after != nil {
			after(c, w)
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// OnForwarded sets what the proxy does after forwarding each call's answer.
func (p *stripeProxy) OnForwarded(f func(c stripeCall, w http.ResponseWriter)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.after = f
}

func (p *stripeProxy) Calls() []stripeCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]stripeCall(nil), p.calls...)
}

func (p *stripeProxy) client(t testing.TB) *client.API {
	t.Helper()
	api, err := NewStripe(StripeConfig{Key: "sk_test_cartable", URL: p.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// TestCloseAgainstStripeMock: November is closed (statements, invoices to make, audit), then
// invoiced through stripe-mock: one customer and one finalised invoice per département, whose
// items are the statement's lines and the VAT; the région is not invoiced; a second run
// sends nothing.
func TestCloseAgainstStripeMock(t *testing.T) {
	ctx := context.Background()
	db := billingDB(t)
	store := newTestStore(t, db, afterNovember)
	proxy := newStripeProxy(t)
	closer := NewCloser(store, fixedUsage(closeUsage()), proxy.client(t))

	preview, tariff, err := closer.Preview(ctx, november2026)
	if err != nil {
		t.Fatalf("Preview: %v", err)
	}
	if len(preview) != 3 || tariff.PupilMonth != 10 {
		t.Fatalf("Preview: %d statements, tariff %+v", len(preview), tariff)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_months`); n != 0 {
		t.Fatalf("Preview wrote %d months", n)
	}

	if err := closer.Close(ctx, november2026, "user:region"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_statements WHERE month = ?`, november2026); n != 3 {
		t.Errorf("%d statements, want 3 (région, 24, 33)", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_invoices WHERE month = ? AND status = 'en_preparation'`, november2026); n != 2 {
		t.Errorf("%d invoices to make, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_invoices WHERE payer = 'region'`); n != 0 {
		t.Errorf("the région has %d invoices", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.audit_log WHERE action = 'billing.close' AND actor = 'user:region'`); n != 1 {
		t.Errorf("%d billing.close audit lines", n)
	}
	// The frozen statement is the preview's.
	var gross int64
	db.Raw(`SELECT gross FROM platform.billing_statements WHERE month = ? AND payer = '33'`, november2026).Scan(&gross)
	if want := statementOf(t, preview, "33").Gross; Cents(gross) != want {
		t.Errorf("Gironde's frozen gross %d, preview %d", gross, want)
	}

	if err := closer.Invoice(ctx, november2026); err != nil {
		t.Fatalf("Invoice: %v", err)
	}
	calls := proxy.Calls()
	for _, payer := range []string{"24", "33"} {
		st := statementOf(t, preview, payer)
		var customers, invoices, items, finalize []stripeCall
		for _, c := range calls {
			if !strings.HasPrefix(c.Key, "cartable:2026-11:"+payer+":") {
				continue
			}
			switch {
			case c.Path == "/v1/customers":
				customers = append(customers, c)
			case c.Path == "/v1/invoices":
				invoices = append(invoices, c)
			case c.Path == "/v1/invoiceitems":
				items = append(items, c)
			case strings.HasSuffix(c.Path, "/finalize"):
				finalize = append(finalize, c)
			default:
				t.Errorf("unexpected call %s %s", c.Method, c.Path)
			}
		}
		if len(customers) != 1 || customers[0].Form.Get("metadata[payer]") != payer {
			t.Errorf("%s: customers %+v", payer, customers)
		}
		if len(invoices) != 1 {
			t.Fatalf("%s: %d invoices created", payer, len(invoices))
		}
		f := invoices[0].Form
		if f.Get("auto_advance") != "false" || f.Get("collection_method") != "send_invoice" || f.Get("days_until_due") != "30" ||
			f.Get("metadata[month]") != "2026-11" || f.Get("metadata[payer]") != payer || f.Get("currency") != "eur" {
			t.Errorf("%s: invoice params %v", payer, f)
		}
		// One item per component (the statement's lines of that component added up), then
		// the VAT: Stripe takes at most 250 items, a département has three lines per collège.
		var want []string
		var sum Cents
		for _, c := range []string{ComponentSchool, ComponentPupils, ComponentStorage, ComponentPlatform} {
			var part Cents
			for _, l := range st.Lines {
				if l.Component == c {
					part += l.Amount
				}
			}
			if part != 0 {
				want = append(want, fmt.Sprintf("item-%s %d", c, part))
				sum += part
			}
		}
		want = append(want, fmt.Sprintf("item-tva %d", st.VAT))
		sum += st.VAT
		var got []string
		for _, c := range items {
			if c.Form.Get("currency") != "eur" || c.Form.Get("invoice") == "" || c.Form.Get("customer") == "" {
				t.Errorf("%s: item %v", payer, c.Form)
			}
			if d := c.Form.Get("description"); d == "" || (!strings.Contains(d, "relevé de répartition") && !strings.HasPrefix(d, "TVA sur ")) {
				t.Errorf("%s: item %s described %q", payer, c.Key, d)
			}
			step := strings.TrimPrefix(c.Key, "cartable:2026-11:"+payer+":")
			got = append(got, step+" "+c.Form.Get("amount"))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: items sent\n%q\nwant the statement's components\n%q", payer, got, want)
		}
		if sum != st.Gross {
			t.Errorf("%s: items add up to %d, gross %d", payer, sum, st.Gross)
		}
		if len(finalize) != 1 {
			t.Errorf("%s: %d finalisations", payer, len(finalize))
		}
	}
	for _, c := range calls {
		if strings.Contains(c.Key, ":region:") || c.Form.Get("metadata[payer]") == RegionPayer {
			t.Errorf("the région was sent to Stripe: %+v", c)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_invoices WHERE month = ? AND status = 'open' AND finalized_at IS NOT NULL AND invoice_id LIKE 'in_%' AND items_done > 0`, november2026); n != 2 {
		t.Errorf("%d finalised invoices, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_customers`); n != 2 {
		t.Errorf("%d customers, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_months WHERE month = ? AND invoiced_at IS NOT NULL`, november2026); n != 1 {
		t.Error("billing_months.invoiced_at not set")
	}
	if n := count(t, db, `SELECT count(*) FROM platform.audit_log WHERE action = 'billing.invoice'`); n != 2 {
		t.Errorf("%d billing.invoice audit lines, want 2", n)
	}
	if months, err := store.MonthsToInvoice(ctx); err != nil || len(months) != 0 {
		t.Errorf("MonthsToInvoice after the invoicing: %v, %v", months, err)
	}

	// A second run has nothing to do.
	before := len(proxy.Calls())
	if err := closer.Invoice(ctx, november2026); err != nil {
		t.Fatalf("Invoice again: %v", err)
	}
	if n := len(proxy.Calls()) - before; n != 0 {
		t.Errorf("the second run sent %d calls to Stripe", n)
	}
}

// TestCloseRefusesAMonthNotOver: at 23:30 on 30 November in Paris November is not over; at
// 00:30 on 1 December (23:30 UTC on the 30th) it is.
func TestCloseRefusesAMonthNotOver(t *testing.T) {
	ctx := context.Background()
	db := billingDB(t)
	late := time.Date(2026, time.November, 30, 23, 30, 0, 0, testenv.Paris)
	closer := NewCloser(newTestStore(t, db, late), fixedUsage(closeUsage()), nil)
	err := closer.Close(ctx, november2026, "user:region")
	var m *fault.Message
	if !errors.Is(err, fault.ErrConflict) || !errors.As(err, &m) || !strings.Contains(err.Error(), "novembre 2026 n'est pas terminé") {
		t.Fatalf("Close before the month's end: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_months`); n != 0 {
		t.Fatalf("%d months closed", n)
	}
	next := time.Date(2026, time.November, 30, 23, 30, 0, 0, time.UTC) // 1 December, 00:30 in Paris
	closer = NewCloser(NewStore(db, func() time.Time { return next }), fixedUsage(closeUsage()), nil)
	if err := closer.Close(ctx, november2026, "user:region"); err != nil {
		t.Fatalf("Close on 1 December in Paris: %v", err)
	}
	// December itself is not over.
	if err := closer.Close(ctx, next, "user:region"); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("Close of December on its first day: %v", err)
	}
}

// TestCloseTwice: a closed month cannot be closed again, its statements do not change, and
// its metering is frozen.
func TestCloseTwice(t *testing.T) {
	ctx := context.Background()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 4})
	db := reg.Platform()
	store := newTestStore(t, db, afterNovember)
	closer := NewCloser(store, fixedUsage(closeUsage()), nil)
	if err := closer.Close(ctx, november2026, "user:region"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Another usage the second time: nothing of it may be written.
	more := append(closeUsage(), college("0401234D", "Collège des Landes", "40", 30, 100))
	err := NewCloser(store, fixedUsage(more), nil).Close(ctx, november2026, "user:other")
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "novembre 2026 est déjà clos") || !strings.Contains(err.Error(), "user:region") {
		t.Fatalf("second Close: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_statements`); n != 3 {
		t.Errorf("%d statements after the second close, want 3", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.audit_log WHERE action = 'billing.close'`); n != 1 {
		t.Errorf("%d billing.close audit lines", n)
	}
	// The trigger freezes the month's metering.
	tn := tenanttest.Provision(t, reg, tenanttest.UAI(33, 1), "Lycée Gelé", "lycee")
	err = db.Exec(`INSERT INTO platform.billing_usage_days (tenant_id, day, profile, active, accounts) VALUES (?, '2026-11-15', 'eleve', 1, 1)`, tn.ID).Error
	if err == nil || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("metering a closed month's day: %v", err)
	}
	if err := db.Exec(`INSERT INTO platform.billing_usage_days (tenant_id, day, profile, active, accounts) VALUES (?, '2026-12-01', 'eleve', 1, 1)`, tn.ID).Error; err != nil {
		t.Errorf("metering December: %v", err)
	}
	// A tariff cannot take effect in the closed month any more.
	tariff := allocTariff()
	tariff.EffectiveFrom = november2026
	if _, err := store.SetTariff(ctx, "user:region", tariff); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("SetTariff in a closed month: %v", err)
	}
}

// BenchmarkCloseMonth: a month of 1,000 establishments (the région's lycées and 5
// départements' collèges) closed; one month per iteration.
func BenchmarkCloseMonth(b *testing.B) {
	ctx := context.Background()
	db := billingDB(b)
	store := newTestStore(b, db, time.Date(2040, time.January, 1, 0, 0, 0, 0, time.UTC))
	depts := []string{"24", "33", "40", "47", "64"}
	for i := 0; b.Loop(); i++ {
		month := time.Date(2026, time.January+time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		days := daysIn(month)
		usage := make([]Usage, 0, 1000)
		for n := range 1000 {
			u := Usage{UAI: fmt.Sprintf("%07dX", n), Name: fmt.Sprintf("Établissement %d", n), DaysInMonth: days,
				BilledDays: days, ActivePupils: 300 + n%700, Accounts: 500 + n%900, ByteDays: int64(n) * 1e9 * int64(days)}
			if n < 300 {
				u.Kind, u.Payer = "lycee", RegionPayer
			} else {
				u.Kind, u.Payer = "college", depts[n%len(depts)]
			}
			usage = append(usage, u)
		}
		if err := NewCloser(store, fixedUsage(usage), nil).Close(ctx, month, "bench"); err != nil {
			b.Fatalf("Close %s: %v", month.Format("2006-01"), err)
		}
	}
}

// fakeQueue records what the close enqueues in its transaction.
type fakeQueue struct{ args []river.JobArgs }

func (q *fakeQueue) InsertTx(tx *gorm.DB, t *tenant.Tenant, args river.JobArgs, at time.Time) error {
	if _, ok := tx.Statement.ConnPool.(*sql.Tx); !ok {
		return errors.New("not in a transaction")
	}
	q.args = append(q.args, args)
	return nil
}

// TestInvoiceJobs: the close enqueues the month's invoicing in its transaction; the job
// resumption invoices the month; the month's job then sends nothing.
func TestInvoiceJobs(t *testing.T) {
	ctx := context.Background()
	db := billingDB(t)
	store := newTestStore(t, db, afterNovember)
	proxy := newStripeProxy(t)
	closer := NewCloser(store, fixedUsage(closeUsage()), proxy.client(t))
	q := &fakeQueue{}
	jobs := RegisterJobs(closer, q, nil)
	if err := closer.Close(ctx, november2026, "user:region"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if len(q.args) != 1 || q.args[0] != (InvoiceMonth{Month: "2026-11"}) {
		t.Fatalf("enqueued %v", q.args)
	}
	// The periodic resumption invoices the closed month (a close whose job was lost)...
	if err := (&resumeWorker{j: jobs}).Work(ctx, nil); err != nil {
		t.Fatalf("billing_resume_invoices: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_months WHERE invoiced_at IS NOT NULL`); n != 1 {
		t.Fatal("the resumption did not invoice the month")
	}
	// ... and the month's own job, coming after, has nothing left to send.
	before := len(proxy.Calls())
	if err := (&invoiceWorker{j: jobs}).Work(ctx, &river.Job[InvoiceMonth]{Args: InvoiceMonth{Month: "2026-11"}}); err != nil || len(proxy.Calls()) != before {
		t.Fatalf("billing_invoice_month after the invoicing: %v, %d calls", err, len(proxy.Calls())-before)
	}
	if len(jobs.PeriodicJobs()) != 1 || len(jobs.JobLabels()) != 2 {
		t.Errorf("periodic %d, labels %v", len(jobs.PeriodicJobs()), jobs.JobLabels())
	}
}

// TestInvoiceItemsPerComponent: a département of 150 collèges (450 lines, over Stripe's 250
// items per invoice) is invoiced in four items that add up to its net to the cent, each
// saying over how many establishments.
func TestInvoiceItemsPerComponent(t *testing.T) {
	var usage []Usage
	for i := range 150 {
		usage = append(usage, Usage{UAI: fmt.Sprintf("0330%03dA", i), Name: fmt.Sprintf("Collège %d", i), Kind: "college", Payer: "33",
			BilledDays: 30, DaysInMonth: 30, ActivePupils: 100 + i, Accounts: 400, ByteDays: int64(i) * 30e9})
	}
	sts, err := Allocate(november2026, Tariff{PlatformMonth: 1000_00, PupilMonth: 12, SchoolMonth: 25_00, GBMonth: 3, VATBasis: 2000}, usage)
	if err != nil {
		t.Fatal(err)
	}
	st := sts[len(sts)-1]
	items := invoiceItems(st.Lines)
	if len(items) != 4 {
		t.Fatalf("%d items for %d lines, want 4: %+v", len(items), len(st.Lines), items)
	}
	var sum Cents
	for _, it := range items {
		sum += it.amount
	}
	if sum != st.Net {
		t.Errorf("items add up to %d, net %d", sum, st.Net)
	}
	if !strings.Contains(items[0].desc, "150 établissements") {
		t.Errorf("first item %q does not say how many establishments", items[0].desc)
	}
}
