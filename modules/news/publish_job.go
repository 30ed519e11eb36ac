package news

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/cartable-ent/cartable/tenant"
)

// A post published with a publication date to come is told to its audience when that date
// comes, not at its validation: a periodic job looks, in every establishment, for the
// published posts whose date has come and whose audience was not told (notified_at), and
// tells each once, in the transaction that records it.

// TellPublished is the periodic job that tells the audiences of the posts whose
// publication date has come.
type TellPublished struct{}

// Kind names the job in River.
func (TellPublished) Kind() string { return "news_tell_published" }

// tellEvery is how often the job looks: publication dates are days, told within minutes.
const tellEvery = 10 * time.Minute

// claimNotice records that post id's audience is told at now; false when it was already.
func (s store) claimNotice(id uuid.UUID, now time.Time) (bool, error) {
	res := s.tx.Exec(`UPDATE news_posts SET notified_at = ? WHERE id = ? AND notified_at IS NULL`, now, id)
	if res.Error != nil {
		return false, fmt.Errorf("news: claim the notice of %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// TellDue tells the audience of every published post of t whose publication date has come
// by now and that nobody was told of, and returns how many posts it told. A post that
// expired before its audience could be told is marked without telling. Running it again
// tells nothing more.
func (s *Service) TellDue(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error) {
	if s.notifier == nil {
		return 0, errors.New("news: notifications are not wired")
	}
	told := 0
	err := s.write(ctx, t, func(st store) error {
		var due []postRow
		// SKIP LOCKED: a publication being saved meanwhile tells it itself.
		if err := st.tx.Raw(`SELECT * FROM news_posts WHERE state = 'publie' AND notified_at IS NULL AND publish_at <= ?
			ORDER BY publish_at LIMIT 500 FOR UPDATE SKIP LOCKED`, now).Scan(&due).Error; err != nil {
			return fmt.Errorf("news: posts due: %w", err)
		}
		for _, row := range due {
			if row.ExpiresAt != nil && !row.ExpiresAt.After(now) {
				if _, err := st.claimNotice(row.ID, now); err != nil {
					return err
				}
				continue
			}
			by := uuid.Nil
			if row.PublishedBy != nil {
				by = *row.PublishedBy
			}
			if err := s.tellAudience(st, t, row, by, now); err != nil {
				return err
			}
			told++
		}
		return nil
	})
	return told, err
}

// Tenants lists the establishments whose schema exists (cmd/cartable's lister).
type Tenants interface {
	Live(ctx context.Context) ([]tenant.Tenant, error)
}

// PublishJobs is the news' work on the job queue (a jobs.Work).
type PublishJobs struct {
	svc     *Service
	tenants Tenants
}

// Jobs returns the news' job workers over the establishments tenants lists.
func (s *Service) Jobs(tenants Tenants) *PublishJobs { return &PublishJobs{svc: s, tenants: tenants} }

// AddWorkers adds the worker (jobs.Work).
func (j *PublishJobs) AddWorkers(w *river.Workers) { river.AddWorker(w, &tellPublishedWorker{j: j}) }

// PeriodicJobs plans the look every tellEvery (jobs.Work).
func (j *PublishJobs) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(tellEvery), func() (river.JobArgs, *river.InsertOpts) {
		return TellPublished{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: tellEvery}}
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}

// JobLabels names the job in the console (jobs.Labelled).
func (j *PublishJobs) JobLabels() map[string]string {
	return map[string]string{TellPublished{}.Kind(): "Notification des actualités à leur date de publication"}
}

// TellAll runs TellDue in every establishment; one failing does not stop the others.
func (j *PublishJobs) TellAll(ctx context.Context) error {
	ts, err := j.tenants.Live(ctx)
	if err != nil {
		return err
	}
	now := j.svc.now()
	var errs []error
	for i := range ts {
		if _, err := j.svc.TellDue(ctx, &ts[i], now); err != nil {
			errs = append(errs, fmt.Errorf("news: tell published posts of %s: %w", ts[i].UAI, err))
		}
	}
	return errors.Join(errs...)
}

type tellPublishedWorker struct {
	river.WorkerDefaults[TellPublished]
	j *PublishJobs
}

func (w *tellPublishedWorker) Work(ctx context.Context, _ *river.Job[TellPublished]) error {
	return w.j.TellAll(ctx)
}
