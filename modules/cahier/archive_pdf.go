package cahier

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/web/pdfdoc"
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
	apPageW  = pdfdoc.PageW
	apPageH  = pdfdoc.PageH
	apMargin = 40.0
	apWidth  = apPageW - 2*apMargin
	apBottom = apPageH - 56
)

// writeArchivePDF writes the archive of one class's year.
func writeArchivePDF(w io.Writer, d *archiveDoc) error {
	doc, err := pdfdoc.New(gopdf.PdfInfo{Title: d.Title(), Author: d.School, Subject: "Cahier de textes"})
	if err != nil {
		return fmt.Errorf("cahier: %w", err)
	}
	a := &archivePDF{Doc: doc, doc: d}
	a.newPage()
	a.Font(true, 16)
	a.lines(d.Title(), 0)
	a.Font(false, 9)
	a.lines(fmt.Sprintf("%s — archivé le %s — %d séances publiées", d.School, frDay(d.Made.In(directory.SchoolZone)), d.sessions()), 0)
	a.y += 8
	if len(d.Subjects) == 0 {
		a.Font(false, 10)
		a.lines("Aucune séance publiée cette année.", 0)
	}
	for _, sub := range d.Subjects {
		a.need(60)
		a.y += 6
		a.Font(true, 13)
		a.lines(sub.Label, 0)
		for _, se := range sub.Sessions {
			a.session(se)
		}
		if len(sub.Loose) > 0 {
			a.Font(true, 10)
			a.lines("Travail donné hors séance", 0)
			for _, wk := range sub.Loose {
				a.work(wk)
			}
		}
	}
	a.need(60)
	a.y += 8
	a.Font(true, 13)
	a.lines("Visas", 0)
	if len(d.Visas) == 0 {
		a.Font(false, 10)
		a.lines("Aucun visa.", 0)
	}
	for _, v := range d.Visas {
		a.Font(true, 10)
		a.lines(fmt.Sprintf("Visé le %s par %s (%s, %d séances)", v.Date(), v.Signer, v.Scope(), v.Sessions), 0)
		if v.Comment != "" {
			a.Font(false, 10)
			a.lines(v.Comment, 12)
		}
		a.y += 4
	}
	if a.Err != nil {
		return fmt.Errorf("cahier: write archive pdf: %w", a.Err)
	}
	if err := a.P.Write(w); err != nil {
		return fmt.Errorf("cahier: write archive pdf: %w", err)
	}
	return nil
}

// archivePDF draws on the document and keeps the first error.
type archivePDF struct {
	*pdfdoc.Doc
	doc  *archiveDoc
	y    float64
	page int
}

func (a *archivePDF) newPage() {
	a.P.AddPage()
	a.page++
	bold, size := a.Bold, a.Size
	a.Font(false, 8)
	foot := apPageH - 36
	a.P.SetLineWidth(0.5)
	a.P.SetStrokeColor(120, 120, 120)
	a.P.Line(apMargin, foot-6, apPageW-apMargin, foot-6)
	a.Text(apMargin, foot, a.doc.Title()+" — page "+itoa(a.page))
	a.y = apMargin
	if size > 0 {
		a.Font(bold, size)
	}
}

// need goes to a new page when h does not fit on this one.
func (a *archivePDF) need(h float64) {
	if a.y+h > apBottom {
		a.newPage()
	}
}

// lines writes text wrapped to the page's width less indent, one paragraph a line of text,
// going on to new pages as needed.
func (a *archivePDF) lines(text string, indent float64) {
	h := a.Size * 1.35
	for _, line := range a.Wrap(strings.Split(text, "\n"), apWidth-indent) {
		a.need(h)
		a.Text(apMargin+indent, a.y, line)
		a.y += h
	}
}

func (a *archivePDF) session(se Session) {
	a.need(40)
	a.y += 4
	a.Font(true, 10)
	a.lines(se.Date()+", "+se.Starts+"–"+se.Ends+" : "+se.Title, 0)
	if se.Teacher != "" {
		a.Font(false, 8)
		a.lines(se.Teacher, 12)
	}
	a.Font(false, 10)
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
	a.Font(true, 9)
	head := "Travail à faire — " + w.Kind + " pour le " + w.Due()
	if w.Minutes > 0 {
		head += " (temps estimé : " + w.Estimate() + ")"
	}
	a.lines(head, 12)
	a.Font(false, 9)
	a.lines(w.Description, 24)
	for _, f := range w.Files {
		a.lines("Pièce jointe : "+f.Name, 24)
	}
	a.Font(false, 10)
}
