package attendance_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestDeclaration: a legal guardian declares an absence in advance (Tuesday morning, the
// clock on Monday); others cannot; a declaration accepted before the roll makes the absence
// justified when it is marked; one still waiting gives the absence a waiting justification,
// which the answer to the declaration settles; another establishment sees none of it.
func TestDeclaration(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	s := newSchool(t, reg, 6)
	other := newSchool(t, reg, 7)
	guardian := actor(s.guardian, identity.RoleResponsable)
	tuesday := s.svc.Today().AddDate(0, 0, 1).Format("2006-01-02")
	rdv := s.motif(t, "Rendez-vous médical")
	morning := attendance.DeclarationForm{Pupil: s.alice.String(), Date: tuesday, Span: "horaires", From: "08:00", To: "09:00", Motif: rdv, Comment: "Dentiste"}

	t.Run("refused forms name the field", func(t *testing.T) {
		for name, c := range map[string]struct {
			edit  func(f *attendance.DeclarationForm)
			field string
		}{
			"a date in the past":      {func(f *attendance.DeclarationForm) { f.Date = "2026-10-02" }, "date"},
			"an unreadable date":      {func(f *attendance.DeclarationForm) { f.Date = "mardi" }, "date"},
			"an end before the start": {func(f *attendance.DeclarationForm) { f.From, f.To = "10:00", "09:00" }, "fin"},
			"no span":                 {func(f *attendance.DeclarationForm) { f.Span = "" }, "periode"},
			"a motif not online":      {func(f *attendance.DeclarationForm) { f.Motif = s.motif(t, "Raison confidentielle") }, "motif"},
		} {
			f := morning
			c.edit(&f)
			_, err := s.svc.Declare(sctx, s.tn, guardian, f)
			var errs attendance.FormErrors
			if !errors.As(err, &errs) || errs[c.field] == "" {
				t.Errorf("%s: %v, want an error on %s", name, err, c.field)
			}
		}
	})
	t.Run("only a legal guardian declares", func(t *testing.T) {
		for name, c := range map[string]struct {
			a     attendance.Actor
			pupil uuid.UUID
		}{
			"a relative who is not a legal guardian":   {actor(s.relative, identity.RoleResponsable), s.alice},
			"the pupil":                                {actor(s.alice, identity.RoleEleve), s.alice},
			"the guardian, for another family's child": {guardian, s.bruno},
			"the guardian, for an unknown child":       {guardian, uuid.New()},
		} {
			f := morning
			f.Pupil = c.pupil.String()
			if _, err := s.svc.Declare(sctx, s.tn, c.a, f); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
		// Another establishment: the same people do not exist there.
		if _, err := other.svc.Declare(sctx, other.tn, guardian, morning); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("in another establishment: %v", err)
		}
		if n := s.count(t, `SELECT count(*) FROM absence_declarations`); n != 0 {
			t.Errorf("%d declarations written by refused forms", n)
		}
	})

	accepted, err := s.svc.Declare(sctx, s.tn, guardian, morning)
	if err != nil {
		t.Fatal(err)
	}
	afternoon := morning
	afternoon.Span, afternoon.Comment = "apres-midi", "Kiné"
	waiting, err := s.svc.Declare(sctx, s.tn, guardian, afternoon)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the guardian and the vie scolaire see them", func(t *testing.T) {
		pg, err := s.svc.Declarations(sctx, s.tn, guardian)
		if err != nil || len(pg.Declarations) != 2 || !pg.Declarations[0].Waiting() {
			t.Fatalf("guardian's page: %+v, %v", pg, err)
		}
		if got := pg.Declarations[1].When(); got != "de 8h00 à 9h00" {
			t.Errorf("when: %q", got)
		}
		if got := pg.Declarations[0].When(); got != "l'après-midi (à partir de 12h30)" {
			t.Errorf("when: %q", got)
		}
		pg, _ = s.svc.Declarations(sctx, s.tn, actor(s.relative, identity.RoleResponsable))
		if len(pg.Declarations) != 0 {
			t.Errorf("a relative sees %d declarations", len(pg.Declarations))
		}
		w, _, err := s.svc.SchoolDeclarations(sctx, s.tn, s.vs(), s.svc.Today())
		if err != nil || len(w) != 2 {
			t.Fatalf("vie scolaire's waiting declarations: %+v, %v", w, err)
		}
		if _, _, err := s.svc.SchoolDeclarations(sctx, s.tn, s.teacher(), s.svc.Today()); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a teacher lists declarations: %v", err)
		}
		if err := other.svc.AnswerDeclaration(sctx, other.tn, other.vs(), accepted, true, ""); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another establishment answers: %v", err)
		}
	})
	if err := s.svc.AnswerDeclaration(sctx, s.tn, s.vs(), accepted, true, "Bon rendez-vous"); err != nil {
		t.Fatal(err)
	}
	t.Run("cancelling", func(t *testing.T) {
		if err := s.svc.CancelDeclaration(sctx, s.tn, guardian, accepted); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("cancelling an answered one: %v", err)
		}
		if err := s.svc.CancelDeclaration(sctx, s.tn, actor(s.relative, identity.RoleResponsable), waiting); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a relative cancels: %v", err)
		}
	})

	s.clock.Set(s.clock.Now().AddDate(0, 0, 1)) // Tuesday
	regs := s.registers(t, s.svc.Today())
	s.save(t, regs["08:00"], map[uuid.UUID]attendance.Mark{s.alice: absent, s.bruno: absent})
	if got := s.events(t, s.alice); got != "absence 08:00-09:00 justifiee" {
		t.Errorf("absence covered by an accepted declaration: %q", got)
	}
	if got := s.events(t, s.bruno); got != "absence 08:00-09:00 en_attente" {
		t.Errorf("Bruno, whom nobody declared: %q", got)
	}
	s.save(t, regs["13:30"], map[uuid.UUID]attendance.Mark{s.alice: absent})
	p, err := s.svc.Pupil(sctx, s.tn, guardian, s.alice)
	if err != nil {
		t.Fatal(err)
	}
	var pm attendance.Event
	for _, e := range p.Events {
		if e.Start.String() == "13:30" {
			pm = e
		}
	}
	if pm.State != attendance.Pending || len(pm.Justifications) != 1 || !pm.Justifications[0].Declared || pm.Justifications[0].Comment != "Kiné" || pm.Justifiable() {
		t.Fatalf("absence covered by a waiting declaration: %+v", pm)
	}
	if err := s.svc.AnswerDeclaration(sctx, s.tn, s.vs(), waiting, true, "Reçu"); err != nil {
		t.Fatal(err)
	}
	if got := s.events(t, s.alice); got != "absence 08:00-09:00 justifiee; absence 13:30-14:30 justifiee" {
		t.Errorf("after the declaration's answer: %q", got)
	}
	if n := s.count(t, `SELECT count(*) FROM justifications WHERE declaration_id IS NOT NULL AND state = 'acceptee'`); n != 2 {
		t.Errorf("%d accepted justifications from declarations, want 2", n)
	}
}
