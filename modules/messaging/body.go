package messaging

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
)

// A message's body is written as plain text (line breaks kept) or in Markdown. It is
// rendered to HTML once, at send, and that HTML is what pages show: Markdown through
// goldmark, which leaves raw HTML out, then bluemonday's policy for user content, so that
// no HTML of a user's ever reaches another user's page (stored XSS).

// Format is how a body is written.
type Format string

// The formats.
const (
	Text     Format = "texte"
	Markdown Format = "markdown"
)

var (
	markdown  = goldmark.New()
	sanitizer = bluemonday.UGCPolicy().RequireNoReferrerOnLinks(true).AddTargetBlankToFullyQualifiedLinks(true)
)

// renderBody is the body's HTML, sanitised.
func renderBody(body string, f Format) (string, error) {
	var out string
	switch f {
	case Markdown:
		var b bytes.Buffer
		if err := markdown.Convert([]byte(body), &b); err != nil {
			return "", fmt.Errorf("messaging: render Markdown: %w", err)
		}
		out = b.String()
	default:
		out = textHTML(body)
	}
	return sanitizer.Sanitize(out), nil
}

// textHTML writes plain text as paragraphs (blank lines) with its line breaks.
func textHTML(body string) string {
	body = strings.ReplaceAll(strings.TrimSpace(body), "\r\n", "\n")
	var b strings.Builder
	for _, para := range strings.Split(body, "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>\n")
	}
	return b.String()
}

// safeHTML marks a stored body as HTML: it was sanitised at send (renderBody) and is
// sanitised again here, cheaply, so that a row written by anything else cannot inject.
func safeHTML(stored string) template.HTML {
	return template.HTML(sanitizer.Sanitize(stored)) // #nosec G203 -- sanitised by bluemonday
}
