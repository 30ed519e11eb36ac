package courses

import (
	"bytes"
	"fmt"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders a text block: CommonMark with tables, strikethrough and autolinks. Its
// own HTML escaping is left at the default (raw HTML in the source is dropped), and the
// result still goes through the sanitiser: never trust a renderer alone with users' text.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// sanitiser keeps what Markdown produces for prose (paragraphs, lists, emphasis, links,
// tables, headings, code) and nothing that runs: no script, no event attribute, no style, no
// javascript: or data: address. Images are not kept: a page's images are its image blocks,
// stored here with their required text alternative (an image from elsewhere would tell
// another site which pupil reads the page).
var sanitiser = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
		"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}()

// renderBody turns a text block's Markdown into the HTML its page shows.
func renderBody(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("courses: render markdown: %w", err)
	}
	return sanitiser.Sanitize(buf.String()), nil
}
