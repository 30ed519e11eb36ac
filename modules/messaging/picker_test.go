package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/web/fault"
)

// TestPickerMatchesRules: for every sender of the school, the picker offers exactly the
// people MayWrite allows (the rules matrix, at send and in the picker), and nobody of the
// other establishment.
func TestPickerMatchesRules(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	other := e.school(t, e.b)
	ctx := context.Background()
	for sender, name := range s.all {
		c, err := e.svc.Reachable(ctx, e.a, sender, "")
		if err != nil {
			t.Fatal(err)
		}
		offered := map[uuid.UUID]bool{}
		for _, p := range c.People {
			offered[p.ID] = true
			if _, theirs := other.all[p.ID]; theirs {
				t.Errorf("%s is offered %s of the other establishment", name, p.Name())
			}
		}
		for to, toName := range s.all {
			allowed := len(e.mayWrite(t, e.a, sender, to)) == 0
			if allowed != offered[to] {
				t.Errorf("%s → %s: MayWrite allows %v, the picker offers %v", name, toName, allowed, offered[to])
			}
		}
	}
}

// TestPickerSearch: by name, by class, and the groups of a class with reachable counts.
func TestPickerSearch(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	names := func(c *messaging.Candidates) string {
		var out []string
		for _, p := range c.People {
			out = append(out, p.FirstName)
		}
		return strings.Join(out, ",")
	}
	groups := func(c *messaging.Candidates) string {
		var out []string
		for _, g := range c.Groups {
			out = append(out, g.Label()+"="+string(rune('0'+g.Count)))
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name              string
		sender            uuid.UUID
		query             string
		people, groupList string
	}{
		{"direction by name", s.dir, "tb", "TB", ""},
		{"pupil cannot find another class's teacher", s.p1, "tb", "", ""},
		{"direction by class", s.dir, "2nde 1", "P1,P2", "Tous les élèves de 2nde 1=2,Tous les responsables de 2nde 1=1,Tous les enseignants de 2nde 1=1"},
		{"teacher: the guardians of their class", s.tA, "2nde", "P1,P2", "Tous les élèves de 2nde 1=2,Tous les responsables de 2nde 1=1,Tous les enseignants de 2nde 2=1"}, // not themselves,
		{"guardian: the child's teachers", s.g1, "spe", "P1", "Tous les élèves de SPE-NSI=1,Tous les enseignants de SPE-NSI=1"},
		{"a LIKE wildcard is a plain character", s.dir, "%", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.svc.Reachable(ctx, e.a, c.sender, c.query)
			if err != nil {
				t.Fatal(err)
			}
			if names(got) != c.people || groups(got) != c.groupList {
				t.Errorf("people %q groups %q, want %q and %q", names(got), groups(got), c.people, c.groupList)
			}
		})
	}
	_, err := e.svc.Reachable(ctx, e.a, s.dir, strings.Repeat("a", 101))
	var m *fault.Message
	if !errors.As(err, &m) || m.Field != "recherche" {
		t.Errorf("a long search: %v, want an error on « recherche »", err)
	}
}
