package grades

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// The pages people open most (a pupil's marks, a report card, a teacher's grid) are read in
// one transaction each, every query once: TestPagesOneTransaction counts them.

// MarksPage is everything a pupil's marks page shows.
type MarksPage struct {
	Periods  []Period // the year's, for the selector
	Period   *Period
	Report   *PupilReport
	Children []Child // the viewer's legal children, when asked for
}

// MarksPage reads a pupil's marks page for the period periodID (uuid.Nil: the current one)
// and, with children, the viewer's legal children, in one transaction; the visit of the
// pupil or a guardian is recorded in it ("Nouveau" marks). When the marks themselves are
// refused, the page comes back with its periods and the error.
func (s *Service) MarksPage(ctx context.Context, t *tenant.Tenant, a Actor, pupilID, periodID uuid.UUID, children bool) (*MarksPage, error) {
	pg := &MarksPage{}
	err := s.write(ctx, t, func(st store) error {
		var err error
		if pg.Periods, err = st.periods(); err != nil {
			return err
		}
		if pg.Period, err = s.choosePeriod(pg.Periods, periodID); err != nil {
			return err
		}
		if pg.Report, err = s.pupilMarks(st, a, pupilID, *pg.Period); err != nil {
			return err
		}
		if children {
			pg.Children, err = s.guardians.LegalChildren(st.tx, a.PersonID)
		}
		return err
	})
	return pg, err
}

// ReportCardPage reads one pupil's report card of the period periodID for the actor in one
// transaction; staff tells whether the actor reads it as staff rather than as family.
func (s *Service) ReportCardPage(ctx context.Context, t *tenant.Tenant, a Actor, pupilID, periodID uuid.UUID) (r *PupilReport, staff bool, err error) {
	err = s.read(ctx, t, func(st store) error {
		ps, err := st.periods()
		if err != nil {
			return err
		}
		p, err := s.choosePeriod(ps, periodID)
		if err != nil {
			return err
		}
		r, staff, err = s.reportCard(st, a, pupilID, *p)
		return err
	})
	return r, staff, err
}
