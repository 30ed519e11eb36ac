package news

import (
	"bytes"
	"fmt"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders a post's body: CommonMark with tables, strikethrough and autolinks. Its
// own HTML escaping is left at the default (raw HTML in the source is dropped), and the
// result still goes through the sanitiser: never trust a renderer alone with users' text.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// sanitiser keeps what Markdown produces for prose (paragraphs, lists, emphasis, links,
// tables, headings, images) and nothing that runs: no script, no event attribute, no
// javascript: or data: address. Links get rel="nofollow noopener" and open in the same tab.
var sanitiser = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AllowURLSchemes("http", "https", "mailto")
	return p
}()

// renderBody turns a post's Markdown into the HTML its page shows.
func renderBody(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("news: render markdown: %w", err)
	}
	return sanitiser.Sanitize(buf.String()), nil
}
