package attendance

import (
	"context"
	"math/rand/v2"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo takes the roll of every lesson of a demo establishment's current week that has
// ended by now, as its teacher would: a few pupils absent (often for consecutive lessons) or
// late; the lessons still to come are left for the demo's teachers.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	rng := rand.New(rand.NewPCG(9, 5))
	now, today := s.now(), s.Today()
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	vs := Actor{Roles: []identity.Role{identity.RoleVieScolaire}}
	for d := monday; !d.After(today); d = d.AddDate(0, 0, 1) {
		regs, err := s.Day(ctx, t, vs, d, true)
		if err != nil {
			return err
		}
		truant := map[uuid.UUID]bool{} // absent for the rest of the day once absent
		for _, r := range regs {
			if r.Taken() || r.EndsAt().After(now) {
				continue
			}
			roll, err := s.Roll(ctx, t, vs, r.ID)
			if err != nil {
				return err
			}
			marks := map[uuid.UUID]Mark{}
			for _, e := range roll.Entries {
				switch v := rng.IntN(100); {
				case truant[e.PupilID] || v < 3:
					truant[e.PupilID] = true
					marks[e.PupilID] = Mark{Status: Absent}
				case v < 6:
					marks[e.PupilID] = Mark{Status: Late, Minutes: 5 + rng.IntN(20)}
				default:
					marks[e.PupilID] = Mark{Status: Present}
				}
			}
			teacher := vs
			if len(r.TeacherIDs) > 0 {
				teacher.PersonID = r.TeacherIDs[0]
			}
			if _, err := s.SaveRoll(ctx, t, teacher, r.ID, marks); err != nil {
				return err
			}
		}
	}
	return nil
}
