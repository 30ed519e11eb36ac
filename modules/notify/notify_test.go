package notify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/web/fault"
)

func mark(to ...uuid.UUID) notify.Notice {
	return notify.Notice{Kind: notify.KindNewMark, Recipients: to, Title: "Nouvelle note en mathématiques", Body: "Devoir surveillé n°1", Link: "/notes"}
}

// TestNotifyIsolation: a person sees only their own notifications, another establishment
// sees none, and nobody marks another's notification read.
func TestNotifyIsolation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pupil := e.person(t, e.a, "eleve", "Zoé", "")
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	other := e.person(t, e.a, "eleve", "Léo", "")
	e.notify(t, e.a, mark(pupil, parent, parent)) // the parent named twice is told once

	for _, c := range []struct {
		name   string
		person uuid.UUID
		want   int
	}{{"pupil", pupil, 1}, {"parent", parent, 1}, {"someone else", other, 0}} {
		p, err := e.svc.List(ctx, e.a, c.person, uuid.Nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != c.want || p.Unread != c.want {
			t.Errorf("%s: %d notifications, %d unread; want %d", c.name, len(p.Items), p.Unread, c.want)
		}
	}
	// The same person id in another establishment reads another schema: nothing.
	p, err := e.svc.List(ctx, e.b, pupil, uuid.Nil)
	if err != nil || len(p.Items) != 0 {
		t.Fatalf("other establishment: %v, %d notifications", err, len(p.Items))
	}
	mine, _ := e.svc.List(ctx, e.a, pupil, uuid.Nil)
	id := mine.Items[0].ID
	if err := e.svc.MarkRead(ctx, e.a, other, id); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("marking another's notification read: %v, want not found", err)
	}
	if err := e.svc.MarkRead(ctx, e.b, pupil, id); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("marking it read from another establishment: %v, want not found", err)
	}
	if n, _ := e.svc.Unread(ctx, e.a, pupil); n != 1 {
		t.Errorf("after refused marks, the pupil has %d unread, want 1", n)
	}
	if err := e.svc.MarkRead(ctx, e.a, pupil, id); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.svc.Unread(ctx, e.a, pupil); n != 0 {
		t.Errorf("after marking read: %d unread", n)
	}
	if n, _ := e.svc.Unread(ctx, e.a, parent); n != 1 {
		t.Errorf("the pupil's read mark changed the parent's: %d unread", n)
	}
	e.notify(t, e.a, mark(parent), mark(parent))
	if n, err := e.svc.MarkAllRead(ctx, e.a, parent); err != nil || n != 3 {
		t.Errorf("mark all read: %d, %v; want 3", n, err)
	}
	if n, _ := e.svc.Unread(ctx, e.b, parent); n != 0 {
		t.Error("unread count in another establishment")
	}
}

// TestNotifyInCallersTransaction: a change rolled back leaves no notification, no mail and no
// job; a committed one leaves all three.
func TestNotifyInCallersTransaction(t *testing.T) {
	e := newEnv(t)
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	absence := notify.Notice{Kind: notify.KindAbsence, Recipients: []uuid.UUID{parent}, Title: "Absence de Zoé", Body: "Absente de 8 h à 9 h."}
	boom := errors.New("the caller's change failed")
	err := e.reg.DB().Tx(context.Background(), e.a, func(tx *gorm.DB) error {
		if err := e.svc.Notify(tx, e.a, absence); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM notifications`) + e.count(t, e.a, `SELECT count(*) FROM notification_mails`) + e.riverJobs(t, "notify_send_mails"); n != 0 {
		t.Fatalf("rolled back: %d rows left", n)
	}
	e.notify(t, e.a, absence)
	if n := e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE state = 'pending'`); n != 1 {
		t.Errorf("committed: %d pending mails, want 1", n)
	}
	if n := e.riverJobs(t, "notify_send_mails"); n != 1 {
		t.Errorf("committed: %d send jobs, want 1", n)
	}
}

// TestNotifyRefusesBadNotices: a caller's mistake is an error, not a half-written notice.
func TestNotifyRefusesBadNotices(t *testing.T) {
	e := newEnv(t)
	p := e.person(t, e.a, "eleve", "Zoé", "")
	for _, n := range []notify.Notice{
		{Kind: "gossip", Recipients: []uuid.UUID{p}, Title: "x"},
		{Kind: notify.KindNews, Recipients: []uuid.UUID{p}, Title: " "},
		{Kind: notify.KindNews, Recipients: []uuid.UUID{p}, Title: "x", Link: "https://evil.example/"},
		{Kind: notify.KindNews, Recipients: []uuid.UUID{p}, Title: "x", Link: "//evil.example/"},
	} {
		err := e.reg.DB().Tx(context.Background(), e.a, func(tx *gorm.DB) error { return e.svc.Notify(tx, e.a, mark(p), n) })
		if err == nil {
			t.Errorf("%+v accepted", n)
		}
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM notifications`); n != 0 {
		t.Errorf("%d notifications written", n)
	}
}

// TestSeedDemo: make dev's demo tells guardians of an absence (an e-mail each) and pupils of
// news (in the digest).
func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	pupil := e.person(t, e.a, "eleve", "Zoé", "")
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	if err := e.reg.DB().Tx(context.Background(), e.a, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO guardianships (pupil_id, guardian_id, legal, quality) VALUES (?, ?, true, 1)`, pupil, parent).Error
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SeedDemo(context.Background(), e.a); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.svc.Unread(context.Background(), e.a, pupil); n != 1 {
		t.Errorf("the pupil has %d notifications, want 1 (the news)", n)
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE person_id = ?`, parent); n != 1 {
		t.Errorf("the guardian has %d e-mails, want 1 (the absence)", n)
	}
}
