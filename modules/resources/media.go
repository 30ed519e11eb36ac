package resources

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The médiacentre (« Mes ressources »): one's resources today with what each tool is told of
// one, the search and subject filter, the teacher's view of their classes' resources, and the
// covers.

// MediaItem is one card of the médiacentre: a resource one has today and what its tool
// receives besides the pseudonym.
type MediaItem struct {
	Entitlement
	// Shared are the French names of what the establishment lets the tool know: « nom »,
	// « adresse électronique », « classe »; empty: the pseudonym alone.
	Shared []string

	sharing *Sharing
}

// Media is a person's médiacentre, filtered.
type Media struct {
	Items    []MediaItem
	Total    int      // resources one has, before the filter
	Subjects []string // the subjects of one's resources, for the filter
	Manages  bool     // the person manages the establishment's subscriptions
}

// MediaFilter narrows the médiacentre: a text searched in titles, publishers, descriptions
// and subjects (without accents or case), and a subject.
type MediaFilter struct {
	Query   string
	Subject string
}

// Medias is the actor's médiacentre today, filtered.
func (s *Service) Medias(ctx context.Context, t *tenant.Tenant, a Actor, f MediaFilter) (*Media, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := &Media{}
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		all, err := Entitlements(tx, snap, a.PersonID, a.Profile(), s.Today())
		if err != nil {
			return err
		}
		out.Total = len(all)
		sharing, err := sharingOf(tx, all)
		if err != nil {
			return err
		}
		subjects := map[string]bool{}
		query := fold(strings.TrimSpace(f.Query))
		for _, e := range all {
			for _, sub := range e.Resource.Subjects {
				subjects[sub] = true
			}
			if f.Subject != "" && !slices.Contains(e.Resource.Subjects, f.Subject) {
				continue
			}
			if query != "" && !strings.Contains(searchText(e), query) {
				continue
			}
			out.Items = append(out.Items, MediaItem{Entitlement: e, Shared: sharedLabels(sharing[e.Tool.ID], a.Profile()), sharing: sharing[e.Tool.ID]})
		}
		for sub := range subjects {
			out.Subjects = append(out.Subjects, sub)
		}
		slices.SortFunc(out.Subjects, func(x, y string) int { return strings.Compare(fold(x), fold(y)) })
		out.Manages, err = Manages(tx, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sharingOf reads what the establishment shares with the tools of es (no row: nothing).
func sharingOf(tx *gorm.DB, es []Entitlement) (map[uuid.UUID]*Sharing, error) {
	out := map[uuid.UUID]*Sharing{}
	if len(es) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.Tool.ID)
	}
	var rows []*Sharing
	if err := tx.Where("tool_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("resources: read sharing: %w", err)
	}
	for _, r := range rows {
		out[r.ToolID] = r
	}
	return out, nil
}

// sharedLabels are the French names of what sh shares with a person of the profile: the
// class is a pupil's (a teacher's launch has the establishment as its context).
func sharedLabels(sh *Sharing, profile string) []string {
	if sh == nil {
		return nil
	}
	var out []string
	if sh.ShareName {
		out = append(out, "votre nom")
	}
	if sh.ShareEmail {
		out = append(out, "votre adresse électronique")
	}
	if sh.ShareClass && profile == ProfileEleve {
		out = append(out, "votre classe")
	}
	return out
}

func searchText(e Entitlement) string {
	parts := []string{e.Resource.Title, e.Resource.Description, TypeLabel(e.Resource.Type)}
	if e.Publisher != nil {
		parts = append(parts, e.Publisher.Name)
	}
	parts = append(parts, e.Resource.Subjects...)
	parts = append(parts, e.Resource.Levels...)
	return fold(strings.Join(parts, " "))
}

// fold is s in lower case without diacritics, for the search (« Encyclopédie » matches
// « encyclopedie »).
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// ClassResources are the resources a class or group's pupils have today.
type ClassResources struct {
	ClassID   uuid.UUID
	Kind      string // classe, groupe
	Label     string
	Resources []Entitlement
}

// TeacherClasses are, for each class or group of the current year the actor teaches, the
// resources its pupils have today: establishment-wide subscriptions for pupils, and
// per-person subscriptions assigned to that class or group.
func (s *Service) TeacherClasses(ctx context.Context, t *tenant.Tenant, a Actor) ([]ClassResources, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	day := s.Today().Format(time.DateOnly)
	var out []ClassResources
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		var classes []struct {
			ID    uuid.UUID
			Kind  string
			Label string
		}
		if err := tx.Raw(`SELECT DISTINCT c.id, c.kind, c.label FROM teachings te
			JOIN classes c ON c.id = te.class_id
			JOIN school_years y ON y.code = c.school_year AND y.current
			WHERE te.teacher_id = ? ORDER BY c.kind, c.label`, a.PersonID).Scan(&classes).Error; err != nil {
			return fmt.Errorf("resources: read taught classes: %w", err)
		}
		if len(classes) == 0 {
			return nil
		}
		var everyone []*Subscription
		if err := tx.Raw(`SELECT * FROM resource_subscriptions WHERE starts_on <= ? AND ends_on >= ?
			AND kind = 'etablissement' AND target IN ('eleves', 'tous') ORDER BY starts_on, id`, day, day).Scan(&everyone).Error; err != nil {
			return fmt.Errorf("resources: read subscriptions: %w", err)
		}
		ids := make([]uuid.UUID, len(classes))
		for i, c := range classes {
			ids[i] = c.ID
		}
		var assigned []struct {
			Subscription
			AssignedClass uuid.UUID
		}
		if err := tx.Raw(`SELECT DISTINCT s.*, a.class_id AS assigned_class FROM resource_assignments a
			JOIN resource_subscriptions s ON s.id = a.subscription_id
			WHERE a.target_kind IN ('classe', 'groupe') AND a.class_id IN ? AND s.starts_on <= ? AND s.ends_on >= ?
			AND s.target IN ('eleves', 'tous')`, ids, day, day).Scan(&assigned).Error; err != nil {
			return fmt.Errorf("resources: read assignments: %w", err)
		}
		for _, c := range classes {
			cr := ClassResources{ClassID: c.ID, Kind: c.Kind, Label: c.Label}
			seen := map[uuid.UUID]bool{}
			add := func(sub *Subscription) {
				r, tool, pub, ok := snap.Resource(sub.ResourceID)
				if !ok || !r.Active || seen[r.ID] {
					return
				}
				seen[r.ID] = true
				cr.Resources = append(cr.Resources, Entitlement{Subscription: sub, Resource: r, Tool: tool, Publisher: pub})
			}
			for _, sub := range everyone {
				add(sub)
			}
			for i := range assigned {
				if assigned[i].AssignedClass == c.ID {
					add(&assigned[i].Subscription)
				}
			}
			slices.SortFunc(cr.Resources, func(x, y Entitlement) int { return strings.Compare(x.Resource.Title, y.Resource.Title) })
			out = append(out, cr)
		}
		return nil
	})
	return out, err
}

// Cover is a resource's cover image.
type Cover struct {
	Data      []byte
	Type      string
	UpdatedAt time.Time
}

var errNoCover = fault.New(fault.ErrNotFound, "cette couverture n'existe pas")

// CoverFor is the cover of a resource the establishment subscribed to (any subscription),
// for a member with PermView; another establishment's resources have none to show.
func (s *Service) CoverFor(ctx context.Context, t *tenant.Tenant, resource uuid.UUID) (*Cover, error) {
	var n int64
	if err := s.read(ctx, t, func(tx *gorm.DB) error {
		return tx.Table("resource_subscriptions").Where("resource_id = ?", resource).Count(&n).Error
	}); err != nil {
		return nil, fmt.Errorf("resources: read subscriptions: %w", err)
	}
	if n == 0 {
		return nil, errNoCover
	}
	return s.cat.Cover(ctx, resource)
}

// Cover reads a resource's cover from the catalogue.
func (c *Catalogue) Cover(ctx context.Context, resource uuid.UUID) (*Cover, error) {
	var row struct {
		Cover     []byte
		CoverType string
		UpdatedAt time.Time
	}
	res := c.db.WithContext(ctx).Raw(`SELECT cover, cover_type, updated_at FROM platform.resources WHERE id = ?`, resource).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("resources: read cover: %w", res.Error)
	}
	if res.RowsAffected == 0 || len(row.Cover) == 0 || row.CoverType == "" {
		return nil, errNoCover
	}
	return &Cover{Data: row.Cover, Type: row.CoverType, UpdatedAt: row.UpdatedAt}, nil
}
