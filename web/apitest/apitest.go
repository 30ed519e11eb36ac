// Package apitest holds web/openapi.json to what the server does, in tests: every JSON API
// exchange a test sends through Serve is validated against the document (parameters,
// request body, status, response body: schemas, not only paths), and Complete compares the
// routes a server registers with the document's operations. The document is kept by hand;
// these checks are what keeps it from drifting.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/cartable-ent/cartable/web"
)

// Prefix is where the JSON API lives on every host.
const Prefix = "/api/v1"

// Host is the kind of host an operation is served on.
type Host string

const (
	// Admin is admin.<base>: the document's paths without servers of their own.
	Admin Host = "admin"
	// Tenant is an establishment's host: the paths whose servers name {etablissement}.
	Tenant Host = "tenant"
)

// HostOf tells which kind of host a request's Host header names.
func HostOf(host string) Host {
	if strings.HasPrefix(host, "admin.") {
		return Admin
	}
	return Tenant
}

// Doc is the loaded document, with one router per host kind.
type Doc struct {
	doc     *openapi3.T
	routers map[Host]routers.Router
}

// load reads web/openapi.json once per test binary: the document is immutable and loading
// it (with its schemas compiled) takes a while.
var load = sync.OnceValues(func() (*Doc, error) { return Parse(web.OpenAPI()) })

// Load returns the project's document, failing the test when it does not load or is invalid.
func Load(t testing.TB) *Doc {
	t.Helper()
	d, err := load()
	if err != nil {
		t.Fatalf("web/openapi.json: %v", err)
	}
	return d
}

// Parse loads and validates an OpenAPI document, and builds a router for each host kind.
func Parse(data []byte) (*Doc, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("invalid document: %w", err)
	}
	d := &Doc{doc: doc, routers: map[Host]routers.Router{}}
	for _, h := range []Host{Admin, Tenant} {
		r, err := gorillamux.NewRouter(d.hostDoc(h))
		if err != nil {
			return nil, fmt.Errorf("router of the %s host: %w", h, err)
		}
		d.routers[h] = r
	}
	return d, nil
}

// hostDoc is a copy of the document holding only host h's paths, served under a bare
// Prefix: the routers then match by path alone, whatever host name a test uses.
func (d *Doc) hostDoc(h Host) *openapi3.T {
	cp := *d.doc
	cp.Servers = openapi3.Servers{{URL: Prefix}}
	cp.Paths = openapi3.NewPaths()
	for path, item := range d.doc.Paths.Map() {
		if hostOfItem(item) != h {
			continue
		}
		it := *item
		it.Servers = nil
		cp.Paths.Set(path, &it)
	}
	return &cp
}

// hostOfItem: establishment paths carry their own server, on {etablissement}.{domaine}.
func hostOfItem(item *openapi3.PathItem) Host {
	for _, s := range item.Servers {
		if strings.Contains(s.URL, "{etablissement}") {
			return Tenant
		}
	}
	return Admin
}

// Operations lists the document's operations as host kind, upper-case method and path with
// {name} parameters (as written in the document, without Prefix).
func (d *Doc) Operations() []Route {
	var out []Route
	for path, item := range d.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, Route{Host: hostOfItem(item), Method: method, Path: path})
		}
	}
	sortRoutes(out)
	return out
}

// Serve sends req to h and returns the recorded answer; t fails, at the caller's line, when
// an /api/v1 exchange disagrees with the document (see Check for what is checked).
func Serve(t testing.TB, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	api := strings.HasPrefix(req.URL.Path, Prefix+"/")
	var reqBody []byte
	if api && req.Body != nil { // pages' bodies are left alone: tests count what the server reads
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if api {
		if err := Load(t).Check(req, reqBody, rec.Result()); err != nil {
			t.Errorf("web/openapi.json disagrees with the server: %v", err)
		}
	}
	return rec
}

// Check validates one exchange: the request (with its body) against its operation's
// parameters and request body, the response's status, content type and body against the
// operation's responses. A request the document refuses must have been refused by the
// server too (4xx); a path or method the document does not know must have been refused
// (4xx: not found, or refused before routing, as unauthenticated). The error names the operation and the schema error.
func (d *Doc) Check(r *http.Request, reqBody []byte, resp *http.Response) error {
	host := HostOf(r.Host)
	req := r.Clone(context.Background())
	req.URL = &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	req.Host = ""
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := d.routers[host].FindRoute(req)
	if err != nil {
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			return nil // a refusal (unknown path, wrong host, not signed in): nothing to document
		}
		return fmt.Errorf("%s %s (%s host) answered %d but is not documented: %v", r.Method, r.URL.Path, host, resp.StatusCode, err)
	}
	op := operationName(route)
	opts := &openapi3filter.Options{
		// Who may call what is the access tests' business; here the shapes are checked.
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if reqErr != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		return fmt.Errorf("%s: the server answered %d to a request the document refuses: %v", op, resp.StatusCode, reqErr)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: read response: %w", op, err)
	}
	in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%s: response %d does not match the document: %v\nbody: %s", op, resp.StatusCode, err, truncate(body))
	}
	return nil
}

func operationName(r *routers.Route) string {
	name := r.Method + " " + Prefix + r.Path
	if r.Operation != nil && r.Operation.OperationID != "" {
		name = r.Operation.OperationID + " (" + name + ")"
	}
	return name
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func init() {
	// Binary answers and uploads are checked for their content type and status only.
	for _, ct := range []string{"application/gzip", "application/x-gzip", "application/x-tar", "application/pdf"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// Route is one operation: host kind, upper-case method, path with {name} parameters.
type Route struct {
	Host   Host
	Method string
	Path   string
}

func (r Route) String() string {
	return fmt.Sprintf("%s %s%s (%s host)", r.Method, Prefix, r.Path, r.Host)
}

// EchoPath turns an echo route path (/api/v1/evaluations/:id) into the document's form
// (/evaluations/{id}); ok is false outside Prefix.
func EchoPath(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, Prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	segs := strings.Split(rest, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/"), true
}

// Complete compares the routes a server registers with the document's operations, and
// returns one line per route without an operation and per operation without a route.
// Parameter names count ({id} and {uai} differ), since the document names them.
func (d *Doc) Complete(served []Route) []string {
	key := func(r Route) Route { r.Method = strings.ToUpper(r.Method); return r }
	documented := map[Route]bool{}
	for _, r := range d.Operations() {
		documented[key(r)] = true
	}
	servedSet := map[Route]bool{}
	var problems []string
	for _, r := range served {
		r = key(r)
		servedSet[r] = true
		if !documented[r] {
			problems = append(problems, r.String()+" is served but web/openapi.json has no such operation")
		}
	}
	for r := range documented {
		if !servedSet[r] {
			problems = append(problems, r.String()+" is in web/openapi.json but no route serves it")
		}
	}
	sort.Strings(problems)
	return problems
}

func sortRoutes(rs []Route) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
}
