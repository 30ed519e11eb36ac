package tenant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/web/fault"
)

// Pool sharing. database/sql hands connections out first come, first served and waits for one
// as long as the request's context lives, so one establishment whose tables are locked fills
// the whole pool and every other establishment, the portal and the admin API wait behind it.
// Tenant transactions therefore pass a gate before taking a connection:
//   - one tenant holds at most TenantShare connections at once;
//   - all tenants together hold at most MaxOpenConns - PlatformReserve, so the platform's own
//     queries (host look-ups, sessions' memberships, the admin API) always find room;
//   - the wait for a place and a connection is bounded by AcquireTimeout, after which the
//     request gets a fault.Busy (a 503 with Retry-After) instead of queueing on.

// Defaults of the pool's sharing.
const (
	DefaultAcquireTimeout = 2 * time.Second
	// busyRetryAfter is the Retry-After given with a refusal: long enough for a lock or a
	// burst to clear, short enough that a user retrying by hand finds the page.
	busyRetryAfter = 5 * time.Second
)

// busyText is what a user reads when their establishment's share of the pool is full.
const busyText = "Votre établissement reçoit beaucoup de demandes en ce moment. Réessayez dans quelques secondes."

// gate bounds the connections tenant transactions hold. It travels with the *gorm.DB that Open
// returns (as a GORM plugin) so that NewDB finds the options the pool was opened with.
type gate struct {
	sqlDB *sql.DB
	all   *semaphore.Weighted // places for tenant transactions, every tenant together
	share int64               // places one tenant may hold
	wait  time.Duration       // longest wait for a place and a connection

	mu      sync.Mutex
	tenants map[string]*tenantPlaces // by schema, while someone holds or waits for a place
}

type tenantPlaces struct {
	sem   *semaphore.Weighted
	users int
}

const gateName = "cartable:tenant-gate"

// Name and Initialize make the gate a GORM plugin, stored in the handle's configuration.
func (g *gate) Name() string                  { return gateName }
func (g *gate) Initialize(gdb *gorm.DB) error { return nil }

// newGate sizes a gate for a pool of opts.MaxOpenConns connections (opts with defaults).
func newGate(sqlDB *sql.DB, opts PoolOptions) *gate {
	room := opts.MaxOpenConns - opts.PlatformReserve
	share := min(opts.TenantShare, room)
	return &gate{
		sqlDB:   sqlDB,
		all:     semaphore.NewWeighted(int64(room)),
		share:   int64(share),
		wait:    opts.AcquireTimeout,
		tenants: map[string]*tenantPlaces{},
	}
}

// gateOf returns the gate Open attached to gdb, or one with the default sharing of gdb's pool
// when gdb was opened otherwise.
func gateOf(gdb *gorm.DB) *gate {
	if g, ok := gdb.Config.Plugins[gateName].(*gate); ok {
		return g
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		panic(fmt.Sprintf("tenant: NewDB on a handle without a connection pool: %v", err))
	}
	n := sqlDB.Stats().MaxOpenConnections
	if n <= 0 {
		n = 20 // unlimited pool: share as if it had the default size
	}
	return newGate(sqlDB, PoolOptions{MaxOpenConns: n}.withDefaults())
}

// conn waits, at most g.wait, for a place of schema's share, a place among all tenants and a
// pooled connection. The caller runs one transaction on the connection, then calls release.
func (g *gate) conn(ctx context.Context, schema string) (conn *sql.Conn, release func(), err error) {
	wctx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	places := g.join(schema)
	if err := places.sem.Acquire(wctx, 1); err != nil {
		g.leave(schema, places)
		return nil, nil, g.refusal(ctx, schema, "its share of the pool", err)
	}
	if err := g.all.Acquire(wctx, 1); err != nil {
		places.sem.Release(1)
		g.leave(schema, places)
		return nil, nil, g.refusal(ctx, schema, "the tenants' part of the pool", err)
	}
	conn, err = g.sqlDB.Conn(wctx)
	if err != nil {
		g.all.Release(1)
		places.sem.Release(1)
		g.leave(schema, places)
		return nil, nil, g.refusal(ctx, schema, "a pooled connection", err)
	}
	return conn, func() {
		conn.Close()
		g.all.Release(1)
		places.sem.Release(1)
		g.leave(schema, places)
	}, nil
}

// refusal is the error of a wait that ended: the request's own end (client gone, deadline) as
// is, a wait past the bound as fault.Busy.
func (g *gate) refusal(ctx context.Context, schema, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("tenant %s: waiting for %s: %w", schema, what, ctx.Err())
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("tenant %s: waiting for %s: %w", schema, what, err)
	}
	return &fault.Busy{RetryAfter: busyRetryAfter, Text: busyText,
		Err: fmt.Errorf("tenant %s: no room in %s after %v", schema, what, g.wait)}
}

// join returns schema's places, counting the caller as a user until leave.
func (g *gate) join(schema string) *tenantPlaces {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.tenants[schema]
	if p == nil {
		p = &tenantPlaces{sem: semaphore.NewWeighted(g.share)}
		g.tenants[schema] = p
	}
	p.users++
	return p
}

// leave forgets schema's places once nobody holds or waits for one: the map stays as small
// as the set of busy tenants.
func (g *gate) leave(schema string, p *tenantPlaces) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p.users--; p.users == 0 {
		delete(g.tenants, schema)
	}
}
