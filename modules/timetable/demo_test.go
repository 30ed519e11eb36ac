package timetable_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestSeedDemo fills a lycée's directory (the school of service_test.go, with teachings of
// three classes and a group written in SQL: no Kratos identity is made, so that the tests of
// other packages sharing the run's Kratos never meet these logins) and checks the week is
// plausible: every teaching has its lessons, no class, teacher or room is in two places at
// once, and this week has a cancelled, a moved and a replaced lesson.
func TestSeedDemo(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	sc := newSchool(t, reg, 4)
	clock, tn := sc.clock, sc.tn
	sc.exec(t, `INSERT INTO subjects (code, label) VALUES ('FRANCAIS', 'Français'), ('HG', 'Histoire-géographie'), ('PC', 'Physique-chimie')`)
	sc.exec(t, `INSERT INTO classes (id, kind, code, label, school_year) SELECT gen_random_uuid(), 'classe', '2NDE3', '2nde 3', code FROM school_years WHERE current`)
	sc.exec(t, `INSERT INTO people (id, category, roles, last_name, first_name, login)
		SELECT gen_random_uuid(), 'personnel', '{enseignant}', 'Prof' || i, 'Demo', 'demo.prof' || i FROM generate_series(1, 4) i`)
	// Six teachers teach each class a subject; the Spanish teacher, the group too.
	sc.exec(t, `INSERT INTO teachings (teacher_id, class_id, subject_code)
		SELECT p.id, c.id, (ARRAY['MATHS', 'FRANCAIS', 'HG', 'PC', 'ESP', 'MATHS'])[1 + (row_number() OVER ()) % 6]
		FROM people p CROSS JOIN classes c
		WHERE p.category = 'personnel' AND 'enseignant' = ANY(p.roles) AND (c.kind = 'classe' OR p.id = ?)`, sc.spanish)
	svc := timetable.NewService(reg.DB(), clock.Now)
	if err := svc.SeedDemo(sctx, tn); err != nil {
		t.Fatalf("seed: %v", err)
	}
	slots, err := svc.Slots(sctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	var teachings int
	if err := reg.DB().ReadTx(sctx, tn, func(tx *gorm.DB) error { return tx.Raw(`SELECT count(*) FROM teachings`).Scan(&teachings).Error }); err != nil {
		t.Fatal(err)
	}
	if teachings == 0 || len(slots) < teachings {
		t.Fatalf("%d slots for %d teachings", len(slots), teachings)
	}
	monday := timetable.Monday(clock.Now())
	busy := map[string]string{}
	statuses := map[timetable.Status]int{}
	for d := 0; d < 5; d++ {
		lessons, err := svc.LessonsOn(sctx, tn, monday.AddDate(0, 0, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lessons {
			statuses[l.Status]++
			for m := l.Start; m < l.End; m += 5 {
				ids := []string{l.Group.ID.String(), "salle " + l.Room}
				for _, p := range l.Teachers {
					ids = append(ids, p.ID.String())
				}
				for _, id := range ids {
					k := fmt.Sprint(id, l.On.Format("2006-01-02"), m)
					if prev, clash := busy[k]; clash && l.Taught() {
						t.Errorf("%s is in two lessons at %s on %s: %s and %s", id, m, l.On.Format("02/01"), prev, l.Key())
					}
					if l.Taught() {
						busy[k] = l.Key()
					}
				}
			}
		}
	}
	for _, st := range []timetable.Status{timetable.StatusAnnule, timetable.StatusDeplace, timetable.StatusRempl} {
		if statuses[st] != 1 {
			t.Errorf("%d lessons %s this week, want 1 (%v)", statuses[st], st, statuses)
		}
	}
	if n := statuses[timetable.Planned] + 3; n < teachings { // every teaching meets every week
		t.Errorf("%d lessons this week for %d teachings", n, teachings)
	}

}
