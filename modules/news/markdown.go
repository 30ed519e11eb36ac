package news

import "github.com/cartable-ent/cartable/modules/richtext"

// renderBody turns a post's Markdown into the HTML its page shows, through the platform's
// one sanitiser (modules/richtext). Images stay the post's attached files, stored here with
// their required text alternative: the policy keeps no image from another host.
func renderBody(src string) (string, error) { return richtext.Markdown(src) }
