package messaging

// Retention (issue 10): a message is kept the establishment's retention (3 years by
// default), or until the person leaves plus DOMAIN.md's three months, whichever comes
// first. The second half is the directory's purge of leavers: it deletes the person, and
// their copies go with them (message_copies cascades), the messages they sent staying,
// unsigned, in their recipients' folders. What it leaves is a message nobody holds a copy
// of any more (everyone in it left) and its conversation: purge_messages deletes those too.
// Rows that belong to a message (copies, reports, deferred notices, attachments' rows) go
// by cascade; attachments' blobs are swept by their own sweep.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// PurgeMessages is the daily job that deletes, in every establishment, the messages older
// than its retention and those nobody holds any more.
type PurgeMessages struct{}

// Kind names the job in River.
func (PurgeMessages) Kind() string { return "purge_messages" }

// Purged is what one purge deleted.
type Purged struct {
	Messages      int   `json:"messages"`
	Conversations int   `json:"conversations"`
	Bytes         int64 `json:"bytes"` // of the messages' attachments
}

// purgeBatch bounds the messages deleted in one transaction (a first purge of years).
const purgeBatch = 2000

// Purge deletes t's messages sent before now minus the establishment's retention, the
// messages without any copy left, and the conversations left empty. Running it again
// deletes nothing more.
func (s *Service) Purge(ctx context.Context, t *tenant.Tenant, now time.Time) (Purged, error) {
	var out Purged
	for {
		var n int
		err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
			set, err := loadSettings(tx)
			if err != nil {
				return err
			}
			cutoff := now.AddDate(-set.RetentionYears, 0, 0)
			var gone struct{ N, Bytes int64 }
			if err := tx.Raw(`WITH old AS (
					SELECT m.id FROM messages m WHERE m.sent_at < ?
					UNION SELECT m.id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM message_copies c WHERE c.message_id = m.id)
					LIMIT ?
				), del AS (
					DELETE FROM messages m USING old WHERE m.id = old.id RETURNING m.id
				)
				SELECT (SELECT count(*) FROM del) AS n,
					(SELECT coalesce(sum(f.size), 0) FROM message_files f JOIN old ON old.id = f.message_id) AS bytes`, cutoff, purgeBatch).Scan(&gone).Error; err != nil {
				return fmt.Errorf("messaging: purge messages: %w", err)
			}
			n = int(gone.N)
			out.Bytes += gone.Bytes
			res := tx.Exec(`DELETE FROM conversations v WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = v.id)`)
			if res.Error != nil {
				return fmt.Errorf("messaging: purge empty conversations: %w", res.Error)
			}
			out.Conversations += int(res.RowsAffected)
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("messaging: purge of %s: %w", t.UAI, err)
		}
		out.Messages += n
		if n < purgeBatch {
			return out, nil
		}
	}
}

// Jobs is the messagerie's work on the job queue (a jobs.Work): the deferred notices and
// the retention's purge.
type Jobs struct {
	svc     *Service
	tenants Tenants
	log     *slog.Logger
	report  PurgeReport // SetReport; nil: the purges are only logged
}

// PurgeReport records what a retention purge removed in an establishment (the région's
// report of the retention, wired by cmd/cartable).
type PurgeReport interface {
	Purged(ctx context.Context, t *tenant.Tenant, kind string, count, bytes int64) error
}

// ReportKind is the kind of data the purge of messages reports (retention.Kinds).
const ReportKind = "messages"

// SetReport makes every purge of an establishment write what it removed to r.
func (j *Jobs) SetReport(r PurgeReport) *Jobs { j.report = r; return j }

// Tenants finds establishments for the jobs (cmd/cartable's lister).
type Tenants interface {
	Get(ctx context.Context, uai string) (*tenant.Tenant, error)
	Live(ctx context.Context) ([]tenant.Tenant, error)
}

// Jobs returns the messagerie's job workers, finding establishments with tenants.
func (s *Service) Jobs(tenants Tenants, log *slog.Logger) *Jobs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Jobs{svc: s, tenants: tenants, log: log}
}

// AddWorkers adds the messagerie's workers (jobs.Work).
func (j *Jobs) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &tellWorker{j: j})
	river.AddWorker(w, &purgeWorker{j: j})
}

// PeriodicJobs plans the purge once a day (jobs.Work).
func (j *Jobs) PeriodicJobs() []*river.PeriodicJob {
	const every = 24 * time.Hour
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return PurgeMessages{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the jobs in the console (jobs.Labelled).
func (j *Jobs) JobLabels() map[string]string {
	return map[string]string{
		TellMessage{}.Kind():   "Notification des messages envoyés hors des heures de messagerie",
		PurgeMessages{}.Kind(): "Purge des messages après leur durée de conservation",
	}
}

// PurgeAll purges every establishment; one failing does not stop the others.
func (j *Jobs) PurgeAll(ctx context.Context) error {
	ts, err := j.tenants.Live(ctx)
	if err != nil {
		return err
	}
	now := j.svc.now()
	var errs []error
	for i := range ts {
		res, err := j.svc.Purge(ctx, &ts[i], now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if j.report != nil {
			if err := j.report.Purged(ctx, &ts[i], ReportKind, int64(res.Messages), res.Bytes); err != nil {
				errs = append(errs, err)
			}
		}
		if res.Messages+res.Conversations > 0 {
			j.log.Info("messages purged", "tenant", ts[i].UAI, "messages", res.Messages, "conversations", res.Conversations)
		}
	}
	return errors.Join(errs...)
}

type purgeWorker struct {
	river.WorkerDefaults[PurgeMessages]
	j *Jobs
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeMessages]) error {
	return w.j.PurgeAll(ctx)
}
