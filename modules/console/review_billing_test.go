package console

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/moduletest"
)

// TestBillingOptInByDepartement: the opt-in date is what the billing bills a collège from,
// and the opt-out is the région's alone; so Gironde's administrator, who may still record
// their own opt-in, may not postpone an opt-in that has begun (its collèges would stop
// being billed, their share of the platform going to the others) nor clear the opt-out the
// région recorded. The région still can (a département re-joining).
func TestBillingOptInByDepartement(t *testing.T) {
	b := newBillingSite(t)
	ctx := context.Background()
	// billing.Store.MonthUsage bills a collège from its département's opt-in date.
	optIn := func() string {
		t.Helper()
		o, err := b.Reg.Organisation(ctx, "33")
		if err != nil || o.OptInDate == nil {
			t.Fatalf("Gironde: %+v, %v", o, err)
		}
		return o.OptInDate.Format("2006-01-02")
	}

	rec := b.admin(b.gironde, http.MethodPost, "/console/departements/33/adhesion", url.Values{"effective_date": {"2026-11-30"}})
	moduletest.WantCode(t, rec, http.StatusForbidden, "postponing a begun opt-in")
	moduletest.WantIn(t, rec, "postponing a begun opt-in", "01/09/2020", "région")
	if got := optIn(); got != "2020-09-01" {
		t.Errorf("Gironde's administrator postponed their opt-in to %s: Jules-Verne is no longer billed before it", got)
	}
	// An earlier date (or the same) stays theirs to record.
	moduletest.WantCode(t, b.admin(b.gironde, http.MethodPost, "/console/departements/33/adhesion", url.Values{"effective_date": {"2020-09-01"}}), http.StatusSeeOther, "same date")

	// The région records an opt-out; Gironde's administrator cannot clear it by opting in again.
	if err := b.store.DB().Exec(`UPDATE platform.organisations SET opt_out_date = '2027-01-01', opted_out_at = now() WHERE code = '33'`).Error; err != nil {
		t.Fatal(err)
	}
	rec = b.admin(b.gironde, http.MethodPost, "/console/departements/33/adhesion", url.Values{"effective_date": {"2020-09-01"}})
	moduletest.WantCode(t, rec, http.StatusForbidden, "clearing the opt-out")
	moduletest.WantIn(t, rec, "clearing the opt-out", "01/01/2027", "région")
	if d, err := b.store.OptOutDate(ctx, "33"); err != nil || d == nil || !d.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Gironde's opt-out after its administrator's opt-in: %v, %v", d, err)
	}
	// The région may.
	moduletest.WantCode(t, b.admin(b.region, http.MethodPost, "/console/departements/33/adhesion", url.Values{"effective_date": {"2026-11-30"}}), http.StatusSeeOther, "région")
	if d, _ := b.store.OptOutDate(ctx, "33"); d != nil {
		t.Errorf("the région's opt-in left the opt-out %v", d)
	}
}
