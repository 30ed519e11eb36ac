package main

// One establishment cannot starve the others: tenant A's table is locked and 200 clients
// hammer A's pages through the real HTTP server; tenant B's pages and the administration API
// keep answering quickly, and A's clients get a French 503 with Retry-After instead of
// holding the pool.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// answer is one response seen by a client of the starvation test.
type answer struct {
	status     int
	took       time.Duration
	retryAfter string
	body       string
	err        error
}

// latencies summarises the answers' durations.
type latencies []time.Duration

func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func TestTenantCannotStarveOthers(t *testing.T) {
	const (
		clientsA = 200             // concurrent clients of the locked establishment
		clientsB = 3               // clients of the other establishment
		holdLock = 8 * time.Second // how long A's table stays locked
	)
	dsn := testenv.NewDatabase(t)
	gdb := tenanttest.OpenDSN(t, dsn, tenant.PoolOptions{MaxOpenConns: 20, AcquireTimeout: 2 * time.Second}) // the production defaults
	reg := tenanttest.RegistryOn(t, gdb, tenant.Options{})
	srv, err := buildServer(testConfig(t), reg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	env := directorytest.NewEnv(t, reg)
	a := tenanttest.Provision(t, reg, uaiAlpha, "Lycée Alpha", "lycee")
	b := tenanttest.Provision(t, reg, tenanttest.UAI(33, 2), "Lycée Bravo", "lycee")
	dirA := env.AddMember(t, a, identity.RoleDirection, "Test", "Alpha")
	dirB := env.AddMember(t, b, identity.RoleDirection, "Test", "Bravo")

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clientsA + clientsB + 1}, Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()
	get := func(ctx context.Context, host, path string, header ...string) answer {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+path, nil)
		if err != nil {
			return answer{err: err}
		}
		req.Host = host
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		start := time.Now() // clock-ok: measures a response time
		resp, err := client.Do(req)
		if err != nil {
			return answer{err: err, took: time.Since(start)}
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return answer{status: resp.StatusCode, took: time.Since(start), retryAfter: resp.Header.Get("Retry-After"), body: string(body)}
	}
	pageA := func(ctx context.Context) answer {
		return get(ctx, tenantHost(a.Slug), "/annuaire/classes", "X-Session-Token", dirA.Token)
	}
	pageB := func(ctx context.Context) answer {
		return get(ctx, tenantHost(b.Slug), "/annuaire/classes", "X-Session-Token", dirB.Token)
	}
	adminAPI := func(ctx context.Context) answer {
		return get(ctx, adminHost, "/api/v1/tenants/"+string(b.UAI), "Authorization", "Bearer "+adminToken)
	}
	ctx := context.Background()
	for name, f := range map[string]func(context.Context) answer{"A": pageA, "B": pageB, "admin": adminAPI} {
		if ans := f(ctx); ans.err != nil || ans.status != http.StatusOK {
			t.Fatalf("before the lock, %s answered %d %v: %s", name, ans.status, ans.err, truncate(ans.body))
		}
	}

	// A's classes table is locked by a transaction on a connection of its own.
	locker := tenant.NewDB(tenanttest.OpenDSN(t, dsn, tenant.PoolOptions{MaxOpenConns: 1}))
	locked, release := make(chan struct{}), make(chan struct{})
	lockErr := make(chan error, 1)
	go func() {
		lockErr <- locker.Tx(ctx, a, func(tx *gorm.DB) error {
			if err := tx.Exec(`LOCK TABLE classes IN ACCESS EXCLUSIVE MODE`).Error; err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-lockErr:
		t.Fatalf("lock A's classes: %v", err)
	}
	lockedAt := time.Now() // clock-ok: measures how long the lock is held
	releaseTimer := time.AfterFunc(holdLock, func() { close(release) })
	defer releaseTimer.Stop()

	// 200 clients of A keep asking for the locked page while the lock is held.
	var mu sync.Mutex
	var answersA []answer
	var wg sync.WaitGroup
	for i := 0; i < clientsA; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(lockedAt) < holdLock {
				ans := pageA(ctx)
				mu.Lock()
				answersA = append(answersA, ans)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // A's clients are all in flight

	// Meanwhile B's clients and the administration API are served, until the lock ends.
	var answersB, answersAdmin []answer
	var wgB sync.WaitGroup
	for i := 0; i <= clientsB; i++ {
		wgB.Add(1)
		go func(i int) {
			defer wgB.Done()
			for time.Since(lockedAt) < holdLock-500*time.Millisecond {
				f, dst := pageB, &answersB
				if i == clientsB {
					f, dst = adminAPI, &answersAdmin
				}
				ans := f(ctx)
				mu.Lock()
				*dst = append(*dst, ans)
				mu.Unlock()
			}
		}(i)
	}
	wgB.Wait()
	wg.Wait()
	if err := <-lockErr; err != nil {
		t.Errorf("the lock's transaction: %v", err)
	}

	summary := func(name string, as []answer) (latencies, map[int]int) {
		var l latencies
		statuses := map[int]int{}
		for _, ans := range as {
			if ans.err != nil {
				t.Errorf("%s: request failed: %v", name, ans.err)
				continue
			}
			statuses[ans.status]++
			l = append(l, ans.took)
		}
		t.Logf("%s: %d answers %v, p50 %v, p99 %v, max %v", name, len(as), statuses,
			l.quantile(0.50).Round(time.Millisecond), l.quantile(0.99).Round(time.Millisecond), l.quantile(1).Round(time.Millisecond))
		return l, statuses
	}
	latB, statusB := summary("tenant B /annuaire/classes", answersB)
	latAdmin, statusAdmin := summary("admin API GET /api/v1/tenants/{uai}", answersAdmin)
	_, statusA := summary("tenant A /annuaire/classes (locked)", answersA)

	// Generous bounds (a shared 2-core machine): the exact figures are in the log above.
	for name, st := range map[string]map[int]int{"B": statusB, "admin API": statusAdmin} {
		for code, n := range st {
			if code != http.StatusOK {
				t.Errorf("%s answered %d %d times while A was locked, want only 200", name, n, code)
			}
		}
	}
	if len(latB) < 10 || len(latAdmin) < 3 {
		t.Errorf("B answered %d times and the admin API %d times in %v: they were starved", len(latB), len(latAdmin), holdLock)
	}
	// Before the pool was shared, B's p99 was the whole lock (7.9 s of 8 s); alone on the
	// machine it is now 11–54 ms (39–452 ms with -race). Half the lock leaves room for a loaded run.
	if p99 := latB.quantile(0.99); p99 > holdLock/2 {
		t.Errorf("B's p99 = %v while A was locked, want well under the lock's %v", p99, holdLock)
	}
	if p99 := latAdmin.quantile(0.99); p99 > holdLock/2 {
		t.Errorf("the admin API's p99 = %v while A was locked, want well under the lock's %v", p99, holdLock)
	}
	if statusA[http.StatusServiceUnavailable] == 0 {
		t.Errorf("A's clients got %v: want 503s (bounded wait) while its table was locked", statusA)
	}
	for code, n := range statusA {
		if code != http.StatusOK && code != http.StatusServiceUnavailable {
			t.Errorf("A answered %d %d times: want 200 or 503 only", code, n)
		}
	}
	for _, ans := range answersA {
		if ans.status == http.StatusServiceUnavailable {
			if ans.retryAfter == "" || !strings.Contains(ans.body, "Réessayez") {
				t.Errorf("A's 503 has Retry-After %q and body %s: want a French page that says when to retry", ans.retryAfter, truncate(ans.body))
			}
			break
		}
	}
}
