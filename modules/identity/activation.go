package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// Activations records each member's first sign-in in an establishment (table
// account_activations): an account is activated once its owner used it there. The
// messagerie tells a sender which recipients never did.
type Activations struct {
	db  *tenant.DB
	now func() time.Time
	// seen are the members (tenant + person) this process already recorded: every request
	// of a member passes here, and only the first of each needs the database.
	seen *lru.Cache[string, struct{}]
}

// activationsSeen is how many members one process remembers (a region's busy morning).
const activationsSeen = 200_000

// NewActivations records first sign-ins in db; now is the clock (nil: time.Now).
func NewActivations(db *tenant.DB, now func() time.Time) *Activations {
	if now == nil {
		now = time.Now
	}
	seen, _ := lru.New[string, struct{}](activationsSeen) // only fails for a size ≤ 0
	return &Activations{db: db, now: now, seen: seen}
}

// Seen records that person, a member of t, signed in, unless already recorded.
func (a *Activations) Seen(ctx context.Context, t *tenant.Tenant, person uuid.UUID) error {
	key := string(t.UAI) + "/" + person.String()
	if a.seen.Contains(key) {
		return nil
	}
	err := a.db.Tx(ctx, t, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO account_activations (person_id, activated_at) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING`,
			person, a.now()).Error
	})
	if err != nil {
		return fmt.Errorf("identity: record the first sign-in of %s: %w", person, err)
	}
	a.seen.Add(key, struct{}{})
	return nil
}

// SetActivations makes the establishments' middleware record members' first sign-in.
func (a *Authenticator) SetActivations(act *Activations) { a.activations = act }

// noteActivated records the member's first sign-in; a failure is logged and only delays it
// to a later request (a page must not break for it).
func (a *Authenticator) noteActivated(c echo.Context, t *tenant.Tenant, person uuid.UUID) {
	if a.activations == nil {
		return
	}
	if err := a.activations.Seen(c.Request().Context(), t, person); err != nil {
		c.Logger().Warnf("%v", err)
	}
}

// SignInRecorder is told of every request of a member of an establishment, with their
// roles there: billing's metering counts each day's active accounts by profile from it
// (billing.SignIns). Every request passes here, so a repeat must cost next to nothing (a
// cache of what was already recorded); an error is logged, never shown.
type SignInRecorder interface {
	SignedIn(ctx context.Context, t *tenant.Tenant, identityID uuid.UUID, roles []Role) error
}

// SetSignIns makes the establishments' middleware tell r of members' requests.
func (a *Authenticator) SetSignIns(r SignInRecorder) { a.signIns = r }

// noteSignedIn tells the recorder of a member's request; a failure is logged and only
// delays the record to a later request.
func (a *Authenticator) noteSignedIn(c echo.Context, t *tenant.Tenant, identityID uuid.UUID, roles Roles) {
	if a.signIns == nil {
		return
	}
	if err := a.signIns.SignedIn(c.Request().Context(), t, identityID, roles); err != nil {
		c.Logger().Warnf("%v", err)
	}
}
