package messaging

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
	"github.com/cartable-ent/cartable/web/fault"
)

// Notifier tells recipients of a new message, in the send's transaction (notify.Service).
type Notifier interface {
	Notify(tx *gorm.DB, t *tenant.Tenant, notices ...notify.Notice) error
}

// Service is the messagerie of every establishment.
type Service struct {
	db     *tenant.DB
	now    func() time.Time
	notify Notifier     // nil: no notifications (tests of the rules)
	queue  JobQueue     // SetQueue; nil: notices are never deferred (hours.go)
	files  *files.Store // attachments (SetBucket); nil: refused
	// counts keeps the menu's unread counts a few seconds (tenant UAI + person), as
	// notify's does: the menu is on every page. This process's changes update it at once.
	counts *expirable.LRU[string, int]
	// used keeps a person's attachment space as long (files.go's Usage: the pages' warning;
	// the quota itself is checked in the send's transaction).
	used *expirable.LRU[string, int64]
}

// countTTL is how old the menu's unread count may be.
const countTTL = 10 * time.Second

func countKey(t *tenant.Tenant, person uuid.UUID) string {
	return string(t.UAI) + "/" + person.String()
}

// MenuUnread is the person's unread count in réception, as the menu shows it (kept up to
// countTTL).
func (s *Service) MenuUnread(ctx context.Context, t *tenant.Tenant, person uuid.UUID) (int, error) {
	if n, ok := s.counts.Get(countKey(t, person)); ok {
		return n, nil
	}
	var n int
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		n, err = store{tx}.unread(person)
		return err
	})
	if err == nil {
		s.counts.Add(countKey(t, person), n)
	}
	return n, err
}

// NewService wires the messagerie; now is the clock (nil: time.Now), notifier may be nil.
func NewService(db *tenant.DB, now func() time.Time, notifier Notifier) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: func() time.Time { return now().In(directory.SchoolZone) }, notify: notifier,
		counts: expirable.NewLRU[string, int](100_000, nil, countTTL), used: expirable.NewLRU[string, int64](100_000, nil, countTTL)}
}

// Rules returns the establishment's communication rules and whether they are the defaults.
func (s *Service) Rules(ctx context.Context, t *tenant.Tenant) (Rules, bool, error) {
	var r Rules
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		r, err = loadRules(tx)
		return err
	})
	return r, err == nil && r.Equal(DefaultRules()), err
}

// RulesForm is the matrix as posted: "<from>><to>" → scope.
type RulesForm map[string]string

// FormKey is the form field of a link.
func FormKey(from, to Profile) string { return string(from) + ">" + string(to) }

// SaveRules replaces the establishment's rules with the matrix. Every link must be given
// a known scope, Family only between élèves and responsables; nothing is saved otherwise.
func (s *Service) SaveRules(ctx context.Context, t *tenant.Tenant, f RulesForm) (Rules, error) {
	r := Rules{}
	for _, from := range Profiles {
		for _, to := range Profiles {
			key := FormKey(from, to)
			sc := Scope(f[key])
			switch {
			case !sc.Valid():
				return nil, fault.NewField(fault.ErrInvalid, key, "de %s vers %s : choisissez une portée dans la liste", strings.ToLower(from.Label()), strings.ToLower(to.Label()))
			case sc == Family && !familyPair(from, to):
				return nil, fault.NewField(fault.ErrInvalid, key, "de %s vers %s : « %s » ne vaut qu'entre un responsable et son enfant", strings.ToLower(from.Label()), strings.ToLower(to.Label()), Family.Label())
			}
			r[Link{from, to}] = sc
		}
	}
	return r, s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM messaging_rules`).Error; err != nil {
			return fmt.Errorf("messaging: save rules: %w", err)
		}
		var froms, tos, scopes pgarray.Text
		for l, sc := range r {
			froms, tos, scopes = append(froms, string(l.From)), append(tos, string(l.To)), append(scopes, string(sc))
		}
		if err := tx.Exec(`INSERT INTO messaging_rules (from_profile, to_profile, scope) SELECT * FROM unnest(?::text[], ?::text[], ?::text[])`, froms, tos, scopes).Error; err != nil {
			return fmt.Errorf("messaging: save rules: %w", err)
		}
		return nil
	})
}

// ResetRules goes back to the defaults (forgets the stored rules).
func (s *Service) ResetRules(ctx context.Context, t *tenant.Tenant) error {
	return s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM messaging_rules`).Error; err != nil {
			return fmt.Errorf("messaging: reset rules: %w", err)
		}
		return nil
	})
}

// MayWrite is the package's MayWrite in a read transaction of t (the JSON API's check).
func (s *Service) MayWrite(ctx context.Context, t *tenant.Tenant, sender uuid.UUID, recipients []uuid.UUID) ([]Refusal, error) {
	var out []Refusal
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		var err error
		out, err = MayWrite(tx, sender, recipients)
		return err
	})
	return out, err
}
