package courses

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

// tell tells the pupils of classes (classes and groups of the published course id) that the
// course is there for them (kind cours, digest by default, a link to the course), in the
// caller's transaction: the notice exists if and only if the publication commits. Each
// pupil is told of a course once (course_notices): a pupil in two of its classes, a class
// added later, a course taken back to a draft and published again tell nobody twice.
func (s *Service) tell(st store, t *tenant.Tenant, id uuid.UUID, classes []uuid.UUID, now time.Time) error {
	if s.notifier == nil || len(classes) == 0 {
		return nil
	}
	var pupils []uuid.UUID
	if err := st.tx.Raw(`INSERT INTO course_notices (course_id, pupil_id, told_at)
		SELECT DISTINCT ?::uuid, pe.id, ?::timestamptz FROM class_members m JOIN people pe ON pe.id = m.person_id
		WHERE m.class_id IN ? AND pe.active AND pe.category = 'eleve'
		ON CONFLICT DO NOTHING RETURNING pupil_id`, id, now, classes).Scan(&pupils).Error; err != nil {
		return fmt.Errorf("courses: claim the notices of %s: %w", id, err)
	}
	if len(pupils) == 0 {
		return nil
	}
	var c []struct{ Title, Author, Subject string }
	if err := st.tx.Raw(`SELECT c.title, coalesce(a.first_name || ' ' || a.last_name, '') AS author, coalesce(sub.label, '') AS subject
		FROM courses c LEFT JOIN people a ON a.id = c.author_id LEFT JOIN subjects sub ON sub.code = c.subject_code WHERE c.id = ?`, id).Scan(&c).Error; err != nil {
		return fmt.Errorf("courses: course %s to tell: %w", id, err)
	}
	if len(c) == 0 {
		return notFound()
	}
	body := "Un nouveau cours en ligne est disponible"
	if c[0].Subject != "" {
		body += " en " + c[0].Subject
	}
	if c[0].Author != "" {
		body += ", de " + c[0].Author
	}
	return s.notifier.Notify(st.tx, t, notify.Notice{Kind: notify.KindCourse, Recipients: pupils,
		Title: "Cours : " + c[0].Title, Body: body + ".", Link: "/cours/" + id.String()})
}
