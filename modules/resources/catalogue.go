package resources

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Catalogue reads the région's catalogue (platform schema). Every establishment's pages read
// it, and it changes a few times a year: reads come from a snapshot kept catalogueTTL
// (Invalidate after a write, on this replica; the others see it within the TTL).
type Catalogue struct {
	db  *gorm.DB
	ttl time.Duration

	mu   sync.Mutex
	snap *Snapshot
	at   time.Time
}

const catalogueTTL = 30 * time.Second

// NewCatalogue reads the catalogue from the platform pool (tenant.Registry.Platform).
func NewCatalogue(db *gorm.DB) *Catalogue { return &Catalogue{db: db, ttl: catalogueTTL} }

// DB is the platform pool.
func (c *Catalogue) DB() *gorm.DB { return c.db }

// Snapshot is the whole catalogue at one moment, without the cover images.
type Snapshot struct {
	Publishers map[uuid.UUID]*Publisher
	Tools      map[uuid.UUID]*Tool
	Resources  map[uuid.UUID]*Resource
	// Ordered is every resource, by title.
	Ordered []*Resource
}

// Resource is a resource and its tool and publisher, or ok false.
func (s *Snapshot) Resource(id uuid.UUID) (r *Resource, tool *Tool, pub *Publisher, ok bool) {
	r, ok = s.Resources[id]
	if !ok {
		return nil, nil, nil, false
	}
	tool, ok = s.Tools[r.ToolID]
	if !ok {
		return nil, nil, nil, false
	}
	return r, tool, s.Publishers[r.PublisherID], true
}

// Snapshot returns the catalogue, from the cache when fresh.
func (c *Catalogue) Snapshot(ctx context.Context) (*Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && time.Since(c.at) < c.ttl {
		return c.snap, nil
	}
	s, err := c.read(ctx)
	if err != nil {
		return nil, err
	}
	c.snap, c.at = s, time.Now()
	return s, nil
}

// Invalidate drops the cached snapshot (after a change of the catalogue).
func (c *Catalogue) Invalidate() {
	c.mu.Lock()
	c.snap = nil
	c.mu.Unlock()
}

func (c *Catalogue) read(ctx context.Context) (*Snapshot, error) {
	var pubs []*Publisher
	var tools []*Tool
	var res []*Resource
	db := c.db.WithContext(ctx)
	if err := db.Order("name").Find(&pubs).Error; err != nil {
		return nil, fmt.Errorf("resources: read publishers: %w", err)
	}
	if err := db.Order("name").Find(&tools).Error; err != nil {
		return nil, fmt.Errorf("resources: read tools: %w", err)
	}
	if err := db.Omit("cover").Order("title, id").Find(&res).Error; err != nil {
		return nil, fmt.Errorf("resources: read resources: %w", err)
	}
	s := &Snapshot{Publishers: map[uuid.UUID]*Publisher{}, Tools: map[uuid.UUID]*Tool{}, Resources: map[uuid.UUID]*Resource{}, Ordered: res}
	for _, p := range pubs {
		s.Publishers[p.ID] = p
	}
	for _, t := range tools {
		s.Tools[t.ID] = t
	}
	for _, r := range res {
		s.Resources[r.ID] = r
	}
	return s, nil
}
