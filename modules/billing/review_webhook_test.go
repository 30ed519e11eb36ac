package billing

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/cartable-ent/cartable/web/fault"
)

// TestWebhookOldEventRestamped: a captured event signed long ago, whose Stripe-Signature
// header gets a fresh t= put before the original one, is refused: stripe-go checks the HMAC
// against the last t=, so the age must be read from the same one (or the header refused).
func TestWebhookOldEventRestamped(t *testing.T) {
	db := billingDB(t)
	store := newTestStore(t, db, afterNovember)
	wh := NewWebhook(store, webhookSecret)
	payload := []byte(`{"id":"evt_old","object":"event","api_version":"2020-08-27","created":1764669600,"type":"invoice.voided","data":{"object":{"id":"in_x","object":"invoice"}}}`)
	old := afterNovember.Add(-30 * 24 * time.Hour)
	header := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: webhookSecret, Timestamp: old}).Header
	for _, forged := range []string{
		"t=" + strconv.FormatInt(afterNovember.Unix(), 10) + "," + header,
		strings.Replace(header, "t=", " t="+strconv.FormatInt(afterNovember.Unix(), 10)+",t=", 1),
	} {
		out, err := wh.Apply(context.Background(), payload, forged)
		var sig *ErrSignature
		if !errors.As(err, &sig) {
			t.Errorf("a 30-day-old event re-stamped %q: outcome %q, err %v; want a refused signature", forged, out, err)
		}
	}
	var n int
	db.Raw(`SELECT count(*) FROM platform.billing_stripe_events`).Scan(&n)
	if n != 0 {
		t.Errorf("%d old events recorded", n)
	}
}

// TestTariffCeiling: the tariff form reads up to 1 099 511 627 775,99 € per unit; such a
// price times a région's pupils overflows the cents (int64): the allocation must refuse it
// with a French message, not wrap into negative invoices or panic; SetTariff refuses a
// price over 10 000 000,00 € on its field.
func TestTariffCeiling(t *testing.T) {
	huge := allocTariff()
	huge.PupilMonth = 109951162777599
	usage := []Usage{lycee("0330001A", "Lycée A", 100000), college("0330002B", "Collège B", "33", 30, 100000)}
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Allocate panicked on a huge tariff: %v", r)
			}
		}()
		sts, err := Allocate(november2026, huge, usage)
		if err == nil {
			t.Errorf("Allocate accepted a huge tariff: %+v", sts)
		}
	}()
	db := billingDB(t)
	store := newTestStore(t, db, afterNovember)
	huge.EffectiveFrom = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := store.SetTariff(context.Background(), "user:region", huge)
	var inv *fault.Invalid
	if !errors.As(err, &inv) || inv.Field != "PupilMonth" || !strings.Contains(inv.Message, FormatCents(MaxPrice)) {
		t.Errorf("SetTariff of a huge price: %v", err)
	}
}
