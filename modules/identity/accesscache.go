package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/sync/singleflight"
)

// accessChannel is where the platform's triggers announce a change of memberships,
// platform roles, revoked sessions or establishments' states (migrations/platform/0005).
const accessChannel = "cartable_access"

const (
	accessCacheTTL  = 30 * time.Second
	accessCacheSize = 100_000
	// accessHeartbeat: after this long without a notification, the listener sends itself one,
	// which must come back within as long again (see listenOnce).
	accessHeartbeat = 10 * time.Second
)

// accessKey names one Access result: what an identity, in one session, holds in one
// establishment (uuid.Nil: a platform host).
type accessKey struct {
	identity, tenant uuid.UUID
	session          string
}

// accessCache keeps Access results for a short time, per key, and forgets them when
// PostgreSQL says they changed (accessChannel). It serves only while its listener is
// connected: without one, nobody would tell it of a change, so every check reads the
// database, as if there were no cache, and everything is forgotten on reconnection.
type accessCache struct {
	lru   *expirable.LRU[accessKey, Access]
	group singleflight.Group
	ttl   time.Duration
	live  atomic.Bool // the listener is connected: entries may be used and kept
	// heartbeat is how long the listener waits in silence before it checks that its
	// connection still delivers (accessHeartbeat).
	heartbeat time.Duration
	gen       atomic.Uint64 // bumped by every invalidation: a load begun before one is not kept

	// wmu orders what changes the cache: an invalidation and the keeping of a load that
	// began before it cannot interleave (the load would outlive it). Order: wmu, then the
	// LRU's own lock, then mu (the LRU calls unindex under its lock).
	wmu sync.Mutex
	// pending: identities whose memberships a transaction of this process is changing; their
	// loads are not kept until the deadline (the TTL), so that nothing read before that
	// transaction commits outlives it here, even before its notification comes back.
	pending map[uuid.UUID]time.Time
	now     func() time.Time

	mu    sync.Mutex
	index map[string]map[accessKey]struct{} // "i:<identity>" and "s:<session>" → their keys
}

func newAccessCache(size int, ttl time.Duration) *accessCache {
	c := &accessCache{index: map[string]map[accessKey]struct{}{}, pending: map[uuid.UUID]time.Time{}, now: time.Now, ttl: ttl, heartbeat: accessHeartbeat}
	c.lru = expirable.NewLRU(size, c.unindex, ttl)
	return c
}

func tags(k accessKey) [2]string { return [2]string{"i:" + k.identity.String(), "s:" + k.session} }

// unindex is the LRU's eviction callback (expiry, size, removal).
func (c *accessCache) unindex(k accessKey, _ Access) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tag := range tags(k) {
		if set := c.index[tag]; set != nil {
			delete(set, k)
			if len(set) == 0 {
				delete(c.index, tag)
			}
		}
	}
}

// get returns the cached Access of k or loads it, one load per key at a time.
func (c *accessCache) get(ctx context.Context, k accessKey, load func(context.Context) (Access, error)) (Access, error) {
	if !c.live.Load() {
		return load(ctx)
	}
	if a, ok := c.lru.Get(k); ok {
		return a, nil
	}
	gen := c.gen.Load()
	// The generation is part of the flight's key: a request arriving after an invalidation
	// never shares a load that began before it.
	flight := k.identity.String() + "|" + k.tenant.String() + "|" + k.session + "|" + strconv.FormatUint(gen, 10)
	v, err, _ := c.group.Do(flight, func() (any, error) {
		// The load is shared: one caller's cancellation must not fail the others.
		a, err := load(context.WithoutCancel(ctx))
		if err == nil {
			c.put(k, a, gen)
		}
		return a, err
	})
	if err != nil {
		return Access{}, err
	}
	return v.(Access), nil
}

// put keeps a, loaded from generation gen, unless an invalidation came since.
func (c *accessCache) put(k accessKey, a Access, gen uint64) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.live.Load() || c.gen.Load() != gen {
		return
	}
	if until, ok := c.pending[k.identity]; ok && c.now().Before(until) {
		return
	}
	c.mu.Lock()
	for _, tag := range tags(k) {
		set := c.index[tag]
		if set == nil {
			set = map[accessKey]struct{}{}
			c.index[tag] = set
		}
		set[k] = struct{}{}
	}
	c.mu.Unlock()
	c.lru.Add(k, a)
}

// forget drops the entries under tag that match (nil: all of them).
func (c *accessCache) forget(tag string, match func(accessKey) bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.gen.Add(1)
	c.mu.Lock()
	var drop []accessKey
	for k := range c.index[tag] {
		if match == nil || match(k) {
			drop = append(drop, k)
		}
	}
	c.mu.Unlock()
	for _, k := range drop { // outside mu: the LRU calls unindex, which takes it
		c.lru.Remove(k)
	}
}

// changing is told, before the write, that a transaction of this process changes the
// identity's memberships: its entries go, and none is kept until the transaction is surely
// over, so the next request after it reads the database.
func (c *accessCache) changing(id uuid.UUID) {
	c.forget("i:"+id.String(), nil)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	now := c.now()
	if len(c.pending) >= 1024 { // drop the marks that are over
		for k, until := range c.pending {
			if !now.Before(until) {
				delete(c.pending, k)
			}
		}
	}
	c.pending[id] = now.Add(c.ttl)
}

// forgetTenant drops every entry of an establishment (suspended, deleted, restored): rare,
// so a scan of the cache is fine.
func (c *accessCache) forgetTenant(id uuid.UUID) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.gen.Add(1)
	for _, k := range c.lru.Keys() {
		if k.tenant == id {
			c.lru.Remove(k)
		}
	}
}

// purge forgets everything (the listener reconnected: it may have missed changes).
func (c *accessCache) purge() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.gen.Add(1)
	c.lru.Purge()
}

// apply handles one notification of accessChannel.
func (c *accessCache) apply(payload string) {
	kind, rest, _ := strings.Cut(payload, ":")
	switch kind {
	case "m":
		idStr, tenantStr, _ := strings.Cut(rest, ":")
		id, err1 := uuid.Parse(idStr)
		tn, err2 := uuid.Parse(tenantStr)
		if err1 != nil || err2 != nil {
			c.purge()
			return
		}
		c.forget("i:"+id.String(), func(k accessKey) bool { return k.tenant == tn })
	case "i":
		c.forget("i:"+rest, nil)
	case "s":
		c.forget("s:"+rest, nil)
	case "p": // a listener's heartbeat (listenOnce): nothing changed
	case "t":
		id, err := uuid.Parse(rest)
		if err != nil {
			c.purge()
			return
		}
		c.forgetTenant(id)
	default: // a payload this version does not know: forget everything rather than guess
		c.purge()
	}
}

// listen keeps a dedicated connection (outside the pool) listening on accessChannel until
// ctx ends or the pool is closed, reconnecting after a failure (1 s, then up to 30 s
// apart). While it is not listening the cache is off.
func (c *accessCache) listen(ctx context.Context, pool *sql.DB, log *slog.Logger) {
	wait := time.Second
	for {
		err := c.listenOnce(ctx, pool)
		c.live.Store(false)
		c.purge()
		if ctx.Err() != nil || isClosed(pool, 3*c.heartbeat) {
			return
		}
		log.Warn("access cache: listener lost, every request reads the database until it is back", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// isClosed tells whether the pool was closed (the application is stopping).
func isClosed(pool *sql.DB, within time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), within) // an unreachable server is not a closed pool
	defer cancel()
	err := pool.PingContext(ctx)
	return err != nil && strings.Contains(err.Error(), "database is closed") // database/sql's unexported errDBClosed
}

func (c *accessCache) listenOnce(ctx context.Context, pool *sql.DB) error {
	// Connecting is bounded: after a silent loss, a pooled connection or a new one may hang
	// as long as the network does (the cache is off meanwhile, but it would never come back).
	cctx, cancel := context.WithTimeout(ctx, 3*c.heartbeat)
	defer cancel()
	cfg, err := poolConfig(cctx, pool)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(cctx, "LISTEN "+accessChannel); err != nil {
		return err
	}
	// Listening from here: whatever was cached before may have changed unseen.
	c.purge()
	// A connection can stop delivering without any error ever coming (a firewall dropping an
	// idle flow, a partition), and a pooler in transaction mode accepts LISTEN but delivers
	// nothing. So the cache serves only once a notification sent by this listener has come
	// back, and whenever it has waited a heartbeat in silence it sends itself another, which
	// must be back within a heartbeat, or the connection counts as lost (the cache goes off).
	probe, deadline, err := c.probe(ctx, conn)
	if err != nil {
		return err
	}
	for {
		wait := c.heartbeat
		if probe != "" {
			wait = time.Until(deadline)
			if wait <= 0 {
				return fmt.Errorf("identity: the listener's own notification did not come back within %v: its connection is lost", c.heartbeat)
			}
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		n, err := conn.WaitForNotification(wctx)
		quiet := err != nil && ctx.Err() == nil && wctx.Err() != nil
		cancel()
		switch {
		case quiet && probe == "":
			if probe, deadline, err = c.probe(ctx, conn); err != nil {
				return err
			}
		case quiet: // the loop's check says the probe is overdue
		case err != nil:
			return err
		case n == nil: // not ours to read: nothing can be trusted any more
			return errors.New("identity: notification without payload")
		case probe != "" && n.Payload == "p:"+probe:
			probe = ""
			c.live.Store(true)
		default:
			c.apply(n.Payload)
		}
	}
}

// probe sends the listener's own heartbeat notification and returns what to wait for, and
// until when.
func (c *accessCache) probe(ctx context.Context, conn *pgx.Conn) (string, time.Time, error) {
	id := uuid.NewString()
	pctx, cancel := context.WithTimeout(ctx, c.heartbeat)
	defer cancel()
	if _, err := conn.Exec(pctx, "SELECT pg_notify($1, $2)", accessChannel, "p:"+id); err != nil {
		return "", time.Time{}, err
	}
	return id, time.Now().Add(c.heartbeat), nil
}

// poolConfig is the connection configuration of the application's pool, so that the
// listener reaches the same database as the same role.
func poolConfig(ctx context.Context, pool *sql.DB) (*pgx.ConnConfig, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var cfg *pgx.ConnConfig
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("identity: the pool is not pgx's")
		}
		cfg = sc.Conn().Config().Copy()
		// The copy still delivers notifications to the pooled connection's buffer: ours
		// must go to the listener's own.
		cfg.OnNotification = nil
		return nil
	})
	return cfg, err
}
