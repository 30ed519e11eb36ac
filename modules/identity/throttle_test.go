package identity

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// attackSchedule has one attacker retry as soon as allowed, for span, against one limit;
// it returns the attempts allowed and the successive waits imposed.
func attackSchedule(b *buckets, clock *fakeClock, span time.Duration) (allowedAt []time.Duration, waits []time.Duration) {
	start := clock.Now()
	for clock.Now().Sub(start) < span {
		d := b.take("zoe.lefevre\x00203.0.113.7", clock.Now())
		if d == 0 {
			allowedAt = append(allowedAt, clock.Now().Sub(start))
			continue
		}
		if len(waits) == 0 || waits[len(waits)-1] != d {
			waits = append(waits, d)
		}
		clock.Advance(d)
	}
	return allowedAt, waits
}

func countBefore(ts []time.Duration, limit time.Duration) int {
	n := 0
	for _, t := range ts {
		if t < limit {
			n++
		}
	}
	return n
}

// TestLoginDelayGrowth measures the default per identifier × address limit on the injected
// clock: how many attempts a persistent attacker gets and how the delay grows.
func TestLoginDelayGrowth(t *testing.T) {
	l := DefaultLoginLimits()
	clock := newFakeClock()
	allowed, waits := attackSchedule(newBuckets(l.PerAccountAddress, 10), clock, 24*time.Hour)
	t.Logf("identifier × address: %d in the first minute, %d in 10 min, %d in the first hour, %d in 24 h; distinct waits %v",
		countBefore(allowed, time.Minute), countBefore(allowed, 10*time.Minute), countBefore(allowed, time.Hour), len(allowed), waits)
	if n := countBefore(allowed, time.Minute); n != 6 {
		t.Errorf("%d attempts in the first minute, want 6 (5 at once, 1 after 30 s)", n)
	}
	if n := countBefore(allowed, time.Hour); n < 20 || n > 30 {
		t.Errorf("%d attempts in the first hour, want 20–30", n)
	}
	if n := len(allowed); n > 24*6+30 {
		t.Errorf("%d attempts in 24 h, want at most ~6 an hour once the long tier is dry", n)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] && waits[i] < 10*time.Minute {
			t.Errorf("the wait went down from %v to %v before reaching the long tier", waits[i-1], waits[i])
		}
	}
	if waits[0] != 30*time.Second || waits[len(waits)-1] != 10*time.Minute {
		t.Errorf("waits %v: want from 30 s up to 10 min", waits)
	}

	clock = newFakeClock()
	allowed, waits = attackSchedule(newBuckets(l.PerAddress, 10), clock, time.Hour)
	t.Logf("address (failures, across identifiers): %d in the first minute, %d in the first hour; distinct waits %v",
		countBefore(allowed, time.Minute), len(allowed), waits)

	clock = newFakeClock()
	allowed, _ = attackSchedule(newBuckets(l.PerAccount, 10), clock, time.Hour)
	t.Logf("identifier from every address before slowing by %v: %d in the first minute, %d in the first hour",
		l.SlowMax, countBefore(allowed, time.Minute), len(allowed))
}

// TestLoginThrottleKeys: the refusal of one identifier × address does not touch the same
// identifier elsewhere nor another identifier; an address refused for spraying is refused
// for every identifier.
func TestLoginThrottleKeys(t *testing.T) {
	l := DefaultLoginLimits()
	l.SlowMax = time.Millisecond
	clock := newFakeClock()
	th := newLoginThrottle(l, clock.Now)
	ctx := context.Background()
	for range 5 {
		if no, _, _ := th.admit(ctx, "zoe", "203.0.113.7"); no != nil {
			t.Fatalf("refused early: %+v", no)
		}
	}
	if no, _, _ := th.admit(ctx, "zoe", "203.0.113.7"); no == nil || !no.account || no.retry != 30*time.Second {
		t.Fatalf("6th attempt: %+v, want refused for 30 s on the account", no)
	}
	if no, _, _ := th.admit(ctx, "zoe", "198.51.100.1"); no != nil {
		t.Errorf("same identifier from another address refused: %+v", no)
	}
	if no, _, _ := th.admit(ctx, "leo", "203.0.113.7"); no != nil {
		t.Errorf("another identifier from the address refused: %+v", no)
	}
	for range 30 {
		th.failed("192.0.2.1")
	}
	if no, _, _ := th.admit(ctx, "nouveau", "192.0.2.1"); no == nil || no.account || no.retry != 2*time.Second {
		t.Errorf("after 30 failures from one address: %+v, want refused for 2 s on the address", no)
	}
	// A classmate who logged in from that address before is not locked out by the sprayer.
	th.succeeded("camille", "192.0.2.1")
	if no, _, _ := th.admit(ctx, "camille", "192.0.2.1"); no != nil {
		t.Errorf("an identifier known at the address refused: %+v", no)
	}
}

// TestLoginThrottleParallel: attempts in flight count against their address before Kratos
// answers (a burst sent at once cannot all pass before the first failure); a success gives
// its attempt back, so a class logging in from one address is not refused.
func TestLoginThrottleParallel(t *testing.T) {
	l := DefaultLoginLimits()
	clock := newFakeClock()
	th := newLoginThrottle(l, clock.Now)
	ctx := context.Background()
	var inFlight []*attempt
	for i := range 30 {
		no, a, _ := th.admit(ctx, fmt.Sprintf("eleve%d", i), "192.0.2.9")
		if no != nil {
			t.Fatalf("attempt %d refused: %+v", i, no)
		}
		inFlight = append(inFlight, a)
	}
	if no, _, _ := th.admit(ctx, "eleve-de-trop", "192.0.2.9"); no == nil || no.account {
		t.Fatalf("31st attempt in flight from one address: %+v, want refused on the address", no)
	}
	for _, a := range inFlight {
		th.done(a, true) // they all had the right password
	}
	for i := range 30 {
		if no, a, _ := th.admit(ctx, fmt.Sprintf("autre%d", i), "192.0.2.9"); no != nil {
			t.Fatalf("after 30 successes, attempt %d refused: %+v", i, no)
		} else {
			th.done(a, true)
		}
	}
}

// TestLoginThrottleMemory: each limit keeps at most MaxKeys keys.
func TestLoginThrottleMemory(t *testing.T) {
	b := newBuckets(DefaultLoginLimits().PerAccountAddress, 100)
	now := newFakeClock().Now()
	for i := range 10_000 {
		b.take(string(rune(i)), now)
	}
	if n := b.keys.Len(); n != 100 {
		t.Errorf("%d keys kept, want 100", n)
	}
}

func TestClientAddress(t *testing.T) {
	ingress := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"peer", "203.0.113.7:1234", "", nil, "203.0.113.7"},
		{"forwarded header ignored from an untrusted peer", "203.0.113.7:1234", "198.51.100.1", nil, "203.0.113.7"},
		{"behind the ingress", "10.1.2.3:1234", "198.51.100.1", ingress, "198.51.100.1"},
		{"spoofed hops before the ingress's own", "10.1.2.3:1234", "6.6.6.6, 198.51.100.1, 10.0.0.9", ingress, "198.51.100.1"},
		{"IPv6 by /64", "[2001:db8:1:2:3:4:5:6]:443", "", nil, "2001:db8:1:2::/64"},
		{"IPv4-mapped", "[::ffff:203.0.113.7]:443", "", nil, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := ClientAddress(tt.trusted)(r); got != tt.want {
				t.Errorf("ClientAddress = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFrenchDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond: "1 seconde", 30 * time.Second: "30 secondes", 119 * time.Second: "119 secondes",
		2 * time.Minute: "2 minutes", 10 * time.Minute: "10 minutes", 121 * time.Second: "3 minutes",
	} {
		if got := frenchDuration(d); got != want {
			t.Errorf("frenchDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
