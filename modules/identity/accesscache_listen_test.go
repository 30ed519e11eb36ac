package identity

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cartable-ent/cartable/ops/testenv"
)

// blackHole forwards TCP to PostgreSQL until it is cut: from then on every byte, both ways,
// is swallowed without closing anything, as a firewall dropping an idle flow or a network
// partition does. Neither side sees an error. The connections open when it was cut stay dead
// for good; once it is mended, new ones work.
type blackHole struct {
	ln    net.Listener
	to    string
	cut   atomic.Bool
	mu    sync.Mutex
	conns []net.Conn
	dead  []*atomic.Bool
}

func (b *blackHole) cutAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cut.Store(true)
	for _, d := range b.dead {
		d.Store(true)
	}
}

func newBlackHole(t *testing.T, to string) *blackHole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackHole{ln: ln, to: to}
	go b.serve()
	t.Cleanup(b.close)
	return b
}

func (b *blackHole) serve() {
	for {
		in, err := b.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", b.to)
		if err != nil {
			in.Close()
			continue
		}
		dead := &atomic.Bool{}
		b.mu.Lock()
		b.conns, b.dead = append(b.conns, in, out), append(b.dead, dead)
		b.mu.Unlock()
		go b.pipe(out, in, dead)
		go b.pipe(in, out, dead)
	}
}

func (b *blackHole) pipe(dst, src net.Conn, dead *atomic.Bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !b.cut.Load() && !dead.Load() {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (b *blackHole) close() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

// TestAccessCacheListenerLostSilently: a listener whose connection stops delivering without
// any error (a firewall's idle timeout, a partition) is noticed within a heartbeat or two, and
// the cache goes off: another server's change is not ignored for the entries' whole lifetime.
func TestAccessCacheListenerLostSilently(t *testing.T) {
	t.Parallel()
	dsn := testenv.NewDatabase(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	hole := newBlackHole(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	via := cfg.Copy()
	via.Host, via.Port = "127.0.0.1", uint16(hole.ln.Addr().(*net.TCPAddr).Port)
	pool := stdlib.OpenDB(*via)
	t.Cleanup(func() { pool.Close() })

	c := newAccessCache(100, time.Minute)
	c.heartbeat = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.listen(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil))); close(done) }()
	t.Cleanup(func() { cancel(); hole.close(); <-done })

	waitFor := func(what string, bound time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(bound) // clock-ok
		for !ok() {
			if time.Now().After(deadline) { // clock-ok
				t.Fatalf("%s: not after %v", what, bound)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("the listener connects", 10*time.Second, c.live.Load)
	alice := uuid.New()
	k := accessKey{alice, uuid.New(), "s1"}
	if _, err := c.get(ctx, k, func(context.Context) (Access, error) { return Access{Member: true}, nil }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * c.heartbeat) // quiet heartbeats on a sound connection: it stays live
	if _, ok := c.lru.Peek(k); !ok || !c.live.Load() {
		t.Fatalf("after quiet heartbeats on a sound connection: cached %v, live %v; want both", ok, c.live.Load())
	}

	hole.cutAll()
	// Another server deactivates alice: its notification never reaches this listener.
	direct, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close(context.Background())
	if _, err := direct.Exec(ctx, `SELECT pg_notify($1, $2)`, accessChannel, "i:"+alice.String()); err != nil {
		t.Fatal(err)
	}
	waitFor("the deaf listener is noticed and the entry dropped", 2*time.Second, func() bool {
		_, cached := c.lru.Peek(k)
		return !c.live.Load() && !cached
	})

	// The partition lasts while the listener tries to reconnect: those attempts must give up
	// rather than hang on connections whose bytes are lost.
	time.Sleep(3 * time.Second)
	if c.live.Load() {
		t.Fatal("the cache serves again while the network is still cut")
	}
	hole.cut.Store(false) // the network is back: new connections work, the cache serves again
	waitFor("the listener reconnects", 20*time.Second, c.live.Load)
}
