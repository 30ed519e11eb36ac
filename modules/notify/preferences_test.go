package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/web/fault"
)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.October, day, hour, minute, 0, 0, testenv.Paris)
}

// sendAfter is when the mail of the latest notice to person may leave, and the scheduled
// time of its River job (created, when the job is due at once: it is not scheduled).
func (e *env) sendAfter(t testing.TB, person uuid.UUID, created time.Time) (mail, job time.Time) {
	t.Helper()
	err := e.reg.DB().ReadTx(context.Background(), e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT send_after FROM notification_mails WHERE person_id = ? AND created_at = ?`, person, created).Row().Scan(&mail)
	})
	if err != nil {
		t.Fatalf("mail of %s: %v", person, err)
	}
	var state string
	if err := e.reg.Platform().Raw(`SELECT scheduled_at, state FROM river.river_job WHERE kind = 'notify_send_mails' ORDER BY id DESC LIMIT 1`).Row().Scan(&job, &state); err != nil {
		t.Fatal(err)
	}
	if state == "available" {
		job = created
	}
	return mail, job
}

// TestQuietHours: an immediate e-mail asked for during the establishment's quiet hours
// (20:00–07:00 by default) waits for their end; the establishment may change them.
func TestQuietHours(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	absence := notify.Notice{Kind: notify.KindAbsence, Recipients: []uuid.UUID{parent}, Title: "Absence de Zoé"}
	for _, c := range []struct {
		name          string
		from, to      string // "" keeps the current quiet hours
		now, wantSend time.Time
	}{
		{"school hours: at once", "", "", at(5, 10, 0), at(5, 10, 0)},
		{"19:59: at once", "", "", at(5, 19, 59), at(5, 19, 59)},
		{"20:00: next morning", "", "", at(5, 20, 0), at(6, 7, 0)},
		{"23:30: next morning", "", "", at(5, 23, 30), at(6, 7, 0)},
		{"after midnight: this morning", "", "", at(6, 2, 15), at(6, 7, 0)},
		{"07:00: at once", "", "", at(6, 7, 0), at(6, 7, 0)},
		{"Saturday night too", "", "", at(10, 21, 0), at(11, 7, 0)},
		{"lunch break of an establishment", "12:00", "13:30", at(5, 12, 10), at(5, 13, 30)},
		{"outside it", "12:00", "13:30", at(5, 21, 0), at(5, 21, 0)},
		{"no quiet hours", "00:00", "00:00", at(5, 23, 0), at(5, 23, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.from != "" {
				if err := e.svc.SetQuietHours(ctx, e.a, c.from, c.to); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Set(c.now)
			e.notify(t, e.a, absence)
			mail, job := e.sendAfter(t, parent, c.now)
			if !mail.Equal(c.wantSend) || !job.Equal(c.wantSend) {
				t.Errorf("at %s: mail after %s, job at %s; want %s", c.now.Format("Mon 15:04"), mail.In(testenv.Paris).Format("Mon 15:04"),
					job.In(testenv.Paris).Format("Mon 15:04"), c.wantSend.Format("Mon 15:04"))
			}
		})
	}
	q, _ := e.svc.QuietHours(ctx, e.b)
	if q != notify.DefaultQuietHours {
		t.Errorf("another establishment's quiet hours changed: %+v", q)
	}
	for _, bad := range [][2]string{{"25:00", "07:00"}, {"20:00", "7h"}, {"", "07:00"}} {
		var inv *fault.Invalid
		if err := e.svc.SetQuietHours(ctx, e.a, bad[0], bad[1]); !errors.As(err, &inv) || !strings.Contains(inv.Message, "HH:MM") {
			t.Errorf("quiet hours %v: %v, want a French message asking for HH:MM", bad, err)
		}
	}
}

// TestPreferences: defaults per kind, a person's choices, what each makes of a notice, and
// the day's digest.
func TestPreferences(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.clock.Set(at(5, 10, 0))
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	other := e.person(t, e.a, "responsable", "Nina", "nina@example.org")
	pupil := e.person(t, e.a, "eleve", "Zoé", "") // no address: nothing to send

	prefs, err := e.svc.Preferences(ctx, e.a, parent)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[notify.Kind]notify.Delivery{notify.KindAbsence: notify.Immediate, notify.KindJustificationAnswered: notify.Immediate,
		notify.KindMessage: notify.Immediate, notify.KindNewMark: notify.Digest, notify.KindNews: notify.Digest} {
		if prefs[k] != want {
			t.Errorf("default for %s: %s, want %s", k, prefs[k], want)
		}
	}
	for _, bad := range []map[string]string{{"absence": "sometimes"}, {"gossip": "off"}} {
		var inv *fault.Invalid
		if err := e.svc.SetPreferences(ctx, e.a, parent, bad); !errors.As(err, &inv) {
			t.Errorf("%v: %v, want refused", bad, err)
		}
	}
	if err := e.svc.SetPreferences(ctx, e.a, parent, map[string]string{"absence": "off", "new_mark": "immediate", "news": "digest"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.svc.Preferences(ctx, e.a, other); p[notify.KindAbsence] != notify.Immediate {
		t.Error("one person's choice changed another's")
	}

	mailsTo := func(p uuid.UUID) int {
		return e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE person_id = ? AND notification_id IS NOT NULL`, p)
	}
	everyone := []uuid.UUID{parent, other, pupil}
	e.notify(t, e.a, notify.Notice{Kind: notify.KindAbsence, Recipients: everyone, Title: "Absence de Zoé"})
	if mailsTo(parent) != 0 || mailsTo(other) != 1 || mailsTo(pupil) != 0 {
		t.Errorf("absence: mails %d, %d, %d; want 0 (off), 1 (default immediate), 0 (no address)", mailsTo(parent), mailsTo(other), mailsTo(pupil))
	}
	e.notify(t, e.a, notify.Notice{Kind: notify.KindNewMark, Recipients: everyone, Title: "Nouvelle note en anglais"})
	if mailsTo(parent) != 1 || mailsTo(other) != 1 {
		t.Errorf("new mark: mails %d, %d; want 1 (chose immediate), 1 (default digest: none yet)", mailsTo(parent), mailsTo(other))
	}
	e.notify(t, e.a, notify.Notice{Kind: notify.KindNews, Recipients: everyone, Title: "Portes ouvertes samedi", Link: "/actualites"})
	if n, _ := e.svc.Unread(ctx, e.a, pupil); n != 3 {
		t.Errorf("in the application every notification is there whatever the e-mail: %d, want 3", n)
	}

	// The digest: nothing before 18:00; at 18:05 one per person waiting for one, listing
	// what waits; once a day.
	if n, err := e.mailer.PlanDigests(ctx, e.a); err != nil || n != 0 {
		t.Fatalf("digests at 10:00: %d, %v", n, err)
	}
	e.clock.Set(at(5, 18, 5))
	n, err := e.mailer.PlanDigests(ctx, e.a)
	if err != nil || n != 2 {
		t.Fatalf("digests at 18:05: %d, %v; want 2 (Marc: the news; Nina: the mark and the news)", n, err)
	}
	if got := e.count(t, e.a, `SELECT count(*) FROM notification_recipients r JOIN notification_mails m ON m.id = r.digest_mail WHERE m.person_id = ?`, other); got != 2 {
		t.Errorf("Nina's digest carries %d notifications, want 2", got)
	}
	e.notify(t, e.a, notify.Notice{Kind: notify.KindNews, Recipients: everyone, Title: "Menu de la cantine"})
	if n, _ := e.mailer.PlanDigests(ctx, e.a); n != 0 {
		t.Errorf("a second digest the same day: %d", n)
	}
	e.clock.Set(at(6, 18, 0))
	if n, _ := e.mailer.PlanDigests(ctx, e.a); n != 2 {
		t.Errorf("the next day's digests: %d, want 2 (the menu)", n)
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM notification_recipients WHERE mail = 'digest' AND digest_mail IS NULL`); n != 0 {
		t.Errorf("%d notifications left out of every digest", n)
	}
	if n, _ := e.mailer.PlanDigests(ctx, e.b); n != 0 {
		t.Errorf("another establishment's digests: %d", n)
	}
}

// TestMailsReachTheServer sends an immediate e-mail and a digest to a real SMTP server and
// reads them back; a kind turned off after the notice was made is not sent.
func TestMailsReachTheServer(t *testing.T) {
	mp := startMailpit(t)
	e := newEnv(t)
	ctx := context.Background()
	mailer := notify.NewMailer(e.svc, notify.MailerConfig{Transport: smtpTo(t, mp), Arrivals: notify.MailpitArrivals{BaseURL: mp.APIURL()},
		Tenants: tenants{e.reg}, SiteURL: siteURL, Domain: "cartable.test"})
	e.clock.Set(at(5, 17, 0))
	parent := e.person(t, e.a, "responsable", "Marc", "marc@example.org")
	e.notify(t, e.a,
		notify.Notice{Kind: notify.KindAbsence, Recipients: []uuid.UUID{parent}, Title: "Absence de Zoé", Body: "Absente de 8 h à 10 h.", Link: "/absences"},
		notify.Notice{Kind: notify.KindNewMark, Recipients: []uuid.UUID{parent}, Title: "Nouvelle note en anglais", Body: "Oral n°2", Link: "/notes"},
		notify.Notice{Kind: notify.KindMessage, Recipients: []uuid.UUID{parent}, Title: "Message de M. Girard"})
	if err := e.svc.SetPreferences(ctx, e.a, parent, map[string]string{"message": "off"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at(5, 18, 0))
	if _, err := mailer.PlanDigests(ctx, e.a); err != nil {
		t.Fatal(err)
	}
	all := e.allMails(t)
	if err := mailer.Send(ctx, e.a, all); err != nil {
		t.Fatal(err)
	}
	api := notify.MailpitArrivals{BaseURL: mp.APIURL()}
	ms, total, err := api.Messages(ctx, 10)
	if err != nil || total != 2 {
		t.Fatalf("mailpit holds %d messages (%v), want 2: the absence and the digest (the message was turned off)", total, err)
	}
	texts := map[string]string{}
	for _, m := range ms {
		txt, err := api.Text(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		texts[m.Subject] = txt
		if m.Recipients() != "marc@example.org" {
			t.Errorf("%q sent to %q", m.Subject, m.Recipients())
		}
	}
	if !strings.Contains(texts["Absence de Zoé"], "http://"+e.a.Slug+".cartable.test/absences") {
		t.Errorf("the absence's e-mail lacks its link:\n%s", texts["Absence de Zoé"])
	}
	digest := texts["Vos notifications du 5 octobre 2026"]
	if !strings.Contains(digest, "Nouvelle note en anglais") || !strings.Contains(digest, "/notifications/preferences") {
		t.Errorf("the digest:\n%s", digest)
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE state = 'skipped'`); n != 1 {
		t.Errorf("%d skipped mails, want 1 (the message)", n)
	}
	// Sending again sends nothing: every mail is settled.
	if err := mailer.Send(ctx, e.a, all); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := api.Messages(ctx, 1); total != 2 {
		t.Errorf("a second run sent again: %d messages", total)
	}
}

func (e *env) allMails(t testing.TB) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	err := e.reg.DB().ReadTx(context.Background(), e.a, func(tx *gorm.DB) error {
		rows, err := tx.Raw(`SELECT id FROM notification_mails ORDER BY created_at`).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
