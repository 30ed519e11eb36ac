package notify

// The notifications' cleanup: a notification tells something that happened; what happened
// stays in its module (the mark in the grades, the absence in the register), so the
// notification itself need not be kept for long.
//
//   - A read notification goes ReadKeep (3 months) after it was created: a trimester, the
//     period over which marks and absences are looked back on (report cards), after which
//     nobody scrolls back to it; RGPD's minimisation asks no more.
//   - Every notification, read or not, goes after Keep (1 year): an unread one of last year
//     will never be read, and a year is the longest the rules give to records of a
//     person's activity (connection logs, DOMAIN.md).
//
// Only what was delivered goes before the year: a read notification whose e-mail is still
// to send (quiet hours, a retrying job, tomorrow's digest) stays until it left. A
// person's row goes first; a notification goes once nobody has it any more; an e-mail row
// once its notification's row, or its digest's rows, are gone.

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// How long notifications are kept (see above).
const (
	ReadKeepMonths = 3
	KeepMonths     = 12
)

// cleanEvery is how often the cleanup runs; cleanBatch how many rows one statement deletes
// (short transactions, while people read theirs).
const (
	cleanEvery = 24 * time.Hour
	cleanBatch = 5000
)

// CleanNotifications removes old notifications of every establishment.
type CleanNotifications struct{}

// Kind names the job in River.
func (CleanNotifications) Kind() string { return "notify_clean" }

// Cleaned is what a cleanup removed.
type Cleaned struct {
	Recipients, Notifications, Mails int
}

// Clean removes t's old notifications, as of the service's clock.
func (s *Service) Clean(ctx context.Context, t *tenant.Tenant) (Cleaned, error) {
	now := s.now()
	readBefore, allBefore := now.AddDate(0, -ReadKeepMonths, 0), now.AddDate(0, -KeepMonths, 0)
	var out Cleaned
	for _, step := range []struct {
		n   *int
		del func(st store) (int, error)
	}{
		{&out.Recipients, func(st store) (int, error) { return st.cleanRecipients(readBefore, allBefore, cleanBatch) }},
		{&out.Mails, func(st store) (int, error) { return st.cleanMails(readBefore, allBefore, cleanBatch) }},
		{&out.Notifications, func(st store) (int, error) { return st.cleanNotifications(readBefore, cleanBatch) }},
	} {
		for {
			var n int
			err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
				var err error
				n, err = step.del(store{tx})
				return err
			})
			if err != nil {
				return out, err
			}
			*step.n += n
			if n < cleanBatch {
				break
			}
		}
	}
	return out, nil
}

type cleanWorker struct {
	river.WorkerDefaults[CleanNotifications]
	m *Mailer
}

func (w *cleanWorker) Work(ctx context.Context, job *river.Job[CleanNotifications]) error {
	return w.m.eachTenant(ctx, func(t *tenant.Tenant) error {
		c, err := w.m.svc.Clean(ctx, t)
		if c != (Cleaned{}) {
			w.m.cfg.Logger.Info("old notifications removed", "job", job.ID, "tenant", t.UAI,
				"recipients", c.Recipients, "notifications", c.Notifications, "mails", c.Mails)
		}
		return err
	})
}
