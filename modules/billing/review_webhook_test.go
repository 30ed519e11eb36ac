package billing

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
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
