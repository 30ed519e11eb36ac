package billing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

func tariffFrom(from time.Time, platform Cents) Tariff {
	return Tariff{EffectiveFrom: from, PlatformMonth: platform, PupilMonth: 10, SchoolMonth: 1200, GBMonth: 50, VATBasis: 2000}
}

// TestTariffsVersions: versions set from the first of a month, the one in force picked per
// month, a version of the same date replaced, each change audited.
func TestTariffsVersions(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 10), tenant.Options{})
	if _, err := e.store.TariffFor(e.ctx, november2026); !errors.Is(err, fault.ErrNotFound) || !strings.Contains(err.Error(), "Aucun tarif n'est en vigueur en novembre 2026") {
		t.Errorf("TariffFor with no tariff: %v", err)
	}
	sep, err := e.store.SetTariff(e.ctx, "user:region", tariffFrom(ymd(2026, 9, 1), 100000))
	if err != nil {
		t.Fatal(err)
	}
	if sep.ID == 0 || sep.Key != KeyActivePupils || sep.CreatedBy != "user:region" || !sep.EffectiveFrom.Equal(ymd(2026, 9, 1)) {
		t.Errorf("saved = %+v; want an id, the default key, the actor and 1 September", sep)
	}
	if _, err := e.store.SetTariff(e.ctx, "user:region", tariffFrom(ymd(2027, 1, 1), 120000)); err != nil {
		t.Fatal(err)
	}
	// The same date again replaces that version (no closed month used it).
	again := tariffFrom(ymd(2026, 9, 1), 110000)
	again.Key = KeyAccounts
	replaced, err := e.store.SetTariff(e.ctx, "user:other", again)
	if err != nil {
		t.Fatal(err)
	}
	if replaced.ID != sep.ID || replaced.PlatformMonth != 110000 || replaced.Key != KeyAccounts || replaced.CreatedBy != "user:other" {
		t.Errorf("replaced = %+v, want version %d with 1 100,00 €, comptes, user:other", replaced, sep.ID)
	}
	for _, c := range []struct {
		month time.Time
		want  Cents
	}{
		{ymd(2026, 9, 1), 110000}, {november2026, 110000}, {parisAt(time.December, 31), 110000},
		{ymd(2027, 1, 1), 120000}, {ymd(2030, 6, 1), 120000},
	} {
		got, err := e.store.TariffFor(e.ctx, c.month)
		if err != nil || got.PlatformMonth != c.want {
			t.Errorf("TariffFor(%s) = %d, %v; want %d", c.month.Format("2006-01-02"), got.PlatformMonth, err, c.want)
		}
	}
	if _, err := e.store.TariffFor(e.ctx, ymd(2026, 8, 1)); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("TariffFor(August, before any version): %v, want not found", err)
	}
	all, err := e.store.Tariffs(e.ctx)
	if err != nil || len(all) != 2 || !all[0].EffectiveFrom.Equal(ymd(2027, 1, 1)) {
		t.Errorf("Tariffs = %+v, %v; want 2 versions, the newest first", all, err)
	}
	var audits []struct{ Actor, Subject, Details string }
	e.reg.Platform().Raw(`SELECT actor, subject, details::text FROM platform.audit_log WHERE action = 'billing.tariff' ORDER BY id`).Scan(&audits)
	if len(audits) != 3 || audits[2].Actor != "user:other" || audits[2].Subject != RegionPayer ||
		!strings.Contains(audits[2].Details, `"effective_from": "2026-09-01"`) || !strings.Contains(audits[2].Details, `"platform_month": 110000`) {
		t.Errorf("audit = %+v, want 3 rows, the last by user:other for 2026-09-01", audits)
	}
}

// TestTariffsRefused: what cannot be a tariff is refused in French on its field, nothing
// written; no version may take effect in a closed month or before it.
func TestTariffsRefused(t *testing.T) {
	e := newMeterEnv(t, parisAt(time.November, 10), tenant.Options{})
	neg := tariffFrom(ymd(2026, 12, 1), -1)
	vat := tariffFrom(ymd(2026, 12, 1), 0)
	vat.VATBasis = 10001
	key := tariffFrom(ymd(2026, 12, 1), 0)
	key.Key = "au_hasard"
	for _, c := range []struct {
		name  string
		t     Tariff
		field string
		says  string
	}{
		{"negative", neg, "PlatformMonth", "Le coût fixe mensuel de la plateforme ne peut pas être négatif"},
		{"VAT over 100 %", vat, "VATBasis", "Le taux de TVA doit être compris entre 0 % et 100 %"},
		{"unknown key", key, "Key", "La clé de répartition « au_hasard » est inconnue"},
		{"no date", tariffFrom(time.Time{}, 0), "EffectiveFrom", "Indiquez le mois"},
		{"not a first", tariffFrom(ymd(2026, 12, 15), 0), "EffectiveFrom", "15/12/2026 n'en est pas un"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.store.SetTariff(e.ctx, "user:region", c.t)
			if field, text := fieldOf(err); field != c.field || !strings.Contains(text, c.says) {
				t.Errorf("SetTariff = %v; want field %s saying %q", err, c.field, c.says)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM platform.billing_tariffs`); n != 0 {
		t.Fatalf("%d tariffs written by refusals", n)
	}

	// October is closed with the version of September: neither October nor September may
	// change any more; November may.
	if _, err := e.store.SetTariff(e.ctx, "user:region", tariffFrom(ymd(2026, 9, 1), 100000)); err != nil {
		t.Fatal(err)
	}
	e.exec(`INSERT INTO platform.billing_months (month, tariff_id, closed_by) SELECT '2026-10-01', id, 'test' FROM platform.billing_tariffs`)
	for _, from := range []time.Time{ymd(2026, 9, 1), ymd(2026, 10, 1), ymd(2026, 6, 1)} {
		_, err := e.store.SetTariff(e.ctx, "user:region", tariffFrom(from, 1))
		field, text := fieldOf(err)
		if field != "EffectiveFrom" || !errors.Is(err, fault.ErrConflict) || !strings.Contains(text, "Le mois d'octobre 2026 est déjà clos") && !strings.Contains(text, "Le mois de octobre 2026 est déjà clos") {
			t.Errorf("SetTariff from %s with October closed: %v", from.Format("2006-01"), err)
		}
	}
	if got, _ := e.store.TariffFor(e.ctx, ymd(2026, 10, 1)); got.PlatformMonth != 100000 {
		t.Errorf("October's tariff changed to %d", got.PlatformMonth)
	}
	if _, err := e.store.SetTariff(e.ctx, "user:region", tariffFrom(ymd(2026, 11, 1), 90000)); err != nil {
		t.Errorf("SetTariff from November, after the last closed month: %v", err)
	}
	if n := e.count(`SELECT count(*) FROM platform.audit_log WHERE action = 'billing.tariff'`); n != 2 {
		t.Errorf("%d tariff audit rows, want 2 (the accepted ones)", n)
	}
}
