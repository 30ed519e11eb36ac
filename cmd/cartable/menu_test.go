package main

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
)

// TestChildHref: the switcher links each child to the same kind of page as the parent's, and
// a child of age to the portfolio's list of children (which says the portfolio is theirs
// alone), never to their portfolio, which answers 404 to the parent.
func TestChildHref(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	minorBirth, adultBirth := time.Date(2010, 5, 4, 0, 0, 0, 0, time.UTC), time.Date(2008, 12, 1, 0, 0, 0, 0, time.UTC)
	id := uuid.MustParse("6f1c7d2e-9a7b-4c1d-8e2f-3a4b5c6d7e8f")
	minor := identity.Child{ID: id, BirthDate: &minorBirth}
	adult := identity.Child{ID: id, BirthDate: &adultBirth} // 18 today
	unknown := identity.Child{ID: id}                       // no birth date: taken as a minor
	base := "http://lycee.cartable.test/"
	for _, c := range []struct {
		path string
		k    identity.Child
		want string
	}{
		{"/", minor, base + "notes/eleves/" + id.String()},
		{"/bulletins", minor, base + "bulletins"},
		{"/emploi-du-temps/eleves/x", minor, base + "emploi-du-temps/eleves/" + id.String()},
		{"/cahier/eleves/x/a-faire", minor, base + "cahier/eleves/" + id.String() + "/a-faire"},
		{"/portfolio/eleves/x", minor, base + "portfolio/eleves/" + id.String()},
		{"/portfolio/eleves/x", unknown, base + "portfolio/eleves/" + id.String()},
		{"/portfolio", adult, base + "portfolio"},
		{"/portfolio/eleves/x", adult, base + "portfolio"},
		{"/notes/eleves/x", adult, base + "notes/eleves/" + id.String()},
	} {
		if got := childHref(c.path, base, c.k, now); got != c.want {
			t.Errorf("childHref(%q, born %v) = %q, want %q", c.path, c.k.BirthDate, got, c.want)
		}
	}
}
