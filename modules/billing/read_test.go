package billing_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/billing/billingtest"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/pdfdoc/pdftest"
)

var (
	october  = time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)
	november = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	// today is in November 2026, Paris time: October is over, November open.
	today = time.Date(2026, time.November, 18, 10, 0, 0, 0, billing.Paris)
)

// usageOf is a month's usage of a lycée, a collège of Gironde (opted in on the 16th of
// October) and a collège of Dordogne.
func usageOf(month time.Time) []billing.Usage {
	days := time.Date(month.Year(), month.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	girondeDays := days
	if month.Equal(october) {
		girondeDays = 16
	}
	return []billing.Usage{
		{UAI: "0330021U", Name: "Lycée Montaigne", Kind: "lycee", Payer: billing.RegionPayer, BilledDays: days, DaysInMonth: days, ActivePupils: 800, Accounts: 1500, ByteDays: int64(days) * 20_000_000_000},
		{UAI: tenanttest.UAI(33, 500), Name: "Collège Jules-Verne", Kind: "college", Payer: "33", BilledDays: girondeDays, DaysInMonth: days, ActivePupils: 400, Accounts: 700, ByteDays: int64(days) * 5_000_000_000},
		{UAI: tenanttest.UAI(24, 500), Name: "=Collège Périgord", Kind: "college", Payer: "24", BilledDays: days, DaysInMonth: days, ActivePupils: 200, Accounts: 300},
	}
}

func newStore(t *testing.T) *billing.Store {
	t.Helper()
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	tenanttest.OptIn(t, reg, "33")
	tenanttest.OptIn(t, reg, "24")
	return billing.NewStore(reg.Platform(), func() time.Time { return today })
}

// TestRead: a closed month's statements come back as the allocation made them, each payer
// only within its scope; invoices too; the year's costs add the open month, provisional.
func TestRead(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	billingtest.Tariff(t, s, october)
	frozen := billingtest.CloseMonth(t, s, october, usageOf(october))
	billingtest.Invoice(t, s, october, "33", "open", "https://invoice.stripe.com/i/test33", frozen[2].Gross)
	billingtest.Invoice(t, s, october, "24", "paid", "https://invoice.stripe.com/i/test24", frozen[1].Gross)

	t.Run("closed months", func(t *testing.T) {
		ms, err := s.ClosedMonths(ctx)
		if err != nil || len(ms) != 1 || !ms[0].Month.Equal(october) || ms[0].ClosedBy != "test" {
			t.Fatalf("closed months = %+v, %v", ms, err)
		}
		if _, closed, err := s.ClosedMonth(ctx, november); closed || err != nil {
			t.Errorf("november closed = %v, %v", closed, err)
		}
	})

	t.Run("the région reads every statement, as frozen", func(t *testing.T) {
		docs, err := s.Statements(ctx, "", october)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 3 || docs[0].Payer != billing.RegionPayer || docs[1].Payer != "24" || docs[2].Payer != "33" {
			t.Fatalf("statements = %+v", docs)
		}
		for i, d := range docs {
			if d.Net != frozen[i].Net || d.Gross != frozen[i].Gross || len(d.Lines) != len(frozen[i].Lines) || d.VATBasis != 2000 {
				t.Errorf("%s: %+v, want %+v", d.Payer, d.Statement, frozen[i])
			}
			for j, l := range d.Lines {
				if l != frozen[i].Lines[j] {
					t.Errorf("%s line %d = %+v, want %+v", d.Payer, j, l, frozen[i].Lines[j])
				}
			}
		}
		if docs[2].PayerName != "Gironde" || len(docs[2].Usage) != 1 || docs[2].Usage[0].BilledDays != 16 || docs[2].Usage[0].ActivePupils != 400 {
			t.Errorf("Gironde's document: %+v", docs[2])
		}
	})

	t.Run("a département reads its own only", func(t *testing.T) {
		docs, err := s.Statements(ctx, "33", october)
		if err != nil || len(docs) != 1 || docs[0].Payer != "33" {
			t.Fatalf("33's statements = %+v, %v", docs, err)
		}
		if _, err := s.StatementOf(ctx, "33", "24", october); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("33 reading 24's statement: %v, want not found", err)
		}
		if _, err := s.StatementOf(ctx, "33", billing.RegionPayer, october); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("33 reading the région's statement: %v, want not found", err)
		}
		if d, err := s.StatementOf(ctx, "33", "33", october); err != nil || d.Gross != frozen[2].Gross {
			t.Errorf("33's own statement: %+v, %v", d, err)
		}
		if _, err := s.StatementOf(ctx, "", "33", november); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("an open month's statement: %v, want not found", err)
		}
		invs, err := s.Invoices(ctx, "33")
		if err != nil || len(invs) != 1 || invs[0].Payer != "33" || invs[0].StatusLabel() != "émise" || invs[0].PayerName != "Gironde" {
			t.Errorf("33's invoices = %+v, %v", invs, err)
		}
		all, err := s.Invoices(ctx, "")
		if err != nil || len(all) != 2 {
			t.Errorf("every invoice = %+v, %v", all, err)
		}
	})

	t.Run("the year: closed October, provisional November", func(t *testing.T) {
		live := func(_ context.Context, m time.Time) ([]billing.Usage, error) { return usageOf(m), nil }
		costs, err := s.Year(ctx, "", 2026, live)
		if err != nil {
			t.Fatal(err)
		}
		if len(costs) != 6 {
			t.Fatalf("costs = %+v, want 3 payers × 2 months", costs)
		}
		if costs[0].Provisional || !costs[3].Provisional || !costs[3].Month.Equal(november) || costs[2].Gross != frozen[2].Gross {
			t.Errorf("costs = %+v", costs)
		}
		mine, err := s.Year(ctx, "24", 2026, live)
		if err != nil || len(mine) != 2 || mine[0].Payer != "24" || mine[1].Payer != "24" {
			t.Errorf("24's year = %+v, %v", mine, err)
		}
	})
}

// TestStatementPDF: the PDF's text has the title, every line with its formula and amount,
// the totals with the VAT rate and the usage table.
func TestStatementPDF(t *testing.T) {
	sts, err := billing.Allocate(october, billing.Tariff{PlatformMonth: 10000, PupilMonth: 100, SchoolMonth: 1000, GBMonth: 50, VATBasis: 2000}, usageOf(october))
	if err != nil {
		t.Fatal(err)
	}
	d := billing.Document{Statement: sts[2], Usage: usageOf(october)[1:2], PayerName: "Gironde", VATBasis: 2000}
	var b bytes.Buffer
	if err := billing.StatementPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	// Spaces compared as plain spaces: the wrapping of a cell turns no-break ones into spaces.
	nb := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace
	text := nb(pdftest.Text(t, b.Bytes()))
	want := []string{"Relevé de répartition — octobre 2026 — Gironde", "Total HT", "TVA (20 %)", "Total TTC",
		nb(billing.FormatCents(d.Net)), nb(billing.FormatCents(d.VAT)), nb(billing.FormatCents(d.Gross)), "Usage des établissements", "Collège Jules-Verne", "16/31"}
	for _, l := range d.Lines {
		want = append(want, l.Label, nb(l.Formula), nb(billing.FormatCents(l.Amount)))
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q:\n%s", w, text)
		}
	}
}

// TestStatementCSV: BOM, ';', amounts « 1234,56 », a formula-like name neutralised.
func TestStatementCSV(t *testing.T) {
	d := billing.Document{Statement: billing.Statement{Payer: "24", Month: october, Net: 123456, VAT: 24691, Gross: 148147,
		Lines: []billing.Line{{UAI: "0240500X", Label: "Abonnement établissement — =Collège Périgord", Formula: "1\u202f000,00\u00a0€ × 31/31 jours", Amount: 123456}}},
		PayerName: "Dordogne", VATBasis: 2000}
	var b bytes.Buffer
	if err := billing.StatementCSV(&b, d); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, w := range []string{"\ufeffMois;Payeur;UAI;Libellé;Calcul;Montant HT (€)\r\n",
		"2026-10;Dordogne;0240500X;Abonnement établissement — =Collège Périgord;1 000,00 € × 31/31 jours;1234,56\r\n",
		"2026-10;Dordogne;;Total HT;;1234,56\r\n", "2026-10;Dordogne;;TVA (20 %);;246,91\r\n", "2026-10;Dordogne;;Total TTC;;1481,47\r\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("the CSV lacks %q:\n%s", w, got)
		}
	}
	b.Reset()
	if err := billing.UsageCSV(&b, october, usageOf(october)[1:]); err != nil {
		t.Fatal(err)
	}
	got = b.String()
	for _, w := range []string{"\ufeffMois;UAI;Établissement;Payeur;Jours facturés;Jours du mois;Élèves actifs;Comptes;Stockage (Go-mois)\r\n",
		"2026-10;" + tenanttest.UAI(33, 500) + ";Collège Jules-Verne;33;16;31;400;700;5,00\r\n",
		"2026-10;" + tenanttest.UAI(24, 500) + ";'=Collège Périgord"} {
		if !strings.Contains(got, w) {
			t.Errorf("the usage CSV lacks %q:\n%s", w, got)
		}
	}
}
