package billing

// A département leaving Cartable (issue 12 §7): from its opt-out date its collèges are no
// longer its to pay (MonthUsage bills them until the day before), the job
// billing_suspend_opted_out suspends them, their data kept for the retention period and
// exportable from the console; no collège of it may be opened any more. Re-joining is an
// opt-in (tenant.Registry.OptIn), which clears the opt-out.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// OptOut records that the département code leaves Cartable on effective (a date: its
// collèges are billed until the day before), and writes the audit log (billing.opt_out) in
// the same transaction. It refuses, with a French message on the field concerned: an
// unknown code or the région; a département that has not opted in, or whose opt-out has
// already come; a date not after the opt-in date, before today (Paris), or in a month
// already closed. An opt-out still to come may be moved.
func (s *Store) OptOut(ctx context.Context, code string, effective time.Time, actor string) error {
	code = strings.TrimSpace(code)
	if code != RegionPayer {
		code = strings.TrimLeft(code, "0")
	}
	if effective.IsZero() {
		return fault.Invalidf("effective", "Indiquez la date à laquelle le département quitte Cartable.")
	}
	day := time.Date(effective.Year(), effective.Month(), effective.Day(), 0, 0, 0, 0, time.UTC)
	today := DayOf(s.now())
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var o tenant.Organisation
		err := tx.Raw(`SELECT * FROM platform.organisations WHERE code = ? FOR UPDATE`, code).Scan(&o).Error
		if err != nil {
			return err
		}
		switch {
		case o.Code == "":
			return fault.NewField(fault.ErrNotFound, "code", "Aucun département « %s » dans la région (départements : 24, 33, 40, 47, 64).", code)
		case o.Kind != "departement":
			return fault.Invalidf("code", "Seul un département peut quitter Cartable : la région porte les lycées.")
		case o.OptInDate == nil:
			return fault.NewField(fault.ErrConflict, "code", "Le département %s (%s) n'a pas adhéré à Cartable : il n'a rien à quitter.", o.Name, o.Code)
		case o.OptOutDate != nil && !o.OptOutDate.After(today):
			return fault.NewField(fault.ErrConflict, "code", "Le département %s (%s) a déjà quitté Cartable le %s ; pour revenir, il adhère de nouveau.", o.Name, o.Code, parisDay(*o.OptOutDate))
		case !day.After(date(*o.OptInDate)):
			return fault.Invalidf("effective", "La date de départ (%s) doit suivre la date d'adhésion du département %s (%s).", parisDay(day), o.Name, parisDay(*o.OptInDate))
		case day.Before(today):
			return fault.Invalidf("effective", "La date de départ (%s) est passée : choisissez aujourd'hui (%s) ou une date à venir.", parisDay(day), parisDay(today))
		}
		// The months rows are locked so that no close runs between the check and the write.
		var closed []time.Time
		if err := tx.Raw(`SELECT month FROM platform.billing_months WHERE month >= ? ORDER BY month FOR SHARE`, MonthOf(day)).Scan(&closed).Error; err != nil {
			return err
		}
		if len(closed) > 0 {
			return fault.NewField(fault.ErrConflict, "effective", "Le mois %s est déjà clos : le départ ne peut prendre effet qu'après le dernier mois clos.", ofMonth(closed[len(closed)-1]))
		}
		now := s.now().UTC()
		if err := tx.Exec(`UPDATE platform.organisations SET opt_out_date = ?, opted_out_at = ?, updated_at = ? WHERE code = ?`,
			day, now, now, o.Code).Error; err != nil {
			return err
		}
		details := map[string]any{"effective_date": day.Format("2006-01-02")}
		if o.OptOutDate != nil {
			details["previous_date"] = o.OptOutDate.Format("2006-01-02")
		}
		return audit(tx, actor, "billing.opt_out", o.Code, details)
	})
	var m *fault.Message
	var inv *fault.Invalid
	if err != nil && !errors.As(err, &m) && !errors.As(err, &inv) {
		return fmt.Errorf("billing: opt-out of %s: %w", code, err)
	}
	return err
}

// Suspender suspends an establishment (tenant.Registry.Suspend).
type Suspender interface {
	Suspend(ctx context.Context, uai, actor string) (*tenant.Tenant, error)
}

// SuspendOptedOut suspends the active collèges of the départements whose opt-out date has
// come (Paris), with reg, and returns their UAIs. Their data stays (a suspended
// establishment shows a clear page and keeps its schema, its files and its export); one
// that fails does not stop the others.
func (s *Store) SuspendOptedOut(ctx context.Context, reg Suspender, actor string) ([]string, error) {
	var uais []string
	if err := s.db.WithContext(ctx).Raw(`SELECT t.uai FROM platform.tenants t
		JOIN platform.organisations o ON o.code = t.organisation_code
		WHERE t.status = ? AND t.kind = ? AND o.opt_out_date <= ? ORDER BY t.uai`,
		tenant.StatusActive, tenant.KindCollege, DayOf(s.now())).Scan(&uais).Error; err != nil {
		return nil, fmt.Errorf("billing: list the collèges of départements that left: %w", err)
	}
	var done []string
	var errs []error
	for _, uai := range uais {
		if _, err := reg.Suspend(ctx, uai, actor); err != nil {
			errs = append(errs, fmt.Errorf("billing: suspend %s: %w", uai, err))
			continue
		}
		done = append(done, uai)
	}
	return done, errors.Join(errs...)
}

// ofMonth is « de novembre 2026 », « d'octobre 2026 »: the month after « le mois ».
func ofMonth(m time.Time) string {
	name := formatMonth(m)
	if strings.IndexAny(name[:1], "aeiou") == 0 {
		return "d'" + name
	}
	return "de " + name
}
