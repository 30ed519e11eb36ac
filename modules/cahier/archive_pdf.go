package cahier

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/cartable-ent/cartable/modules/directory"
)

// archiveDoc is what a class's year-end archive shows.
type archiveDoc struct {
	School, Class, Year string
	Subjects            []archiveSubject // by subject, in the séances' order of subject names
	Visas               []Visa           // newest first
	Made                time.Time
}

// archiveSubject is one subject's part: its séances by date (with their work) and the work
// set outside a séance.
type archiveSubject struct {
	Label    string
	Sessions []Session
	Loose    []Work
}

func (d *archiveDoc) sessions() int {
	n := 0
	for _, s := range d.Subjects {
		n += len(s.Sessions)
	}
	return n
}

// Title is the document's title: « Cahier de textes — 2nde 1 — 2026-2027 ».
func (d *archiveDoc) Title() string { return "Cahier de textes — " + d.Class + " — " + d.Year }

// The archive PDF: A4 portrait, in points, in the Go fonts embedded as subsets with their
// Unicode map (as the report cards: modules/grades/pdf.go), so that the text is searchable.
const (
	apPageW   = 595.28
	apPageH   = 841.89
	apMargin  = 40.0
	apWidth   = apPageW - 2*apMargin
	apBottom  = apPageH - 56
	apRegular = "go"
	apBold    = "go-bold"
)

// writeArchivePDF writes the archive of one class's year.
func writeArchivePDF(w io.Writer, d *archiveDoc) error {
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	p.SetInfo(gopdf.PdfInfo{Title: d.Title(), Author: d.School, Subject: "Cahier de textes", Creator: "Cartable"})
	if err := p.AddTTFFontData(apRegular, goregular.TTF); err != nil {
		return fmt.Errorf("cahier: pdf font: %w", err)
	}
	if err := p.AddTTFFontData(apBold, gobold.TTF); err != nil {
		return fmt.Errorf("cahier: pdf font: %w", err)
	}
	a := &archivePDF{p: p, doc: d}
	a.newPage()
	a.font(true, 16)
	a.lines(d.Title(), 0)
	a.font(false, 9)
	a.lines(fmt.Sprintf("%s — archivé le %s — %d séances publiées", d.School, frDay(d.Made.In(directory.SchoolZone)), d.sessions()), 0)
	a.y += 8
	if len(d.Subjects) == 0 {
		a.font(false, 10)
		a.lines("Aucune séance publiée cette année.", 0)
	}
	for _, sub := range d.Subjects {
		a.need(60)
		a.y += 6
		a.font(true, 13)
		a.lines(sub.Label, 0)
		for _, se := range sub.Sessions {
			a.session(se)
		}
		if len(sub.Loose) > 0 {
			a.font(true, 10)
			a.lines("Travail donné hors séance", 0)
			for _, wk := range sub.Loose {
				a.work(wk)
			}
		}
	}
	a.need(60)
	a.y += 8
	a.font(true, 13)
	a.lines("Visas", 0)
	if len(d.Visas) == 0 {
		a.font(false, 10)
		a.lines("Aucun visa.", 0)
	}
	for _, v := range d.Visas {
		a.font(true, 10)
		a.lines(fmt.Sprintf("Visé le %s par %s (%s, %d séances)", v.Date(), v.Signer, v.Scope(), v.Sessions), 0)
		if v.Comment != "" {
			a.font(false, 10)
			a.lines(v.Comment, 12)
		}
		a.y += 4
	}
	if a.err != nil {
		return fmt.Errorf("cahier: write archive pdf: %w", a.err)
	}
	if err := p.Write(w); err != nil {
		return fmt.Errorf("cahier: write archive pdf: %w", err)
	}
	return nil
}

// archivePDF draws on the document and keeps the first error.
type archivePDF struct {
	p    *gopdf.GoPdf
	doc  *archiveDoc
	err  error
	y    float64
	size float64
	bold bool
	page int
}

func (a *archivePDF) check(err error) {
	if a.err == nil && err != nil {
		a.err = err
	}
}

func (a *archivePDF) font(bold bool, size float64) {
	family := apRegular
	if bold {
		family = apBold
	}
	a.size, a.bold = size, bold
	a.check(a.p.SetFont(family, "", size))
}

func (a *archivePDF) newPage() {
	a.p.AddPage()
	a.page++
	bold, size := a.bold, a.size
	a.font(false, 8)
	foot := apPageH - 36
	a.p.SetLineWidth(0.5)
	a.p.SetStrokeColor(120, 120, 120)
	a.p.Line(apMargin, foot-6, apPageW-apMargin, foot-6)
	a.text(apMargin, foot, a.doc.Title()+" — page "+itoa(a.page))
	a.y = apMargin
	if size > 0 {
		a.font(bold, size)
	}
}

// need goes to a new page when h does not fit on this one.
func (a *archivePDF) need(h float64) {
	if a.y+h > apBottom {
		a.newPage()
	}
}

func (a *archivePDF) text(x, y float64, s string) {
	if s == "" {
		return
	}
	a.p.SetXY(x, y)
	a.check(a.p.Cell(nil, s))
}

func (a *archivePDF) width(s string) float64 {
	w, err := a.p.MeasureTextWidth(s)
	a.check(err)
	return w
}

// lines writes text wrapped to the page's width less indent, one paragraph a line of text,
// going on to new pages as needed.
func (a *archivePDF) lines(text string, indent float64) {
	h := a.size * 1.35
	for _, line := range a.wrap(strings.Split(text, "\n"), apWidth-indent) {
		a.need(h)
		a.text(apMargin+indent, a.y, line)
		a.y += h
	}
}

// wrap cuts paragraphs into lines no wider than width: between words, or inside a word too
// long for a line; an empty paragraph is dropped.
func (a *archivePDF) wrap(paragraphs []string, width float64) []string {
	var out []string
	for _, para := range paragraphs {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if a.width(try) <= width {
				line = try
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			line = word
			for a.width(line) > width && len([]rune(line)) > 1 {
				r := []rune(line)
				n := len(r) - 1
				for n > 1 && a.width(string(r[:n])) > width {
					n--
				}
				out = append(out, string(r[:n]))
				line = string(r[n:])
			}
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (a *archivePDF) session(se Session) {
	a.need(40)
	a.y += 4
	a.font(true, 10)
	a.lines(se.Date()+", "+se.Starts+"–"+se.Ends+" : "+se.Title, 0)
	if se.Teacher != "" {
		a.font(false, 8)
		a.lines(se.Teacher, 12)
	}
	a.font(false, 10)
	if se.Body != "" {
		a.lines(se.Body, 12)
	}
	for _, l := range se.Links {
		a.lines("Lien : "+l.Title+" — "+l.URL, 12)
	}
	for _, f := range se.Files {
		a.lines("Pièce jointe : "+f.Name, 12)
	}
	for _, w := range se.Work {
		a.work(w)
	}
}

func (a *archivePDF) work(w Work) {
	a.font(true, 9)
	head := "Travail à faire — " + w.Kind + " pour le " + w.Due()
	if w.Minutes > 0 {
		head += " (temps estimé : " + w.Estimate() + ")"
	}
	a.lines(head, 12)
	a.font(false, 9)
	a.lines(w.Description, 24)
	for _, f := range w.Files {
		a.lines("Pièce jointe : "+f.Name, 24)
	}
	a.font(false, 10)
}
