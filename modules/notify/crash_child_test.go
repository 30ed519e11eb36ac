package notify_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/ops/testenv"
	"github.com/cartable-ent/cartable/tenant"
)

// The crash test's child: the test binary started again with these variables set runs a
// worker process (a River queue with the notifications' mailer on the real SMTP server) that
// kills itself with SIGKILL at a chosen point, as a crash of the server would end it.
const (
	childMode = "CARTABLE_NOTIFY_CRASH_MODE" // after-send, before-send, after-commit
	childDSN  = "CARTABLE_NOTIFY_CRASH_DSN"
	childUAI  = "CARTABLE_NOTIFY_CRASH_UAI"
	childSMTP = "CARTABLE_NOTIFY_CRASH_SMTP_PORT"
	childAt   = "CARTABLE_NOTIFY_CRASH_AT" // the how-manieth mail of the process the kill happens at
)

// crashChild runs the child when the process is one, and never returns then.
func crashChild() bool {
	mode := os.Getenv(childMode)
	if mode == "" {
		return false
	}
	err := runChild(mode)
	fmt.Fprintln(os.Stderr, "crash child did not die:", err)
	os.Exit(2)
	return true
}

func die() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }

func runChild(mode string) error {
	ctx := context.Background()
	gdb, err := tenant.Open(ctx, os.Getenv(childDSN), tenant.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		return err
	}
	reg, err := tenant.NewRegistry(ctx, gdb, tenant.Options{})
	if err != nil {
		return err
	}
	tn, err := reg.Get(ctx, os.Getenv(childUAI))
	if err != nil {
		return err
	}
	port, _ := strconv.Atoi(os.Getenv(childSMTP))
	at, _ := strconv.Atoi(os.Getenv(childAt))
	smtp, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", From: "Cartable <ne-pas-repondre@cartable.test>"})
	if err != nil {
		return err
	}
	svc := notify.NewService(reg.DB(), testenv.NewClock(testenv.SchoolDay).Now)
	mailer := notify.NewMailer(svc, notify.MailerConfig{Transport: &killing{inner: smtp, mode: mode, at: int64(at)},
		Tenants: tenants{reg}, SiteURL: siteURL, Domain: "cartable.test"})
	sqlDB, _ := gdb.DB()
	q, err := jobs.New(sqlDB, jobs.Duties{Modules: []jobs.Work{mailer}}, jobs.Config{Poll: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	svc.SetQueue(q)
	if mode == "after-commit" {
		err := reg.DB().Tx(ctx, tn, func(tx *gorm.DB) error { return svc.Notify(tx, tn, guardiansNotice(tx)) })
		if err != nil {
			return err
		}
		die() // committed: the notification and its job are in PostgreSQL, nothing was sent
	}
	if err := q.Start(ctx); err != nil {
		return err
	}
	time.Sleep(60 * time.Second)
	return errors.New("60 s without reaching the kill point")
}

// guardiansNotice tells every guardian of the establishment of tx.
func guardiansNotice(tx *gorm.DB) notify.Notice {
	n := notify.Notice{Kind: notify.KindAbsence, Title: "Absence de Zoé Lefèvre", Body: "Absente ce matin de 8 h à 10 h.", Link: "/absences"}
	rows, err := tx.Raw(`SELECT id FROM people WHERE category = 'responsable' ORDER BY first_name`).Rows()
	if err != nil {
		return n
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		if rows.Scan(&id) == nil {
			n.Recipients = append(n.Recipients, id)
		}
	}
	return n
}

// killing is the SMTP transport of a process that dies at its at-th mail: just after the
// server accepted it (after-send) or just before the SMTP exchange (before-send).
type killing struct {
	inner notify.Transport
	mode  string
	at    int64
	sent  atomic.Int64
}

func (k *killing) Open(ctx context.Context) (notify.Conn, error) {
	c, err := k.inner.Open(ctx)
	if err != nil {
		return nil, err
	}
	return killingConn{c, k}, nil
}

type killingConn struct {
	notify.Conn
	k *killing
}

func (c killingConn) Send(m notify.Mail) error {
	n := c.k.sent.Add(1)
	if n == c.k.at && c.k.mode == "before-send" {
		die()
	}
	err := c.Conn.Send(m)
	if n == c.k.at && c.k.mode == "after-send" && err == nil {
		die()
	}
	return err
}
