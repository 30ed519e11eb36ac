package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// Arrivals asks the pupils an AAF import just brought into to whether to bring their
// portfolio from the establishment they come from (directory.Arrivals, wired in
// cmd/cartable). A pupil is the same person elsewhere when their account is (an import
// attached it) or when the account holding their national join key is; that person must be
// a pupil there, with items in their portfolio. A pair (there, here) is asked once.
func (s *Service) Arrivals(ctx context.Context, to *tenant.Tenant, pupils []directory.Arrival) error {
	var errs []error
	for _, p := range pupils {
		if err := s.arrival(ctx, to, p); err != nil {
			errs = append(errs, fmt.Errorf("transfer: arrival of %s in %s: %w", p.PersonID, to.UAI, err))
		}
	}
	return errors.Join(errs...)
}

// origin is a pupil's membership in another establishment.
type origin struct {
	TenantID uuid.UUID
	PersonID uuid.UUID
}

func (s *Service) arrival(ctx context.Context, to *tenant.Tenant, p directory.Arrival) error {
	var identity any
	if p.IdentityID != nil {
		identity = *p.IdentityID
	}
	var origins []origin
	err := s.platform.WithContext(ctx).Raw(`SELECT DISTINCT m.tenant_id, m.person_id FROM platform.memberships m
		JOIN platform.accounts a ON a.identity_id = m.identity_id
		JOIN platform.tenants t ON t.id = m.tenant_id AND t.status <> 'deleted'
		WHERE m.tenant_id <> ? AND 'eleve' = ANY (m.roles) AND (m.identity_id = ? OR (a.aaf_id IS NOT NULL AND a.aaf_id = ?))`,
		to.ID, identity, p.AAFID).Scan(&origins).Error
	if err != nil {
		return err
	}
	for _, o := range origins {
		from, err := tenantByID(s.platform.WithContext(ctx), o.TenantID)
		if err != nil {
			return err
		}
		if err := s.ask(ctx, from, to, o.PersonID, p); err != nil {
			return err
		}
	}
	return nil
}

// ask counts what the pupil's portfolio holds in from and, when it holds something, records
// the question (once per pair).
func (s *Service) ask(ctx context.Context, from, to *tenant.Tenant, fromPerson uuid.UUID, p directory.Arrival) error {
	var (
		lines Lines
		files struct {
			N     int
			Bytes int64
		}
	)
	err := s.db.ReadTx(ctx, from, func(tx *gorm.DB) error {
		var ok bool
		// The person there is a pupil with this join key or this account.
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM people WHERE id = ? AND category = 'eleve')`, fromPerson).Scan(&ok).Error; err != nil || !ok {
			return err
		}
		if err := tx.Raw(`SELECT school_year AS year, kind, count(*) AS count FROM portfolio_items WHERE pupil_id = ?
			GROUP BY school_year, kind ORDER BY school_year, kind`, fromPerson).Scan(&lines).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT count(*) AS n, coalesce(sum(f.size), 0) AS bytes FROM portfolio_files f JOIN portfolio_items i ON i.id = f.item_id
			WHERE i.pupil_id = ?`, fromPerson).Scan(&files).Error
	})
	if err != nil || len(lines) == 0 {
		return err
	}
	items := 0
	for _, l := range lines {
		items += l.Count
	}
	summary, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	now := s.now()
	return s.platform.WithContext(ctx).Exec(`INSERT INTO platform.portfolio_transfers
		(from_tenant, to_tenant, from_person, to_person, identity_id, status, asked_at, expires_at, summary, items, files, bytes, updated_at)
		VALUES (?, ?, ?, ?, ?, 'asked', ?, ?, ?::jsonb, ?, ?, ?, ?)
		ON CONFLICT (from_tenant, to_tenant, from_person) DO NOTHING`,
		from.ID, to.ID, fromPerson, p.PersonID, p.IdentityID, now, now.Add(Lifetime), string(summary), items, files.N, files.Bytes, now).Error
}
