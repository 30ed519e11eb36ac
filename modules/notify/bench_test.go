package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// people adds n guardians with an address to tn in one statement and returns their ids.
func (e *env) people(b testing.TB, tn *tenant.Tenant, n int) []uuid.UUID {
	b.Helper()
	var out []uuid.UUID
	err := e.reg.DB().Tx(context.Background(), tn, func(tx *gorm.DB) error {
		rows, err := tx.Raw(`INSERT INTO people (category, last_name, first_name, email)
			SELECT 'responsable', 'Parent', 'P' || i, 'parent' || i || '@example.org' FROM generate_series(1, ?) i RETURNING id`, n).Rows()
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
		b.Fatal(err)
	}
	return out
}

// BenchmarkNotifyGuardians enqueues, in one transaction, an absence for each of a lycée's
// 1,500 pupils to their legal guardians (2,250 guardians: one each, two for half of them),
// every one an immediate e-mail: the notifications, 2,250 recipients, 2,250 mails and their
// 45 River jobs. Target (issue 9): under 2 s.
func BenchmarkNotifyGuardians(b *testing.B) {
	e := newEnv(b)
	g := e.people(b, e.a, 2250)
	notices := make([]notify.Notice, 1500)
	for i := range notices {
		to := []uuid.UUID{g[i]}
		if i < 750 {
			to = append(to, g[1500+i])
		}
		notices[i] = notify.Notice{Kind: notify.KindAbsence, Recipients: to, Title: fmt.Sprintf("Absence de l'élève n°%d", i+1),
			Body: "Absent(e) ce matin de 8 h à 10 h, non justifié.", Link: "/absences"}
	}
	b.ResetTimer()
	for b.Loop() {
		e.notify(b, e.a, notices...)
	}
	b.StopTimer()
	if n := e.count(b, e.a, `SELECT count(*) FROM notification_mails`); n != 2250*b.N {
		b.Fatalf("%d mails, want %d", n, 2250*b.N)
	}
}

// BenchmarkSMTPAlone is the ceiling of BenchmarkSMTPSend: the same mails over one
// connection per 50, without PostgreSQL.
func BenchmarkSMTPAlone(b *testing.B) {
	mp := startMailpit(b)
	tr := smtpTo(b, mp)
	b.ResetTimer()
	start := time.Now() // clock-ok: measures the rate
	var c notify.Conn
	for i := 0; i < b.N; i++ {
		if i%50 == 0 {
			if c != nil {
				_ = c.Close()
			}
			var err error
			if c, err = tr.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.Send(notify.Mail{MessageID: uuid.NewString() + "@cartable.test", To: fmt.Sprintf("parent%d@example.org", i),
			Subject: "Absence de Zoé Lefèvre", Text: "Absente ce matin."}); err != nil {
			b.Fatal(err)
		}
	}
	_ = c.Close()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mails/s") // clock-ok
}

// BenchmarkSMTPSend sends mails to a real SMTP server (mailpit on the same machine) the way
// the jobs do: 50 per connection, each claimed and recorded in its own transaction, with 1
// and 2 workers at once (CARTABLE_JOB_WORKERS). Reports mails/s.
func BenchmarkSMTPSend(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			mp := startMailpit(b)
			e := newEnv(b)
			mailer := notify.NewMailer(e.svc, notify.MailerConfig{Transport: smtpTo(b, mp), Tenants: tenants{e.reg}, SiteURL: siteURL, Domain: "cartable.test"})
			ps := e.people(b, e.a, b.N)
			e.notify(b, e.a, notify.Notice{Kind: notify.KindAbsence, Recipients: ps, Title: "Absence de Zoé Lefèvre", Body: "Absente ce matin."})
			ids := e.allMails(b)
			var chunks [][]uuid.UUID
			for len(ids) > 0 {
				n := min(len(ids), 50)
				chunks = append(chunks, ids[:n])
				ids = ids[n:]
			}
			work := make(chan []uuid.UUID, len(chunks))
			for _, c := range chunks {
				work <- c
			}
			close(work)
			b.ResetTimer()
			start := time.Now() // clock-ok: measures the rate
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for c := range work {
						if err := mailer.Send(context.Background(), e.a, c); err != nil {
							b.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mails/s") // clock-ok
			if _, total, _ := (notify.MailpitArrivals{BaseURL: mp.APIURL()}).Messages(context.Background(), 1); total != b.N {
				b.Errorf("mailpit holds %d messages, want %d", total, b.N)
			}
		})
	}
}

// BenchmarkUnread is what the menu's unread count adds to every page of a member: one read
// transaction counting a person's unread notifications (here 200 of 1,000).
func BenchmarkUnread(b *testing.B) {
	e := newEnv(b)
	me := e.people(b, e.a, 1)[0]
	ns := make([]notify.Notice, 1000)
	for i := range ns {
		ns[i] = notify.Notice{Kind: notify.KindNews, Recipients: []uuid.UUID{me}, Title: fmt.Sprintf("Actualité n°%d", i+1)}
	}
	e.notify(b, e.a, ns...)
	if _, err := e.svc.MarkAllRead(context.Background(), e.a, me); err != nil {
		b.Fatal(err)
	}
	e.notify(b, e.a, ns[:200]...)
	b.ResetTimer()
	for b.Loop() {
		if n, err := e.svc.Unread(context.Background(), e.a, me); err != nil || n != 200 {
			b.Fatalf("%d, %v", n, err)
		}
	}
}
