package tenant

import (
	"fmt"
	"testing"
	"time"
)

// TestSlugCache: unknown hosts, however many, never push a live tenant out; a look-up that
// began before a change caches nothing; entries expire on the registry's clock.
func TestSlugCache(t *testing.T) {
	now := time.Date(2026, time.October, 5, 10, 0, 0, 0, time.UTC)
	c := newSlugCache(5 * time.Second)
	lycee := &Tenant{Slug: "lycee-montaigne"}
	_, _, gen := c.get("lycee-montaigne", now)
	c.put("lycee-montaigne", lycee, now, gen)
	for i := range 3 * slugCacheMax {
		slug := fmt.Sprintf("inconnu-%d", i)
		_, _, g := c.get(slug, now)
		c.put(slug, nil, now, g)
	}
	if got, ok, _ := c.get("lycee-montaigne", now); !ok || got != lycee {
		t.Fatal("a flood of unknown hosts evicted a live tenant")
	}
	if got, ok, _ := c.get(fmt.Sprintf("inconnu-%d", 3*slugCacheMax-1), now); !ok || got != nil {
		t.Error("a miss is not remembered")
	}
	if _, ok, _ := c.get("lycee-montaigne", now.Add(6*time.Second)); ok {
		t.Error("an entry is served past its time")
	}
	_, _, gen = c.get("nouveau", now)
	c.clear() // a provisioning happened meanwhile
	c.put("nouveau", nil, now, gen)
	if _, ok, _ := c.get("nouveau", now); ok {
		t.Error("a miss read before a provisioning was cached")
	}
}
