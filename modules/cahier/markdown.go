package cahier

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders a séance's content and a work's description: CommonMark with tables,
// strikethrough and autolinks, raw HTML dropped; the result still goes through the
// sanitiser (never trust a renderer alone with users' text).
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// sanitiser keeps prose (paragraphs, lists, emphasis, links, tables, headings, code) and
// nothing that runs: no script, no event attribute, no style, no javascript: or data: link.
// Images are attached files, not addresses elsewhere (which would tell another site who reads).
var sanitiser = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
		"h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}()

// render turns Markdown into the HTML pages show.
func render(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("cahier: render markdown: %w", err)
	}
	return sanitiser.Sanitize(buf.String()), nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}
