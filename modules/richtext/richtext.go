// Package richtext turns what people write (Markdown, or plain text) into the HTML that
// other people's pages show. Every module with user-written text uses it, so that there is
// one policy to review: Markdown is rendered by goldmark, which leaves raw HTML out, and
// whatever comes out still goes through bluemonday, because a renderer alone is never
// trusted with users' text (stored XSS).
//
// The policy keeps prose (paragraphs, lists, emphasis, headings, quotes, code, tables) and
// links, and nothing that runs or restyles a page: no script, no event attribute, no style,
// no form, no frame, no SVG, no javascript: or data: address. Links carry
// rel="nofollow noreferrer" (and open outside the page, with noopener, when they lead
// elsewhere). Images are kept only from this platform's own paths ("/…"): an image from
// elsewhere would tell another site who reads the text, and when.
package richtext

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown is CommonMark with tables, strikethrough and autolinks; its own escaping is left
// at the default (raw HTML in the source is dropped).
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// ownPath is an image address on our own host: one leading slash, not two and not a
// backslash (browsers read "//x" and "/\x" as another host).
var ownPath = regexp.MustCompile(`^/([^/\\][^\\]*)?$`)

// policy is the one sanitiser; bluemonday's Policy is safe for concurrent use once built.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
		"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("src").Matching(ownPath).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true) // our own pages and files
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // and rel="noopener"
	return p
}()

// Markdown renders Markdown and returns the sanitised HTML.
func Markdown(src string) (string, error) {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(src), &b); err != nil {
		return "", fmt.Errorf("richtext: render Markdown: %w", err)
	}
	return policy.Sanitize(b.String()), nil
}

// Text writes plain text as HTML: every character escaped, paragraphs at blank lines, line
// breaks kept.
func Text(src string) string {
	src = strings.ReplaceAll(strings.TrimSpace(src), "\r\n", "\n")
	var b strings.Builder
	for _, para := range strings.Split(src, "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>\n")
	}
	return b.String()
}

// Sanitize applies the policy to HTML from anywhere.
func Sanitize(untrusted string) string { return policy.Sanitize(untrusted) }

// Safe marks stored HTML (rendered by Markdown or Text when it was saved) for a template,
// sanitised again, cheaply, so that a row written by anything else cannot inject.
func Safe(stored string) template.HTML {
	return template.HTML(policy.Sanitize(stored)) // #nosec G203 -- sanitised by bluemonday
}
