package grades_test

import (
	"testing"

	"github.com/google/uuid"
)

// TestClassFiguresFollowTheData: a pupil's page keeps the class's figures between views,
// and shows new ones at once after any change they come from — a classmate's mark, a
// classmate leaving the class, a coefficient — whoever made it.
func TestClassFiguresFollowTheData(t *testing.T) {
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	p := s.period(t, 1)
	ev := s.evaluation(t, s.asMaths(), "MATHS", "Contrôle", s.day(10), "20", "1", true)
	s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "10", s.bruno: "14", s.chloe: "18"})
	classAvg := func(what string) string {
		t.Helper()
		r, err := s.svc.PupilMarks(sctx, s.tn, s.asPupil(s.alice), s.alice, p)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(r.Subjects) != 1 || r.Subjects[0].Class.Avg == nil {
			t.Fatalf("%s: %d subjects, want maths with a class average", what, len(r.Subjects))
		}
		return r.Subjects[0].Class.Avg.FloatString(2) + " max " + r.Subjects[0].Class.Max.FloatString(2)
	}
	if got := classAvg("first view"); got != "14.00 max 18.00" {
		t.Fatalf("first view: class %s, want 14.00 max 18.00", got)
	}
	if got := classAvg("second view"); got != "14.00 max 18.00" {
		t.Fatalf("second view: class %s", got)
	}
	s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "10", s.bruno: "14", s.chloe: "12"})
	if got := classAvg("after Chloé's mark changed"); got != "12.00 max 14.00" {
		t.Errorf("after Chloé's mark changed: class %s, want 12.00 max 14.00", got)
	}
	s.exec(t, `DELETE FROM class_members WHERE person_id = ?`, s.bruno)
	if got := classAvg("after Bruno left the class"); got != "11.00 max 12.00" {
		t.Errorf("after Bruno left the class: class %s, want 11.00 max 12.00", got)
	}
	s.exec(t, `UPDATE people SET active = false WHERE id = ?`, s.chloe)
	if got := classAvg("after Chloé left the establishment"); got != "10.00 max 10.00" {
		t.Errorf("after Chloé was deactivated: class %s, want 10.00 max 10.00", got)
	}
}
