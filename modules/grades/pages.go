package grades

import (
	"html/template"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// A pupil's marks page is the most opened page of the ENT, and most views show what the
// previous one showed: the pupil or a parent coming back, nothing changed in between. The
// page's content is kept rendered under its key (PageKey: the grades data's version and the
// viewer's last visit among others) and shown again while the key holds, so that a view of
// an unchanged page reads no mark, computes no average and renders no table.

// keptPageKey is a PageKey with what the handler adds to the page: whether the viewer is the
// pupil and where the period selector sends.
type keptPageKey struct {
	PageKey
	self   bool
	action string
}

// keptPage is a rendered marks page.
type keptPage struct {
	title     string
	content   template.HTML
	showedNew bool // it showed "Nouveau" marks: showing it again records the visit again
}

// keptPages holds the pages rendered lately. An entry is never stale (its key holds the
// data's version); the bound and the expiry only limit memory (about 40 kB a page).
type keptPages = expirable.LRU[keptPageKey, keptPage]

func newKeptPages() *keptPages {
	return expirable.NewLRU[keptPageKey, keptPage](2048, nil, 10*time.Minute)
}
