package billing

// Stripe's webhooks (issue 12 §5): Stripe tells us what became of the invoices (paid,
// payment failed, voided, uncollectible). Each event is verified (its signature, with the
// endpoint's secret, and its age), applied once (billing_stripe_events, in the same
// transaction as the change), and a replay changes nothing.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// WebhookTolerance is the largest gap between an event's signature time and the store's
// clock: an older (or replayed, re-signed) request is refused.
const WebhookTolerance = 5 * time.Minute

// WebhookActor is the audit log's actor of the states Stripe reports.
const WebhookActor = "stripe"

// Outcome is what a webhook call did.
type Outcome string

// The outcomes, as the answer's « statut » says them.
const (
	Applied  Outcome = "applique"  // the invoice's state changed
	Received Outcome = "deja_recu" // the event was applied before: nothing changes
	Ignored  Outcome = "ignore"    // an event of another type, an unknown invoice, or a state it cannot leave
)

// ErrSignature is a request whose signature is absent, forged, made with another secret or
// too old; its text is French, for the answer.
type ErrSignature struct{ Reason string }

func (e *ErrSignature) Error() string { return e.Reason }

// invoiceStates are the events applied and the state each one sets.
var invoiceStates = map[stripe.EventType]string{
	"invoice.paid":                 "paid",
	"invoice.payment_failed":       "payment_failed",
	"invoice.voided":               "void",
	"invoice.marked_uncollectible": "uncollectible",
}

// fromStates are the states an invoice may leave for each state: a paid or voided invoice
// stays so (an older payment failure delivered late does not undo a payment), an
// uncollectible one may still be paid or voided.
var fromStates = map[string][]string{
	"paid":           {"en_preparation", "open", "payment_failed", "uncollectible"},
	"payment_failed": {"en_preparation", "open", "payment_failed"},
	"void":           {"en_preparation", "open", "payment_failed", "uncollectible"},
	"uncollectible":  {"en_preparation", "open", "payment_failed"},
}

// Webhook applies Stripe's events to the invoices.
type Webhook struct {
	store  *Store
	secret string
	log    *slog.Logger
}

// NewWebhook binds the webhook to the store (its clock checks the events' age) and the
// endpoint's signing secret (CARTABLE_STRIPE_WEBHOOK_SECRET, whsec_…).
func NewWebhook(store *Store, secret string) *Webhook {
	return &Webhook{store: store, secret: secret, log: slog.Default()}
}

// WithLogger makes the webhook log to log (unknown invoices, refused signatures).
func (w *Webhook) WithLogger(log *slog.Logger) *Webhook {
	w.log = log
	return w
}

// Apply verifies payload against its Stripe-Signature header and applies the event once.
// A signature that is absent, forged or older than WebhookTolerance is an *ErrSignature.
func (w *Webhook) Apply(ctx context.Context, payload []byte, signature string) (Outcome, error) {
	if strings.TrimSpace(signature) == "" {
		return "", &ErrSignature{Reason: "signature absente : la requête doit porter l'en-tête Stripe-Signature de Stripe"}
	}
	if w.secret == "" { // 503: Stripe retries for three days, the events are not lost
		return "", fault.Wrap(fault.ErrUnavailable, errors.New("billing: CARTABLE_STRIPE_WEBHOOK_SECRET is not set"),
			"le point d'accès des événements Stripe n'est pas configuré (secret de signature absent) : réessayez plus tard")
	}
	signed, ok := signatureTime(signature)
	if !ok {
		return "", &ErrSignature{Reason: "en-tête Stripe-Signature illisible : il doit porter t=<horodatage> et v1=<signature>"}
	}
	if gap := w.store.Now().Sub(signed); gap > WebhookTolerance || gap < -WebhookTolerance {
		return "", &ErrSignature{Reason: fmt.Sprintf("événement signé le %s, hors de la tolérance de 5 minutes : il est refusé (rejeu ou horloge décalée)",
			signed.In(Paris).Format("02/01/2006 à 15:04:05"))}
	}
	// The age is checked above against the store's clock; the library checks the HMAC.
	ev, err := webhook.ConstructEventWithOptions(payload, signature, w.secret, webhook.ConstructEventOptions{
		IgnoreTolerance: true, IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return "", &ErrSignature{Reason: "signature invalide : cet événement n'est pas signé par Stripe avec le secret de ce point d'accès"}
	}
	if ev.ID == "" {
		return "", &ErrSignature{Reason: "événement sans identifiant : il est refusé"}
	}
	state, applies := invoiceStates[ev.Type]
	invoiceID := ""
	if applies && ev.Data != nil {
		var inv struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(ev.Data.Raw, &inv); err == nil {
			invoiceID = inv.ID
		}
	}
	out := Ignored
	err = w.store.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO platform.billing_stripe_events (event_id, type, invoice_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
			ev.ID, string(ev.Type), nullable(invoiceID), w.store.Now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			out = Received
			return nil
		}
		if !applies || invoiceID == "" {
			return nil
		}
		var inv []struct {
			Month  time.Time
			Payer  string
			Status string
		}
		if err := tx.Raw(`SELECT month, payer, status FROM platform.billing_invoices WHERE invoice_id = ? FOR UPDATE`, invoiceID).Scan(&inv).Error; err != nil {
			return err
		}
		if len(inv) == 0 {
			w.log.Warn("billing: Stripe event about an invoice Cartable does not know, ignored", "event", ev.ID, "type", ev.Type, "invoice", invoiceID)
			return nil
		}
		was := inv[0].Status
		if was == state || !contains(fromStates[state], was) {
			w.log.Info("billing: Stripe event leaves the invoice's state", "event", ev.ID, "type", ev.Type, "invoice", invoiceID, "status", was)
			return nil
		}
		if err := tx.Exec(`UPDATE platform.billing_invoices SET status = ?, status_at = ? WHERE invoice_id = ?`, state, w.store.Now(), invoiceID).Error; err != nil {
			return err
		}
		out = Applied
		return audit(tx, WebhookActor, "billing.invoice_status", inv[0].Payer, map[string]any{
			"month": inv[0].Month.Format("2006-01"), "invoice_id": invoiceID, "event": ev.ID, "from": was, "to": state,
		})
	})
	if err != nil {
		return "", fmt.Errorf("billing: apply Stripe event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return out, nil
}

// signatureTime reads t=<unix seconds> of a Stripe-Signature header, as stripe-go reads it
// (the HMAC is checked against that same time): a header with more than one t=, or a t= that
// stripe-go would not see (« t=» padded), is unreadable, else an old event re-stamped with a
// fresh t= in front of its own would pass the age check.
func signatureTime(header string) (time.Time, bool) {
	var at time.Time
	seen := 0
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) != "t" {
			continue
		}
		seen++
		n, err := strconv.ParseInt(v, 10, 64)
		if k != "t" || err != nil {
			return time.Time{}, false
		}
		at = time.Unix(n, 0)
	}
	return at, seen == 1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
