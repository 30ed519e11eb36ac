package news

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/jobs"
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

// Jobs returns the news's periodic job: every tellEvery, in every establishment tenants
// lists, what has reached its publication date is told (TellDue).
func (s *Service) Jobs(tenants jobs.TenantLister) *jobs.EachEstablishment[TellPublished] {
	return jobs.NewEachEstablishment[TellPublished]("Notification des actualités à leur date de publication", tellEvery, tenants,
		func(ctx context.Context, t *tenant.Tenant) error {
			_, err := s.TellDue(ctx, t, s.now())
			return err
		})
}
