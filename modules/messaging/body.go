package messaging

import (
	"html/template"

	"github.com/cartable-ent/cartable/modules/richtext"
)

// A message's body is written as plain text (line breaks kept) or in Markdown. It is
// rendered to HTML once, at send, and that HTML is what pages show, through the platform's
// one sanitiser (modules/richtext), so that no HTML of a user's ever reaches another user's
// page (stored XSS).

// Format is how a body is written.
type Format string

// The formats.
const (
	Text     Format = "texte"
	Markdown Format = "markdown"
)

// renderBody is the body's HTML, sanitised (modules/richtext, the platform's one policy).
func renderBody(body string, f Format) (string, error) {
	if f == Markdown {
		return richtext.Markdown(body)
	}
	return richtext.Sanitize(richtext.Text(body)), nil
}

// safeHTML marks a stored body as HTML: it was sanitised at send (renderBody) and is
// sanitised again here, cheaply, so that a row written by anything else cannot inject.
func safeHTML(stored string) template.HTML { return richtext.Safe(stored) }
