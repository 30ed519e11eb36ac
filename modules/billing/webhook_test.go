package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

const webhookSecret = "whsec_cartable_test"

// TestWebhook: Stripe's events through the route: a good signature applies the state once
// (paid, payment failed, void, uncollectible), a replay is acknowledged and changes nothing,
// a forged, absent or old signature is refused with 400 and a French message, an unknown
// invoice or event type is acknowledged and ignored, and a paid invoice stays paid.
func TestWebhook(t *testing.T) {
	ctx := context.Background()
	db := billingDB(t)
	store := newTestStore(t, db, afterNovember)
	if err := NewCloser(store, fixedUsage(closeUsage()), nil).Close(ctx, november2026, "user:region"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, p := range []string{"24", "33"} {
		if err := db.Exec(`UPDATE platform.billing_invoices SET invoice_id = ?, status = 'open', finalized_at = ? WHERE payer = ?`,
			"in_test"+p, afterNovember, p).Error; err != nil {
			t.Fatal(err)
		}
	}

	wh := NewWebhook(store, webhookSecret)
	routes := wh.Routes()
	if len(routes) != 1 || routes[0].Host != module.Admin || routes[0].Permission != module.Public ||
		routes[0].Path != "/api/v1/billing/stripe/webhook" || routes[0].BodyLimit != 64<<10 || !routes[0].API {
		t.Fatalf("routes %+v", routes)
	}
	e := echo.New()
	e.Add(routes[0].Method, routes[0].Path, routes[0].Handler)

	post := func(payload []byte, signature string) (int, map[string]string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(string(payload)))
		req.Header.Set("Content-Type", "application/json")
		if signature != "" {
			req.Header.Set("Stripe-Signature", signature)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("answer %d %q: %v", rec.Code, rec.Body.String(), err)
		}
		return rec.Code, body
	}
	event := func(id, typ, invoice string) []byte {
		return []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2020-08-27","created":1764669600,"type":%q,"data":{"object":{"id":%q,"object":"invoice"}}}`, id, typ, invoice))
	}
	signed := func(payload []byte, secret string, at time.Time) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
	}
	send := func(id, typ, invoice string) (int, map[string]string) {
		p := event(id, typ, invoice)
		return post(p, signed(p, webhookSecret, afterNovember.Add(-30*time.Second)))
	}
	status := func(payer string) string {
		var s string
		db.Raw(`SELECT status FROM platform.billing_invoices WHERE payer = ?`, payer).Scan(&s)
		return s
	}
	want := func(what string, code int, body map[string]string, wantCode int, key, part string) {
		t.Helper()
		if code != wantCode || !strings.Contains(body[key], part) {
			t.Errorf("%s: %d %v, want %d with %s containing %q", what, code, body, wantCode, key, part)
		}
	}

	// Refused: absent, forged (another secret), tampered, too old, unreadable.
	p := event("evt_forged", "invoice.paid", "in_test33")
	code, body := post(p, "")
	want("absent signature", code, body, 400, "error", "signature absente")
	code, body = post(p, signed(p, "whsec_other", afterNovember))
	want("forged signature", code, body, 400, "error", "signature invalide")
	code, body = post(event("evt_forged", "invoice.paid", "in_test24"), signed(p, webhookSecret, afterNovember))
	want("tampered payload", code, body, 400, "error", "signature invalide")
	code, body = post(p, signed(p, webhookSecret, afterNovember.Add(-6*time.Minute)))
	want("old signature", code, body, 400, "error", "hors de la tolérance de 5 minutes")
	code, body = post(p, "v1=abc")
	want("unreadable header", code, body, 400, "error", "illisible")
	// Without a secret configured: unavailable (Stripe retries), not accepted.
	if _, err := NewWebhook(store, "").Apply(ctx, p, signed(p, webhookSecret, afterNovember)); !errors.Is(err, fault.ErrUnavailable) {
		t.Errorf("no secret configured: %v", err)
	}
	if s := status("33"); s != "open" {
		t.Fatalf("a refused event changed the invoice: %s", s)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_stripe_events`); n != 0 {
		t.Fatalf("refused events recorded: %d", n)
	}

	// Applied once; the replay (the same event re-sent, re-signed) changes nothing.
	code, body = send("evt_paid33", "invoice.paid", "in_test33")
	want("paid", code, body, 200, "statut", "applique")
	if s := status("33"); s != "paid" {
		t.Errorf("after invoice.paid: %s", s)
	}
	code, body = send("evt_paid33", "invoice.paid", "in_test33")
	want("replay", code, body, 200, "statut", "deja_recu")
	// A late payment failure or an uncollectible mark does not undo a payment.
	code, body = send("evt_failed33", "invoice.payment_failed", "in_test33")
	want("failure after payment", code, body, 200, "statut", "ignore")
	if s := status("33"); s != "paid" {
		t.Errorf("a paid invoice became %s", s)
	}

	// Each state on Dordogne's invoice.
	for _, step := range []struct{ id, typ, state string }{
		{"evt_f24", "invoice.payment_failed", "payment_failed"},
		{"evt_u24", "invoice.marked_uncollectible", "uncollectible"},
		{"evt_v24", "invoice.voided", "void"},
	} {
		code, body = send(step.id, step.typ, "in_test24")
		want(step.typ, code, body, 200, "statut", "applique")
		if s := status("24"); s != step.state {
			t.Errorf("after %s: %s, want %s", step.typ, s, step.state)
		}
	}
	code, body = send("evt_p24", "invoice.paid", "in_test24")
	want("paid after void", code, body, 200, "statut", "ignore")
	if s := status("24"); s != "void" {
		t.Errorf("a void invoice became %s", s)
	}

	// Unknown invoice, other event types: acknowledged, ignored.
	code, body = send("evt_unknown", "invoice.paid", "in_elsewhere")
	want("unknown invoice", code, body, 200, "statut", "ignore")
	code, body = send("evt_other", "customer.created", "cus_x")
	want("other type", code, body, 200, "statut", "ignore")

	if n := count(t, db, `SELECT count(*) FROM platform.audit_log WHERE action = 'billing.invoice_status' AND actor = 'stripe'`); n != 4 {
		t.Errorf("%d billing.invoice_status audit lines, want 4", n)
	}
	if n := count(t, db, `SELECT count(*) FROM platform.billing_stripe_events`); n != 8 {
		t.Errorf("%d events recorded, want 8", n)
	}
}
