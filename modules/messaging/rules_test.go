package messaging_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestDefaultRules checks every default link allowed and every forbidden one refused: the
// safe defaults of issue 10 and DOMAIN.md.
func TestDefaultRules(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	cases := []struct {
		name     string
		from, to uuid.UUID
		allowed  bool
	}{
		// staff ↔ everyone
		{"vie scolaire → pupil of another class", s.vs, s.p3, true},
		{"direction → guardian", s.dir, s.g3, true},
		{"personnel → teacher", s.pers, s.tB, true},
		{"admin → pupil", s.admin, s.p1, true},
		{"pupil → direction", s.p3, s.dir, true},
		{"pupil → vie scolaire", s.p1, s.vs, true},
		{"guardian → vie scolaire", s.g1, s.vs, true},
		{"guardian → personnel", s.g1, s.pers, true},
		{"relative → direction", s.r1, s.dir, true},
		{"teacher → direction", s.tA, s.dir, true},
		// teachers with colleagues, their pupils and their pupils' guardians
		{"teacher → colleague", s.tA, s.tB, true},
		{"teacher → own pupil", s.tA, s.p1, true},
		{"teacher → pupil of another class", s.tA, s.p3, false},
		{"group teacher → pupil of the group", s.tG, s.p3, true},
		{"group teacher → pupil outside the group", s.tG, s.p2, false},
		{"teacher → guardian of a pupil", s.tA, s.g1, true},
		{"teacher → guardian of another class", s.tA, s.g3, false},
		{"teacher → relative who is not a legal guardian", s.tA, s.r1, false},
		// guardians → the teachers of their children, and back
		{"guardian → child's teacher", s.g1, s.tA, true},
		{"guardian → child's group teacher", s.g1, s.tG, true},
		{"guardian → another class's teacher", s.g1, s.tB, false},
		{"relative → child's teacher", s.r1, s.tA, false},
		{"guardian → another guardian", s.g1, s.g3, false},
		// pupils ↔ their teachers; pupils ↔ pupils off
		{"pupil → own teacher", s.p1, s.tA, true},
		{"pupil → group teacher", s.p3, s.tG, true},
		{"pupil → another class's teacher", s.p1, s.tB, false},
		{"pupil → classmate (off by default)", s.p1, s.p2, false},
		{"pupil → pupil of another class", s.p1, s.p3, false},
		// a guardian ↔ their own child
		{"guardian → own child", s.g1, s.p1, true},
		{"guardian → another child", s.g1, s.p2, false},
		{"relative → the child", s.r1, s.p1, false},
		{"pupil → own guardian", s.p1, s.g1, true},
		{"pupil → another pupil's guardian", s.p1, s.g3, false},
		// nobody reaches who left, nor themselves
		{"teacher → pupil who left", s.tA, s.left, false},
		{"direction → pupil who left", s.dir, s.left, false},
		{"pupil who left → vie scolaire", s.left, s.vs, false},
		{"direction → themselves", s.dir, s.dir, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refused := e.mayWrite(t, e.a, c.from, c.to)
			if got := len(refused) == 0; got != c.allowed {
				t.Errorf("%s → %s: allowed %v, want %v", s.all[c.from], s.all[c.to], got, c.allowed)
			}
			if !c.allowed && (len(refused) != 1 || refused[0].ID != c.to || refused[0].Name() == "") {
				t.Errorf("refusal %+v does not name the recipient", refused)
			}
		})
	}
}

// TestRefusalsNamed: a send to several people names exactly those refused; unknown
// identifiers and another establishment's people are refused as unknown.
func TestRefusalsNamed(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	other := e.school(t, e.b)
	stranger := uuid.New()
	refused := e.mayWrite(t, e.a, s.p1, s.tA, s.tB, s.vs, s.p2, stranger, other.vs)
	got := map[uuid.UUID]string{}
	for _, r := range refused {
		got[r.ID] = r.Name()
	}
	if len(got) != 4 || got[s.tB] != "TB Test" || got[s.p2] != "P2 Test" || got[stranger] != "destinataire inconnu" || got[other.vs] != "destinataire inconnu" {
		t.Errorf("refused %v, want TB, P2 and two unknown", got)
	}
}

// TestEditedRules: enabling pupils ↔ pupils of their class lets classmates write to each
// other, not to pupils of another class; the group scope adds the groups; reset goes back.
func TestEditedRules(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	form := messaging.RulesForm{}
	for l, sc := range messaging.DefaultRules() {
		form[messaging.FormKey(l.From, l.To)] = string(sc)
	}
	form[messaging.FormKey(messaging.Eleve, messaging.Eleve)] = string(messaging.Class)
	if _, err := e.svc.SaveRules(ctx, e.a, form); err != nil {
		t.Fatal(err)
	}
	if r := e.mayWrite(t, e.a, s.p1, s.p2); len(r) != 0 {
		t.Errorf("classmates refused with pupils ↔ pupils enabled: %v", r)
	}
	if r := e.mayWrite(t, e.a, s.p1, s.p3); len(r) != 1 {
		t.Error("a pupil of another class allowed under the class scope")
	}
	// The other establishment keeps its defaults.
	o := e.school(t, e.b)
	if r := e.mayWrite(t, e.b, o.p1, o.p2); len(r) != 1 {
		t.Error("another establishment's rules changed")
	}
	form[messaging.FormKey(messaging.Eleve, messaging.Eleve)] = string(messaging.Group)
	if _, err := e.svc.SaveRules(ctx, e.a, form); err != nil {
		t.Fatal(err)
	}
	if r := e.mayWrite(t, e.a, s.p1, s.p3); len(r) != 0 {
		t.Errorf("a pupil of the same group refused under the group scope: %v", r)
	}
	if _, def, _ := e.svc.Rules(ctx, e.a); def {
		t.Error("edited rules reported as the defaults")
	}
	if err := e.svc.ResetRules(ctx, e.a); err != nil {
		t.Fatal(err)
	}
	if r := e.mayWrite(t, e.a, s.p1, s.p2); len(r) != 1 {
		t.Error("classmates still allowed after reset")
	}
	if _, def, _ := e.svc.Rules(ctx, e.a); !def {
		t.Error("reset rules are not the defaults")
	}
}

// TestRulesFormRefused: a missing or forged scope is refused with a French message naming
// the link, and nothing is saved.
func TestRulesFormRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	form := messaging.RulesForm{}
	for l, sc := range messaging.DefaultRules() {
		form[messaging.FormKey(l.From, l.To)] = string(sc)
	}
	for name, c := range map[string]struct{ key, value, want string }{
		"unknown scope":  {messaging.FormKey(messaging.Eleve, messaging.Direction), "partout", "de élèves vers direction : choisissez une portée dans la liste"},
		"family misused": {messaging.FormKey(messaging.Enseignant, messaging.Eleve), string(messaging.Family), "de enseignants vers élèves : « Son enfant / ses responsables » ne vaut qu'entre un responsable et son enfant"},
	} {
		t.Run(name, func(t *testing.T) {
			f := messaging.RulesForm{}
			for k, v := range form {
				f[k] = v
			}
			f[messaging.FormKey(messaging.Eleve, messaging.Eleve)] = string(messaging.Class)
			f[c.key] = c.value
			_, err := e.svc.SaveRules(ctx, e.a, f)
			var m *fault.Message
			if !errors.As(err, &m) || m.Field != c.key || m.Text != c.want || !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("error %v, want %q on %s", err, c.want, c.key)
			}
			if _, def, _ := e.svc.Rules(ctx, e.a); !def {
				t.Error("a refused matrix was partly saved")
			}
		})
	}
}
