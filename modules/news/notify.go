package news

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// Notifier records notifications in the caller's transaction (notify.Service).
type Notifier interface {
	Notify(tx *gorm.DB, t *tenant.Tenant, notices ...notify.Notice) error
}

// SetNotifier wires the notifications (cmd/cartable); without one nobody is told.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

// tellAudience tells a just-published post's audience, in the publishing transaction, so
// that the notices exist if and only if the publication commits. The person who publishes
// and the author are not told. A post whose publication date is still to come is not
// notified now (its readers would be sent to a page they cannot open yet): the periodic
// job tells it when the date comes (publish_job.go). A post is told once (notified_at).
func (s *Service) tellAudience(st store, t *tenant.Tenant, row postRow, by uuid.UUID, now time.Time) error {
	if s.notifier == nil || (row.PublishAt != nil && row.PublishAt.After(now)) {
		return nil
	}
	if first, err := st.claimNotice(row.ID, now); err != nil || !first {
		return err
	}
	var people []uuid.UUID
	if err := st.tx.Raw(`SELECT pe.id FROM news_posts p, people pe WHERE p.id = ? AND pe.id <> ? AND pe.id IS DISTINCT FROM p.author_id AND `+inAudience,
		row.ID, by).Scan(&people).Error; err != nil {
		return fmt.Errorf("news: audience of %s: %w", row.ID, err)
	}
	if len(people) == 0 {
		return nil
	}
	label := ""
	if row.ClassID != nil {
		if err := st.tx.Raw(`SELECT label FROM classes WHERE id = ?`, *row.ClassID).Scan(&label).Error; err != nil {
			return fmt.Errorf("news: class of %s: %w", row.ID, err)
		}
	}
	return s.notifier.Notify(st.tx, t, notify.Notice{Kind: notify.KindNews, Recipients: people,
		Title: "Actualité : " + row.Title, Body: "Nouvelle actualité pour « " + Target(row.Audience, label) + " » : " + row.Title + ".",
		Link: "/actualites/" + row.ID.String()})
}
