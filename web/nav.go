package web

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// MenuItem is one link of a menu: the site menu, or the child switcher of a parent.
type MenuItem struct {
	Href string
	Text string
	// Section is the address prefix the entry stands for (Href when empty): the entry is the
	// current one on every page under it, the longest match winning.
	Section string
	Current bool // set by the layout for the site menu; by the switcher's hook for children
}

// Nav is what the layout shows around every page: the viewer's menu, their account link,
// and for a parent the switcher between their children.
type Nav struct {
	Menu       []MenuItem
	Children   []MenuItem
	AccountURL string // "Mon compte"
	AtAccount  bool   // the page is "Mon compte"
}

// Host kinds, as SetHost records them (the menu differs on each).
const (
	HostPortal = "portal"
	HostAdmin  = "admin"
	HostTenant = "tenant"
)

const hostKey = "cartable.host"

// HostOf tells which kind of host serves the request: HostPortal, HostAdmin or HostTenant.
func HostOf(c echo.Context) string {
	h, _ := c.Get(hostKey).(string)
	return h
}

// SetHost records which kind of host serves the request (each host's middleware does; tests
// of what a page shows where may too).
func SetHost(c echo.Context, kind string) { c.Set(hostKey, kind) }

func setHost(kind string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			SetHost(c, kind)
			return next(c)
		}
	}
}

// SetMenu sets the hook that builds the signed-in person's menu; the layout calls it once
// per rendered page, on every host, and marks the current entry.
func (s *Server) SetMenu(f func(echo.Context) []MenuItem) { s.renderer.menu = f }

// SetChildSwitcher sets the hook that lists a parent's children for the switcher shown on
// every page (nil or empty for anyone else); it marks the current child itself.
func (s *Server) SetChildSwitcher(f func(echo.Context) []MenuItem) { s.renderer.children = f }

// navOf builds the layout's navigation for the request.
func (r *Renderer) navOf(c echo.Context) Nav {
	var n Nav
	if UserOf(c) == nil {
		return n
	}
	path := c.Request().URL.Path
	n.AccountURL = r.portalURL + "compte"
	if HostOf(c) != HostAdmin {
		n.AccountURL = "/compte"
		n.AtAccount = path == "/compte"
	}
	if r.menu != nil {
		n.Menu = markCurrent(r.menu(c), path)
	}
	if r.children != nil {
		n.Children = r.children(c)
	}
	return n
}

// markCurrent marks the entry whose section holds path, the longest section winning
// ("/" holds only itself).
func markCurrent(items []MenuItem, path string) []MenuItem {
	best, bestLen := -1, 0
	for i, it := range items {
		sec := it.Section
		if sec == "" {
			sec = it.Href
		}
		if !within(path, sec) || len(sec) <= bestLen {
			continue
		}
		best, bestLen = i, len(sec)
	}
	out := make([]MenuItem, len(items))
	copy(out, items)
	if best >= 0 {
		out[best].Current = true
	}
	return out
}

// within tells whether path is section or below it, by whole segments.
func within(path, section string) bool {
	if section == "/" || !strings.HasPrefix(section, "/") {
		return path == section
	}
	section = strings.TrimSuffix(section, "/")
	return path == section || strings.HasPrefix(path, section+"/")
}
