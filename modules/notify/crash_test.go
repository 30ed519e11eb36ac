package notify_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/localstack"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// startMailpit runs a real mailpit for the test (SMTP and its JSON API).
func startMailpit(t testing.TB) *localstack.Mailpit {
	t.Helper()
	mp, err := localstack.StartMailpit(context.Background(), localstack.MailpitOptions{Dir: filepath.Join(t.TempDir(), "mailpit")})
	if err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = mp.Stop() })
	return mp
}

func smtpTo(t testing.TB, mp *localstack.Mailpit) notify.Transport {
	t.Helper()
	tr, err := notify.NewSMTP(notify.SMTPConfig{Host: mp.SMTPHost(), Port: mp.SMTPPort(), TLS: "none", From: "Cartable <ne-pas-repondre@cartable.test>"})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// arrivals counts the messages mailpit holds with each mail's Message-ID.
func arrivals(t testing.TB, mp *localstack.Mailpit, ids []uuid.UUID) map[uuid.UUID]int {
	t.Helper()
	api := notify.MailpitArrivals{BaseURL: mp.APIURL()}
	ms, _, err := api.Messages(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]int{}
	for _, id := range ids {
		out[id] = 0
	}
	for _, m := range ms {
		for _, id := range ids {
			if m.MessageID == id.String()+"@cartable.test" {
				out[id]++
			}
		}
	}
	return out
}

// mailsOf lists the mails of a notification by recipient's first name.
func (e *env) mailsOf(t testing.TB, notification uuid.UUID) (ids []uuid.UUID, states []string) {
	t.Helper()
	err := e.reg.DB().ReadTx(context.Background(), e.a, func(tx *gorm.DB) error {
		rows, err := tx.Raw(`SELECT m.id, m.state FROM notification_mails m JOIN people p ON p.id = m.person_id
			WHERE m.notification_id = ? ORDER BY p.first_name`, notification).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			var s string
			if err := rows.Scan(&id, &s); err != nil {
				return err
			}
			ids, states = append(ids, id), append(states, s)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, states
}

// newNotification is the one notification of e.a that is not among known (the child's
// clock is its own, so creation times do not order them).
func (e *env) newNotification(t testing.TB, known ...uuid.UUID) uuid.UUID {
	t.Helper()
	var id string
	ks := []string{uuid.Nil.String()}
	for _, k := range known {
		ks = append(ks, k.String())
	}
	if err := e.reg.DB().ReadTx(context.Background(), e.a, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id::text FROM notifications WHERE NOT id::text IN ? LIMIT 1`, ks).Scan(&id).Error
	}); err != nil {
		t.Fatal(err)
	}
	return uuid.MustParse(id)
}

// runKilledChild starts the worker process in mode and waits for its SIGKILL.
func runKilledChild(t *testing.T, dsn string, tn *tenant.Tenant, mp *localstack.Mailpit, mode string, at int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childMode+"="+mode, childDSN+"="+dsn, childUAI+"="+string(tn.UAI),
		childSMTP+"="+strconv.Itoa(mp.SMTPPort()), childAt+"="+strconv.Itoa(at))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%s: the worker process ended without being killed: %v\n%s", mode, err, out)
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("%s: the worker process ended with %v, not SIGKILL\n%s", mode, err, out)
	}
}

// TestExactlyOnceAcrossKill kills a real worker process (SIGKILL, as a crash) at the three
// points where an e-mail could be lost or doubled, then lets a fresh worker recover, and
// checks against a real SMTP server (mailpit) that every e-mail arrived exactly once:
//   - after the server accepted a mail and before the worker recorded it (the retry asks
//     mailpit for its Message-ID and does not send it again);
//   - after the worker claimed a mail and before the SMTP exchange (the retry finds it did
//     not arrive and sends it);
//   - after the notification's transaction committed and before any job ran (the job is in
//     PostgreSQL: nothing is lost).
func TestExactlyOnceAcrossKill(t *testing.T) {
	ctx := context.Background()
	mp := startMailpit(t)
	dsn := testenv.NewDatabase(t)
	reg := tenanttest.RegistryOn(t, tenanttest.OpenDSN(t, dsn, tenant.PoolOptions{MaxOpenConns: 8}), tenant.Options{})
	e := newEnvOn(t, reg)
	for _, name := range []string{"Anne", "Bruno", "Chloé"} {
		e.person(t, e.a, "responsable", name, name+"@example.org")
	}
	notice := func() {
		e.notify(t, e.a, notify.Notice{Kind: notify.KindAbsence, Recipients: e.guardians(t), Title: "Absence de Zoé Lefèvre", Body: "Absente ce matin."})
	}

	notice()
	afterSend := e.newNotification(t)
	runKilledChild(t, dsn, e.a, mp, "after-send", 2)
	ids, states := e.mailsOf(t, afterSend)
	if got := arrivals(t, mp, ids); got[ids[0]] != 1 || got[ids[1]] != 1 || got[ids[2]] != 0 {
		t.Fatalf("killed after the 2nd mail's SMTP exchange: arrivals %v, want 1, 1, 0", got)
	}
	if want := []string{"sent", "sending", "pending"}; !equal(states, want) {
		t.Fatalf("killed after the 2nd mail's SMTP exchange: states %v, want %v", states, want)
	}

	notice()
	beforeSend := e.newNotification(t, afterSend)
	runKilledChild(t, dsn, e.a, mp, "before-send", 2)
	ids, states = e.mailsOf(t, beforeSend)
	if got := arrivals(t, mp, ids); got[ids[0]] != 1 || got[ids[1]] != 0 || got[ids[2]] != 0 {
		t.Fatalf("killed before the 2nd mail's SMTP exchange: arrivals %v, want 1, 0, 0", got)
	}
	if want := []string{"sent", "sending", "pending"}; !equal(states, want) {
		t.Fatalf("killed before the 2nd mail's SMTP exchange: states %v, want %v", states, want)
	}

	runKilledChild(t, dsn, e.a, mp, "after-commit", 0)
	afterCommit := e.newNotification(t, afterSend, beforeSend)
	ids, states = e.mailsOf(t, afterCommit)
	if len(ids) != 3 || !equal(states, []string{"pending", "pending", "pending"}) {
		t.Fatalf("killed after the commit: %d mails %v, want 3 pending", len(ids), states)
	}

	// A fresh worker: River rescues the jobs the dead processes left running after
	// RescueAfter (shortened here; an hour and a half in production) and retries them.
	sqlDB, _ := reg.Platform().DB()
	mailer := notify.NewMailer(e.svc, notify.MailerConfig{Transport: smtpTo(t, mp), Arrivals: notify.MailpitArrivals{BaseURL: mp.APIURL()},
		Tenants: tenants{reg}, SiteURL: siteURL, Domain: "cartable.test"})
	q, err := jobs.New(sqlDB, jobs.Duties{Modules: []jobs.Work{mailer}}, jobs.Config{Poll: 200 * time.Millisecond, JobTimeout: 2 * time.Second, RescueAfter: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now() // clock-ok: measures the recovery
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = q.Stop(ctx) }()
	for e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE state <> 'sent'`) > 0 {
		if time.Since(start) > 2*time.Minute { // clock-ok
			var jobs []struct{ State, Kind string }
			_ = reg.Platform().Raw(`SELECT state, kind FROM river.river_job ORDER BY id`).Scan(&jobs).Error
			t.Fatalf("mails not all sent after 2 minutes: %d not sent; jobs %v", e.count(t, e.a, `SELECT count(*) FROM notification_mails WHERE state <> 'sent'`), jobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("recovered in %s", time.Since(start).Round(100*time.Millisecond)) // clock-ok
	for _, n := range []uuid.UUID{afterSend, beforeSend, afterCommit} {
		ids, _ := e.mailsOf(t, n)
		for id, c := range arrivals(t, mp, ids) {
			if c != 1 {
				t.Errorf("mail %s arrived %d times, want exactly once", id, c)
			}
		}
	}
	if _, total, _ := (notify.MailpitArrivals{BaseURL: mp.APIURL()}).Messages(ctx, 1); total != 9 {
		t.Errorf("mailpit holds %d messages, want 9 (3 notifications × 3 guardians)", total)
	}
}

func (e *env) guardians(t testing.TB) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	err := e.reg.DB().ReadTx(context.Background(), e.a, func(tx *gorm.DB) error {
		out = guardiansNotice(tx).Recipients
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("guardians: %v", err)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
