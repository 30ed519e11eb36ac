package identity

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestAccessCacheForgetsByKey: each notification forgets what it names and nothing else; a
// load begun before an invalidation is not kept; without a listener nothing is cached.
func TestAccessCacheForgetsByKey(t *testing.T) {
	ctx := context.Background()
	c := newAccessCache(100, time.Minute)
	loads := 0
	load := func(context.Context) (Access, error) { loads++; return Access{Member: true}, nil }
	alice, bob, lyceeA, lyceeB := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	aliceA, aliceB, bobA := accessKey{alice, lyceeA, "s1"}, accessKey{alice, lyceeB, "s1"}, accessKey{bob, lyceeA, "s2"}
	fill := func() {
		for _, k := range []accessKey{aliceA, aliceB, bobA} {
			c.get(ctx, k, load)
		}
	}
	cached := func(k accessKey) bool { _, ok := c.lru.Peek(k); return ok }

	fill()
	if loads != 3 || cached(aliceA) {
		t.Fatalf("without a listener: %d loads, cached %v; want 3 loads, nothing kept", loads, cached(aliceA))
	}
	c.live.Store(true)
	fill()
	loads = 0
	fill()
	if loads != 0 {
		t.Fatalf("%d loads on a warm cache, want 0", loads)
	}
	tests := []struct {
		payload string
		gone    []accessKey
	}{
		{"m:" + alice.String() + ":" + lyceeA.String(), []accessKey{aliceA}},
		{"i:" + alice.String(), []accessKey{aliceA, aliceB}},
		{"s:s2", []accessKey{bobA}},
		{"t:" + lyceeA.String(), []accessKey{aliceA, bobA}},
		{"x:unknown", []accessKey{aliceA, aliceB, bobA}},
	}
	for _, tc := range tests {
		fill()
		c.apply(tc.payload)
		gone := map[accessKey]bool{}
		for _, k := range tc.gone {
			gone[k] = true
		}
		for _, k := range []accessKey{aliceA, aliceB, bobA} {
			if cached(k) == gone[k] {
				t.Errorf("after %q: %v cached = %v, want %v", tc.payload, k, cached(k), !gone[k])
			}
		}
	}

	// A load that read the database before a change, and ends after its notification, is
	// not kept.
	c.apply("x:purge")
	c.get(ctx, aliceA, func(context.Context) (Access, error) {
		c.apply("i:" + alice.String())
		return Access{Member: true}, nil
	})
	if cached(aliceA) {
		t.Error("a load begun before an invalidation was kept")
	}

	// A membership this process is writing: nothing of that identity is kept meanwhile.
	c.changing(alice)
	c.get(ctx, aliceA, load)
	if cached(aliceA) {
		t.Error("a load during this process's own change was kept")
	}
	c.now = func() time.Time { return time.Now().Add(2 * time.Minute) } // clock-ok: past the mark
	c.get(ctx, aliceA, load)
	if !cached(aliceA) {
		t.Error("the mark of a change outlived its deadline")
	}
}
