// Package module is the contract every capability of Cartable follows. A module declares, in
// its own folder, everything the platform needs to serve it: its routes (host, method, path,
// permission, handler), what each role may do in it, its menu entries, its templates, its demo
// data and its part of the JSON API's OpenAPI description. cmd/cartable holds the ordered list
// of modules and mounts them; the access-matrix and OpenAPI tests walk the same declarations,
// so a route cannot be added without being checked by both.
//
// The package is a leaf: it imports nothing of Cartable's but the tenant registry's types, so
// that identity (which guards the routes) and every module can use it.
package module

import (
	"context"
	"html/template"
	"io"
	"io/fs"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
)

// Role is what a person is in an establishment, or on the platform (see identity's roles).
type Role string

// Permission is one thing a handler may do. A module names its permissions with its own
// prefix ("grades.view") and declares which roles hold them in its Grants.
type Permission string

// Public is the permission of a route anyone may reach (the handler decides what it shows).
const Public Permission = ""

// Grants says, for each role, the permissions it holds in a module.
type Grants map[Role][]Permission

// Host is the kind of host a route is served on.
type Host string

// The hosts of the platform.
const (
	Portal   Host = "portal"    // <base>: login, choice of establishment
	Admin    Host = "admin"     // admin.<base>: the consoles, with a platform administrator's session
	AdminAPI Host = "admin-api" // admin.<base>/api/v1: the JSON administration API (token or session)
	Tenant   Host = "tenant"    // <slug>.<base>: one establishment
)

// Route is one handler of a module.
type Route struct {
	Host       Host
	Method     string
	Path       string // echo syntax: /notes/eleves/:id
	Permission Permission
	Handler    echo.HandlerFunc
	BodyLimit  int64 // largest accepted body in bytes; 0 is the platform's default (1 Mo)
	// API marks a JSON API route: it must have an operation in the OpenAPI document.
	API bool
}

// Key is the route's "METHOD path", as the access matrix and OpenAPI tests name it.
func (r Route) Key() string { return r.Method + " " + r.Path }

// Get, Post, Put and Delete build routes of the given host; chain WithLimit or AsAPI.
func Get(h Host, path string, p Permission, fn echo.HandlerFunc) Route {
	return Route{Host: h, Method: http.MethodGet, Path: path, Permission: p, Handler: fn}
}

// Post is Get for POST.
func Post(h Host, path string, p Permission, fn echo.HandlerFunc) Route {
	return Route{Host: h, Method: http.MethodPost, Path: path, Permission: p, Handler: fn}
}

// Put is Get for PUT.
func Put(h Host, path string, p Permission, fn echo.HandlerFunc) Route {
	return Route{Host: h, Method: http.MethodPut, Path: path, Permission: p, Handler: fn}
}

// Delete is Get for DELETE.
func Delete(h Host, path string, p Permission, fn echo.HandlerFunc) Route {
	return Route{Host: h, Method: http.MethodDelete, Path: path, Permission: p, Handler: fn}
}

// WithLimit returns r accepting bodies up to limit bytes (file uploads).
func (r Route) WithLimit(limit int64) Route { r.BodyLimit = limit; return r }

// AsAPI returns r marked as a JSON API route.
func (r Route) AsAPI() Route { r.API = true; return r }

// MenuEntry is a link of the menu shown on every page to whoever may follow it.
type MenuEntry struct {
	// Host is where the entry is shown; empty means the establishments' host.
	Host Host
	Text string
	// TextFor, when set, computes the text for the request (a count of unread items).
	TextFor func(c echo.Context) string
	// Href is the link; HrefFor, when set, computes it for the request (one's own card).
	Href    string
	HrefFor func(c echo.Context) string
	// Section is the path prefix the entry stands for: the layout marks it current on every
	// page under it. Empty means Href.
	Section string
	// Permission is needed to see the entry (Public: anyone signed in); Roles, when set,
	// narrows it to those roles (marks for pupils and parents).
	Permission Permission
	Roles      []Role
	// Order places the entry in the menu (lower first); entries of equal order keep the
	// modules' order.
	Order int
}

// Module is one capability, as cmd/cartable mounts it.
type Module struct {
	Name      string
	Grants    Grants
	Routes    []Route
	Menu      []MenuEntry
	Templates fs.FS
	// Demo fills one demo establishment with this module's data (make dev); modules run in
	// the list's order, so grades finds the people directory imported.
	Demo func(ctx context.Context, t *tenant.Tenant) error
	// OpenAPI is the module's part of the JSON API's description: an OpenAPI 3 document whose
	// paths and components are merged into the platform's.
	OpenAPI []byte
	// HomePanel, when set, is the module's block on the establishment's home page for the
	// signed-in viewer (news' headlines): HTML the module rendered from its own template, or
	// "" when it has nothing for them.
	HomePanel func(c echo.Context) (template.HTML, error)
	// Export writes what the module holds about one person in one establishment into their
	// personal data export (RGPD right of access and portability, issue 15). Every module
	// declares one (a test fails otherwise); a module that holds nothing about people says so
	// with NothingPersonal. ExportAbout describes, in French, the module's file for the
	// export's README.
	Export      Exporter
	ExportAbout string
}

// Exporter writes what a module holds about person through w. Every exporter is called once
// per establishment of the person (t, and person their people.id in t: the files go under
// <UAI>/), then once for the platform's part (t nil, person their Kratos identity id: the
// files go under plateforme/); it writes at the level where it keeps data and returns nil at
// the other. Writing nothing is fine: no file is made. A person without an account (a
// pupil whose guardian asked) has no platform part.
type Exporter func(ctx context.Context, t *tenant.Tenant, person uuid.UUID, w ExportWriter) error

// ExportWriter is one module's part of a personal data export.
type ExportWriter interface {
	// JSON writes v as the module's JSON file (one per module and establishment).
	JSON(v any) error
	// File adds one of the person's documents under the module's folder of files
	// (<UAI>/fichiers/<module>/), its name made safe and unique by the writer; it returns its
	// path from the archive's root, for the JSON to refer to. Call it before JSON or after,
	// never from two goroutines: the archive is written in sequence.
	File(name string, r io.Reader) (string, error)
}

// NothingPersonal is the exporter of a module that holds nothing about people: it writes
// nothing, and its declaration says why (in ExportAbout).
func NothingPersonal(context.Context, *tenant.Tenant, uuid.UUID, ExportWriter) error { return nil }
