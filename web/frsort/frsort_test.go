package frsort_test

import (
	"slices"
	"testing"

	"github.com/cartable-ent/cartable/web/frsort"
)

func TestStrings(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"accent is secondary to the letters", []string{"Girard", "Gâtineau", "Garnier"}, []string{"Garnier", "Gâtineau", "Girard"}},
		{"accented capital stays among its letter", []string{"Fabre", "Étienne", "Dufourcq", "Zola"}, []string{"Dufourcq", "Étienne", "Fabre", "Zola"}},
		{"case does not split the list", []string{"de la Tour", "Dupont", "Daguerre"}, []string{"Daguerre", "de la Tour", "Dupont"}},
		{"ligature sorts as its letters (Œ is OE)", []string{"Ohmichen", "Œhmichen", "Odier", "Oudin"}, []string{"Odier", "Œhmichen", "Ohmichen", "Oudin"}},
		{"unaccented before accented when otherwise equal", []string{"Lévêque", "Leveque"}, []string{"Leveque", "Lévêque"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Clone(tt.in)
			frsort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Strings(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSliceByLastThenFirstName(t *testing.T) {
	type person struct{ last, first string }
	people := []person{{"Girard", "Anne"}, {"Gâtineau", "Zoé"}, {"Gâtineau", "Élodie"}, {"Bégué", "Paul"}}
	frsort.Slice(people, func(p person) []string { return []string{p.last, p.first} })
	want := []person{{"Bégué", "Paul"}, {"Gâtineau", "Élodie"}, {"Gâtineau", "Zoé"}, {"Girard", "Anne"}}
	if !slices.Equal(people, want) {
		t.Errorf("got %v; want %v", people, want)
	}
}

func TestCompare(t *testing.T) {
	if frsort.Compare("Gâtineau", "Girard") >= 0 {
		t.Error("Gâtineau should come before Girard")
	}
	if frsort.Compare("Zoé", "Zoe") <= 0 {
		t.Error("Zoe should come before Zoé")
	}
}
