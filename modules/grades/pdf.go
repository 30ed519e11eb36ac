package grades

import (
	"fmt"
	"io"
	"strings"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The report card PDF: A4 portrait, in points. Text is set in the Go fonts, embedded as
// subsets with their Unicode map, so that every French character (é è à ç ô œ « ») renders
// and the text can be searched, copied and read aloud.
const (
	pdfPageW   = 595.28
	pdfPageH   = 841.89
	pdfMargin  = 40.0
	pdfWidth   = pdfPageW - 2*pdfMargin
	pdfBottom  = pdfPageH - 56 // the footer lives below
	pdfPad     = 4.0
	pdfRegular = "go"
	pdfBold    = "go-bold"
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
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	p.SetInfo(gopdf.PdfInfo{Title: title, Author: school, Subject: "Bulletin scolaire", Creator: "Cartable"})
	if err := p.AddTTFFontData(pdfRegular, goregular.TTF); err != nil {
		return fmt.Errorf("grades: pdf font: %w", err)
	}
	if err := p.AddTTFFontData(pdfBold, gobold.TTF); err != nil {
		return fmt.Errorf("grades: pdf font: %w", err)
	}
	d := &pdfDoc{p: p, school: school}
	for i := range cards {
		d.card(&cards[i])
	}
	if d.err != nil {
		return fmt.Errorf("grades: write report card pdf: %w", d.err)
	}
	if err := p.Write(w); err != nil {
		return fmt.Errorf("grades: write report card pdf: %w", err)
	}
	return nil
}

// pdfDoc draws on the document and keeps the first error, so that drawing code reads
// straight.
type pdfDoc struct {
	p      *gopdf.GoPdf
	err    error
	school string
	y      float64 // where the next thing goes
	size   float64 // current font size
	cur    *reportView
}

func (d *pdfDoc) check(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

func (d *pdfDoc) font(bold bool, size float64) {
	family := pdfRegular
	if bold {
		family = pdfBold
	}
	d.size = size
	d.check(d.p.SetFont(family, "", size))
}

// lineHeight is the height of a line of text in the current font.
func (d *pdfDoc) lineHeight() float64 { return d.size * 1.3 }

// text writes s with its top-left corner at (x, y).
func (d *pdfDoc) text(x, y float64, s string) {
	if s == "" {
		return
	}
	d.p.SetXY(x, y)
	d.check(d.p.Cell(nil, s))
}

func (d *pdfDoc) width(s string) float64 {
	w, err := d.p.MeasureTextWidth(s)
	d.check(err)
	return w
}

// textRight writes s ending at x = right.
func (d *pdfDoc) textRight(right, y float64, s string) { d.text(right-d.width(s), y, s) }

// wrap cuts paragraphs into lines no wider than width in the current font: between words,
// or inside a word too long for a line.
func (d *pdfDoc) wrap(paragraphs []string, width float64) []string {
	var lines []string
	for _, para := range paragraphs {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if d.width(try) <= width {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = word
			for d.width(line) > width && len([]rune(line)) > 1 {
				r := []rune(line)
				n := len(r) - 1
				for n > 1 && d.width(string(r[:n])) > width {
					n--
				}
				lines = append(lines, string(r[:n]))
				line = string(r[n:])
			}
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// card draws one pupil's report card from a new page.
func (d *pdfDoc) card(r *reportView) {
	d.cur = r
	d.page(false)

	d.font(true, 16)
	d.text(pdfMargin, d.y, r.Title())
	d.y += 22
	d.font(false, 9)
	d.text(pdfMargin, d.y, "Période "+r.Dates())
	d.y += 20

	// Who: pupil, class, professeur principal.
	boxTop := d.y
	d.font(true, 12)
	d.text(pdfMargin+8, d.y+8, "Élève : "+r.Name())
	d.font(false, 10)
	d.text(pdfMargin+8, d.y+28, "Classe : "+r.Class)
	d.text(pdfMargin+pdfWidth/2, d.y+28, "Professeur principal : "+r.PrincipalText())
	d.p.SetLineWidth(0.8)
	d.p.SetStrokeColor(120, 120, 120)
	d.p.RectFromUpperLeftWithStyle(pdfMargin, boxTop, pdfWidth, 46, "D")
	d.y = boxTop + 46 + 16

	d.tableHead()
	for _, s := range r.Subjects {
		d.subjectRow(s)
	}
	if len(r.Subjects) == 0 {
		d.font(false, 9)
		d.row([]string{"Aucune évaluation sur la période."}, []float64{pdfWidth}, false, nil)
	}
	d.generalRow(r)
	d.y += 14

	d.font(false, 10)
	d.need(d.lineHeight())
	d.text(pdfMargin, d.y, "Absences : "+r.AbsencesText())
	d.y += d.lineHeight() + 10

	d.font(true, 11)
	d.need(2 * d.lineHeight())
	d.text(pdfMargin, d.y, "Avis du conseil de classe")
	d.y += d.lineHeight() + 2
	d.font(false, 10)
	council := r.Council
	if len(council) == 0 {
		council = []string{"Aucun avis."}
	}
	for _, l := range d.wrap(council, pdfWidth) {
		d.need(d.lineHeight())
		d.text(pdfMargin, d.y, l)
		d.y += d.lineHeight()
	}
}

// page starts a page of the current card: the establishment at the top, the footer at the
// bottom, and on a following page of the same card, who it is about.
func (d *pdfDoc) page(more bool) {
	r := d.cur
	d.p.AddPage()
	d.p.SetTextColor(0, 0, 0)
	d.font(true, 11)
	d.text(pdfMargin, pdfMargin, d.school)
	d.font(false, 9)
	d.textRight(pdfPageW-pdfMargin, pdfMargin+1, "Année scolaire "+r.Period.SchoolYear)
	d.p.SetLineWidth(0.5)
	d.p.SetStrokeColor(120, 120, 120)
	d.p.Line(pdfMargin, pdfMargin+18, pdfPageW-pdfMargin, pdfMargin+18)

	d.font(false, 8)
	foot := pdfPageH - 36
	d.p.Line(pdfMargin, foot-6, pdfPageW-pdfMargin, foot-6)
	d.text(pdfMargin, foot, r.Title()+" – "+r.Name()+" – "+r.Class)
	if !r.Published {
		d.font(true, 8)
		d.textRight(pdfPageW-pdfMargin, foot, "Document provisoire : bulletin non publié")
	}
	d.y = pdfMargin + 30
	if more {
		d.font(true, 11)
		d.text(pdfMargin, d.y, r.Name()+" – "+r.Title()+" (suite)")
		d.y += 24
	}
}

// need goes to a new page when h does not fit on this one.
func (d *pdfDoc) need(h float64) bool {
	if d.y+h <= pdfBottom {
		return false
	}
	size := d.size
	d.page(true)
	d.font(false, size)
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
	d.font(true, 8)
	d.row(heads, d.widths(), true, []uint8{225, 232, 240})
}

func (d *pdfDoc) subjectRow(s reportSubjectView) {
	d.font(false, 9)
	h := d.rowHeight([]string{s.Label, strings.Join(s.Appreciation, "\n")}, []float64{pdfColumns[0].width, pdfColumns[6].width})
	if d.need(h) {
		d.tableHead()
		d.font(false, 9)
	}
	d.row([]string{s.Label, s.Coef, s.Average, s.ClassAvg, s.ClassMin, s.ClassMax, strings.Join(s.Appreciation, "\n")}, d.widths(), false, nil)
}

func (d *pdfDoc) generalRow(r *reportView) {
	d.font(true, 9)
	ws := d.widths()
	if d.need(d.lineHeight() + 2*pdfPad) {
		d.tableHead()
		d.font(true, 9)
	}
	d.row([]string{"Moyenne générale", r.General, r.ClassAvg, r.ClassMin, r.ClassMax, ""},
		[]float64{ws[0] + ws[1], ws[2], ws[3], ws[4], ws[5], ws[6]}, false, []uint8{242, 242, 242})
}

// rowHeight is the height of a table row whose cells hold texts in widths.
func (d *pdfDoc) rowHeight(texts []string, widths []float64) float64 {
	n := 1
	for i, t := range texts {
		if l := len(d.wrap(strings.Split(t, "\n"), widths[i]-2*pdfPad)); l > n {
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
	d.p.SetLineWidth(0.5)
	d.p.SetStrokeColor(120, 120, 120)
	for i, t := range texts {
		w := widths[i]
		if fill != nil {
			d.p.SetFillColor(fill[0], fill[1], fill[2])
			d.p.RectFromUpperLeftWithStyle(x, d.y, w, h, "FD")
		} else {
			d.p.RectFromUpperLeftWithStyle(x, d.y, w, h, "D")
		}
		lines := d.wrap(strings.Split(t, "\n"), w-2*pdfPad)
		figure := !head && i > 0 && i < len(texts)-1
		for j, l := range lines {
			y := d.y + pdfPad + float64(j)*d.lineHeight()
			if figure {
				d.textRight(x+w-pdfPad, y, l)
			} else {
				d.text(x+pdfPad, y, l)
			}
		}
		x += w
	}
	d.y += h
}
