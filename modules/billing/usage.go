package billing

// A month's usage per establishment, from the daily metering: the allocation's input.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/pgarray"
)

// MonthUsage is what every establishment that existed during month (Europe/Paris) used,
// as Allocate takes it, ordered by payer (the région first, then the départements by
// number) and UAI:
//
//   - Payer: the establishment's organisation, the région for its lycées, the département
//     for a collège.
//   - BilledDays: the days of the month the payer pays for. An establishment exists from
//     the Paris day of its creation (included) to that of its deletion (excluded); a
//     collège is billed, within that, from its département's opt-in date to the day before
//     its opt-out date (none before the opt-in, none from the opt-out on). Suspension
//     changes nothing: a suspended establishment's data is still kept.
//   - ActivePupils: distinct pupils (profile eleve) who signed in during the month, on any
//     of its days (Allocate prorates them by BilledDays/DaysInMonth: counting only the
//     billed days would prorate twice).
//   - Accounts: every profile's accounts on the month's last metered day.
//   - ByteDays: the bytes stored summed over the billed days only (the storage line is
//     not prorated by Allocate).
//
// An UAI deleted then opened again during the month counts once: its days and metering
// are added up, its name, kind and payer are the latest establishment's.
func (s *Store) MonthUsage(ctx context.Context, month time.Time) ([]Usage, error) {
	first := MonthOf(month)
	days := daysIn(first)
	last := first.AddDate(0, 0, days-1)
	db := s.conn(ctx)

	var rows []struct {
		ID               uuid.UUID
		UAI              string
		Name             string
		Kind             string
		OrganisationCode string
		Created          time.Time
		Deleted          *time.Time
		OptIn            *time.Time
		OptOut           *time.Time
	}
	if err := db.Raw(`SELECT t.id, t.uai, t.name, t.kind, t.organisation_code,
			(t.created_at AT TIME ZONE 'Europe/Paris')::date AS created,
			(t.deleted_at AT TIME ZONE 'Europe/Paris')::date AS deleted,
			o.opt_in_date AS opt_in, o.opt_out_date AS opt_out
		FROM platform.tenants t JOIN platform.organisations o ON o.code = t.organisation_code
		WHERE (t.created_at AT TIME ZONE 'Europe/Paris')::date <= ?
		  AND (t.deleted_at IS NULL OR (t.deleted_at AT TIME ZONE 'Europe/Paris')::date > ?)
		ORDER BY t.uai, t.created_at`, last, first).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("billing: usage of %s: list the establishments: %w", first.Format("2006-01"), err)
	}
	if len(rows) == 0 {
		return []Usage{}, nil
	}

	// Each establishment's billed days, as a set of the month's days (bit d-1 for day d).
	billed := make(map[uuid.UUID]uint32, len(rows))
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		from, to := maxDate(first, date(r.Created)), last
		if r.Deleted != nil {
			to = minDate(to, date(*r.Deleted).AddDate(0, 0, -1))
		}
		if tenant.Kind(r.Kind) == tenant.KindCollege && r.OrganisationCode != tenant.RegionCode {
			if r.OptIn == nil {
				continue
			}
			from = maxDate(from, date(*r.OptIn))
			if r.OptOut != nil {
				to = minDate(to, date(*r.OptOut).AddDate(0, 0, -1))
			}
		}
		var set uint32
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			set |= 1 << (d.Day() - 1)
		}
		billed[r.ID] = set
	}

	// The metering of those establishments: pupils per UAI (distinct people over the
	// month), accounts of the last metered day, bytes per day.
	var pupils []struct {
		UAI string
		N   int
	}
	if err := db.Raw(`SELECT t.uai, count(DISTINCT s.identity_id) AS n
		FROM platform.billing_signins s JOIN platform.tenants t ON t.id = s.tenant_id
		WHERE s.tenant_id = ANY(?::uuid[]) AND s.day BETWEEN ? AND ? AND s.profile = ?
		GROUP BY t.uai`, pgarray.UUIDs(ids), first, last, ProfileEleve).Scan(&pupils).Error; err != nil {
		return nil, fmt.Errorf("billing: usage of %s: active pupils: %w", first.Format("2006-01"), err)
	}
	var accounts []struct {
		TenantID uuid.UUID
		Day      time.Time
		N        int
	}
	if err := db.Raw(`SELECT DISTINCT ON (tenant_id) tenant_id, day, n FROM (
			SELECT tenant_id, day, sum(accounts)::int AS n FROM platform.billing_usage_days
			WHERE tenant_id = ANY(?::uuid[]) AND day BETWEEN ? AND ? GROUP BY tenant_id, day) d
		ORDER BY tenant_id, day DESC`, pgarray.UUIDs(ids), first, last).Scan(&accounts).Error; err != nil {
		return nil, fmt.Errorf("billing: usage of %s: accounts: %w", first.Format("2006-01"), err)
	}
	var storage []struct {
		TenantID uuid.UUID
		Day      time.Time
		Bytes    int64
	}
	if err := db.Raw(`SELECT tenant_id, day, bytes FROM platform.billing_storage_days
		WHERE tenant_id = ANY(?::uuid[]) AND day BETWEEN ? AND ?`, pgarray.UUIDs(ids), first, last).Scan(&storage).Error; err != nil {
		return nil, fmt.Errorf("billing: usage of %s: storage: %w", first.Format("2006-01"), err)
	}

	// One Usage per UAI; rows come by UAI, then creation.
	byUAI := map[string]*Usage{}
	var order []string
	days1 := map[string]uint32{}
	uaiOf := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		uaiOf[r.ID] = r.UAI
		u, ok := byUAI[r.UAI]
		if !ok {
			u = &Usage{UAI: r.UAI, DaysInMonth: days}
			byUAI[r.UAI] = u
			order = append(order, r.UAI)
		}
		u.Name, u.Kind, u.Payer = r.Name, r.Kind, r.OrganisationCode
		days1[r.UAI] |= billed[r.ID]
	}
	for _, p := range pupils {
		byUAI[p.UAI].ActivePupils = p.N
	}
	lastDay := map[string]time.Time{}
	for _, a := range accounts {
		uai := uaiOf[a.TenantID]
		if d, ok := lastDay[uai]; !ok || a.Day.After(d) {
			lastDay[uai], byUAI[uai].Accounts = a.Day, a.N
		}
	}
	for _, st := range storage {
		if billed[st.TenantID]&(1<<(st.Day.Day()-1)) != 0 {
			byUAI[uaiOf[st.TenantID]].ByteDays += st.Bytes
		}
	}
	out := make([]Usage, 0, len(order))
	for _, uai := range order {
		u := byUAI[uai]
		for set := days1[uai]; set != 0; set &= set - 1 {
			u.BilledDays++
		}
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Usage) int {
		return cmp.Or(comparePayers(a.Payer, b.Payer), cmp.Compare(a.UAI, b.UAI))
	})
	return out, nil
}

// date is t's calendar date at midnight UTC (PostgreSQL dates arrive so already).
func date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func maxDate(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// NewUsageCache is MonthUsage kept for ttl per month: the console's live figures of the open
// months (its overview reads up to three at each page) cost one reading of the metering per
// month and ttl, not one per page; they are marked « provisoire ». The close reads the
// metering itself, in its transaction, never through this cache.
func NewUsageCache(s *Store, ttl time.Duration) UsageFunc {
	cache := expirable.NewLRU[time.Time, []Usage](24, nil, ttl)
	var group singleflight.Group
	return func(ctx context.Context, month time.Time) ([]Usage, error) {
		m := MonthOf(month)
		if us, ok := cache.Get(m); ok {
			return us, nil
		}
		v, err, _ := group.Do(m.Format("2006-01"), func() (any, error) {
			us, err := s.MonthUsage(ctx, m)
			if err == nil {
				cache.Add(m, us)
			}
			return us, err
		})
		if err != nil {
			return nil, err
		}
		return v.([]Usage), nil
	}
}
