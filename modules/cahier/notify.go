package cahier

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// Notifier records notifications in the caller's transaction (notify.Service).
type Notifier interface {
	Notify(tx *gorm.DB, t *tenant.Tenant, notices ...notify.Notice) error
}

// SetNotifier wires the notifications (cmd/cartable); without one nobody is told.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

// tellWork tells the class's pupils of work id once it is visible (its publication time and
// its séance's have come), once (notified_at), in the caller's transaction: the notices
// exist if and only if what made the work visible commits. Work not visible yet is told by
// the periodic job (TellWork).
func (s *Service) tellWork(st store, t *tenant.Tenant, id uuid.UUID, now time.Time) error {
	if s.notifier == nil {
		return nil
	}
	var due []struct {
		ClassID      uuid.UUID
		Kind         string
		SubjectLabel string
		DueOn        time.Time
	}
	if err := st.tx.Raw(`UPDATE cahier_work w SET notified_at = @now FROM subjects sub
		WHERE w.id = @id AND sub.code = w.subject_code AND w.notified_at IS NULL AND `+workVisible+`
		RETURNING w.class_id, w.kind, sub.label AS subject_label, w.due_on`, map[string]any{"id": id, "now": now}).Scan(&due).Error; err != nil {
		return fmt.Errorf("cahier: claim the notice of %s: %w", id, err)
	}
	if len(due) == 0 {
		return nil
	}
	var pupils []uuid.UUID
	if err := st.tx.Raw(`SELECT pe.id FROM class_members m JOIN people pe ON pe.id = m.person_id
		WHERE m.class_id = ? AND pe.active AND pe.category = 'eleve'`, due[0].ClassID).Scan(&pupils).Error; err != nil {
		return fmt.Errorf("cahier: pupils told of %s: %w", id, err)
	}
	if len(pupils) == 0 {
		return nil
	}
	w := due[0]
	return s.notifier.Notify(st.tx, t, notify.Notice{Kind: notify.KindWork, Recipients: pupils,
		Title: "Travail à faire en " + w.SubjectLabel, Body: w.Kind + " pour le " + frDay(w.DueOn) + ".",
		Link: "/cahier/travail/" + id.String()})
}

// TellDue tells the pupils of every piece of work of t that became visible by now and that
// nobody was told of; it returns how many it told. Running it again tells nothing more.
func (s *Service) TellDue(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error) {
	if s.notifier == nil {
		return 0, errors.New("cahier: notifications are not wired")
	}
	told := 0
	err := s.write(ctx, t, func(st store) error {
		var ids []uuid.UUID
		// SKIP LOCKED: work being saved meanwhile tells itself.
		if err := st.tx.Raw(`SELECT w.id FROM cahier_work w WHERE w.notified_at IS NULL AND `+workVisible+`
			ORDER BY w.publish_at LIMIT 500 FOR UPDATE SKIP LOCKED`, map[string]any{"now": now}).Scan(&ids).Error; err != nil {
			return fmt.Errorf("cahier: work due: %w", err)
		}
		for _, id := range ids {
			if err := s.tellWork(st, t, id, now); err != nil {
				return err
			}
			told++
		}
		return nil
	})
	return told, err
}

// TellWork is the periodic job that tells pupils of the work whose publication has come.
type TellWork struct{}

// Kind names the job in River.
func (TellWork) Kind() string { return "cahier_tell_work" }

// tellEvery is how often the job looks: a séance's end or a publication time, told within minutes.
const tellEvery = 10 * time.Minute

// Jobs returns the cahier's periodic job: every tellEvery, in every establishment tenants
// lists, what has reached its publication date is told (TellDue).
func (s *Service) Jobs(tenants jobs.TenantLister) *jobs.EachEstablishment[TellWork] {
	return jobs.NewEachEstablishment[TellWork]("Notification du travail à faire à sa date de publication", tellEvery, tenants,
		func(ctx context.Context, t *tenant.Tenant) error {
			_, err := s.TellDue(ctx, t, s.now())
			return err
		})
}
