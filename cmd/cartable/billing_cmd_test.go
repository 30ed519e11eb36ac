package main

import (
	"testing"

	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestCLIBilling drives billing's commands as an operator would: a month's dry run and
// close (on stripe-mock), a day metered again, a département's opt-out, and their French
// refusals. The months and dates are long past or far ahead, so that today's date changes
// nothing.
func TestCLIBilling(t *testing.T) {
	dsn := cliEnv(t)
	t.Setenv("CARTABLE_STRIPE_URL", testenv.StripeMock(t))
	t.Setenv("CARTABLE_STRIPE_KEY", "sk_test_123")
	lycee, college := tenanttest.UAI(33, 1), tenanttest.UAI(33, 2)
	setup := func(q string) func(t *testing.T, _ string) {
		return func(t *testing.T, _ string) {
			if err := openDSN(t, dsn).Exec(q).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	runCLICases(t, []cliCase{
		{name: "migrate", args: []string{"migrate"}},
		{name: "lycée", args: []string{"tenant", "create", "--uai", lycee, "--name", "Lycée Alpha", "--kind", "lycee"}},
		{name: "opt-in", args: []string{"departement", "opt-in", "33", "--date", "2020-09-01"}},
		{name: "collège", args: []string{"tenant", "create", "--uai", college, "--name", "Collège Bravo", "--kind", "college"},
			check: setup(`UPDATE platform.tenants SET created_at = '2020-09-01 08:00+02'`)},
		{name: "close, no month", args: []string{"billing", "close"}, wantErr: []string{"2026-11"}},
		{name: "close, bad month", args: []string{"billing", "close", "novembre"}, wantErr: []string{"« novembre » n'est pas un mois", "AAAA-MM"}},
		{name: "close, no tariff", args: []string{"billing", "close", "2020-10", "--dry-run"}, wantErr: []string{"Aucun tarif", "octobre 2020"},
			check: setup(`INSERT INTO platform.billing_tariffs (effective_from, platform_month, pupil_month, school_month, gb_month, vat_basis, split_key, created_by)
				VALUES ('2020-09-01', 10000, 100, 1000, 50, 2000, 'etablissements', 'test')`)},
		{name: "meter a day", args: []string{"billing", "meter", "--day", "2020-10-05"}, out: []string{"usage du 05/10/2020 mesuré"}},
		{name: "dry run", args: []string{"billing", "close", "2020-10", "--dry-run"},
			out: []string{"PAYEUR", "region", "33", "simulation : rien n'est clos"}, notOut: []string{"mois 2020-10 clos"}},
		{name: "close", args: []string{"billing", "close", "2020-10"}, out: []string{"mois 2020-10 clos", "factures des départements émises"}},
		{name: "close again", args: []string{"billing", "close", "2020-10"}, wantErr: []string{"octobre 2020 est déjà clos"}},
		{name: "not over", args: []string{"billing", "close", "2999-01"}, wantErr: []string{"n'est pas terminé"}},
		{name: "unknown subcommand", args: []string{"billing", "frobnicate"}, wantErr: []string{"frobnicate"}},
		{name: "opt-out, never joined", args: []string{"departement", "opt-out", "24", "--date", "2999-01-01"}, wantErr: []string{"Dordogne", "n'a pas adhéré"}},
		{name: "opt-out, no date", args: []string{"departement", "opt-out", "33"}, wantErr: []string{"--date"}},
		{name: "opt-out", args: []string{"departement", "opt-out", "33", "--date", "2999-01-01"},
			out: []string{"le département 33 quitte Cartable le 01/01/2999"}},
	})
	var invoices int
	if err := openDSN(t, dsn).Raw(`SELECT count(*) FROM platform.billing_invoices WHERE payer = '33' AND finalized_at IS NOT NULL`).Scan(&invoices).Error; err != nil || invoices != 1 {
		t.Errorf("Gironde's finalised invoices for October 2020: %d (%v), want 1", invoices, err)
	}
}
