package notify

// E-mails, exactly once.
//
// Never lost: Notify writes the mail rows and the River jobs that send them in the caller's
// transaction. Once it commits, both are in PostgreSQL; a process that dies afterwards
// leaves the job available (or running, and River's rescuer makes it available again after
// Config.RescueAfter), and the next worker sends what is still to send.
//
// At most once: SMTP and PostgreSQL cannot commit together, so each mail row is a small
// state machine and its id is the e-mail's Message-ID (<id@domain>), the idempotency key:
//
//	pending ──claim (committed before any SMTP byte)──▶ sending ──server said 250──▶ sent
//
//   - A job finding a mail sent (or skipped, failed, unknown) does nothing: a retried chunk
//     skips what an earlier attempt delivered.
//   - A refusal the server answered, or a failure before the message's final dot, means the
//     server did not take it: the claim is released (pending) and the job retried.
//   - A job finding a mail still "sending" knows an earlier attempt claimed it and ended
//     without recording the outcome: it died between the claim and the record, or lost the
//     server's answer to the final dot. The server may or may not hold the message. The
//     attempt asks the mail server whether that Message-ID arrived (Arrivals: mailpit's
//     search API in dev and tests): yes → recorded sent without sending again; no → sent.
//     Without such a check, at most once wins: the mail is marked "unknown" and not sent
//     again (logged), since a duplicate cannot be taken back and the window is one SMTP
//     exchange of one message.
//
// Two attempts never work the same mail at once: each mail belongs to exactly one job, River
// runs a job's attempts one after the other, and it rescues a running job only after
// RescueAfter (jobs.Config; 1 h 30 by default), longer than the job's timeout (30 min),
// itself far longer than a chunk's SMTP exchanges (each bounded by SMTPConfig.Timeout).
// (The claim's FOR UPDATE only serialises claims: a second sender at the same time would
// find "sending", ask the server before the first had finished, and could send again. What
// excludes it is River's one attempt at a time, hence the timeouts above.)
//
// To spend one transaction per mail, a mail's "sent" is written by the transaction that
// claims the next one (the chunk's last by its own): until then it is "sending", which a
// retry settles with the check as above.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// SendMails sends some mails of an establishment over one SMTP connection.
type SendMails struct {
	TenantUAI string      `json:"tenant_uai"`
	Mails     []uuid.UUID `json:"mails"`
}

// Kind names the job in River.
func (SendMails) Kind() string { return "notify_send_mails" }

// PlanDigests writes the day's digests of every establishment where the digest hour has
// come, and enqueues their sending.
type PlanDigests struct{}

// Kind names the job in River.
func (PlanDigests) Kind() string { return "notify_plan_digests" }

// mailsPerJob is how many mails one job sends over one connection.
const mailsPerJob = 50

// digestEvery is how often the digests are planned.
const digestEvery = 15 * time.Minute

// Tenants finds establishments for the jobs (the registry and cmd/cartable's lister).
type Tenants interface {
	Get(ctx context.Context, uai string) (*tenant.Tenant, error)
	Live(ctx context.Context) ([]tenant.Tenant, error)
}

// MailerConfig is what the e-mail side needs.
type MailerConfig struct {
	Transport Transport // nil: no SMTP server configured; mails stay pending
	Arrivals  Arrivals  // nil: no way to ask the server (see above)
	Tenants   Tenants
	SiteURL   func(slug string) string // an establishment's site, for links: http://slug.base/
	Domain    string                   // right side of the Message-IDs (the base domain)
	Logger    *slog.Logger
}

// Mailer sends the notifications' e-mails from River jobs (a jobs.Work).
type Mailer struct {
	svc *Service
	cfg MailerConfig
}

// NewMailer binds the e-mail side to the service.
func NewMailer(svc *Service, cfg MailerConfig) *Mailer {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Domain == "" {
		cfg.Domain = "cartable.localhost"
	}
	return &Mailer{svc: svc, cfg: cfg}
}

// AddWorkers adds the e-mail workers to the queue's (jobs.Work).
func (m *Mailer) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &sendWorker{m: m})
	river.AddWorker(w, &digestWorker{m: m})
	river.AddWorker(w, &cleanWorker{m: m})
}

// PeriodicJobs plans the digests every quarter of an hour and cleans old notifications
// daily (jobs.Work).
func (m *Mailer) PeriodicJobs() []*river.PeriodicJob {
	every := func(d time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: d}}
		}, &river.PeriodicJobOpts{RunOnStart: true})
	}
	return []*river.PeriodicJob{every(digestEvery, PlanDigests{}), every(cleanEvery, CleanNotifications{})}
}

// JobLabels names the jobs in the console (jobs.Labelled).
func (m *Mailer) JobLabels() map[string]string {
	return map[string]string{
		SendMails{}.Kind():          "Envoi des courriels de notification",
		PlanDigests{}.Kind():        "Résumés quotidiens des notifications",
		CleanNotifications{}.Kind(): "Suppression des notifications anciennes",
	}
}

type sendWorker struct {
	river.WorkerDefaults[SendMails]
	m *Mailer
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendMails]) error {
	if w.m.cfg.Transport == nil {
		// No SMTP server configured (CARTABLE_SMTP_HOST): the mails wait, asked again hourly.
		return river.JobSnooze(time.Hour)
	}
	t, err := w.m.cfg.Tenants.Get(ctx, job.Args.TenantUAI)
	if err != nil {
		return err
	}
	return w.m.Send(ctx, t, job.Args.Mails)
}

// Send delivers the mails ids of t, each at most once (see the top of this file), over one
// connection opened at the first mail to send. A mail's outcome is recorded in the
// transaction that claims the next one (one transaction per mail), the last one's alone.
func (m *Mailer) Send(ctx context.Context, t *tenant.Tenant, ids []uuid.UUID) (err error) {
	var conn Conn
	var last *outcome // the previous mail's, not recorded yet
	defer func() {
		if conn != nil {
			_ = conn.Close()
		}
		if last != nil {
			err = errors.Join(err, m.settle(ctx, t, *last))
		}
	}()
	for _, id := range ids {
		mail, ok, err := m.claim(ctx, t, id, last)
		last = nil
		if err != nil {
			return err // the previous mail, if any, stays "sending": its retry asks the server
		}
		if !ok {
			continue
		}
		if conn == nil {
			if conn, err = m.cfg.Transport.Open(ctx); err != nil {
				last = &outcome{id, "pending"}
				return err
			}
		}
		err = conn.Send(mail)
		var unsure *uncertain
		var refused *permanentError
		switch {
		case err == nil:
			last = &outcome{id, "sent"}
		case errors.As(err, &refused):
			m.cfg.Logger.Warn("e-mail refused by the server", "tenant", t.UAI, "mail", id, "err", err)
			last = &outcome{id, "failed"}
		case errors.As(err, &unsure):
			return err // stays "sending": the retry asks the server
		default:
			last = &outcome{id, "pending"} // the server did not take it
			return err
		}
	}
	return nil
}

// outcome is what became of a mail once sent, refused, or given back.
type outcome struct {
	id    uuid.UUID
	state string
}

// claim records prev's outcome (when not nil), then takes mail id for sending and composes
// it, in one committed transaction. ok is false when there is nothing to send: done before,
// skipped, or settled by the check.
func (m *Mailer) claim(ctx context.Context, t *tenant.Tenant, id uuid.UUID, prev *outcome) (mail Mail, ok bool, err error) {
	err = m.svc.db.Tx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		now := m.svc.now()
		if prev != nil {
			if err := st.settleMail(prev.id, prev.state, now); err != nil {
				return err
			}
		}
		row, err := st.lockMail(id)
		if errors.Is(err, errNoMail) {
			return nil // its person was purged meanwhile
		}
		if err != nil {
			return err
		}
		switch row.State {
		case "pending":
			if row.Off {
				return st.settleMail(id, "skipped", now)
			}
		case "sending":
			settled, err := m.check(ctx, st, t, row, now)
			if err != nil || settled {
				return err
			}
		default:
			return nil
		}
		if err := st.claimMail(id, now); err != nil {
			return err
		}
		mail, err = m.compose(st, t, row)
		ok = err == nil
		return err
	})
	return mail, ok, err
}

// check settles a mail an earlier attempt claimed without recording its outcome: sent when
// the server holds its Message-ID, unknown when nobody can tell; settled is false when it is
// to be sent again (the server never got it).
func (m *Mailer) check(ctx context.Context, st store, t *tenant.Tenant, row mailRow, now time.Time) (settled bool, err error) {
	if m.cfg.Arrivals == nil {
		m.cfg.Logger.Warn("e-mail claimed by an attempt that ended without its outcome, and no way to ask the server: not sent again",
			"tenant", t.UAI, "mail", row.ID)
		return true, st.settleMail(row.ID, "unknown", now)
	}
	arrived, err := m.cfg.Arrivals.Arrived(ctx, m.messageID(row.ID))
	if err != nil {
		return false, err
	}
	if arrived {
		return true, st.settleMail(row.ID, "sent", now)
	}
	return false, nil
}

// settle records a mail's outcome in its own transaction.
func (m *Mailer) settle(ctx context.Context, t *tenant.Tenant, o outcome) error {
	return m.svc.db.Tx(ctx, t, func(tx *gorm.DB) error { return store{tx}.settleMail(o.id, o.state, m.svc.now()) })
}

func (m *Mailer) messageID(id uuid.UUID) string { return id.String() + "@" + m.cfg.Domain }

// compose writes the e-mail of a mail row: one notification, or a digest of the day.
func (m *Mailer) compose(st store, t *tenant.Tenant, row mailRow) (Mail, error) {
	site := strings.TrimSuffix(m.cfg.SiteURL(t.Slug), "/")
	footer := fmt.Sprintf("\n\n--\n%s, par Cartable. Toutes vos notifications : %s/notifications\nChoisir ce que vous recevez par courriel : %s/notifications/preferences\n",
		t.Name, site, site)
	out := Mail{MessageID: m.messageID(row.ID), To: row.Address}
	items, err := st.mailItems(row)
	if err != nil {
		return out, err
	}
	if row.NotificationID != nil {
		if len(items) == 0 {
			return out, fmt.Errorf("notify: notification of mail %s not found", row.ID)
		}
		n := items[0]
		out.Subject = n.Title
		out.Text = n.Body
		if n.Link != "" {
			out.Text += "\n\n" + site + n.Link
		}
		out.Text = strings.TrimSpace(out.Text) + footer
		return out, nil
	}
	out.Subject = fmt.Sprintf("Vos notifications du %s", frenchDate(*row.DigestDay))
	var b strings.Builder
	fmt.Fprintf(&b, "%d notification(s) depuis le dernier résumé :\n", len(items))
	for _, n := range items {
		fmt.Fprintf(&b, "\n• %s — %s\n", n.Kind.Label(), n.Title)
		if n.Body != "" {
			fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(n.Body, "\n", "\n  "))
		}
		if n.Link != "" {
			fmt.Fprintf(&b, "  %s%s\n", site, n.Link)
		}
	}
	out.Text = b.String() + footer
	return out, nil
}

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frenchDate(d time.Time) string {
	return fmt.Sprintf("%d %s %d", d.Day(), months[d.Month()-1], d.Year())
}

type digestWorker struct {
	river.WorkerDefaults[PlanDigests]
	m *Mailer
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[PlanDigests]) error {
	return w.m.eachTenant(ctx, func(t *tenant.Tenant) error {
		n, err := w.m.PlanDigests(ctx, t)
		if n > 0 {
			w.m.cfg.Logger.Info("digests planned", "job", job.ID, "tenant", t.UAI, "digests", n)
		}
		return err
	})
}

// eachTenant runs fn for every live establishment, all of them even when some fail, and
// returns the failures, each named by its UAI.
func (m *Mailer) eachTenant(ctx context.Context, fn func(t *tenant.Tenant) error) error {
	ts, err := m.cfg.Tenants.Live(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range ts {
		if err := fn(&ts[i]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ts[i].UAI, err))
		}
	}
	return errors.Join(errs...)
}

// PlanDigests writes today's digest of each person of t with notifications waiting for one,
// once the digest hour has come, and enqueues their sending (after the quiet hours if they
// cover it). A person gets one digest a day; what arrives later waits for tomorrow's.
func (m *Mailer) PlanDigests(ctx context.Context, t *tenant.Tenant) (int, error) {
	now := m.svc.now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	if now.Sub(midnight) < DigestHour {
		return 0, nil
	}
	var n int
	err := m.svc.db.Tx(ctx, t, func(tx *gorm.DB) error {
		st := store{tx}
		quiet, err := st.quietHours()
		if err != nil {
			return err
		}
		at := quiet.nextSend(now)
		ids, err := st.planDigests(midnight, now, at)
		if err != nil {
			return err
		}
		n = len(ids)
		return m.svc.enqueue(tx, t, ids, at)
	})
	return n, err
}
