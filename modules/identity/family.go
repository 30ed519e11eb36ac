package identity

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/cartable-ent/cartable/tenant"
)

// Child is a pupil of whom the viewer is a legal guardian, in one of their establishments.
type Child struct {
	ID            uuid.UUID
	FirstName     string
	LastName      string
	ClassLabel    string     // this year's class, empty when none
	Establishment string     // its name
	Slug          string     // its host
	UAI           string     // its UAI (the personal data export names the child by it)
	BirthDate     *time.Time // nil when unknown
}

// Name is the child's display name.
func (c Child) Name() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// ChildrenSource lists the legal children of a guardian (their person in t) in one
// establishment; the directory answers it (cmd/cartable wires it).
type ChildrenSource func(ctx context.Context, t *tenant.Tenant, guardianID uuid.UUID) ([]Child, error)

// Family finds a person's children across all their establishments, for the pages that show
// them (Mes enfants, the switcher of every page). It is display only: each page that opens a
// child's data checks the guardianship itself, so a few seconds' staleness is harmless.
type Family struct {
	store    *Store
	tenants  func(ctx context.Context, slug string) (*tenant.Tenant, error)
	children ChildrenSource
	cache    *expirable.LRU[uuid.UUID, []Child]
}

// familyTTL is how long a person's children are kept: the switcher is on every page of a
// parent, and one look-up per establishment per page would cost more than the page.
const familyTTL = time.Minute

// NewFamily wires the look-up; tenants resolves an establishment's host (Registry.BySlug).
func NewFamily(s *Store, tenants func(ctx context.Context, slug string) (*tenant.Tenant, error), children ChildrenSource) *Family {
	return &Family{store: s, tenants: tenants, children: children, cache: expirable.NewLRU[uuid.UUID, []Child](10_000, nil, familyTTL)}
}

// Of returns the children of the identity, in every establishment where it is a responsable,
// sorted by first name; nil for anyone else.
func (f *Family) Of(ctx context.Context, identityID uuid.UUID) ([]Child, error) {
	if cs, ok := f.cache.Get(identityID); ok {
		return cs, nil
	}
	ests, err := f.store.Establishments(ctx, identityID)
	if err != nil {
		return nil, err
	}
	var out []Child
	for _, e := range ests {
		if !slices.Contains(e.Roles, RoleResponsable) {
			continue
		}
		t, err := f.tenants(ctx, e.Slug)
		if err != nil {
			return nil, fmt.Errorf("identity: children at %s: %w", e.Slug, err)
		}
		cs, err := f.children(ctx, t, e.PersonID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			c.Establishment, c.Slug, c.UAI = e.Name, e.Slug, string(e.UAI)
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Child) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.FirstName), strings.ToLower(b.FirstName)), strings.Compare(a.Establishment, b.Establishment))
	})
	f.cache.Add(identityID, out)
	return out, nil
}
