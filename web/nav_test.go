package web

import "testing"

func TestMarkCurrent(t *testing.T) {
	menu := []MenuItem{
		{Href: "/", Text: "Accueil"},
		{Href: "/notes", Text: "Notes", Section: "/notes/eleves"},
		{Href: "/notes/enseignement", Text: "Notes de mes classes", Section: "/notes"},
		{Href: "/notes/tableau", Text: "Tableau des moyennes"},
		{Href: "/annuaire/classes", Text: "Classes et groupes", Section: "/annuaire"},
	}
	for _, tc := range []struct{ path, want string }{
		{"/", "Accueil"},
		{"/notes/eleves/42", "Notes"},
		{"/notes/classes/1/0629", "Notes de mes classes"},
		{"/notes/tableau", "Tableau des moyennes"},
		{"/notes/tableaux", "Notes de mes classes"}, // whole segments only
		{"/annuaire/personnes/1", "Classes et groupes"},
		{"/compte", ""},
	} {
		got := ""
		for _, it := range markCurrent(menu, tc.path) {
			if it.Current {
				if got != "" {
					t.Errorf("%s: two current entries, %q and %q", tc.path, got, it.Text)
				}
				got = it.Text
			}
		}
		if got != tc.want {
			t.Errorf("%s: current entry %q, want %q", tc.path, got, tc.want)
		}
	}
	if menu[0].Current {
		t.Error("markCurrent changed its argument")
	}
}
