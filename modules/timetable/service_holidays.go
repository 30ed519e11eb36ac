package timetable

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// HolidayForm is a holiday period as typed: its label and first and last days.
type HolidayForm struct {
	Label    string
	From, To string // jj/mm/aaaa or aaaa-mm-jj
}

// maxHolidayDays is the longest period accepted: the summer holidays, with room to spare.
const maxHolidayDays = 100

// Holidays lists the establishment's holiday periods by first day.
func (s *Service) Holidays(ctx context.Context, t *tenant.Tenant) ([]Holiday, error) {
	p, err := s.Profile(ctx, t)
	return p.Holidays, err
}

// Holiday reads one holiday period.
func (s *Service) Holiday(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (Holiday, error) {
	hs, err := s.Holidays(ctx, t)
	if err != nil {
		return Holiday{}, err
	}
	for _, h := range hs {
		if h.ID == id {
			return h, nil
		}
	}
	return Holiday{}, errHolidayNotFound
}

// AddHoliday records a holiday period; a form in error (a missing label, unreadable dates,
// the end before the start, a period over 100 days or overlapping another) writes nothing
// and returns FormErrors (libelle, du, au).
func (s *Service) AddHoliday(ctx context.Context, t *tenant.Tenant, f HolidayForm) (Holiday, error) {
	h := Holiday{ID: uuid.New(), Label: strings.Join(strings.Fields(f.Label), " ")}
	err := s.write(ctx, t, func(st store) error {
		prof, err := st.profile()
		if err != nil {
			return err
		}
		errs := FormErrors{}
		switch n := len([]rune(h.Label)); {
		case n == 0:
			errs["libelle"] = "Indiquez le nom des vacances (par exemple « Vacances de la Toussaint »)."
		case n > 80:
			errs["libelle"] = "Le nom dépasse 80 caractères."
		}
		var err1, err2 error
		if h.From, err1 = parseDate(f.From); err1 != nil {
			errs["du"] = "Premier jour illisible (jj/mm/aaaa)."
		}
		if h.To, err2 = parseDate(f.To); err2 != nil {
			errs["au"] = "Dernier jour illisible (jj/mm/aaaa)."
		}
		if err1 == nil && err2 == nil {
			switch {
			case h.To.Before(h.From):
				errs["au"] = fmt.Sprintf("Le dernier jour (%s) précède le premier (%s).", frDate(h.To), frDate(h.From))
			case daysBetween(h.From, h.To) >= maxHolidayDays:
				errs["au"] = fmt.Sprintf("Une période de vacances dure au plus %d jours : vérifiez les dates.", maxHolidayDays)
			}
			for _, o := range prof.Holidays {
				if errs["au"] == "" && !h.To.Before(o.From) && !o.To.Before(h.From) {
					errs["du"] = fmt.Sprintf("Ces dates chevauchent « %s » (du %s au %s).", o.Label, frDate(o.From), frDate(o.To))
				}
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return st.insertHoliday(h)
	})
	return h, err
}

// DeleteHoliday removes a holiday period: its days have lessons again.
func (s *Service) DeleteHoliday(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	return s.write(ctx, t, func(st store) error { return st.deleteHoliday(id) })
}
