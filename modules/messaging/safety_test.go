package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// wantKind checks err is of kind, with text in its French message.
func (e *env) count(t *testing.T, tn *tenant.Tenant, q string, args ...any) int {
	t.Helper()
	var n int
	e.tx(t, tn, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&n).Error })
	return n
}

func settingsInput(from, to string, years int) messaging.SettingsInput {
	return messaging.SettingsInput{HoursFrom: from, HoursTo: to, RetentionYears: years}
}

// TestSettings: the defaults (07:00–20:00, 3 years, open); each wrong field refused in
// French and nothing saved; a valid save kept; the other establishment keeps its defaults.
func TestSettings(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	set, err := e.svc.Settings(ctx, e.a)
	if err != nil {
		t.Fatal(err)
	}
	if in := set.Input(); in.HoursFrom != "07:00" || in.HoursTo != "20:00" || in.RetentionYears != 3 || in.Suspended {
		t.Fatalf("defaults %+v", in)
	}
	for name, c := range map[string]struct {
		in          messaging.SettingsInput
		field, text string
	}{
		"retention under a year":  {settingsInput("07:00", "20:00", 0), "conservation", "de 1 à 10 ans"},
		"retention over 10 years": {settingsInput("07:00", "20:00", 11), "conservation", "de 1 à 10 ans"},
		"start unreadable":        {settingsInput("7h", "20:00", 3), "debut", "HH:MM"},
		"end before start":        {settingsInput("20:00", "07:00", 3), "fin", "après leur début"},
		"suspended without reason": {messaging.SettingsInput{HoursFrom: "07:00", HoursTo: "20:00", RetentionYears: 3, Suspended: true, Reason: "  "},
			"motif", "motif de la suspension"},
	} {
		_, err := e.svc.SaveSettings(ctx, e.a, s.dir, c.in)
		var m *fault.Message
		if !errors.As(err, &m) || m.Field != c.field || !strings.Contains(m.Text, c.text) || !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: error %v, want %q on %s", name, err, c.text, c.field)
		}
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM messaging_settings`); n != 0 {
		t.Fatalf("refused settings saved %d rows", n)
	}
	saved, err := e.svc.SaveSettings(ctx, e.a, s.dir, settingsInput("08:00", "19:30", 5))
	if err != nil {
		t.Fatal(err)
	}
	if in := saved.Input(); in.HoursFrom != "08:00" || in.HoursTo != "19:30" || in.RetentionYears != 5 {
		t.Errorf("saved %+v", in)
	}
	other, err := e.svc.Settings(ctx, e.b)
	if err != nil || other.RetentionYears != 3 || other.Suspension != nil {
		t.Errorf("the other establishment's settings %+v (%v), want the defaults", other, err)
	}
}

// TestEstablishmentSuspension: once the direction suspends the messagerie, a parent's and
// a teacher's sends are refused (409) saying since when, why and whom to ask, and their
// banner says the same; the direction still sends; the other establishment is not
// suspended; lifting it lets everyone send again.
func TestEstablishmentSuspension(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	sb := e.school(t, e.b)
	ctx := context.Background()
	in := messaging.SettingsInput{HoursFrom: "07:00", HoursTo: "20:00", RetentionYears: 3, Suspended: true, Reason: "envois abusifs en cours d'examen"}
	if _, err := e.svc.SaveSettings(ctx, e.a, s.dir, in); err != nil {
		t.Fatal(err)
	}
	for name, who := range map[string]uuid.UUID{"parent": s.g1, "teacher": s.tA} {
		_, err := e.svc.Send(ctx, e.a, who, draft("Bonjour", "x", s.vs))
		wantKind(t, err, fault.ErrConflict, "suspendue depuis le 5 octobre 2026 à 10:00 par la direction (motif : envois abusifs en cours d'examen)")
		wantKind(t, err, fault.ErrConflict, "adressez-vous à la direction")
		b, err := e.svc.Blocked(ctx, e.a, who)
		if err != nil || b == nil || !b.Establishment || !strings.Contains(b.Text(), "envois abusifs") {
			t.Errorf("%s: banner %+v (%v)", name, b, err)
		}
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages stored while suspended", n)
	}
	e.send(t, s.dir, draft("Messagerie suspendue", "Explication", s.g1))
	if b, err := e.svc.Blocked(ctx, e.a, s.dir); err != nil || b != nil {
		t.Errorf("the direction is blocked: %+v (%v)", b, err)
	}
	if _, err := e.svc.Send(ctx, e.b, sb.g1, draft("Bonjour", "x", sb.vs)); err != nil {
		t.Errorf("the other establishment is suspended too: %v", err)
	}
	in.Suspended = false
	if _, err := e.svc.SaveSettings(ctx, e.a, s.dir, in); err != nil {
		t.Fatal(err)
	}
	e.send(t, s.g1, draft("Bonjour", "x", s.vs))
}

// TestAccountSuspension: a suspended account cannot send (409, saying since when, why and
// whom to ask) but others can; the list shows it; a person of another establishment cannot
// be suspended here (404), nor oneself; lifting lets them send again; lifting again is 404.
func TestAccountSuspension(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	sb := e.school(t, e.b)
	ctx := context.Background()
	if err := e.svc.SuspendAccount(ctx, e.a, s.dir, s.g1, ""); err == nil {
		t.Error("a suspension without reason was accepted")
	}
	if err := e.svc.SuspendAccount(ctx, e.a, s.dir, s.g1, "messages insultants"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Send(ctx, e.a, s.g1, draft("Bonjour", "x", s.tA))
	wantKind(t, err, fault.ErrConflict, "suspendu pour votre compte depuis le 5 octobre 2026 à 10:00 (motif : messages insultants)")
	wantKind(t, err, fault.ErrConflict, "direction de l'établissement")
	e.send(t, s.g3, draft("Bonjour", "x", s.tB))
	list, err := e.svc.Suspensions(ctx, e.a)
	if err != nil || len(list) != 1 || list[0].Person.ID != s.g1 || list[0].Suspension.By != "DIR Test" {
		t.Fatalf("suspended accounts %+v (%v)", list, err)
	}
	if other, err := e.svc.Suspensions(ctx, e.b); err != nil || len(other) != 0 {
		t.Errorf("the other establishment lists %+v (%v)", other, err)
	}
	if err := e.svc.SuspendAccount(ctx, e.a, s.dir, sb.g1, "x"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("suspending a person of another establishment: %v, want not found", err)
	}
	if err := e.svc.SuspendAccount(ctx, e.a, s.dir, s.dir, "x"); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("suspending oneself: %v", err)
	}
	if err := e.svc.LiftSuspension(ctx, e.b, s.g1); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("lifting from the other establishment: %v, want not found", err)
	}
	if err := e.svc.LiftSuspension(ctx, e.a, s.g1); err != nil {
		t.Fatal(err)
	}
	e.send(t, s.g1, draft("Bonjour", "x", s.tA))
	if err := e.svc.LiftSuspension(ctx, e.a, s.g1); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("lifting twice: %v", err)
	}
}

// TestReports: a guardian reports a teacher's message; the vie scolaire and the direction
// are notified, nobody else; the sender cannot report their own message, a person who did
// not receive it gets 404, as does the other establishment; the report opens the
// conversation as the reporter sees it without marking anything read; handling needs a
// comment, moves it to the handled list and cannot be done twice.
func TestReports(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	e.svc = messaging.NewService(e.reg.DB(), e.clock.Now, notify.NewService(e.reg.DB(), e.clock.Now))
	sent := e.send(t, s.tA, draft("Remarque", "Un message déplacé", s.g1, s.p1))
	if _, err := e.svc.Report(ctx, e.a, s.g1, sent.Message, " "); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("a report without reason: %v", err)
	}
	id, err := e.svc.Report(ctx, e.a, s.g1, sent.Message, "Ton agressif")
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Report(ctx, e.a, s.g1, sent.Message, "Encore")
	if err != nil || again != id {
		t.Errorf("reporting twice gave %s (%v), want the same report %s", again, err, id)
	}
	told := func(p uuid.UUID) int {
		return e.count(t, e.a, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.person_id = ? AND n.link = ?`, p, "/messagerie/signalements/"+id.String())
	}
	for who, want := range map[uuid.UUID]int{s.vs: 1, s.dir: 1, s.g1: 0, s.tA: 0, s.p1: 0, s.pers: 0} {
		if got := told(who); got != want {
			t.Errorf("%s told %d times of the report, want %d", s.all[who], got, want)
		}
	}
	if _, err := e.svc.Report(ctx, e.a, s.tA, sent.Message, "x"); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("the sender reports their own message: %v", err)
	}
	if _, err := e.svc.Report(ctx, e.a, s.p2, sent.Message, "x"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a person who did not receive it reports: %v, want not found", err)
	}
	if _, err := e.svc.Report(ctx, e.b, s.g1, sent.Message, "x"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("reported in the other establishment: %v, want not found", err)
	}
	open, err := e.svc.Reports(ctx, e.a, false)
	if err != nil || len(open) != 1 || open[0].Reporter.ID != s.g1 || open[0].Sender.ID != s.tA || open[0].Reason != "Ton agressif" {
		t.Fatalf("open reports %+v (%v)", open, err)
	}
	if other, err := e.svc.Reports(ctx, e.b, false); err != nil || len(other) != 0 {
		t.Errorf("the other establishment sees %+v (%v)", other, err)
	}
	if _, err := e.svc.ReportedConversation(ctx, e.b, id); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("the report opened from the other establishment: %v", err)
	}
	rt, err := e.svc.ReportedConversation(ctx, e.a, id)
	if err != nil || rt.Thread == nil || len(rt.Thread.Messages) != 1 || string(rt.Thread.Messages[0].HTML) != "<p>Un message déplacé</p>\n" {
		t.Fatalf("reported conversation %+v (%v)", rt, err)
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM message_copies WHERE person_id = ? AND read_at IS NULL`, s.g1); n != 1 {
		t.Errorf("opening the report changed the reporter's read marks (%d unread, want 1)", n)
	}
	if err := e.svc.HandleReport(ctx, e.a, s.vs, id, ""); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("handled without comment: %v", err)
	}
	if err := e.svc.HandleReport(ctx, e.b, s.vs, id, "x"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("handled from the other establishment: %v", err)
	}
	if err := e.svc.HandleReport(ctx, e.a, s.vs, id, "Entretien avec l'enseignant"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.svc.HandleReport(ctx, e.a, s.dir, id, "y"), fault.ErrConflict, "déjà été traité le 5 octobre 2026 à 10:00 par VS Test")
	if open, _ := e.svc.Reports(ctx, e.a, false); len(open) != 0 {
		t.Errorf("still open: %+v", open)
	}
	done, err := e.svc.Reports(ctx, e.a, true)
	if err != nil || len(done) != 1 || done[0].Comment != "Entretien avec l'enseignant" || done[0].HandledBy != "VS Test" {
		t.Errorf("handled reports %+v (%v)", done, err)
	}
}

// plannedJobs records the jobs a send enqueues.
type plannedJobs struct {
	jobs []river.JobArgs
	at   []time.Time
}

func (q *plannedJobs) InsertTx(_ *gorm.DB, _ *tenant.Tenant, args river.JobArgs, at time.Time) error {
	q.jobs, q.at = append(q.jobs, args), append(q.at, at)
	return nil
}

// TestMessagingHours: a message sent at 21:30 is in its recipient's réception at once, but
// nobody is told before 07:00 the next morning (school time); the job run at 06:59 waits, at
// 07:00 it tells once, run again nothing more. Within the hours a message is told at once.
// Other kinds of notification keep notify's own rule (told at once, whatever the hour).
func TestMessagingHours(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	ctx := context.Background()
	ns := notify.NewService(e.reg.DB(), e.clock.Now)
	e.svc = messaging.NewService(e.reg.DB(), e.clock.Now, ns)
	q := &plannedJobs{}
	e.svc.SetQueue(q)
	told := func(p uuid.UUID) int {
		return e.count(t, e.a, `SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE r.person_id = ? AND n.kind = 'message'`, p)
	}

	e.clock.Set(time.Date(2026, time.October, 5, 21, 30, 0, 0, testenv.Paris))
	sent := e.send(t, s.g1, draft("Ce soir", "Bonsoir", s.tA))
	if p, err := e.svc.List(ctx, e.a, s.tA, messaging.Inbox, uuid.Nil); err != nil || len(p.Items) != 1 {
		t.Fatalf("the message is not delivered at once: %+v (%v)", p, err)
	}
	if told(s.tA) != 0 {
		t.Fatal("told at 21:30, outside the messaging hours")
	}
	morning := time.Date(2026, time.October, 6, 7, 0, 0, 0, testenv.Paris)
	if sent.NoticeAt == nil || !sent.NoticeAt.Equal(morning) {
		t.Errorf("the sender is told the notice waits until %v, want %v", sent.NoticeAt, morning)
	}
	if d, err := e.svc.Delivery(ctx, e.a, s.g1, sent.Message); err != nil || d.NoticeAt == nil || d.NoticeWhen() != "6 octobre 2026 à 07:00" {
		t.Errorf("the page after the send: %+v (%v)", d, err)
	}
	if len(q.jobs) != 1 || !q.at[0].Equal(morning) {
		t.Fatalf("planned %v at %v, want one job at %v", q.jobs, q.at, morning)
	}
	job := q.jobs[0].(messaging.TellMessage)
	if job.Message != sent.Message {
		t.Fatalf("job for %s, want %s", job.Message, sent.Message)
	}
	e.clock.Set(morning.Add(-time.Minute))
	if ok, wait, err := e.svc.TellDeferred(ctx, e.a, job); err != nil || ok || wait != time.Minute {
		t.Fatalf("at 06:59: told %v, wait %v (%v)", ok, wait, err)
	}
	e.clock.Set(morning)
	if ok, _, err := e.svc.TellDeferred(ctx, e.a, job); err != nil || !ok {
		t.Fatalf("at 07:00: told %v (%v)", ok, err)
	}
	if ok, _, err := e.svc.TellDeferred(ctx, e.a, job); err != nil || ok {
		t.Fatalf("run again: told %v (%v)", ok, err)
	}
	if told(s.tA) != 1 {
		t.Errorf("the teacher was told %d times, want 1", told(s.tA))
	}
	var at time.Time
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT created_at FROM notification_recipients WHERE person_id = ?`, s.tA).Row().Scan(&at)
	})
	if at.Before(morning) || at.Sub(morning) > time.Second { // the test clock ticks a millisecond a read
		t.Errorf("the notification is dated %v, want %v", at, morning)
	}

	// Within the hours: at once, no job.
	e.clock.Set(time.Date(2026, time.October, 6, 10, 0, 0, 0, testenv.Paris))
	e.send(t, s.g1, draft("Ce matin", "Bonjour", s.tA))
	if len(q.jobs) != 1 || told(s.tA) != 2 {
		t.Errorf("within the hours: %d jobs, told %d times; want 1 job, told twice", len(q.jobs), told(s.tA))
	}

	// Another module's notification at 21:30 is recorded at once (notify's rule).
	e.clock.Set(time.Date(2026, time.October, 6, 21, 30, 0, 0, testenv.Paris))
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return ns.Notify(tx, e.a, notify.Notice{Kind: notify.KindAbsence, Recipients: []uuid.UUID{s.g1}, Title: "Absence"})
	})
	if n := e.count(t, e.a, `SELECT count(*) FROM notification_recipients WHERE person_id = ?`, s.g1); n != 1 {
		t.Errorf("an absence notice at 21:30: %d notifications, want 1 at once", n)
	}
}

// TestPurgeMessages: with a retention of one year, a message of two years ago and its
// conversation go, a recent one stays; a message nobody holds any more (everyone in it
// left and was purged by the directory) goes; the other establishment, at its default 3
// years, keeps its two-year-old message; running the purge again deletes nothing.
func TestPurgeMessages(t *testing.T) {
	e := newEnv(t)
	s := e.school(t, e.a)
	sb := e.school(t, e.b)
	ctx := context.Background()
	start := e.clock.Now()
	e.clock.Set(start.AddDate(-2, 0, 0))
	old := e.send(t, s.g1, draft("Ancien", "x", s.tA))
	if _, err := e.svc.Send(ctx, e.b, sb.g1, draft("Ancien", "x", sb.tA)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.AddDate(0, -1, 0))
	recent := e.send(t, s.g1, draft("Récent", "x", s.tA))
	gone := e.send(t, s.g3, draft("Partis", "x", s.tB))
	e.clock.Set(start)
	// The directory's purge of leavers deletes both people: their copies go by cascade.
	e.tx(t, e.a, func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM message_copies WHERE message_id = ?`, gone.Message).Error
	})
	if _, err := e.svc.SaveSettings(ctx, e.a, s.dir, settingsInput("07:00", "20:00", 1)); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Purge(ctx, e.a, start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 2 || res.Conversations != 2 {
		t.Errorf("purged %+v, want 2 messages and 2 conversations", res)
	}
	for id, want := range map[uuid.UUID]int{old.Message: 0, gone.Message: 0, recent.Message: 1} {
		if n := e.count(t, e.a, `SELECT count(*) FROM messages WHERE id = ?`, id); n != want {
			t.Errorf("message %s: %d rows, want %d", id, n, want)
		}
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM conversations WHERE id = ?`, old.Conversation); n != 0 {
		t.Error("the old message's conversation stays, empty")
	}
	if n := e.count(t, e.a, `SELECT count(*) FROM message_copies WHERE message_id = ?`, old.Message); n != 0 {
		t.Error("the old message's copies stay")
	}
	if res, err := e.svc.Purge(ctx, e.a, start); err != nil || res != (messaging.Purged{}) {
		t.Errorf("purge again: %+v (%v), want nothing", res, err)
	}
	if res, err := e.svc.Purge(ctx, e.b, start); err != nil || res != (messaging.Purged{}) {
		t.Errorf("the other establishment's purge: %+v (%v), want nothing (3 years)", res, err)
	}
	if n := e.count(t, e.b, `SELECT count(*) FROM messages`); n != 1 {
		t.Errorf("the other establishment keeps %d messages, want 1", n)
	}
}
