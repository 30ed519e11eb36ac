// Package pdfdoc is what the application's PDFs share (the report cards, the cahier de
// textes' archive): an A4 document in points, its text set in the Go fonts, embedded as
// subsets with their Unicode map so that every French character (é è à ç ô œ « ») renders
// and the text can be searched, copied and read aloud; drawing keeps the first error, so
// that drawing code reads straight.
package pdfdoc

import (
	"fmt"
	"strings"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The A4 page, in points.
const (
	PageW = 595.28
	PageH = 841.89
)

const (
	regular = "go"
	bold    = "go-bold"
)

// Doc is a document being drawn.
type Doc struct {
	P    *gopdf.GoPdf
	Err  error   // the first error of a drawing call
	Size float64 // the current font's size
	Bold bool    // the current font is bold
}

// New starts an A4 document with info and the two fonts.
func New(info gopdf.PdfInfo) (*Doc, error) {
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if info.Creator == "" {
		info.Creator = "Cartable"
	}
	p.SetInfo(info)
	if err := p.AddTTFFontData(regular, goregular.TTF); err != nil {
		return nil, fmt.Errorf("pdf font: %w", err)
	}
	if err := p.AddTTFFontData(bold, gobold.TTF); err != nil {
		return nil, fmt.Errorf("pdf font: %w", err)
	}
	return &Doc{P: p}, nil
}

// Check keeps err if it is the first.
func (d *Doc) Check(err error) {
	if d.Err == nil && err != nil {
		d.Err = err
	}
}

// Font sets the font, bold or not, at size.
func (d *Doc) Font(isBold bool, size float64) {
	family := regular
	if isBold {
		family = bold
	}
	d.Size, d.Bold = size, isBold
	d.Check(d.P.SetFont(family, "", size))
}

// Text writes s with its top-left corner at (x, y).
func (d *Doc) Text(x, y float64, s string) {
	if s == "" {
		return
	}
	d.P.SetXY(x, y)
	d.Check(d.P.Cell(nil, s))
}

// Width is s's width in the current font.
func (d *Doc) Width(s string) float64 {
	w, err := d.P.MeasureTextWidth(s)
	d.Check(err)
	return w
}

// Wrap cuts paragraphs into lines no wider than width in the current font: between words,
// or inside a word too long for a line; an empty paragraph gives no line.
func (d *Doc) Wrap(paragraphs []string, width float64) []string {
	var lines []string
	for _, para := range paragraphs {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if d.Width(try) <= width {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = word
			for d.Width(line) > width && len([]rune(line)) > 1 {
				r := []rune(line)
				n := len(r) - 1
				for n > 1 && d.Width(string(r[:n])) > width {
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
