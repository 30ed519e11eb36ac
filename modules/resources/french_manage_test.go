package resources

import "testing"

func TestFrenchManage(t *testing.T) {
	for name, want := range map[string]string{"Aubé Lucie": "d'Aubé Lucie", "Élise": "d'Élise", "Hugo": "d'Hugo", "Martin Paul": "de Martin Paul", "Yves": "d'Yves", "Ôde": "d'Ôde"} {
		if got := de(name); got != want {
			t.Errorf("de(%q) = %q, want %q", name, got, want)
		}
	}
	for _, c := range []struct {
		l, a int
		want string
	}{
		{0, 0, "Aucune licence n'est attribuée."},
		{1, 1, "La licence attribuée sera libérée et son attribution retirée."},
		{35, 3, "Les 35 licences attribuées seront libérées et ses 3 attributions retirées."},
	} {
		if got := freedText(c.l, c.a); got != c.want {
			t.Errorf("freedText(%d, %d) = %q, want %q", c.l, c.a, got, c.want)
		}
	}
	if got := countFR(1, "licence", "licences"); got != "1 licence" {
		t.Errorf("countFR(1) = %q", got)
	}
}
