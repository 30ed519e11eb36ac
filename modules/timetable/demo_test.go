package timetable_test

import (
	"bytes"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// TestSeedDemo fills a generated lycée (the AAF generator's, as make dev does) and checks the
// week is plausible: every teaching has its lessons, no class, teacher or room is in two places
// at once, and this week has a cancelled, a moved and a replaced lesson.
func TestSeedDemo(t *testing.T) {
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{MaxOpenConns: 8})
	clock := testenv.NewClock(testenv.SchoolDay)
	env := directorytest.NewEnvAt(t, reg, clock)
	tn := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	var buf bytes.Buffer
	if err := aaf.Generate(&buf, aaf.GenOptions{UAI: string(tn.UAI), Name: tn.Name, Pupils: 40, Parents: 30, Staff: 14, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Directory.ImportAAF(sctx, tn, []directory.File{{Name: "ENT_" + string(tn.UAI) + "_Complet_20260901_Test_0001.xml", R: &buf}},
		directory.ImportOptions{Actor: "test", Scope: identity.Scope{All: true}}); err != nil {
		t.Fatal(err)
	}
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
