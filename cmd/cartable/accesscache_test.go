package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// countAccessQueries counts, on gdb, the membership queries of the session check (the one
// query Store.Access makes on a cache miss).
func countAccessQueries(t *testing.T, gdb *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(db *gorm.DB) {
		if strings.Contains(db.Statement.SQL.String(), "platform.revoked_sessions r WHERE r.session_id") {
			n.Add(1)
		}
	}
	if err := gdb.Callback().Row().After("gorm:row").Register("test:count_access", count); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestAccessCacheInvalidation: the session and membership check is cached (a hit makes no
// query), yet a deactivation, a removed role and a sign-out hold on the very next request
// of the server that made them and, within a measured bound, on a second server over the
// same database, told by PostgreSQL's notifications.
func TestAccessCacheInvalidation(t *testing.T) {
	t.Parallel()
	a := newHarness(t)
	b := newHarnessOn(t, a.reg, a.cfg) // a second replica: its own caches and listener
	env := directorytest.NewEnv(t, a.reg)
	queries := countAccessQueries(t, a.reg.Platform())
	alpha := a.provision(uaiAlpha, "Lycée Alpha", "lycee")
	a.provision(tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	host := tenantHost(alpha.Slug)
	ctx := context.Background()

	// warm makes sure both servers listen and cache the token's check: a repeated request
	// costs no query (the cache is off until a server's listener is connected).
	warm := func(t *testing.T, token, path string, want int) {
		t.Helper()
		for _, h := range []*harness{a, b} {
			deadline := time.Now().Add(10 * time.Second) // clock-ok
			for {
				wantStatus(t, h.as(token, host, path), want)
				before := queries.Load()
				wantStatus(t, h.as(token, host, path), want)
				if queries.Load() == before {
					break
				}
				if time.Now().After(deadline) { // clock-ok
					t.Fatalf("a repeated check still queries the database after 10 s: the access cache never served")
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	// within waits for server h to refuse, and logs how long it took.
	within := func(t *testing.T, h *harness, what string, refused func(*harness) bool) {
		t.Helper()
		name := map[*harness]string{a: "first", b: "second"}[h]
		start := time.Now() // clock-ok
		for !refused(h) {
			if time.Since(start) > 2*time.Second { // clock-ok
				t.Fatalf("%s: the %s server still lets the person in after 2 s", what, name)
			}
			time.Sleep(time.Millisecond)
		}
		t.Logf("%s: refused by the %s server after %v", what, name, time.Since(start)) // clock-ok
	}

	t.Run("a cache hit makes no query", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEleve, "Cache", "Hit")
		warm(t, m.Token, "/api/v1/me", http.StatusOK)
		before := queries.Load()
		for range 20 {
			wantStatus(t, a.as(m.Token, host, "/api/v1/me"), http.StatusOK)
			wantStatus(t, b.as(m.Token, host, "/api/v1/me"), http.StatusOK)
		}
		if n := queries.Load() - before; n != 0 {
			t.Errorf("40 cached checks made %d membership queries, want 0", n)
		}
	})

	t.Run("deactivated on the management page", func(t *testing.T) {
		admin := env.AddMember(t, alpha, identity.RoleAdmin, "Cache", "Gestion")
		m := env.AddMember(t, alpha, identity.RoleEnseignant, "Cache", "Desactive")
		warm(t, m.Token, "/api/v1/me", http.StatusOK)
		rec := a.send(admin.Token, http.MethodPost, host, "/admin/personnes/"+m.PersonID.String()+"/desactiver", "",
			"Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, rec, http.StatusSeeOther)
		if rec := a.as(m.Token, host, "/api/v1/me"); rec.Code != http.StatusForbidden && rec.Code != http.StatusUnauthorized {
			t.Errorf("same server, next request: %d, want 403 (or 401)", rec.Code)
		}
		within(t, b, "deactivation", func(h *harness) bool {
			c := h.as(m.Token, host, "/api/v1/me").Code
			return c == http.StatusForbidden || c == http.StatusUnauthorized
		})
	})

	t.Run("role removed by another process", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEnseignant, "Cache", "Role")
		path := "/api/v1/evaluations"
		teacher := a.as(m.Token, host, path).Code
		if teacher == http.StatusForbidden {
			t.Fatalf("a teacher is refused %s", path)
		}
		warm(t, m.Token, path, teacher)
		// The directory service of the test is not the servers': a CLI or another replica.
		if err := env.Directory.UpdatePerson(ctx, alpha, m.PersonID, directory.PersonForm{LastName: "Role", FirstName: "Cache", Role: string(identity.RoleEleve)},
			identity.Scope{Tenant: alpha.ID}); err != nil {
			t.Fatalf("change role: %v", err)
		}
		for _, h := range []*harness{a, b} {
			within(t, h, "role removed", func(h *harness) bool { return h.as(m.Token, host, path).Code == http.StatusForbidden })
		}
	})

	t.Run("signed out", func(t *testing.T) {
		m := env.AddMember(t, alpha, identity.RoleEleve, "Cache", "Sortie")
		warm(t, m.Token, "/api/v1/me", http.StatusOK)
		wantStatus(t, a.send(m.Token, http.MethodPost, host, "/deconnexion", ""), http.StatusNoContent)
		wantStatus(t, a.as(m.Token, host, "/api/v1/me"), http.StatusUnauthorized)
		within(t, b, "sign-out", func(h *harness) bool { return h.as(m.Token, host, "/api/v1/me").Code == http.StatusUnauthorized })
	})
}

// refusedSoon waits, 2 s at most, for h to answer want to token's request: the time a change
// made by another process takes to reach a server's access cache (PostgreSQL's
// notification: milliseconds, see TestAccessCacheInvalidation).
func refusedSoon(t *testing.T, h *harness, token, host, path string, want int) {
	t.Helper()
	start := time.Now() // clock-ok
	for {
		rec := h.as(token, host, path)
		if rec.Code == want {
			return
		}
		if time.Since(start) > 2*time.Second { // clock-ok
			t.Fatalf("%s still answers %d 2 s after the change, want %d; body: %s", path, rec.Code, want, truncate(rec.Body.String()))
		}
		time.Sleep(time.Millisecond)
	}
}
