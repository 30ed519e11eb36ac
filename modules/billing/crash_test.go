package billing

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// The child process of TestInvoiceCrash reads these.
const (
	envCrashDSN    = "CARTABLE_BILLING_CRASH_DSN"
	envCrashStripe = "CARTABLE_BILLING_CRASH_STRIPE"
)

// TestHelperInvoiceProcess is the child of TestInvoiceCrash: it invoices November against
// its parent's proxy, which kills it mid-way. Run alone, it has nothing to do.
func TestHelperInvoiceProcess(t *testing.T) {
	dsn, stripeURL := os.Getenv(envCrashDSN), os.Getenv(envCrashStripe)
	if dsn == "" || stripeURL == "" {
		return // not started by TestInvoiceCrash
	}
	db := tenanttest.OpenDSN(t, dsn, tenant.PoolOptions{MaxOpenConns: 2})
	api, err := NewStripe(StripeConfig{Key: "sk_test_cartable", URL: stripeURL})
	if err != nil {
		t.Fatal(err)
	}
	closer := NewCloser(NewStore(db, func() time.Time { return afterNovember }), fixedUsage(closeUsage()), api)
	if err := closer.Invoice(context.Background(), november2026); err != nil {
		t.Fatalf("child Invoice: %v", err)
	}
}

// TestInvoiceCrash: the invoicing process (this test binary re-executed) is killed
// (SIGKILL) by the proxy in front of stripe-mock right after Stripe answered one of its
// calls, before it could record the answer; the invoicing is run again, in this
// process: each département has one invoice, made with one idempotency key per step (the
// retry re-sent the killed step's key), and the month is invoiced.
func TestInvoiceCrash(t *testing.T) {
	for _, tc := range []struct {
		name   string
		killAt string // the step after whose answer the child dies
	}{
		{"after the invoice is created", "cartable:2026-11:33:invoice"},
		{"after an item", "cartable:2026-11:24:item-eleves_actifs"},
		{"after the finalisation", "cartable:2026-11:24:finalize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := testenv.NewDatabase(t)
			db := tenanttest.OpenDSN(t, dsn, tenant.PoolOptions{MaxOpenConns: 4})
			tenanttest.RegistryOn(t, db, tenant.Options{})
			store := newTestStore(t, db, afterNovember)
			closer := NewCloser(store, fixedUsage(closeUsage()), nil)
			if err := closer.Close(ctx, november2026, "user:region"); err != nil {
				t.Fatalf("Close: %v", err)
			}

			proxy := newStripeProxy(t)
			var mu sync.Mutex
			var child *exec.Cmd
			killed := false
			proxy.OnForwarded(func(c stripeCall, _ http.ResponseWriter) {
				if c.Key != tc.killAt {
					return
				}
				// Stripe did it and its answer is written; the child dies before the answer's
				// end reaches it (it is sent when this handler returns), so it can never
				// record it: a crash between Stripe's work and our record, every time.
				mu.Lock()
				defer mu.Unlock()
				if child != nil && !killed {
					killed = true
					_ = child.Process.Kill()
				}
			})
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperInvoiceProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), envCrashDSN+"="+dsn, envCrashStripe+"="+proxy.srv.URL)
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			mu.Lock()
			if err := cmd.Start(); err != nil {
				mu.Unlock()
				t.Fatalf("starting the child: %v", err)
			}
			child = cmd
			mu.Unlock()
			err := cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the child was not killed at %s: %v\n%s", tc.killAt, err, out.String())
			}
			crashed := len(proxy.Calls())

			// The resumption, in this process: the periodic job's work.
			api := proxy.client(t)
			closer = NewCloser(store, fixedUsage(closeUsage()), api)
			months, err := store.MonthsToInvoice(ctx)
			if err != nil || len(months) != 1 || !months[0].Equal(november2026) {
				t.Fatalf("MonthsToInvoice after the crash: %v, %v", months, err)
			}
			if err := closer.Invoice(ctx, november2026); err != nil {
				t.Fatalf("Invoice after the crash: %v", err)
			}
			calls := proxy.Calls()
			t.Logf("killed after call %d (%s); the retry made %d calls", crashed, tc.killAt, len(calls)-crashed)

			keys := map[string]int{} // each key: how many times it was sent
			for _, c := range calls {
				if c.Key == "" {
					t.Errorf("a call without idempotency key: %s %s", c.Method, c.Path)
				}
				keys[c.Key]++
			}
			if keys[tc.killAt] != 2 {
				t.Errorf("the killed step %s was sent %d times, want 2 (the same key re-sent)", tc.killAt, keys[tc.killAt])
			}
			for _, payer := range []string{"24", "33"} {
				creates := map[string]int{}
				finals := 0
				for _, c := range calls {
					if c.Form.Get("metadata[payer]") == payer && c.Path == "/v1/invoices" {
						creates[c.Key]++
					}
					if strings.HasPrefix(c.Key, "cartable:2026-11:"+payer+":") && strings.HasSuffix(c.Path, "/finalize") {
						finals++
					}
				}
				if len(creates) != 1 {
					t.Errorf("%s: %d distinct invoice-create keys %v, want 1", payer, len(creates), creates)
				}
				if finals == 0 {
					t.Errorf("%s: never finalised", payer)
				}
			}
			for k, n := range keys {
				if n > 1 && k != tc.killAt {
					t.Errorf("step %s sent %d times: only the killed step may be repeated", k, n)
				}
			}
			if n := count(t, db, `SELECT count(*) FROM platform.billing_invoices WHERE month = ? AND status = 'open' AND finalized_at IS NOT NULL`, november2026); n != 2 {
				t.Errorf("%d finalised invoices, want one per département (2)", n)
			}
			if n := count(t, db, `SELECT count(DISTINCT invoice_id) FROM platform.billing_invoices WHERE month = ?`, november2026); n != 2 {
				t.Errorf("%d invoices, want 2", n)
			}
			if n := count(t, db, `SELECT count(*) FROM platform.billing_customers`); n != 2 {
				t.Errorf("%d customers, want 2", n)
			}
			if n := count(t, db, `SELECT count(*) FROM platform.audit_log WHERE action = 'billing.invoice'`); n != 2 {
				t.Errorf("%d billing.invoice audit lines, want 2", n)
			}
			if n := count(t, db, `SELECT count(*) FROM platform.billing_months WHERE month = ? AND invoiced_at IS NOT NULL`, november2026); n != 1 {
				t.Error("billing_months.invoiced_at not set after the retry")
			}
		})
	}
}
