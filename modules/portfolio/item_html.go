package portfolio

import (
	"html/template"
	"strings"
)

// HTML is the subject's list of items as the page shows it, own: with the pupil's controls.
//
// A portfolio page lists hundreds of items; html/template spends ~40 µs on each (its
// reflection and escapers), which alone would take a 500-item page past its 20 ms. The
// items' markup is therefore written here, every text escaped with template.HTMLEscapeString
// and every address made of the item's and files' ids (UUIDs): nothing the user typed goes
// out unescaped. The page's structure, forms and headings stay in portfolio_book.html.
func (s Subject) HTML(own bool) template.HTML {
	var b strings.Builder
	b.Grow(512 * len(s.Items))
	b.WriteString(`<ul class="cards">`)
	for i := range s.Items {
		s.Items[i].writeHTML(&b, own)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String()) // #nosec: every text escaped in writeHTML, addresses made of UUIDs
}

func (it *Item) writeHTML(b *strings.Builder, own bool) {
	esc := template.HTMLEscapeString
	id := it.ID.String()
	b.WriteString("\n<li id=\"e-")
	b.WriteString(id)
	b.WriteString(`"><strong>`)
	b.WriteString(esc(it.Title))
	b.WriteString(`</strong> <span class="meta">`)
	b.WriteString(esc(it.Kind.Label()))
	b.WriteString(`, le `)
	b.WriteString(it.Date())
	b.WriteString(`</span>`)
	if it.Summary != "" {
		b.WriteString("\n<p>")
		b.WriteString(esc(it.Summary))
		b.WriteString(`</p>`)
	}
	if it.Body != "" { // a submission's text, folded
		b.WriteString("\n<details><summary>Lire le texte rendu<span class=\"visually-hidden\"> : ")
		b.WriteString(esc(it.Title))
		b.WriteString(`</span></summary><p class="prewrap">`)
		b.WriteString(esc(it.Body))
		b.WriteString(`</p></details>`)
	}
	if it.Carried() {
		b.WriteString("\n<p class=\"meta\">Apporté de ")
		b.WriteString(esc(it.Origin()))
		b.WriteString(`</p>`)
	}
	if len(it.Files) > 0 {
		b.WriteString("\n<ul>")
		for _, f := range it.Files {
			b.WriteString(`<li><a href="`)
			b.WriteString(f.Href())
			b.WriteString(`">Télécharger `)
			b.WriteString(esc(f.Name))
			b.WriteString(`</a> <span class="meta">(`)
			b.WriteString(esc(f.SizeText()))
			b.WriteString(`)</span></li>`)
		}
		b.WriteString(`</ul>`)
	}
	if own {
		b.WriteString("\n<p><input type=\"checkbox\" id=\"v-")
		b.WriteString(id)
		b.WriteString(`" name="visible" value="`)
		b.WriteString(id)
		b.WriteString(`"`)
		if it.VisibleToTeachers {
			b.WriteString(` checked`)
		}
		b.WriteString(`> <label for="v-`)
		b.WriteString(id)
		b.WriteString(`">Montrer « `)
		b.WriteString(esc(it.Title))
		b.WriteString(` » à mes professeurs</label>`)
		if it.Deletable() {
			b.WriteString(` · <a href="/portfolio/documents/`)
			b.WriteString(id)
			b.WriteString(`/supprimer">Supprimer « `)
			b.WriteString(esc(it.Title))
			b.WriteString(` »</a>`)
		}
		b.WriteString(`</p>`)
	}
	b.WriteString(`</li>`)
}
