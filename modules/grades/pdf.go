package grades

import (
	"fmt"
	"io"
	"strings"

	"github.com/signintech/gopdf"

	"github.com/cartable-ent/cartable/web/pdfdoc"
)

// The report card PDF: A4 portrait, in points. Text is set in the Go fonts, embedded as
// subsets with their Unicode map, so that every French character (é è à ç ô œ « ») renders
// and the text can be searched, copied and read aloud.
const (
	pdfPageW  = pdfdoc.PageW
	pdfPageH  = pdfdoc.PageH
	pdfMargin = 40.0
	pdfWidth  = pdfPageW - 2*pdfMargin
	pdfBottom = pdfPageH - 56 // the footer lives below
	pdfPad    = 4.0
)

// pdfColumns are the widths of the subjects table; the appréciation takes the rest.
var pdfColumns = []struct {
	head  string
	width float64
}{
	{"Matière", 112}, {"Coef.", 30}, {"Moyenne de l'élève", 48}, {"Moyenne de la classe", 48},
	{"Min. classe", 38}, {"Max. classe", 38}, {"Appréciation", pdfWidth - 314},
}

// writeReportCardsPDF writes the report cards as one PDF, each pupil from a new page (a
// card too long for one page goes on over the next, under a "suite" heading). It shows
// what the report card page shows.
func writeReportCardsPDF(w io.Writer, school, title string, cards []reportView) error {
	doc, err := pdfdoc.New(gopdf.PdfInfo{Title: title, Author: school, Subject: "Bulletin scolaire"})
	if err != nil {
		return fmt.Errorf("grades: %w", err)
	}
	d := &pdfDoc{Doc: doc, school: school}
	for i := range cards {
		d.card(&cards[i])
	}
	if d.Err != nil {
		return fmt.Errorf("grades: write report card pdf: %w", d.Err)
	}
	if err := d.P.Write(w); err != nil {
		return fmt.Errorf("grades: write report card pdf: %w", err)
	}
	return nil
}

// pdfDoc draws on the document and keeps the first error, so that drawing code reads
// straight.
type pdfDoc struct {
	*pdfdoc.Doc
	school string
	y      float64 // where the next thing goes
	cur    *reportView
}

// lineHeight is the height of a line of text in the current font.
func (d *pdfDoc) lineHeight() float64 { return d.Size * 1.3 }

// textRight writes s ending at x = right.
func (d *pdfDoc) textRight(right, y float64, s string) { d.Text(right-d.Width(s), y, s) }

// card draws one pupil's report card from a new page.
func (d *pdfDoc) card(r *reportView) {
	d.cur = r
	d.page(false)

	d.Font(true, 16)
	d.Text(pdfMargin, d.y, r.Title())
	d.y += 22
	d.Font(false, 9)
	d.Text(pdfMargin, d.y, "Période "+r.Dates())
	d.y += 20

	// Who: pupil, class, professeur principal.
	boxTop := d.y
	d.Font(true, 12)
	d.Text(pdfMargin+8, d.y+8, "Élève : "+r.Name())
	d.Font(false, 10)
	d.Text(pdfMargin+8, d.y+28, "Classe : "+r.Class)
	d.Text(pdfMargin+pdfWidth/2, d.y+28, "Professeur principal : "+r.PrincipalText())
	d.P.SetLineWidth(0.8)
	d.P.SetStrokeColor(120, 120, 120)
	d.P.RectFromUpperLeftWithStyle(pdfMargin, boxTop, pdfWidth, 46, "D")
	d.y = boxTop + 46 + 16

	d.tableHead()
	for _, s := range r.Subjects {
		d.subjectRow(s)
	}
	if len(r.Subjects) == 0 {
		d.Font(false, 9)
		d.row([]string{"Aucune évaluation sur la période."}, []float64{pdfWidth}, false, nil)
	}
	d.generalRow(r)
	d.y += 14

	d.Font(false, 10)
	d.need(d.lineHeight())
	d.Text(pdfMargin, d.y, "Absences : "+r.AbsencesText())
	d.y += d.lineHeight() + 10

	d.Font(true, 11)
	d.need(2 * d.lineHeight())
	d.Text(pdfMargin, d.y, "Avis du conseil de classe")
	d.y += d.lineHeight() + 2
	d.Font(false, 10)
	council := r.Council
	if len(council) == 0 {
		council = []string{"Aucun avis."}
	}
	for _, l := range d.Wrap(council, pdfWidth) {
		d.need(d.lineHeight())
		d.Text(pdfMargin, d.y, l)
		d.y += d.lineHeight()
	}
}

// page starts a page of the current card: the establishment at the top, the footer at the
// bottom, and on a following page of the same card, who it is about.
func (d *pdfDoc) page(more bool) {
	r := d.cur
	d.P.AddPage()
	d.P.SetTextColor(0, 0, 0)
	d.Font(true, 11)
	d.Text(pdfMargin, pdfMargin, d.school)
	d.Font(false, 9)
	d.textRight(pdfPageW-pdfMargin, pdfMargin+1, "Année scolaire "+r.Period.SchoolYear)
	d.P.SetLineWidth(0.5)
	d.P.SetStrokeColor(120, 120, 120)
	d.P.Line(pdfMargin, pdfMargin+18, pdfPageW-pdfMargin, pdfMargin+18)

	d.Font(false, 8)
	foot := pdfPageH - 36
	d.P.Line(pdfMargin, foot-6, pdfPageW-pdfMargin, foot-6)
	d.Text(pdfMargin, foot, r.Title()+" – "+r.Name()+" – "+r.Class)
	if !r.Published {
		d.Font(true, 8)
		d.textRight(pdfPageW-pdfMargin, foot, "Document provisoire : bulletin non publié")
	}
	d.y = pdfMargin + 30
	if more {
		d.Font(true, 11)
		d.Text(pdfMargin, d.y, r.Name()+" – "+r.Title()+" (suite)")
		d.y += 24
	}
}

// need goes to a new page when h does not fit on this one.
func (d *pdfDoc) need(h float64) bool {
	if d.y+h <= pdfBottom {
		return false
	}
	size := d.Size
	d.page(true)
	d.Font(false, size)
	return true
}

func (d *pdfDoc) widths() []float64 {
	ws := make([]float64, len(pdfColumns))
	for i, c := range pdfColumns {
		ws[i] = c.width
	}
	return ws
}

func (d *pdfDoc) tableHead() {
	heads := make([]string, len(pdfColumns))
	for i, c := range pdfColumns {
		heads[i] = c.head
	}
	d.Font(true, 8)
	d.row(heads, d.widths(), true, []uint8{225, 232, 240})
}

func (d *pdfDoc) subjectRow(s reportSubjectView) {
	d.Font(false, 9)
	h := d.rowHeight([]string{s.Label, strings.Join(s.Appreciation, "\n")}, []float64{pdfColumns[0].width, pdfColumns[6].width})
	if d.need(h) {
		d.tableHead()
		d.Font(false, 9)
	}
	d.row([]string{s.Label, s.Coef, s.Average, s.ClassAvg, s.ClassMin, s.ClassMax, strings.Join(s.Appreciation, "\n")}, d.widths(), false, nil)
}

func (d *pdfDoc) generalRow(r *reportView) {
	d.Font(true, 9)
	ws := d.widths()
	if d.need(d.lineHeight() + 2*pdfPad) {
		d.tableHead()
		d.Font(true, 9)
	}
	d.row([]string{"Moyenne générale", r.General, r.ClassAvg, r.ClassMin, r.ClassMax, ""},
		[]float64{ws[0] + ws[1], ws[2], ws[3], ws[4], ws[5], ws[6]}, false, []uint8{242, 242, 242})
}

// rowHeight is the height of a table row whose cells hold texts in widths.
func (d *pdfDoc) rowHeight(texts []string, widths []float64) float64 {
	n := 1
	for i, t := range texts {
		if l := len(d.Wrap(strings.Split(t, "\n"), widths[i]-2*pdfPad)); l > n {
			n = l
		}
	}
	return float64(n)*d.lineHeight() + 2*pdfPad
}

// row draws a table row at d.y in the current font: the first cell's text on the left,
// figures (the middle cells) on the right, the last one wrapped on the left.
func (d *pdfDoc) row(texts []string, widths []float64, head bool, fill []uint8) {
	h := d.rowHeight(texts, widths)
	x := pdfMargin
	d.P.SetLineWidth(0.5)
	d.P.SetStrokeColor(120, 120, 120)
	for i, t := range texts {
		w := widths[i]
		if fill != nil {
			d.P.SetFillColor(fill[0], fill[1], fill[2])
			d.P.RectFromUpperLeftWithStyle(x, d.y, w, h, "FD")
		} else {
			d.P.RectFromUpperLeftWithStyle(x, d.y, w, h, "D")
		}
		lines := d.Wrap(strings.Split(t, "\n"), w-2*pdfPad)
		figure := !head && i > 0 && i < len(texts)-1
		for j, l := range lines {
			y := d.y + pdfPad + float64(j)*d.lineHeight()
			if figure {
				d.textRight(x+w-pdfPad, y, l)
			} else {
				d.Text(x+pdfPad, y, l)
			}
		}
		x += w
	}
	d.y += h
}
