package resources

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// The direction's référents and what each tool is told of a person.

// errDirectionOnly refuses a référent who would name référents.
var errDirectionOnly = fault.New(fault.ErrForbidden, "Seule la direction nomme et retire les référents ressources.")

// Referent is a référent, or a member of staff who may become one.
type Referent struct {
	PersonID  uuid.UUID
	Name      string
	GrantedAt *time.Time
}

// Referents are the establishment's référents and the staff the direction may name
// (teachers and staff who are not direction: the direction manages already).
func (s *Service) Referents(ctx context.Context, t *tenant.Tenant, a Actor) (named, candidates []Referent, err error) {
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT r.person_id, p.last_name || ' ' || p.first_name AS name, r.granted_at FROM resource_referents r
			JOIN people p ON p.id = r.person_id ORDER BY lower(p.last_name), lower(p.first_name), p.id`).Scan(&named).Error; err != nil {
			return fmt.Errorf("resources: read référents: %w", err)
		}
		if err := tx.Raw(`SELECT p.id AS person_id, p.last_name || ' ' || p.first_name AS name FROM people p
			WHERE p.active AND NOT ('direction' = ANY(p.roles)) AND ` + staffSQL + `
			AND NOT EXISTS (SELECT 1 FROM resource_referents r WHERE r.person_id = p.id)
			ORDER BY lower(p.last_name), lower(p.first_name), p.id`).Scan(&candidates).Error; err != nil {
			return fmt.Errorf("resources: read staff: %w", err)
		}
		return nil
	})
	return named, candidates, err
}

// staffSQL holds for a row of people (p) who are staff: not pupils, not parents.
const staffSQL = `NOT ('eleve' = ANY(p.roles)) AND p.roles && ARRAY['enseignant','vie_scolaire','personnel','admin']::text[]`

// NameReferent makes a member of staff a référent (the direction only).
func (s *Service) NameReferent(ctx context.Context, t *tenant.Tenant, a Actor, person string) error {
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		if !a.Direction() {
			return errDirectionOnly
		}
		id, err := uuid.Parse(person)
		var n int64
		if err == nil {
			err = tx.Table("people p").Where("p.id = ? AND p.active AND NOT ('direction' = ANY(p.roles)) AND "+staffSQL, id).Count(&n).Error
		}
		if err != nil || n == 0 {
			return ManageErrors{"personne": "Personne : choisissez un enseignant ou un personnel de l'établissement (pas un élève ni un parent)."}
		}
		if err := tx.Exec(`INSERT INTO resource_referents (person_id, granted_by, granted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			id, actorRef(a.PersonID), s.now()).Error; err != nil {
			return fmt.Errorf("resources: name référent: %w", err)
		}
		return nil
	})
}

// RemoveReferent takes the référent's role back (the direction only).
func (s *Service) RemoveReferent(ctx context.Context, t *tenant.Tenant, a Actor, person uuid.UUID) error {
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		if !a.Direction() {
			return errDirectionOnly
		}
		res := tx.Exec(`DELETE FROM resource_referents WHERE person_id = ?`, person)
		if res.Error != nil {
			return fmt.Errorf("resources: remove référent: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fault.New(fault.ErrNotFound, "Référent introuvable : il a peut-être déjà été retiré.")
		}
		return nil
	})
}

// ToolSharing is an LTI tool the establishment subscribes to and what it is told.
type ToolSharing struct {
	Tool      *Tool
	Publisher *Publisher
	Sharing   Sharing
}

// Sharings are the LTI tools of the establishment's subscriptions with their sharing (all
// off when never set).
func (s *Service) Sharings(ctx context.Context, t *tenant.Tenant, a Actor) ([]ToolSharing, error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []ToolSharing
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var tools []uuid.UUID
		if err := tx.Raw(`SELECT DISTINCT tool_id FROM resource_subscriptions`).Scan(&tools).Error; err != nil {
			return fmt.Errorf("resources: tools subscribed: %w", err)
		}
		var set []Sharing
		if err := tx.Find(&set).Error; err != nil {
			return fmt.Errorf("resources: read sharing: %w", err)
		}
		for _, id := range tools {
			tool, ok := snap.Tools[id]
			if !ok || !tool.LTI() {
				continue
			}
			ts := ToolSharing{Tool: tool, Publisher: snap.Publishers[tool.PublisherID], Sharing: Sharing{ToolID: id}}
			for _, x := range set {
				if x.ToolID == id {
					ts.Sharing = x
				}
			}
			out = append(out, ts)
		}
		return nil
	})
	slices.SortFunc(out, func(x, y ToolSharing) int { return strings.Compare(x.Tool.Name, y.Tool.Name) })
	return out, err
}

// SetSharing records what a tool the establishment subscribes to is told.
func (s *Service) SetSharing(ctx context.Context, t *tenant.Tenant, a Actor, tool uuid.UUID, name, email, class bool) error {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Subscription{}).Where("tool_id = ?", tool).Count(&n).Error; err != nil {
			return fmt.Errorf("resources: tools subscribed: %w", err)
		}
		if tl, ok := snap.Tools[tool]; n == 0 || !ok || !tl.LTI() {
			return fault.New(fault.ErrNotFound, "Outil introuvable parmi ceux de vos abonnements.")
		}
		if err := tx.Exec(`INSERT INTO resource_tool_sharing (tool_id, share_name, share_email, share_class, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (tool_id) DO UPDATE SET share_name = excluded.share_name, share_email = excluded.share_email, share_class = excluded.share_class,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`, tool, name, email, class, actorRef(a.PersonID), s.now()).Error; err != nil {
			return fmt.Errorf("resources: save sharing: %w", err)
		}
		return nil
	})
}

// JournalFilter narrows the journal: a resource, a first and last day (2006-01-02), a page.
type JournalFilter struct {
	Resource string
	From, To string
	Page     int
}

// JournalPage is the number of launches per page of the journal.
const JournalPage = 50

// JournalLine is a launch as the journal shows it.
type JournalLine struct {
	Launch
	Name     string
	Resource string
	Tool     string
	// PlainLink: the tool is a plain link (nothing is sent to it, not even a pseudonym).
	PlainLink bool `gorm:"-"`
}

// Journal are the launches, newest first, filtered; more tells whether a next page exists.
func (s *Service) Journal(ctx context.Context, t *tenant.Tenant, a Actor, f JournalFilter) (lines []JournalLine, more bool, err error) {
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, false, err
	}
	errs := ManageErrors{}
	q := `SELECT l.*, p.last_name || ' ' || p.first_name AS name FROM resource_launches l JOIN people p ON p.id = l.person_id WHERE true`
	args := []any{}
	if f.Resource != "" {
		id, perr := uuid.Parse(f.Resource)
		if perr != nil {
			errs["ressource"] = "Ressource : choisissez dans la liste."
		}
		q += ` AND l.resource_id = ?`
		args = append(args, id)
	}
	for _, d := range []struct{ v, field, label, op string }{{f.From, "du", "Du", ">="}, {f.To, "au", "Au", "<"}} {
		if d.v == "" {
			continue
		}
		d0, perr := parseDay(d.v)
		day := time.Date(d0.Year(), d0.Month(), d0.Day(), 0, 0, 0, 0, directory.SchoolZone)
		if perr != nil {
			errs[d.field] = d.label + " : une date (jj/mm/aaaa)."
			continue
		}
		if d.op == "<" {
			day = day.AddDate(0, 0, 1)
		}
		q += ` AND l.created_at ` + d.op + ` ?`
		args = append(args, day)
	}
	if len(errs) > 0 {
		return nil, false, errs
	}
	page := max(f.Page, 1)
	q += fmt.Sprintf(` ORDER BY l.created_at DESC, l.id LIMIT %d OFFSET %d`, JournalPage+1, (page-1)*JournalPage)
	err = s.read(ctx, t, func(tx *gorm.DB) error {
		if err := mustManage(tx, a); err != nil {
			return err
		}
		if err := tx.Raw(q, args...).Scan(&lines).Error; err != nil {
			return fmt.Errorf("resources: read journal: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if len(lines) > JournalPage {
		lines, more = lines[:JournalPage], true
	}
	for i := range lines {
		if r, ok := snap.Resources[lines[i].ResourceID]; ok {
			lines[i].Resource = r.Title
		}
		if tl, ok := snap.Tools[lines[i].ToolID]; ok {
			lines[i].Tool, lines[i].PlainLink = tl.Name, !tl.LTI()
		}
	}
	return lines, more, nil
}
