package web_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestBusyAnswers503WithRetryAfter: a saturated resource answers 503 with Retry-After, as a
// French page or, under /api/, as JSON.
func TestBusyAnswers503WithRetryAfter(t *testing.T) {
	srv, err := web.NewServer(web.Config{BaseDomain: "cartable.test"}, nil)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	busy := func(echo.Context) error {
		return &fault.Busy{RetryAfter: 1500 * time.Millisecond, Text: "Trop de demandes. Réessayez dans quelques secondes.", Err: errors.New("pool full")}
	}
	srv.Admin().GET("/occupe", busy)
	srv.AdminAPI().GET("/occupe", busy)
	for _, c := range []struct{ path, contentType string }{
		{"/occupe", "text/html"},
		{"/api/v1/occupe", "application/json"},
	} {
		t.Run(c.path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			req.Host = "admin.cartable.test"
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "2" {
				t.Fatalf("status %d, Retry-After %q; want 503 and 2", rec.Code, rec.Header().Get("Retry-After"))
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
				t.Errorf("Content-Type = %q, want %s", ct, c.contentType)
			}
			body := rec.Body.String()
			if c.contentType == "application/json" {
				var m map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
					t.Fatalf("not JSON: %s", body)
				}
				body = m["error"]
			}
			if !strings.Contains(body, "Réessayez dans quelques secondes") || strings.Contains(body, "pool full") {
				t.Errorf("body %q: want the French text, not the cause", body)
			}
		})
	}
}

// TestOverLimitBodyIs413: a handler that reads past its body limit and returns the error as
// it is still answers 413 with the limit, not 500.
func TestOverLimitBodyIs413(t *testing.T) {
	srv, err := web.NewServer(web.Config{BaseDomain: "cartable.test"}, nil)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	srv.AdminAPI().POST("/lire", func(c echo.Context) error {
		r := http.MaxBytesReader(c.Response(), c.Request().Body, 64<<10)
		var v any
		return json.NewDecoder(r).Decode(&v) // the raw error, unwrapped
	})
	req := httptest.NewRequest(http.MethodPost, "/api/v1/lire", strings.NewReader(`"`+strings.Repeat("a", 100<<10)+`"`))
	req.Host = "admin.cartable.test"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "64 Ko au plus") {
		t.Fatalf("status %d, body %s; want 413 naming 64 Ko", rec.Code, rec.Body.String())
	}
}
