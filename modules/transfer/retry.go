package transfer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// errNoTransfer is the console's answer for a transfer it does not know.
var errNoTransfer = fault.New(fault.ErrNotFound, "ce transfert de portfolio n'existe pas")

// Retry enqueues again, at the région's request (actor), the copy of a transfer that failed:
// the receiving establishment's space was full and has been enlarged, or a document altered
// in the origin has been restored. The status goes back to accepted and the failure is
// cleared, the platform's audit log records who asked, and the copy is enqueued, all in one
// transaction; the copy then checks every document again and copies only what is missing.
// Only a failed transfer is retried.
func (s *Service) Retry(ctx context.Context, id uuid.UUID, actor string) error {
	if s.queue == nil {
		return errors.New("transfer: no job queue wired: a copy cannot be enqueued")
	}
	now := s.now()
	return s.platform.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var x Transfer
		if err := tx.Raw(selectTransfer+` WHERE x.id = ? FOR UPDATE OF x`, id).Scan(&x).Error; err != nil {
			return fmt.Errorf("transfer: retry %s: %w", id, err)
		}
		if x.ID == uuid.Nil {
			return errNoTransfer
		}
		if x.Status != Failed {
			return fault.New(fault.ErrConflict, "ce transfert n'a pas échoué (%s) : il n'y a pas de copie à relancer", lower(x.Status.Label()))
		}
		for _, e := range []struct {
			id   uuid.UUID
			name string
		}{{x.FromTenant, x.FromName}, {x.ToTenant, x.ToName}} {
			if _, err := tenantByID(tx, e.id); errors.Is(err, fault.ErrNotFound) {
				return fault.New(fault.ErrConflict, "l'établissement « %s » a été supprimé : la copie ne peut pas reprendre", e.name)
			} else if err != nil {
				return err
			}
		}
		if err := tx.Exec(`UPDATE platform.portfolio_transfers SET status = ?, failure = '', updated_at = ? WHERE id = ?`, Accepted, now, id).Error; err != nil {
			return fmt.Errorf("transfer: retry %s: %w", id, err)
		}
		if err := tenant.Audit(tx, actor, "portfolio.transfer.retry", id.String(),
			map[string]any{"from": x.FromUAI, "to": x.ToUAI, "failure": x.Failure}); err != nil {
			return err
		}
		return s.queue.InsertTx(tx, nil, CopyPortfolio{Transfer: id}, now)
	})
}

// retryPath is the console's page that asks before retrying transfer id's copy.
func retryPath(id uuid.UUID) string { return ConsoleRoot + "/" + id.String() + "/relancer" }

// RetryHref is the console's link to retry the transfer's copy.
func (x Transfer) RetryHref() string { return retryPath(x.ID) }

// confirmRetry asks before retrying a failed copy, saying why it failed.
func (h *Handler) confirmRetry(c echo.Context) error {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return errNoTransfer
	}
	x, err := h.svc.Of(c.Request().Context(), id)
	if errors.Is(err, ErrNotFound) {
		return errNoTransfer
	}
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "transfer_retry.html", web.Page{Title: "Relancer la copie du portfolio ?", Data: x})
}

// retry retries a failed copy and goes back to the console's list.
func (h *Handler) retry(c echo.Context) error {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return errNoTransfer
	}
	if err := h.svc.Retry(c.Request().Context(), id, tenant.ActorOf(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, ConsoleRoot+"?ok=relance")
}
