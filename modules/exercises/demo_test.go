package exercises_test

import "testing"

// TestSeedDemo: the demo gives Claire's class an exercise a pupil can start; seeding twice
// adds nothing.
func TestSeedDemo(t *testing.T) {
	s := newSite(t)
	for range 2 {
		if err := s.svc.SeedDemo(s.ctx, s.alpha); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.count(s.alpha, `SELECT count(*) FROM exercises`); n != 1 {
		t.Fatalf("%d demo exercises", n)
	}
	todo, err := s.svc.ToDo(s.ctx, s.alpha, s.alice)
	if err != nil || len(todo) != 1 {
		t.Fatalf("Alice's list: %v %+v", err, todo)
	}
	v, err := s.svc.StartAttempt(s.ctx, s.alpha, s.alice, todo[0].ID)
	if err != nil || len(v.Questions) != 4 {
		t.Fatalf("start the demo: %v, %d questions", err, len(v.Questions))
	}
}
