package cahier

import (
	"strconv"

	"github.com/cartable-ent/cartable/modules/richtext"
)

// render turns Markdown into the HTML pages show, through the platform's one sanitiser
// (modules/richtext).
func render(src string) (string, error) { return richtext.Markdown(src) }

func itoa(n int) string { return strconv.Itoa(n) }

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}
