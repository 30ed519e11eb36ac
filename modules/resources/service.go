package resources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// Service runs the catalogue, the establishments' subscriptions and assignments, the
// médiacentre, the LTI launches and scores, and the GAR-style exports.
type Service struct {
	db  *tenant.DB
	cat *Catalogue
	now func() time.Time

	lti ltiPlatform // lti.go: keys, issuer, the launch
	ags agsState    // ags.go: scores back, grades drafts

	report PurgeReport // SetPurgeReport: the launches' purge reported (retention); nil: logged only
}

// NewService wires the resources on the tenants' database and the catalogue; now is the
// clock (nil: time.Now).
func NewService(db *tenant.DB, cat *Catalogue, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, cat: cat, now: now}
}

// Catalogue is the région's catalogue.
func (s *Service) Catalogue() *Catalogue { return s.cat }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Today is the service's day in Europe/Paris, as a date (midnight UTC).
func (s *Service) Today() time.Time {
	p := s.now().In(directory.SchoolZone)
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Service) read(ctx context.Context, t *tenant.Tenant, fn func(tx *gorm.DB) error) error {
	return s.db.ReadTx(ctx, t, fn)
}

func (s *Service) write(ctx context.Context, t *tenant.Tenant, fn func(tx *gorm.DB) error) error {
	return s.db.Tx(ctx, t, fn)
}

// Actor is who asks: their person and roles in the establishment.
type Actor struct {
	PersonID uuid.UUID
	Roles    []identity.Role
}

// ActorOf turns the request's viewer into an Actor.
func ActorOf(v *identity.Viewer) Actor {
	if v == nil {
		return Actor{}
	}
	return Actor{PersonID: v.PersonID, Roles: v.Roles}
}

// Profile is the actor's licence profile ("" for parents).
func (a Actor) Profile() string { return ProfileOf(a.Roles) }

// Direction tells whether the actor manages the resources by role.
func (a Actor) Direction() bool { return identity.Can(a.Roles, PermManage) }

// Manages tells whether a may manage the establishment's resources: the direction, or a
// référent the direction named (a documentaliste).
func Manages(tx *gorm.DB, a Actor) (bool, error) {
	if a.PersonID == uuid.Nil {
		return false, nil
	}
	if a.Direction() {
		return true, nil
	}
	if a.Profile() != ProfileEnseignant {
		return false, nil // référents are staff
	}
	var n int64
	if err := tx.Table("resource_referents").Where("person_id = ?", a.PersonID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("resources: read référents: %w", err)
	}
	return n > 0, nil
}

// Manages is Manages in the establishment's transaction.
func (s *Service) Manages(ctx context.Context, t *tenant.Tenant, a Actor) (bool, error) {
	var ok bool
	err := s.read(ctx, t, func(tx *gorm.DB) error {
		var err error
		ok, err = Manages(tx, a)
		return err
	})
	return ok, err
}

// errNotManager is the refusal of a manager's page (subscriptions, sharing, journal, GAR
// export) to someone else: as a missing page, since the routes are open to every holder of
// PermView (référents are teachers) and the access matrix wants no 403 for them.
var errNotManager = fault.New(fault.ErrNotFound, "Page réservée à la direction et aux référents ressources de l'établissement.")

// mustManage refuses whoever does not manage the resources.
func mustManage(tx *gorm.DB, a Actor) error {
	ok, err := Manages(tx, a)
	if err != nil {
		return err
	}
	if !ok {
		return errNotManager
	}
	return nil
}

// Entitlement is a resource a person has today, and the subscription that gives it.
type Entitlement struct {
	Subscription *Subscription
	Resource     *Resource
	Tool         *Tool
	Publisher    *Publisher
}

// entitledSQL selects the subscriptions valid on a day that give a person (their licence
// profile) a resource: establishment-wide for their profile, or a licence of theirs.
const entitledSQL = `SELECT s.* FROM resource_subscriptions s
	WHERE s.starts_on <= @day AND s.ends_on >= @day
	  AND ((s.kind = 'etablissement' AND s.target IN @targets)
	    OR EXISTS (SELECT 1 FROM resource_licences l WHERE l.subscription_id = s.id AND l.person_id = @person))
	ORDER BY s.starts_on, s.id`

func targetsOf(profile string) []string {
	switch profile {
	case ProfileEleve:
		return []string{TargetEleves, TargetTous}
	case ProfileEnseignant:
		return []string{TargetEnseignants, TargetTous}
	}
	return nil
}

// Entitlements are the resources a person has today, one per resource (by title), from
// active resources of the catalogue only. Parents have none.
func Entitlements(tx *gorm.DB, snap *Snapshot, person uuid.UUID, profile string, day time.Time) ([]Entitlement, error) {
	targets := targetsOf(profile)
	if targets == nil || person == uuid.Nil {
		return nil, nil
	}
	var subs []*Subscription
	if err := tx.Raw(entitledSQL, map[string]any{"day": day.Format(time.DateOnly), "targets": targets, "person": person}).Scan(&subs).Error; err != nil {
		return nil, fmt.Errorf("resources: read entitlements: %w", err)
	}
	seen := map[uuid.UUID]bool{}
	var out []Entitlement
	for _, sub := range subs {
		r, tool, pub, ok := snap.Resource(sub.ResourceID)
		if !ok || !r.Active || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		out = append(out, Entitlement{Subscription: sub, Resource: r, Tool: tool, Publisher: pub})
	}
	slices.SortFunc(out, func(a, b Entitlement) int {
		if a.Resource.Title != b.Resource.Title {
			if a.Resource.Title < b.Resource.Title {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// ErrNotEntitled is the refusal to open a resource the person was not given.
var ErrNotEntitled = fault.New(fault.ErrForbidden, "cette ressource ne vous est pas attribuée : demandez-la au professeur documentaliste ou à la direction")

// Entitled is the entitlement of a person to one resource today, or ErrNotEntitled.
func Entitled(tx *gorm.DB, snap *Snapshot, person uuid.UUID, profile string, day time.Time, resource uuid.UUID) (*Entitlement, error) {
	all, err := Entitlements(tx, snap, person, profile, day)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Resource.ID == resource {
			return &all[i], nil
		}
	}
	return nil, ErrNotEntitled
}

// MyResources are the actor's resources today (the médiacentre).
func (s *Service) MyResources(ctx context.Context, t *tenant.Tenant, a Actor) ([]Entitlement, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []Entitlement
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		out, err = Entitlements(tx, snap, a.PersonID, a.Profile(), s.Today())
		return err
	})
	return out, err
}

// isNotFound tells a missing row.
func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }
