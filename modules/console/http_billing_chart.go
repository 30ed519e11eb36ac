package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/modules/billing"
)

// chartView is the year's costs per payer and month: an SVG bar chart drawn on the server
// (no script) and the same figures as a table next to it.
type chartView struct {
	Year    int
	SVG     template.HTML
	Payers  []string   // the table's columns, after the month
	Rows    []chartRow // one per month that has costs
	Legend  []legendItem
	Summary string // the chart's description for assistive technologies
}

type chartRow struct {
	Month       string
	Cells       []string // each payer's cost before VAT, "—" when none
	Total       string
	Provisional bool
}

type legendItem struct{ Name, Color string }

// chartColors tell the payers apart (each against white at 3:1 or more).
var chartColors = []string{"#1f5fa8", "#b34700", "#2e7d32", "#6a3d9a", "#a0183a", "#00695c", "#5d4037"}

// yearChart draws one stacked bar per month of year: each payer's cost before VAT.
func yearChart(year int, costs []billing.MonthCost) chartView {
	v := chartView{Year: year}
	index := map[string]int{}
	byMonth := map[time.Month]map[string]billing.Cents{}
	provisional := map[time.Month]bool{}
	var top billing.Cents
	totals := map[time.Month]billing.Cents{}
	for _, mc := range costs {
		if _, ok := index[mc.Payer]; !ok {
			index[mc.Payer] = len(v.Payers)
			v.Payers = append(v.Payers, mc.PayerName)
		}
		m := mc.Month.Month()
		if byMonth[m] == nil {
			byMonth[m] = map[string]billing.Cents{}
		}
		byMonth[m][mc.Payer] += mc.Net
		totals[m] += mc.Net
		top = max(top, totals[m])
		provisional[m] = provisional[m] || mc.Provisional
	}
	payerCodes := make([]string, len(v.Payers))
	for code, i := range index {
		payerCodes[i] = code
	}
	for i, name := range v.Payers {
		v.Legend = append(v.Legend, legendItem{Name: name, Color: chartColors[i%len(chartColors)]})
	}
	for m := time.January; m <= time.December; m++ {
		if byMonth[m] == nil {
			continue
		}
		r := chartRow{Month: billing.MonthName(time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)), Total: billing.FormatCents(totals[m]), Provisional: provisional[m]}
		for _, code := range payerCodes {
			if c, ok := byMonth[m][code]; ok {
				r.Cells = append(r.Cells, billing.FormatCents(c))
			} else {
				r.Cells = append(r.Cells, "—")
			}
		}
		v.Rows = append(v.Rows, r)
	}
	v.Summary = fmt.Sprintf("Coûts hors taxes de %d par mois, une barre par mois empilant la part de chaque payeur (%s) ; le tableau qui suit donne les montants.",
		year, strings.Join(v.Payers, ", "))
	if len(v.Rows) == 0 {
		v.Summary = fmt.Sprintf("Aucun coût en %d.", year)
	}

	// The drawing: 12 slots of 40 px, bars 24 px wide, 200 px high, month initials below.
	const slot, barW, height, left, top0, bottom = 40.0, 24.0, 200.0, 64.0, 10.0, 30.0
	width := left + 12*slot + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" style="max-width:%.0fpx" role="img" aria-labelledby="chart-title chart-desc">`,
		width, top0+height+bottom, width)
	fmt.Fprintf(&b, `<title id="chart-title">Coûts hors taxes par mois en %d</title><desc id="chart-desc">%s</desc>`, year, template.HTMLEscapeString(v.Summary))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`, left, top0+height, width-10, top0+height)
	if top > 0 {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" text-anchor="end" fill="#333">%s</text>`, left-4, top0+10, template.HTMLEscapeString(billing.FormatCents(top)))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" text-anchor="end" fill="#333">0</text>`, left-4, top0+height)
	initials := []string{"J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"}
	for i := range 12 {
		m := time.Month(i + 1)
		x := left + float64(i)*slot + (slot-barW)/2
		y := top0 + height
		for j, code := range payerCodes {
			c := byMonth[m][code]
			if c <= 0 || top <= 0 {
				continue
			}
			h := height * float64(c) / float64(top)
			y -= h
			opacity := ""
			if provisional[m] {
				opacity = ` fill-opacity="0.55"`
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.2f" width="%.0f" height="%.2f" fill="%s"%s/>`, x, y, barW, h, chartColors[j%len(chartColors)], opacity)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="11" text-anchor="middle" fill="#333">%s</text>`, x+barW/2, top0+height+16, initials[i])
	}
	b.WriteString(`</svg>`)
	v.SVG = template.HTML(b.String()) // built here from numbers and escaped names only
	return v
}
