package identity

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/time/rate"
)

// Tier is one token bucket of a login limit: Burst attempts at once, then one more every
// Every. A limit with several tiers allows an attempt only when every tier has a token, so
// the delay grows as the longer tiers run dry (e.g. 30 s, then 2 min, then 10 min).
type Tier struct {
	Burst int
	Every time.Duration
}

// LoginLimits configure the throttling of password logins on the auth host.
type LoginLimits struct {
	// PerAccountAddress limits the attempts on one identifier from one client address
	// (successes included). When it is dry the attempt is refused with Retry-After: an
	// attacker locks out only their own address, never the real user elsewhere.
	PerAccountAddress []Tier
	// PerAccount limits the attempts on one identifier from every address. It slows instead
	// of refusing: an attempt over it waits at most SlowMax, then goes on, so a botnet
	// guessing one account is slowed but the real user still gets in.
	PerAccount []Tier
	SlowMax    time.Duration
	// PerAddress limits the failed attempts from one client address across identifiers
	// (password spraying); successes do not count, so a school behind one address is not
	// locked out on Monday morning. Refuses with Retry-After, except an identifier that
	// logged in from that address within KnownFor: one pupil spraying from the school's
	// address does not lock out their classmates.
	PerAddress []Tier
	KnownFor   time.Duration
	// MaxKeys bounds the memory of each of the three limits (least recently used keys go).
	MaxKeys int

	// Concurrency is how many password submissions are with Kratos at once (bcrypt is the
	// cost: ~7 per second per core at cost 12). Others wait up to QueueWait, QueueMax of
	// them at most, then get the "file d'attente" page with Retry-After: QueueRetry.
	Concurrency int
	QueueWait   time.Duration
	QueueMax    int
	QueueRetry  time.Duration
}

// DefaultLoginLimits are the production settings (see the README for what they allow).
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		PerAccountAddress: []Tier{{5, 30 * time.Second}, {10, 2 * time.Minute}, {20, 10 * time.Minute}},
		PerAccount:        []Tier{{30, 6 * time.Second}},
		SlowMax:           3 * time.Second,
		PerAddress:        []Tier{{30, 2 * time.Second}, {200, 20 * time.Second}},
		KnownFor:          30 * 24 * time.Hour,
		MaxKeys:           100_000,
		Concurrency:       4,
		QueueWait:         10 * time.Second,
		QueueMax:          2000,
		QueueRetry:        10 * time.Second,
	}
}

// buckets is one login limit: its tiers for each key, in a bounded, expiring LRU. A key
// forgotten after its expiry would have refilled anyway.
type buckets struct {
	tiers []Tier
	mu    sync.Mutex // makes check-and-take atomic per limit
	keys  *expirable.LRU[string, []*rate.Limiter]
}

func newBuckets(tiers []Tier, maxKeys int) *buckets {
	var refill time.Duration
	for _, t := range tiers {
		refill = max(refill, time.Duration(t.Burst)*t.Every)
	}
	return &buckets{tiers: tiers, keys: expirable.NewLRU[string, []*rate.Limiter](maxKeys, nil, refill+time.Minute)}
}

func (b *buckets) limiters(key string) []*rate.Limiter {
	if ls, ok := b.keys.Get(key); ok {
		return ls
	}
	ls := make([]*rate.Limiter, len(b.tiers))
	for i, t := range b.tiers {
		ls[i] = rate.NewLimiter(rate.Every(t.Every), t.Burst) // full until its first use
	}
	b.keys.Add(key, ls)
	return ls
}

// wait is how long until every tier of key has a token (0: now).
func (b *buckets) wait(ls []*rate.Limiter, now time.Time) time.Duration {
	var d time.Duration
	for _, l := range ls {
		if tokens := l.TokensAt(now); tokens < 1 {
			// Whole milliseconds, rounded up past float noise (1.9999999 → 2 s, not 2.001).
			ms := math.Ceil((1-tokens)/float64(l.Limit())*1e3 - 1e-6)
			d = max(d, time.Duration(ms)*time.Millisecond)
		}
	}
	return d
}

// take spends one attempt of key if every tier has one; otherwise it spends nothing and
// tells how long to wait.
func (b *buckets) take(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	ls := b.limiters(key)
	if d := b.wait(ls, now); d > 0 {
		return d
	}
	for _, l := range ls {
		l.AllowN(now, 1)
	}
	return 0
}

// check tells how long until key may try again, spending nothing.
func (b *buckets) check(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wait(b.limiters(key), now)
}

// hold spends one attempt of key now if every tier has one, returning the reservations that
// give it back (Cancel); otherwise it spends nothing and tells how long to wait.
func (b *buckets) hold(key string, now time.Time) (time.Duration, []*rate.Reservation) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ls := b.limiters(key)
	if d := b.wait(ls, now); d > 0 {
		return d, nil
	}
	held := make([]*rate.Reservation, len(ls))
	for i, l := range ls {
		held[i] = l.ReserveN(now, 1)
	}
	return 0, held
}

// charge spends one attempt of key after the fact (a failure), going into debt if needed so
// that parallel failures all count.
func (b *buckets) charge(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.limiters(key) {
		l.ReserveN(now, 1)
	}
}

// loginThrottle applies the three login limits.
type loginThrottle struct {
	limits         LoginLimits
	now            func() time.Time
	accountAddress *buckets
	account        *buckets
	address        *buckets
	known          *expirable.LRU[string, struct{}] // identifier × address that logged in
}

func newLoginThrottle(l LoginLimits, now func() time.Time) *loginThrottle {
	return &loginThrottle{
		limits: l, now: now,
		accountAddress: newBuckets(l.PerAccountAddress, l.MaxKeys),
		account:        newBuckets(l.PerAccount, l.MaxKeys),
		address:        newBuckets(l.PerAddress, l.MaxKeys),
		known:          expirable.NewLRU[string, struct{}](l.MaxKeys, nil, max(l.KnownFor, time.Minute)),
	}
}

// refusal is why and for how long an attempt is refused.
type refusal struct {
	retry   time.Duration
	account bool // the identifier from this address (else: this address, every identifier)
}

// attempt is an admitted password attempt: it holds one of its address's failures until
// Kratos answers, so that attempts sent in parallel count before any of them fails.
type attempt struct {
	identifier, addr string
	held             []*rate.Reservation
}

// release gives back the address's held attempt.
func (a *attempt) release(now time.Time) {
	for _, r := range a.held {
		r.CancelAt(now)
	}
	a.held = nil
}

// admit decides on one password attempt of identifier from addr. It returns a refusal, or
// the admitted attempt (after waiting at most SlowMax when the identifier is under attack
// from elsewhere), to be closed with done.
func (t *loginThrottle) admit(ctx context.Context, identifier, addr string) (*refusal, *attempt, error) {
	now := t.now()
	pair := identifier + "\x00" + addr
	a := &attempt{identifier: identifier, addr: addr}
	if !t.known.Contains(pair) {
		d, held := t.address.hold(addr, now)
		if d > 0 {
			return &refusal{retry: d}, nil, nil
		}
		a.held = held
	}
	if d := t.accountAddress.take(pair, now); d > 0 {
		a.release(now)
		return &refusal{retry: d, account: true}, nil, nil
	}
	if d := t.account.take(identifier, now); d > 0 {
		timer := time.NewTimer(min(d, t.limits.SlowMax))
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			a.release(t.now())
			return nil, nil, ctx.Err()
		}
	}
	return nil, a, nil
}

// done closes an admitted attempt: a success gives back the address's held attempt (only
// failures count there) and remembers the identifier at that address; a failure keeps it.
func (t *loginThrottle) done(a *attempt, success bool) {
	if success {
		a.release(t.now())
		t.succeeded(a.identifier, a.addr)
	}
}

// failed records a failed attempt from addr.
func (t *loginThrottle) failed(addr string) { t.address.charge(addr, t.now()) }

// succeeded records that identifier logged in from addr.
func (t *loginThrottle) succeeded(identifier, addr string) {
	t.known.Add(identifier+"\x00"+addr, struct{}{})
}

// normalizeIdentifier is the identifier as the limits key it: Kratos matches usernames
// case-insensitively, so must the limits.
func normalizeIdentifier(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ClientAddress returns how the limits see a request's client: its TCP peer, or, when the
// peer is one of the trusted proxies (the ingress), the last address of X-Forwarded-For
// that is not one. IPv6 addresses count by /64, what one subscriber gets.
func ClientAddress(trusted []netip.Prefix) func(*http.Request) string {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return host
		}
		a = a.Unmap()
		if isTrusted(a) {
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break
				}
				a = h.Unmap()
				if !isTrusted(a) {
					break
				}
			}
		}
		if a.Is6() {
			p, _ := a.Prefix(64)
			return p.String()
		}
		return a.String()
	}
}
