package billing

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/signintech/gopdf"

	"github.com/cartable-ent/cartable/web/pdfdoc"
)

// The statement PDF: A4 portrait, in points, on web/pdfdoc (the Go fonts embedded with their
// Unicode map, so that the text can be searched and read aloud).
const (
	spMargin = 40.0
	spWidth  = pdfdoc.PageW - 2*spMargin
	spBottom = pdfdoc.PageH - 56
	// the columns of the lines' table: label, formula, amount (right-aligned at the margin)
	spFormulaX = spMargin + 230
	spAmountR  = pdfdoc.PageW - spMargin
)

// StatementPDF writes d as a PDF: its title (« Relevé de répartition — novembre 2026 —
// Gironde »), every line with its label, formula and amount, the total before VAT, the VAT
// with its rate and the total to pay, then the table of its establishments' usage.
func StatementPDF(w io.Writer, d Document) error {
	doc, err := pdfdoc.New(gopdf.PdfInfo{Title: d.Title(), Author: "Cartable", Subject: "Relevé de répartition des coûts"})
	if err != nil {
		return fmt.Errorf("billing: %w", err)
	}
	p := &statementPDF{Doc: doc, title: d.Title()}
	p.newPage()
	p.Font(true, 15)
	p.wrapped(d.Title(), spMargin, spWidth)
	p.Font(false, 9)
	if d.Provisional {
		p.wrapped("Relevé provisoire : le mois n'est pas clos, ses chiffres changeront jusqu'à sa clôture.", spMargin, spWidth)
	} else {
		p.wrapped("Mois clos : ces montants sont ceux de la clôture et ne changent plus.", spMargin, spWidth)
	}
	p.y += 10

	p.Font(true, 12)
	p.wrapped("Lignes du relevé", spMargin, spWidth)
	p.Font(true, 9)
	p.row("Libellé", "Calcul", "Montant HT")
	p.rule()
	p.Font(false, 9)
	for _, l := range d.Lines {
		p.row(l.Label, l.Formula, pdfMoney(l.Amount))
	}
	p.rule()
	p.Font(true, 10)
	p.row("Total HT", "", pdfMoney(d.Net))
	p.Font(false, 10)
	p.row("TVA ("+formatBasis(d.VATBasis)+" %)", "", pdfMoney(d.VAT))
	p.Font(true, 10)
	p.row("Total TTC", "", pdfMoney(d.Gross))
	p.y += 14

	p.need(60)
	p.Font(true, 12)
	p.wrapped("Usage des établissements", spMargin, spWidth)
	cols := []float64{spMargin, spMargin + 190, spMargin + 260, spMargin + 330, spMargin + 400}
	heads := []string{"Établissement", "Jours facturés", "Élèves actifs", "Comptes", "Stockage (Go-mois)"}
	p.Font(true, 8)
	p.cells(cols, heads)
	p.rule()
	p.Font(false, 8)
	if len(d.Usage) == 0 {
		p.wrapped("Aucun établissement facturé ce mois-ci.", spMargin, spWidth)
	}
	for _, u := range d.Usage {
		name := u.Name
		if name == "" {
			name = u.UAI
		}
		p.cells(cols, []string{name + " (" + u.UAI + ")", strconv.Itoa(u.BilledDays) + "/" + strconv.Itoa(u.DaysInMonth),
			pdfText(formatCount(int64(u.ActivePupils))), pdfText(formatCount(int64(u.Accounts))), pdfText(GBMonths(u))})
	}
	if p.Err != nil {
		return fmt.Errorf("billing: write the statement pdf: %w", p.Err)
	}
	if err := p.P.Write(w); err != nil {
		return fmt.Errorf("billing: write the statement pdf: %w", err)
	}
	return nil
}

// statementPDF draws a statement and keeps the first error.
type statementPDF struct {
	*pdfdoc.Doc
	title string
	y     float64
	page  int
}

func (p *statementPDF) newPage() {
	p.P.AddPage()
	p.page++
	bold, size := p.Bold, p.Size
	p.Font(false, 8)
	foot := pdfdoc.PageH - 36
	p.P.SetLineWidth(0.5)
	p.P.SetStrokeColor(120, 120, 120)
	p.P.Line(spMargin, foot-6, pdfdoc.PageW-spMargin, foot-6)
	p.Text(spMargin, foot, p.title+" — page "+strconv.Itoa(p.page))
	p.y = spMargin
	if size > 0 {
		p.Font(bold, size)
	}
}

func (p *statementPDF) need(h float64) {
	if p.y+h > spBottom {
		p.newPage()
	}
}

// wrapped writes text wrapped to width from x.
func (p *statementPDF) wrapped(text string, x, width float64) {
	h := p.Size * 1.35
	for _, line := range p.Wrap([]string{pdfText(text)}, width) {
		p.need(h)
		p.Text(x, p.y, line)
		p.y += h
	}
}

// row writes a line of the lines' table: the label and the formula wrapped in their
// columns, the amount right-aligned.
func (p *statementPDF) row(label, formula, amount string) {
	h := p.Size * 1.35
	ls := p.Wrap([]string{pdfText(label)}, spFormulaX-spMargin-8)
	fs := p.Wrap([]string{pdfText(formula)}, spAmountR-70-spFormulaX)
	n := max(len(ls), len(fs), 1)
	p.need(float64(n) * h)
	for i := range n {
		if i < len(ls) {
			p.Text(spMargin, p.y+float64(i)*h, ls[i])
		}
		if i < len(fs) {
			p.Text(spFormulaX, p.y+float64(i)*h, fs[i])
		}
	}
	if amount != "" {
		p.Text(spAmountR-p.Width(amount), p.y, amount)
	}
	p.y += float64(n)*h + 2
}

// cells writes one row of the usage table, each cell cut to its column.
func (p *statementPDF) cells(cols []float64, texts []string) {
	h := p.Size * 1.35
	p.need(h)
	for i, t := range texts {
		right := spAmountR
		if i+1 < len(cols) {
			right = cols[i+1] - 6
		}
		ls := p.Wrap([]string{pdfText(t)}, right-cols[i])
		if len(ls) > 0 {
			p.Text(cols[i], p.y, ls[0])
		}
	}
	p.y += h + 1
}

func (p *statementPDF) rule() {
	p.P.SetLineWidth(0.5)
	p.P.SetStrokeColor(0, 0, 0)
	p.P.Line(spMargin, p.y, spAmountR, p.y)
	p.y += 3
}

// pdfText replaces the narrow no-break space (U+202F, which the Go fonts lack) by a no-break
// space.
func pdfText(s string) string { return strings.ReplaceAll(s, groupSep, unitSep) }

func pdfMoney(c Cents) string { return pdfText(FormatCents(c)) }
