package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/testenv"
)

// TestCleanOldNotifications: read notifications go after 3 months once their e-mail left
// (their own, or the digest carrying them), unread ones stay until a year, then everything
// goes, e-mails still pending included; another establishment's are untouched.
func TestCleanOldNotifications(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mp := startMailpit(t)
	mailer := notify.NewMailer(e.svc, notify.MailerConfig{Transport: smtpTo(t, mp), Tenants: tenants{e.reg}, SiteURL: siteURL, Domain: "cartable.test"})
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	pupil := e.person(t, e.a, "eleve", "Zoé", "")
	other := e.person(t, e.b, "eleve", "Léa", "") // no e-mail: nothing to deliver
	tell := func(kind notify.Kind, title string, to ...uuid.UUID) {
		e.notify(t, e.a, notify.Notice{Kind: kind, Recipients: to, Title: title})
	}
	tell(notify.KindAbsence, "Lu, courriel parti", parent, pupil)
	tell(notify.KindNews, "Lu, dans le résumé", parent)
	tell(notify.KindMessage, "Non lu", parent)
	tell(notify.KindAbsence, "Lu, courriel en attente", parent)
	e.notify(t, e.b, notify.Notice{Kind: notify.KindAbsence, Recipients: []uuid.UUID{other}, Title: "Autre lycée"})
	if _, err := e.svc.MarkAllRead(ctx, e.b, other); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Lu, courriel parti", "Lu, dans le résumé", "Lu, courriel en attente"} {
		for _, p := range []uuid.UUID{parent, pupil} {
			markRead(t, e, p, title)
		}
	}
	if err := mailer.Send(ctx, e.a, mailsOf(t, e, "Lu, courriel parti")); err != nil {
		t.Fatal(err)
	}

	titles := func() map[string]int {
		out := map[string]int{}
		var rows []string
		if err := e.reg.DB().ReadTx(ctx, e.a, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT n.title FROM notifications n LEFT JOIN notification_recipients r ON r.notification_id = n.id ORDER BY 1`).Scan(&rows).Error
		}); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out[r]++
		}
		return out
	}
	clean := func(at time.Time, want map[string]int) {
		t.Helper()
		e.clock.Set(at)
		if _, err := e.svc.Clean(ctx, e.a); err != nil {
			t.Fatal(err)
		}
		got := titles()
		if len(got) != len(want) {
			t.Errorf("on %s: %v, want %v", at.Format("2006-01-02"), got, want)
			return
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("on %s: %v, want %v", at.Format("2006-01-02"), got, want)
				return
			}
		}
	}
	day := testenv.SchoolDay
	all := map[string]int{"Lu, courriel parti": 2, "Lu, dans le résumé": 1, "Non lu": 1, "Lu, courriel en attente": 1}
	clean(day.AddDate(0, 3, -1), all) // not three months yet
	clean(day.AddDate(0, 3, 1), map[string]int{"Lu, dans le résumé": 1, "Non lu": 1, "Lu, courriel en attente": 1})
	if n := e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE state = 'sent'`); n != 0 {
		t.Errorf("%d sent e-mails kept with their notification gone", n)
	}

	// The digest carrying the news is planned, then sent: the news goes with it.
	e.clock.Set(day.AddDate(0, 3, 1).Add(9 * time.Hour)) // 19:00
	if n, err := mailer.PlanDigests(ctx, e.a); err != nil || n != 1 {
		t.Fatalf("digests: %d, %v", n, err)
	}
	clean(e.clock.Now(), map[string]int{"Lu, dans le résumé": 1, "Non lu": 1, "Lu, courriel en attente": 1})
	var digest []uuid.UUID
	if err := e.reg.DB().ReadTx(ctx, e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM notification_mails WHERE digest_day IS NOT NULL`).Scan(&digest).Error
	}); err != nil || len(digest) != 1 {
		t.Fatalf("digest: %v, %v", digest, err)
	}
	if err := mailer.Send(ctx, e.a, digest); err != nil {
		t.Fatal(err)
	}
	clean(e.clock.Now(), map[string]int{"Non lu": 1, "Lu, courriel en attente": 1})

	if n := e.count(t, e.b, `SELECT count(*) FROM notification_recipients`); n != 1 {
		t.Errorf("the other establishment has %d notifications left, want its 1 (read, 3 months old: not cleaned from A)", n)
	}

	// After a year, everything goes: the daily job, run by the queue, cleans every
	// establishment.
	if _, ok := mailer.JobLabels()[notify.CleanNotifications{}.Kind()]; !ok || len(mailer.PeriodicJobs()) != 2 {
		t.Error("the cleanup is not a labelled periodic job")
	}
	e.clock.Set(day.AddDate(1, 0, 1))
	if err := e.queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.queue.Stop(ctx) }()
	start := time.Now() // clock-ok: waits for the queue
	for e.finished(t, notify.CleanNotifications{}.Kind()) == 0 {
		if time.Since(start) > time.Minute { // clock-ok
			t.Fatal("the cleanup job did not run within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, table := range []string{"notifications", "notification_recipients", "notification_mails"} {
		if n := e.count(t, e.a, `SELECT count(*) FROM `+table) + e.count(t, e.b, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
}

// markRead marks person's notification titled title read, as they would (if they have it).
func markRead(t testing.TB, e *env, person uuid.UUID, title string) {
	t.Helper()
	p, err := e.svc.List(context.Background(), e.a, person, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range p.Items {
		if n.Title == title {
			if err := e.svc.MarkRead(context.Background(), e.a, person, n.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// mailsOf lists the e-mails of the notification titled title.
func mailsOf(t testing.TB, e *env, title string) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := e.reg.DB().ReadTx(context.Background(), e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT m.id FROM notification_mails m JOIN notifications n ON n.id = m.notification_id WHERE n.title = ?`, title).Scan(&ids).Error
	}); err != nil || len(ids) == 0 {
		t.Fatalf("mails of %q: %v, %v", title, ids, err)
	}
	return ids
}

// finished counts the queue's completed jobs of a kind.
func (e *env) finished(t testing.TB, kind string) int {
	t.Helper()
	var n int
	if err := e.reg.Platform().Raw(`SELECT count(*) FROM river.river_job WHERE kind = ? AND state = 'completed'`, kind).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
