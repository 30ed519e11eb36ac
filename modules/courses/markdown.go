package courses

import "github.com/cartable-ent/cartable/modules/richtext"

// renderBody turns a text block's Markdown into the HTML its page shows, through the
// platform's one sanitiser (modules/richtext). A page's images are its image blocks, stored
// here with their required text alternative: the policy keeps no image from another host.
func renderBody(src string) (string, error) { return richtext.Markdown(src) }
