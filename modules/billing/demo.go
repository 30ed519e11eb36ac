package billing

import (
	"context"
	"fmt"
	"time"
)

// SeedDemo gives the billing console something to show in make dev, once (nothing happens
// when a tariff exists): the région's tariff from the school year's September, the demo
// establishments opened on its first day, the demo members' sign-ins on the school days
// since then (two in three, the same ones at every
// run), every day metered, and every month before the last one closed (its invoices then go
// to stripe-mock through the job queue); the last month over is left for the console's
// close to try.
func SeedDemo(ctx context.Context, c *Closer, actor string) error {
	s := c.store
	ts, err := s.Tariffs(ctx)
	if err != nil || len(ts) > 0 {
		return err
	}
	now := s.Now().In(Paris)
	year := now.Year()
	if now.Month() < time.September {
		year--
	}
	september := time.Date(year, time.September, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.SetTariff(ctx, actor, Tariff{EffectiveFrom: september, PlatformMonth: 2_500_00, PupilMonth: 35,
		SchoolMonth: 150_00, GBMonth: 2, VATBasis: 2000, Key: KeyActivePupils}); err != nil {
		return err
	}
	today := DayOf(now)
	// The demo establishments were provisioned a moment ago: they are taken as opened on
	// the school year's first day, so that its months bill them.
	if err := s.db.WithContext(ctx).Exec(`UPDATE platform.tenants SET created_at = ? WHERE created_at > ? AND status = 'active'`,
		september.Add(8*time.Hour), september).Error; err != nil {
		return fmt.Errorf("billing: demo establishments' opening: %w", err)
	}
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO platform.billing_signins (tenant_id, day, identity_id, profile)
		SELECT m.tenant_id, d::date, m.identity_id, `+profileSQL("m.roles")+`
		FROM platform.memberships m JOIN platform.tenants t ON t.id = m.tenant_id AND t.status = 'active',
			generate_series(?::date, ?::date, interval '1 day') d
		WHERE m.active AND extract(isodow FROM d) < 6 AND abs(hashtext(m.identity_id::text || d::text)) % 3 <> 0
		ON CONFLICT DO NOTHING`, september, today).Error; err != nil {
		return fmt.Errorf("billing: demo sign-ins: %w", err)
	}
	for d := september; !d.After(today); d = d.AddDate(0, 0, 1) {
		if err := s.MeterDay(ctx, d); err != nil {
			return err
		}
	}
	last := MonthOf(now).AddDate(0, -1, 0) // the last month over: left open
	for m := september; m.Before(last); m = m.AddDate(0, 1, 0) {
		if err := c.Close(ctx, m, actor); err != nil {
			return fmt.Errorf("billing: demo close of %s: %w", m.Format("2006-01"), err)
		}
	}
	return nil
}
