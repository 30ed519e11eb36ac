package files_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gocloud.dev/blob/memblob"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

var serveKind = &files.Kind{Dir: "test/", Types: []files.Type{files.PDF, files.PNG}, MaxBytes: 16 << 20, Noun: "la pièce jointe", Unnamed: "piece-jointe",
	Missing: "la pièce jointe « %s » est introuvable", Altered: "la pièce jointe « %s » a été altérée"}

// bigPDF is a PDF of n bytes.
func bigPDF(n int) []byte {
	data := bytes.Repeat([]byte("0"), n)
	copy(data, "%PDF-1.4\n")
	copy(data[n-6:], "%%EOF\n")
	return data
}

// stored puts data under a new key of an establishment of a fresh memory bucket.
func stored(t testing.TB, name string, data []byte) (*files.Store, *tenant.Tenant, files.Stored, func([]byte)) {
	t.Helper()
	ctx := context.Background()
	bucket := memblob.OpenBucket(nil)
	t.Cleanup(func() { bucket.Close() })
	st := files.NewStore(bucket, serveKind)
	tn := &tenant.Tenant{ID: uuid.New(), UAI: "0330021U"}
	c, err := serveKind.Check(name, data, "piece")
	if err != nil {
		t.Fatal(err)
	}
	out, err := st.Put(ctx, tn, c)
	if err != nil {
		t.Fatal(err)
	}
	overwrite := func(b []byte) {
		if err := bucket.WriteAll(ctx, tenant.BlobPrefix(tn)+out[0].Key, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	return st, tn, out[0], overwrite
}

// serve answers req with the opened file through echo, recording the answer, and tells
// whether the handler aborted it (http.ErrAbortHandler) and what the error handler saw.
func serve(t testing.TB, st *files.Store, tn *tenant.Tenant, f files.Stored, req *http.Request, inline bool) (rec *httptest.ResponseRecorder, aborted bool, logged error) {
	t.Helper()
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) { logged = err }
	rec = httptest.NewRecorder()
	c := e.NewContext(req, rec)
	defer func() {
		if r := recover(); r != nil {
			if r != http.ErrAbortHandler {
				panic(r)
			}
			aborted = true
		}
	}()
	fc, err := st.Open(req.Context(), tn, f)
	if err != nil {
		logged = err
		return rec, false, logged
	}
	if err := files.Serve(c, fc, inline); err != nil {
		t.Fatal(err)
	}
	return rec, false, logged
}

// TestServeStreams: a download is streamed with its stored type, its disposition (a UTF-8
// name as filename*), nosniff and a private cache; a Range gets its part, an
// If-Modified-Since a 304; a blob gone is not found before anything is sent; a blob of
// another size is refused before anything is sent; a blob of the same size altered is
// aborted once read, the error handed to the error handler (which logs it).
func TestServeStreams(t *testing.T) {
	data := bigPDF(100 << 10)
	st, tn, f, overwrite := stored(t, "Résumé du cours.pdf", data)

	rec, aborted, logged := serve(t, st, tn, f, httptest.NewRequest(http.MethodGet, "/f", nil), false)
	if aborted || logged != nil || rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), data) {
		t.Fatalf("download: %d, aborted %v, %v, %d bytes", rec.Code, aborted, logged, rec.Body.Len())
	}
	for h, want := range map[string]string{"Content-Type": "application/pdf", "Content-Disposition": `attachment; filename*=utf-8''R%C3%A9sum%C3%A9%20du%20cours.pdf`,
		"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store", "Accept-Ranges": "bytes"} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	modified := rec.Header().Get("Last-Modified")
	if modified == "" {
		t.Error("no Last-Modified")
	}

	req := httptest.NewRequest(http.MethodGet, "/f", nil)
	req.Header.Set("Range", "bytes=100-199")
	rec, aborted, _ = serve(t, st, tn, f, req, true)
	if aborted || rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[100:200]) || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "inline;") {
		t.Errorf("a range: %d, %d bytes, %v", rec.Code, rec.Body.Len(), rec.Header())
	}
	req = httptest.NewRequest(http.MethodGet, "/f", nil)
	req.Header.Set("If-Modified-Since", modified)
	if rec, _, _ = serve(t, st, tn, f, req, false); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-Modified-Since: %d, %d bytes", rec.Code, rec.Body.Len())
	}

	altered := bytes.Clone(data)
	altered[50<<10] = 'X'
	overwrite(altered)
	rec, aborted, logged = serve(t, st, tn, f, httptest.NewRequest(http.MethodGet, "/f", nil), false)
	if !aborted || !errors.Is(logged, files.ErrCorrupt) || !errors.Is(logged, fault.ErrConflict) || rec.Body.Len() >= len(data) {
		t.Errorf("an altered blob: aborted %v, logged %v, %d of %d bytes sent", aborted, logged, rec.Body.Len(), len(data))
	}
	overwrite(data[:len(data)-1])
	if _, aborted, logged = serve(t, st, tn, f, httptest.NewRequest(http.MethodGet, "/f", nil), false); aborted ||
		!errors.Is(logged, fault.ErrConflict) || !strings.Contains(logged.Error(), "« Résumé du cours.pdf » a été altérée") {
		t.Errorf("a blob of another size: aborted %v, %v", aborted, logged)
	}
	if err := st.Remove(context.Background(), tn, f.Key); err != nil {
		t.Fatal(err)
	}
	if _, _, logged = serve(t, st, tn, f, httptest.NewRequest(http.MethodGet, "/f", nil), false); !errors.Is(logged, fault.ErrNotFound) ||
		!strings.Contains(logged.Error(), "introuvable") {
		t.Errorf("a blob gone: %v", logged)
	}
}

// discard is a response writer that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// serveDiscarding serves f once to a writer that keeps nothing.
func serveDiscarding(tb testing.TB, e *echo.Echo, st *files.Store, tn *tenant.Tenant, f files.Stored) {
	req := httptest.NewRequest(http.MethodGet, "/f", nil)
	c := e.NewContext(req, &discard{h: http.Header{}})
	fc, err := st.Open(req.Context(), tn, f)
	if err != nil {
		tb.Fatal(err)
	}
	if err := files.Serve(c, fc, false); err != nil {
		tb.Fatal(err)
	}
}

// TestServeMemory: serving a 10 Mo file allocates far less than the file (it is streamed
// from the blob store, not read into memory first).
func TestServeMemory(t *testing.T) {
	const size = 10 << 20
	st, tn, f, _ := stored(t, "gros.pdf", bigPDF(size))
	e := echo.New()
	serveDiscarding(t, e, st, tn, f) // warm up
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const runs = 5
	for range runs {
		serveDiscarding(t, e, st, tn, f)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 1<<20 {
		t.Errorf("serving a 10 Mo file allocates %d bytes each time, want under 1 Mo", per)
	}
}

// BenchmarkServe10MB: the bytes allocated per 10 Mo download (b.ReportAllocs).
//
//	go test -run '^$' -bench BenchmarkServe10MB ./modules/files/
func BenchmarkServe10MB(b *testing.B) {
	st, tn, f, _ := stored(b, "gros.pdf", bigPDF(10<<20))
	e := echo.New()
	b.ReportAllocs()
	b.SetBytes(10 << 20)
	for b.Loop() {
		serveDiscarding(b, e, st, tn, f)
	}
}
