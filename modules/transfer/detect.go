package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
)

// Arrivals asks the pupils an AAF import just brought into to whether to bring their
// portfolio from the establishment they come from (directory.Arrivals, wired in
// cmd/cartable). A pupil is the same person elsewhere when their account is: the import
// attached it by their national join key, within its importer's scope. The join key alone
// is not enough: an import that could not attach the account (a département's administrator
// naming a lycée's pupil) made someone else, who must not be offered her portfolio. That
// person must be a pupil there, with items in their portfolio. A pair (there, here) is asked once. A whole
// lycée's September import is one query on the platform, then one read per establishment
// of origin.
func (s *Service) Arrivals(ctx context.Context, to *tenant.Tenant, pupils []directory.Arrival) error {
	if len(pupils) == 0 {
		return nil
	}
	ids, keys, accounts := make(pgarray.UUIDs, len(pupils)), make(pgarray.Text, len(pupils)), make(pgarray.UUIDs, len(pupils))
	for i, p := range pupils {
		ids[i], keys[i] = p.PersonID, p.AAFID
		if p.IdentityID != nil {
			accounts[i] = *p.IdentityID // uuid.Nil otherwise: no account has it
		}
	}
	var found []origin
	err := s.platform.WithContext(ctx).Raw(`SELECT DISTINCT x.person_id AS to_person, x.identity_id, m.tenant_id, m.person_id
		FROM unnest(?::uuid[], ?::text[], ?::uuid[]) AS x (person_id, aaf_id, identity_id)
		JOIN platform.accounts a ON a.identity_id = x.identity_id
		JOIN platform.memberships m ON m.identity_id = a.identity_id AND m.tenant_id <> ? AND 'eleve' = ANY (m.roles)
		JOIN platform.tenants t ON t.id = m.tenant_id AND t.status <> 'deleted'
		ORDER BY m.tenant_id, m.person_id`, ids, keys, accounts, to.ID).Scan(&found).Error
	if err != nil {
		return fmt.Errorf("transfer: arrivals in %s: %w", to.UAI, err)
	}
	byTenant := map[uuid.UUID][]origin{}
	var order []uuid.UUID
	for _, o := range found {
		if _, ok := byTenant[o.TenantID]; !ok {
			order = append(order, o.TenantID)
		}
		byTenant[o.TenantID] = append(byTenant[o.TenantID], o)
	}
	var errs []error
	for _, id := range order {
		from, err := tenantByID(s.platform.WithContext(ctx), id)
		if err == nil {
			err = s.ask(ctx, from, to, byTenant[id])
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("transfer: arrivals in %s from %s: %w", to.UAI, id, err))
		}
	}
	return errors.Join(errs...)
}

// origin is an arrived pupil's membership in another establishment.
type origin struct {
	ToPerson   uuid.UUID
	IdentityID uuid.UUID
	TenantID   uuid.UUID
	PersonID   uuid.UUID
}

// holding is what a pupil's portfolio holds in the establishment of origin.
type holding struct {
	lines Lines
	items int
	files int
	bytes int64
}

// ask counts what the pupils' portfolios hold in from and, for those that hold something,
// records the question (once per pair).
func (s *Service) ask(ctx context.Context, from, to *tenant.Tenant, os []origin) error {
	persons := make(pgarray.UUIDs, len(os))
	for i, o := range os {
		persons[i] = o.PersonID
	}
	held := map[uuid.UUID]*holding{}
	err := s.db.ReadTx(ctx, from, func(tx *gorm.DB) error {
		hs, err := s.portfolio.Holdings(tx, persons)
		if err != nil {
			return err
		}
		for id, h := range hs {
			lines := make(Lines, len(h.Lines))
			for i, l := range h.Lines {
				lines[i] = Line{Year: l.Year, Kind: l.Kind, Count: l.Count}
			}
			held[id] = &holding{lines: lines, items: h.Items, files: h.Files, bytes: h.Bytes}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The questions, in one statement: a September import asks hundreds at once.
	var fromPeople, toPeople, accounts pgarray.UUIDs
	var summaries, items, files, bytes pgarray.Text
	for _, o := range os {
		h := held[o.PersonID]
		if h == nil {
			continue // nothing to bring
		}
		summary, err := json.Marshal(h.lines)
		if err != nil {
			return err
		}
		fromPeople, toPeople, accounts = append(fromPeople, o.PersonID), append(toPeople, o.ToPerson), append(accounts, o.IdentityID)
		summaries = append(summaries, string(summary))
		items, files, bytes = append(items, strconv.Itoa(h.items)), append(files, strconv.Itoa(h.files)), append(bytes, strconv.FormatInt(h.bytes, 10))
	}
	if len(fromPeople) == 0 {
		return nil
	}
	now := s.now()
	return s.platform.WithContext(ctx).Exec(`INSERT INTO platform.portfolio_transfers
		(from_tenant, to_tenant, from_person, to_person, identity_id, status, asked_at, expires_at, summary, items, files, bytes, updated_at)
		SELECT ?, ?, x.from_person, x.to_person, nullif(x.account, '00000000-0000-0000-0000-000000000000'), 'asked', ?, ?, x.summary::jsonb,
			x.items::integer, x.files::integer, x.bytes::bigint, ?
		FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) AS x (from_person, to_person, account, summary, items, files, bytes)
		ON CONFLICT (from_tenant, to_tenant, from_person) DO NOTHING`,
		from.ID, to.ID, now, now.Add(Lifetime), now, fromPeople, toPeople, accounts, summaries, items, files, bytes).Error
}
