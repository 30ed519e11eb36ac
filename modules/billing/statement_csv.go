package billing

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cartable-ent/cartable/web/csvout"
)

// The statements and the usage as CSV for a French spreadsheet: UTF-8 with a BOM, ';'
// separated, amounts « 1234,56 » (euros, no grouping, no unit), formula-like cells
// neutralised (web/csvout).

// StatementCSV writes d's lines (UAI, label, formula, amount), then its totals before VAT,
// VAT (with its rate) and to pay.
func StatementCSV(w io.Writer, d Document) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csvout.NewWriter(w, ';')
	cw.Write([]string{"Mois", "Payeur", "UAI", "Libellé", "Calcul", "Montant HT (€)"})
	month, payer := d.Month.Format("2006-01"), d.PayerName
	for _, l := range d.Lines {
		cw.Write([]string{month, payer, l.UAI, l.Label, csvText(l.Formula), csvAmount(l.Amount)})
	}
	cw.Write([]string{month, payer, "", "Total HT", "", csvAmount(d.Net)})
	cw.Write([]string{month, payer, "", "TVA (" + formatBasis(d.VATBasis) + " %)", "", csvAmount(d.VAT)})
	cw.Write([]string{month, payer, "", "Total TTC", "", csvAmount(d.Gross)})
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("billing: write the statement csv: %w", err)
	}
	return nil
}

// UsageCSV writes each establishment's usage of month: UAI, name, payer, billed days, days
// of the month, active pupils, accounts and GB-months of storage.
func UsageCSV(w io.Writer, month time.Time, usage []Usage) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csvout.NewWriter(w, ';')
	cw.Write([]string{"Mois", "UAI", "Établissement", "Payeur", "Jours facturés", "Jours du mois", "Élèves actifs", "Comptes", "Stockage (Go-mois)"})
	m := MonthOf(month).Format("2006-01")
	for _, u := range usage {
		cw.Write([]string{m, u.UAI, u.Name, u.Payer, strconv.Itoa(u.BilledDays), strconv.Itoa(u.DaysInMonth),
			strconv.Itoa(u.ActivePupils), strconv.Itoa(u.Accounts), csvText(formatDecimal(gbMonths(u), 2))})
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("billing: write the usage csv: %w", err)
	}
	return nil
}

// csvText is s with its digits' narrow no-break spaces as plain spaces, which every
// spreadsheet reads.
func csvText(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '\u202f' || r == '\u00a0' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
