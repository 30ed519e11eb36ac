package billing

import (
	_ "embed"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// WebhookPath is where Stripe sends its events, on the administration host.
const WebhookPath = "/api/v1/billing/stripe/webhook"

// WebhookBodyLimit is the largest event accepted (Stripe's invoice events are a few Ko).
const WebhookBodyLimit = 64 << 10

// WebhookOpenAPI is the webhook's operation in the OpenAPI document (to merge into the
// module's OpenAPI).
//
//go:embed webhook_openapi.json
var WebhookOpenAPI []byte

// Routes is the webhook's route: open to Stripe (no session; the signature is the
// credential), on the administration host, bodies up to 64 Kio.
func (w *Webhook) Routes() []module.Route {
	return []module.Route{
		module.Post(module.Admin, WebhookPath, module.Public, w.serve).WithLimit(WebhookBodyLimit).AsAPI(),
	}
}

// serve answers 200 {"statut": …} once the event is applied, known already or ignored, and
// 400 {"error": …} to a request whose signature is absent, forged or too old.
func (w *Webhook) serve(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return fault.New(fault.ErrTooLarge, "événement Stripe de plus de 64 Kio : il est refusé")
		}
		return fault.Wrap(fault.ErrInvalid, err, "lecture de l'événement Stripe interrompue : Stripe le renverra")
	}
	out, err := w.Apply(c.Request().Context(), body, c.Request().Header.Get("Stripe-Signature"))
	var sig *ErrSignature
	if errors.As(err, &sig) {
		w.log.Warn("billing: Stripe webhook refused", "reason", sig.Reason, "remote", c.RealIP())
		return c.JSON(http.StatusBadRequest, map[string]string{"error": sig.Reason})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"statut": string(out)})
}
