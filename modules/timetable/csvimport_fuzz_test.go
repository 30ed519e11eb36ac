package timetable

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// FuzzReadCSV feeds the slots' CSV reader arbitrary files: it never panics, and either
// returns slots that the database would accept or refuses with every message naming the
// file and a line.
//
//	go test -run '^$' -fuzz FuzzReadCSV -fuzztime 30s ./modules/timetable/
func FuzzReadCSV(f *testing.F) {
	class := Group{ID: uuid.New(), Kind: "classe", Code: "2NDE1", Label: "2nde 1"}
	teacher := uuid.New()
	r := &refs{
		profile:   Profile{Periods: []Period{{Code: "M1", Start: 480, End: 535}, {Code: "M2", Start: 535, End: 590}}},
		yearStart: time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC), yearEnd: time.Date(2027, 7, 4, 0, 0, 0, 0, time.UTC),
		groups: map[uuid.UUID]Group{class.ID: class}, subjects: map[string]Subject{"MATHS": {Code: "MATHS", Label: "Mathématiques"}},
		teachers: map[uuid.UUID]Person{teacher: {ID: teacher, Name: "Mme Test"}}, teacherLogin: map[string]uuid.UUID{"prof": teacher},
		groupCodes: map[string][]Group{"2NDE1": {class}},
	}
	for _, seed := range []string{
		"classe;matiere;jour;debut;fin\n2NDE1;MATHS;lundi;M1;M2\n",
		"classe,matiere,enseignants,jour,debut,fin,semaines,du,au\n2NDE1,MATHS,prof,mardi,8h,9h,A,01/10/2026,31/10/2026\n",
		"classe;matiere;jour;debut;fin\n2NDE1;MATHS;lundi;08:00;09:00\n2NDE1;MATHS;lundi;08:30;09:30\n",
		"classe;matiere;jour;debut\n\"2NDE1;MATHS\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		slots, err := r.readCSV("edt.csv", text, nil, nil)
		var bad *ImportError
		switch {
		case errors.As(err, &bad):
			if len(bad.Lines) == 0 {
				t.Fatal("a refusal without a line")
			}
			for _, l := range bad.Lines {
				if !strings.HasPrefix(l, "edt.csv, ligne ") {
					t.Fatalf("message without the file and line: %q", l)
				}
			}
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		default:
			for _, s := range slots {
				if s.End <= s.Start || s.Group.ID != class.ID || s.Until.Before(s.From) || len(s.Room) > 40 || s.Weekday == time.Sunday {
					t.Fatalf("slot the database would refuse: %+v", s)
				}
			}
		}
	})
}
