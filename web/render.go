// Package web wires the HTTP side of Cartable: one Echo instance per kind of host (portal,
// administration, establishment), the host → tenant middleware, the layout and error pages
// in French, static assets, and the central error handler.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

// Page is what every page template receives.
type Page struct {
	Title  string
	Tenant *tenant.Tenant // nil on platform hosts
	User   *User          // filled from the request when nil
	CSRF   string         // filled from the request: the hidden _csrf field of every form
	Nav    Nav            // filled from the request: menu, account link, child switcher
	Data   any
}

// User is the signed-in person as the layout shows them.
type User struct {
	Name      string
	RoleLabel string
	LogoutURL string
	PortalURL string
}

const userKey = "cartable.user"

// SetUser records the signed-in person for the layout (identity middleware calls it).
func SetUser(c echo.Context, u *User) { c.Set(userKey, u) }

// SetCSRFToken records how to make the anti-forgery token the page's forms repeat in their
// _csrf field (identity middleware calls it for cookie sessions). It is made only when a
// page is rendered: a JSON answer has no form.
func SetCSRFToken(c echo.Context, token func() string) { c.Set(csrfKey, token) }

// csrfOf is the anti-forgery token of c's session, or "".
func csrfOf(c echo.Context) string {
	if f, ok := c.Get(csrfKey).(func() string); ok {
		return f()
	}
	return ""
}

// UserOf returns the signed-in person recorded by SetUser, or nil.
func UserOf(c echo.Context) *User {
	u, _ := c.Get(userKey).(*User)
	return u
}

// Renderer renders pages: each page template defines "content" and is shown inside "layout".
type Renderer struct {
	layout    *template.Template
	pages     map[string]*template.Template
	portalURL string                        // "Mon compte" of the administration host is the portal's
	menu      func(echo.Context) []MenuItem // see Server.SetMenu
	children  func(echo.Context) []MenuItem // see Server.SetChildSwitcher
}

// NewRenderer parses the layout and the pages of web/templates, plus the pages of each
// module FS given (files *.html under templates/).
func NewRenderer(modules ...fs.FS) (*Renderer, error) {
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templatesFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	r := &Renderer{layout: layout, pages: map[string]*template.Template{}}
	if err := r.add(templatesFS); err != nil {
		return nil, err
	}
	for _, m := range modules {
		if err := r.Add(m); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add parses a module's pages (files *.html under templates/). Page names are global: a
// name defined twice is an error, so two modules cannot shadow each other's pages.
func (r *Renderer) Add(fsys fs.FS) error {
	if fsys == nil {
		return nil
	}
	return r.add(fsys)
}

func (r *Renderer) add(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return err
	}
	// Files named _*.html are a module's partials: templates its pages share, parsed with
	// each of them, not pages themselves.
	partials, err := fs.Glob(fsys, "templates/_*.html")
	if err != nil {
		return err
	}
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		if _, dup := r.pages[base]; dup {
			return fmt.Errorf("web: page %s defined twice", base)
		}
		t, err := template.Must(r.layout.Clone()).ParseFS(fsys, append([]string{n}, partials...)...)
		if err != nil {
			return fmt.Errorf("web: parse %s: %w", n, err)
		}
		r.pages[base] = t
	}
	return nil
}

var funcs = template.FuncMap{}

// Render implements echo.Renderer. data must be a Page (or *Page).
func (r *Renderer) Render(w io.Writer, name string, data any, c echo.Context) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	if p, ok := data.(Page); ok && c != nil {
		if p.User == nil {
			p.User = UserOf(c)
		}
		p.CSRF = csrfOf(c)
		p.Nav = r.navOf(c)
		data = p
	}
	buf := pageBuffers.Get().(*bytes.Buffer) // render fully first: a template error must not leave half a page
	defer pageBuffers.Put(buf)
	buf.Reset()
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// pageBuffers are the buffers pages are rendered into, used again: a marks page is some
// 40 kB, which a fresh buffer would grow into by copies on every view.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Content renders only the "content" of page name for data (a Page's Data), without the
// layout and without anything of the request (menu, session, anti-forgery token): HTML that
// the same data always renders alike, which a module may keep and show again with
// RenderContent.
func (r *Renderer) Content(name string, t *tenant.Tenant, data any) (template.HTML, error) {
	pg, ok := r.pages[name]
	if !ok {
		return "", fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := pg.ExecuteTemplate(&buf, "content", Page{Tenant: t, Data: data}); err != nil {
		return "", fmt.Errorf("web: render %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // #nosec: the output of html/template
}

// ContentOf is Renderer.Content with the renderer serving c.
func ContentOf(c echo.Context, name string, data any) (template.HTML, error) {
	r, ok := c.Echo().Renderer.(*Renderer)
	if !ok {
		return "", fmt.Errorf("web: the server has no page renderer")
	}
	return r.Content(name, TenantOf(c), data)
}

// RenderContent shows content rendered earlier by Content inside the layout of c's request.
func RenderContent(c echo.Context, status int, title string, content template.HTML) error {
	return c.Render(status, "prerendered.html", Page{Title: title, Tenant: TenantOf(c), Data: content})
}
