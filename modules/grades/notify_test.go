package grades_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/notify"
)

// TestMarksNotifyPupilsAndGuardians: a published mark tells the pupil and their legal
// guardians (not another relative), once; saving the same grid again, a comment or an
// unpublished evaluation tells nobody; publishing it tells those who have a mark.
func TestMarksNotifyPupilsAndGuardians(t *testing.T) {
	s := newSvcSchool(t, newSvcRegistry(t), 1)
	n := notify.NewService(s.reg.DB(), s.clock.Now)
	s.svc.SetNotifier(n)
	told := func(p uuid.UUID) int {
		return s.count(t, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id WHERE r.person_id = ? AND n.kind = 'new_mark'`, p)
	}
	ev := s.evaluation(t, s.asMaths(), "MATHS", "Devoir surveillé n°1", s.day(40), "20", "1", true)
	s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "12", s.bruno: "8"})
	for _, c := range []struct {
		who  string
		id   uuid.UUID
		want int
	}{{"Alice", s.alice, 1}, {"Bruno", s.bruno, 1}, {"Chloé (no mark)", s.chloe, 0}, {"Alice's legal guardian", s.guardian, 1}, {"a non-legal relative", s.relative, 0}} {
		if got := told(c.id); got != c.want {
			t.Errorf("%s told %d times, want %d", c.who, got, c.want)
		}
	}
	page, err := n.List(sctx, s.tn, s.guardian, uuid.Nil)
	if err != nil || len(page.Items) != 1 || page.Items[0].Title != "Nouvelle note de mathématiques pour Alice" ||
		page.Items[0].Link != "/notes/eleves/"+s.alice.String() {
		t.Errorf("the guardian's notification: %v %+v", err, page)
	}
	s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.alice: "12", s.bruno: "8"})
	if told(s.alice) != 1 || told(s.guardian) != 1 {
		t.Error("saving the same marks again told again")
	}
	s.mark(t, s.asMaths(), ev.ID, map[uuid.UUID]string{s.bruno: "9"})
	if told(s.bruno) != 2 || told(s.alice) != 1 {
		t.Errorf("a corrected mark: Bruno told %d times (want 2), Alice %d (want 1)", told(s.bruno), told(s.alice))
	}

	draft := s.evaluation(t, s.asMaths(), "MATHS", "Interrogation", s.day(41), "20", "1", false)
	s.mark(t, s.asMaths(), draft.ID, map[uuid.UUID]string{s.alice: "15", s.chloe: "Abs"})
	if told(s.alice) != 1 || told(s.chloe) != 0 {
		t.Error("an unpublished evaluation's marks told someone")
	}
	if _, err := s.svc.SaveEvaluation(sctx, s.tn, s.asMaths(), draft.ID, grades.EvaluationForm{ClassID: s.class.String(), Subject: "MATHS",
		Title: "Interrogation", Date: s.day(41), Scale: "20", Coefficient: "1", Published: true}); err != nil {
		t.Fatal(err)
	}
	if told(s.alice) != 2 || told(s.chloe) != 1 || told(s.guardian) != 2 || told(s.bruno) != 2 {
		t.Errorf("publication: Alice %d (want 2), Chloé %d (want 1), guardian %d (want 2), Bruno %d (want 2, no mark in it)",
			told(s.alice), told(s.chloe), told(s.guardian), told(s.bruno))
	}
}
