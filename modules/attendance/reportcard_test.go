package attendance_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestReportCardShowsHalfDays: the grades' report card of a pupil, and the class's cards,
// carry the period's half-days justified and unjustified and the lateness count that the
// roll produced; a pupil of another class, and the same pupil in another period, show none.
func TestReportCardShowsHalfDays(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 7)
	marks := grades.NewService(reg.DB(), s.clock.Now)
	marks.SetAbsences(s.svc)
	monday := s.svc.Today()
	mon := s.registers(t, monday)
	s.save(t, mon["08:00"], map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: {Status: attendance.Late, Minutes: 10}})
	s.save(t, mon["13:30"], map[uuid.UUID]attendance.Mark{s.alice: absent})
	p, err := s.svc.Pupil(sctx, s.tn, s.vs(), s.alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Events {
		if e.Start.String() == "08:00" {
			if err := s.svc.Decide(sctx, s.tn, s.vs(), e.ID, attendance.DecisionForm{Motif: s.motif(t, "Maladie")}); err != nil {
				t.Fatal(err)
			}
		}
	}

	period, err := marks.CurrentPeriod(sctx, s.tn)
	if err != nil {
		t.Fatal(err)
	}
	cpe := grades.Actor{PersonID: s.cpe, Roles: []identity.Role{identity.RoleVieScolaire}}
	card, err := marks.ReportCard(sctx, s.tn, cpe, s.alice, period)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 demi-journée d'absence justifiée, 1 non justifiée, cours manqués : 2 h, 0 retard"; card.Absences != want {
		t.Errorf("Alice's report card: %q, want %q", card.Absences, want)
	}
	cards, err := marks.ClassReports(sctx, s.tn, s.class, period)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uuid.UUID]string{}
	for _, c := range cards {
		got[c.PupilID] = c.Absences
	}
	if got[s.alice] != card.Absences || got[s.bruno] != "0 demi-journée d'absence justifiée, 0 non justifiée, 1 retard" {
		t.Errorf("class cards: Alice %q, Bruno %q", got[s.alice], got[s.bruno])
	}
	if zoe, err := marks.ReportCard(sctx, s.tn, cpe, s.zoe, period); err != nil || zoe.Absences != "Aucune absence, aucun retard" {
		t.Errorf("Zoé's report card: %+v, %v", zoe, err)
	}
	ps, err := marks.Periods(sctx, s.tn)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range ps {
		if other.ID != period.ID {
			if c, err := marks.ReportCard(sctx, s.tn, cpe, s.alice, &other); err != nil || c.Absences != "Aucune absence, aucun retard" {
				t.Errorf("Alice in %s: %q, %v", other.Label(), c.Absences, err)
			}
		}
	}
}
