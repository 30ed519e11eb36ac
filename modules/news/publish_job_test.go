package news_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/notify"
)

// TestDeferredPostToldWhenItsDateComes: a post published with a date three days ahead tells
// nobody at validation nor before the date; the job run once the date has come tells its
// audience once (run again, nothing more); another establishment's job run tells nobody of
// it, and the other establishment's people are never told.
func TestDeferredPostToldWhenItsDateComes(t *testing.T) {
	s := newSite(t)
	s.svc.SetNotifier(notify.NewService(s.Reg.DB(), s.clock.Now))
	ctx := context.Background()
	told := func(p uuid.UUID) int {
		return s.Count(s.alpha, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id WHERE r.person_id = ? AND n.kind = 'news'`, p)
	}
	f := postForm("Portes ouvertes", "Samedi matin.", "etablissement", "", "publier")
	date := s.clock.Now().AddDate(0, 0, 3)
	f.Set("publication", date.Format("2006-01-02"))
	id := s.write(s.direction, "/actualites/nouvelle", f)
	if told(s.alice.PersonID) != 0 {
		t.Fatal("a deferred post told its audience at validation")
	}
	if n, err := s.svc.TellDue(ctx, s.alpha, s.clock.Now().AddDate(0, 0, 2)); err != nil || n != 0 {
		t.Fatalf("two days before its date: told %d posts (%v), want 0", n, err)
	}
	if told(s.alice.PersonID) != 0 {
		t.Fatal("the post was told before its date")
	}
	// The date comes (midnight, school time): told once.
	day := time.Date(date.Year(), date.Month(), date.Day(), 0, 5, 0, 0, date.Location())
	if n, err := s.svc.TellDue(ctx, s.bravo, day); err != nil || n != 0 {
		t.Fatalf("the other establishment told %d posts (%v), want 0", n, err)
	}
	if n, err := s.svc.TellDue(ctx, s.alpha, day); err != nil || n != 1 {
		t.Fatalf("on its date: told %d posts (%v), want 1", n, err)
	}
	if n, err := s.svc.TellDue(ctx, s.alpha, day.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("run again: told %d posts (%v), want 0", n, err)
	}
	for who, c := range map[string]struct {
		id   uuid.UUID
		want int
	}{"pupil": {s.alice.PersonID, 1}, "teacher": {s.teacher.PersonID, 1}, "direction who published": {s.direction.PersonID, 0}} {
		if got := told(c.id); got != c.want {
			t.Errorf("%s told %d times, want %d", who, got, c.want)
		}
	}
	if n := s.Count(s.alpha, `SELECT count(*) FROM news_posts WHERE id = ? AND notified_at IS NOT NULL`, id); n != 1 {
		t.Errorf("notified_at not recorded on the post")
	}
	if n := s.Count(s.bravo, `SELECT count(*) FROM notifications WHERE kind = 'news'`); n != 0 {
		t.Errorf("%d news notifications in the other establishment", n)
	}
}
