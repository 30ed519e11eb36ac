package main

import (
	"net/http"
	"testing"
)

func TestScratchKratosDown(t *testing.T) {
	h := newHarness(t)
	cfg := testConfig(t)
	cfg.KratosPublicURL, cfg.KratosAdminURL = "http://127.0.0.1:1", "http://127.0.0.1:1"
	off := newHarnessOn(t, h.reg, cfg)
	rec := off.get(adminHost, "/api/v1/tenants", "Authorization", "Bearer "+adminToken)
	t.Logf("admin token, Kratos down: %d %s", rec.Code, rec.Body.String())
	rec = off.get(adminHost, "/api/v1/tenants", "Authorization", "Bearer "+adminToken)
	t.Logf("again: %d %s", rec.Code, rec.Body.String())
	rec = h.get(tenantHost("x"), "/", "Accept", "application/json")
	_ = http.StatusOK
	rec = off.get(portalHost, "/connexion?flow=abc")
	t.Logf("connexion flow, Kratos down: %d %s %v", rec.Code, truncate(rec.Body.String())[:200], rec.Header())
	rec = h.get(portalHost, "/connexion?flow=abc")
	t.Logf("connexion flow=abc: %d %v", rec.Code, rec.Header().Get("Location"))
	rec = h.get(portalHost, "/connexion?return_to=http://evil.com/")
	t.Logf("connexion return_to evil: %d %v", rec.Code, rec.Header().Get("Location"))
	rec = h.get(portalHost, "/connexion")
	t.Logf("CSP: %s", rec.Header().Get("Content-Security-Policy"))
}
