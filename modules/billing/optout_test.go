package billing

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fieldOf is the field and French text of a refusal (a *fault.Invalid or *fault.Message).
func fieldOf(err error) (field, text string) {
	var inv *fault.Invalid
	var m *fault.Message
	switch {
	case errors.As(err, &inv):
		return inv.Field, inv.Message
	case errors.As(err, &m):
		return m.Field, m.Text
	}
	return "", ""
}

// TestOptOut: the refusals name the field and say why in French; an accepted opt-out is
// audited with it, may be moved while still to come, stops new collèges from its date, and
// a new opt-in clears it.
func TestOptOut(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 10), tenant.Options{})
	e.closeMonth(ymd(2027, time.January, 1)) // a month closed ahead (to test the refusal)

	for _, c := range []struct {
		name, code string
		day        time.Time
		field      string
		says       string
		kind       error
	}{
		{"unknown", "99", ymd(2026, 12, 1), "code", "Aucun département « 99 »", fault.ErrNotFound},
		{"the région", "region", ymd(2026, 12, 1), "code", "Seul un département", nil},
		{"not opted in", "24", ymd(2026, 12, 1), "code", "n'a pas adhéré", fault.ErrConflict},
		{"no date", "33", time.Time{}, "effective", "Indiquez la date", nil},
		{"before the opt-in", "33", ymd(2020, 9, 1), "effective", "doit suivre la date d'adhésion", nil},
		{"yesterday", "33", ymd(2026, 11, 9), "effective", "est passée : choisissez aujourd'hui (10/11/2026)", nil},
		{"a closed month", "33", ymd(2027, 1, 15), "effective", "Le mois de janvier 2027 est déjà clos", fault.ErrConflict},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := e.store.OptOut(e.ctx, c.code, c.day, "user:region")
			field, text := fieldOf(err)
			if field != c.field || !strings.Contains(text, c.says) {
				t.Errorf("OptOut(%s, %s) = %v; want field %s saying %q", c.code, c.day.Format("2006-01-02"), err, c.field, c.says)
			}
			if c.kind != nil && !errors.Is(err, c.kind) {
				t.Errorf("OptOut(%s) = %v, want kind %v", c.code, err, c.kind)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM platform.audit_log WHERE action = 'billing.opt_out'`); n != 0 {
		t.Fatalf("%d audit rows after refusals only", n)
	}
	e.exec(`DELETE FROM platform.billing_months`)

	// Accepted, then moved while still to come: two audit rows, the last date kept.
	if err := e.store.OptOut(e.ctx, "033", ymd(2026, 12, 1), "user:region"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.OptOut(e.ctx, "33", ymd(2026, 11, 21), "user:region"); err != nil {
		t.Fatal(err)
	}
	o, err := e.reg.Organisation(e.ctx, "33")
	if err != nil {
		t.Fatal(err)
	}
	if o.OptOutDate == nil || !o.OptOutDate.Equal(ymd(2026, 11, 21)) || o.OptedOutAt == nil {
		t.Fatalf("Gironde's opt-out = %v at %v, want 2026-11-21", o.OptOutDate, o.OptedOutAt)
	}
	var audits []struct{ Actor, Subject, Details string }
	e.reg.Platform().Raw(`SELECT actor, subject, details::text FROM platform.audit_log WHERE action = 'billing.opt_out' ORDER BY id`).Scan(&audits)
	if len(audits) != 2 || audits[1].Actor != "user:region" || audits[1].Subject != "33" ||
		!strings.Contains(audits[1].Details, `"effective_date": "2026-11-21"`) || !strings.Contains(audits[1].Details, `"previous_date": "2026-12-01"`) {
		t.Errorf("audit = %+v", audits)
	}

	// Until the date, collèges may still be opened; from it, no more.
	tenanttest.Provision(t, e.reg, tenanttest.UAI(33, 30), "Collège d'avant le départ", "college")
	e.clock.Set(parisAt(time.November, 21))
	_, _, err = e.reg.Provision(e.ctx, tenant.NewTenant{UAI: tenanttest.UAI(33, 31), Name: "Collège de trop", Kind: "college"}, "test")
	if field, text := fieldOf(err); field != "uai" || !strings.Contains(text, "a quitté Cartable le 21/11/2026") {
		t.Errorf("provisioning a collège after the opt-out: %v", err)
	}
	// Once come, the opt-out cannot be moved any more.
	err = e.store.OptOut(e.ctx, "33", ymd(2026, 12, 10), "user:region")
	if _, text := fieldOf(err); !strings.Contains(text, "a déjà quitté Cartable le 21/11/2026") {
		t.Errorf("moving an opt-out already come: %v", err)
	}

	// Re-joining clears it: collèges may be opened again.
	if _, err := e.reg.OptIn(e.ctx, "33", ymd(2026, 11, 21), "user:region"); err != nil {
		t.Fatal(err)
	}
	if o, _ := e.reg.Organisation(e.ctx, "33"); o.OptOutDate != nil || o.OptedOutAt != nil {
		t.Errorf("after re-joining, opt-out = %v, %v; want none", o.OptOutDate, o.OptedOutAt)
	}
	tenanttest.Provision(t, e.reg, tenanttest.UAI(33, 31), "Collège du retour", "college")
}

// TestSuspendOptedOut: from the opt-out date the job suspends the département's active
// collèges (only theirs), once; their data stays and their export still works.
func TestSuspendOptedOut(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 10), tenant.Options{})
	tenanttest.OptIn(t, e.reg, "40")
	c1 := e.establishment(33, 22, "Collège Cheverus", "college")
	c2 := e.establishment(33, 23, "Collège Aliénor", "college")
	landes := e.establishment(40, 24, "Collège des Landes", "college")
	lycee := e.establishment(33, 25, "Lycée Montaigne", "lycee")
	e.files(c1, 1234)
	if err := e.store.OptOut(e.ctx, "33", ymd(2026, 11, 21), "user:region"); err != nil {
		t.Fatal(err)
	}
	jobs := RegisterMeterJobs(e.store, e.reg, nil)
	status := func(tn *tenant.Tenant) tenant.Status {
		t.Helper()
		var s tenant.Status
		e.reg.Platform().Raw(`SELECT status FROM platform.tenants WHERE id = ?`, tn.ID).Scan(&s)
		return s
	}

	e.clock.Set(parisAt(time.November, 21).Add(-11 * time.Hour)) // 20 November, 23:00 Paris
	if err := jobs.SuspendOptedOut(e.ctx); err != nil {
		t.Fatal(err)
	}
	if status(c1) != tenant.StatusActive {
		t.Fatalf("collège suspended the day before the opt-out")
	}
	e.clock.Set(parisAt(time.November, 21).Add(-10 * time.Hour)) // 21 November, 00:00 Paris
	if err := jobs.SuspendOptedOut(e.ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tn   *tenant.Tenant
		want tenant.Status
	}{{c1, tenant.StatusSuspended}, {c2, tenant.StatusSuspended}, {landes, tenant.StatusActive}, {lycee, tenant.StatusActive}} {
		if got := status(c.tn); got != c.want {
			t.Errorf("%s: %s, want %s", c.tn.Name, got, c.want)
		}
	}
	if n := e.count(`SELECT count(*) FROM platform.audit_log WHERE action = 'tenant.suspend' AND actor = 'job:billing_suspend_opted_out'`); n != 2 {
		t.Errorf("%d suspensions audited, want 2", n)
	}
	done, err := e.store.SuspendOptedOut(e.ctx, e.reg, "test")
	if err != nil || len(done) != 0 {
		t.Errorf("second run suspended %v (%v), want none", done, err)
	}

	// The data is kept: still metered, still exported.
	if err := e.store.MeterDay(e.ctx, DayOf(e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	if b, ok := e.storageDay(c1, e.clock.Now()); !ok || b != 1234 {
		t.Errorf("suspended collège's storage = %d (%v), want 1234", b, ok)
	}
	m, err := e.reg.Export(e.ctx, string(c1.UAI), io.Discard)
	if err != nil {
		t.Fatalf("export of the suspended collège: %v", err)
	}
	if m.Tenant.Status != tenant.StatusSuspended {
		t.Errorf("exported status %s, want suspended", m.Tenant.Status)
	}
}

func TestOfMonth(t *testing.T) {
	for m, want := range map[time.Month]string{time.April: "d'avril 2026", time.August: "d'août 2026", time.October: "d'octobre 2026", time.November: "de novembre 2026"} {
		if got := ofMonth(ymd(2026, m, 1)); got != want {
			t.Errorf("ofMonth(%s) = %q, want %q", m, got, want)
		}
	}
}
