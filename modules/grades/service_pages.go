package grades

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant"
)

// The pages people open most (a pupil's marks, a report card, a teacher's grid) are read in
// one transaction each, every query once: TestPagesOneTransaction counts them.

// MarksPage is everything a pupil's marks page shows.
type MarksPage struct {
	Periods  []Period // the year's, for the selector
	Period   *Period
	Report   *PupilReport // nil when the caller's copy of the page was still right
	Children []Child      // the viewer's legal children, when asked for
	Key      PageKey
}

// PageKey names what a pupil's marks page shows: who looks (and how), at whose marks, of
// which period, as of which version of the grades data and since which visit ("Nouveau").
// Two views with one key show the same page, so a caller may keep a rendered page under its
// key: the version moves with every change of what the page is computed from (the
// grades_version triggers), the visit with every recorded visit.
type PageKey struct {
	Schema                string
	Pupil, Period, Viewer uuid.UUID
	View                  int // how much the viewer sees (published only, drafts too)
	Children              int // the viewer's legal children, when asked for
	Version               int64
	Since                 time.Time
}

// MarksPage reads a pupil's marks page for the period periodID (uuid.Nil: the current one)
// and, with children, the viewer's legal children, in one transaction; the visit of the
// pupil or a guardian is recorded in it ("Nouveau" marks). When the marks themselves are
// refused, the page comes back with its periods and the error.
//
// kept, when not nil, is asked once the page's key is known whether the caller still has
// that page, and whether it showed new marks: then no mark is read (Report is nil) and the
// visit is recorded as if it had been.
func (s *Service) MarksPage(ctx context.Context, t *tenant.Tenant, a Actor, pupilID, periodID uuid.UUID, children bool,
	kept func(PageKey) (showedNew, ok bool)) (*MarksPage, error) {
	pg := &MarksPage{}
	err := s.write(ctx, t, func(st store) error {
		var err error
		if children {
			if pg.Children, err = s.guardians.LegalChildren(st.tx, a.PersonID); err != nil {
				return err
			}
		}
		var state pageState
		if pg.Periods, state, err = st.periodsSeen(a.PersonID, pupilID); err != nil {
			return err
		}
		if pg.Period, err = s.choosePeriod(pg.Periods, periodID); err != nil {
			return err
		}
		view, err := s.access(st, a, pupilID)
		if err != nil {
			return err
		}
		p, since := *pg.Period, state.since(view, pg.Period.ID)
		pg.Key = PageKey{Schema: t.SchemaName, Pupil: pupilID, Period: p.ID, Viewer: a.PersonID, View: int(view),
			Children: len(pg.Children), Version: state.version, Since: since}
		if kept != nil {
			if showedNew, ok := kept(pg.Key); ok {
				return s.noteVisit(st, a, pupilID, p, view, since, showedNew)
			}
		}
		if pg.Report, err = s.pupilReport(st, pupilID, p, view != viewAll, since, state.version); err != nil {
			return err
		}
		return s.noteVisit(st, a, pupilID, p, view, since, pg.Report.hasNew())
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
