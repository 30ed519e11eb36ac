package grades

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/tenant"
)

// Notifier tells people of published marks (notify.Service), in the grades' own
// transaction: the notification exists if and only if the marks were saved.
type Notifier interface {
	Notify(tx *gorm.DB, t *tenant.Tenant, notices ...notify.Notice) error
}

// SetNotifier wires the notifications (cmd/cartable); without one nobody is told.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

// markChanged tells whether a saved mark differs from what the pupil had.
func markChanged(prev *MarkEntry, value *Hundredths, code string) bool {
	if prev == nil || prev.Code != code || (prev.Value == nil) != (value == nil) {
		return true
	}
	return value != nil && *prev.Value != *value
}

// notifyPublished tells the pupils who have a mark in evaluation id, just published, and
// their legal guardians.
func (s *Service) notifyPublished(st store, t *tenant.Tenant, a Actor, id uuid.UUID) error {
	if s.notifier == nil {
		return nil
	}
	ev, err := s.evaluationFor(st, a, id)
	if err != nil {
		return err
	}
	g, err := loadGrid(st, ev)
	if err != nil {
		return err
	}
	var marked []uuid.UUID
	for _, r := range g.Rows {
		if r.Mark != nil {
			marked = append(marked, r.PupilID)
		}
	}
	return s.notifyMarks(st, t, ev, g.Rows, marked)
}

// notifyMarks tells each of pupils (rows of ev's grid) that they have a new mark in ev, if
// ev is published, and their legal guardians, each with a link to the pupil's marks.
func (s *Service) notifyMarks(st store, t *tenant.Tenant, ev *Evaluation, rows []GridRow, pupils []uuid.UUID) error {
	if s.notifier == nil || !ev.Published || len(pupils) == 0 {
		return nil
	}
	guardians, err := s.guardians.LegalGuardians(st.tx, pupils)
	if err != nil {
		return err
	}
	names := map[uuid.UUID]string{}
	for _, r := range rows {
		names[r.PupilID] = r.FirstName
	}
	subject := ofSubject(subjectName(ev.SubjectCode, ev.SubjectLabel)) // « de mathématiques », « d'anglais »
	body := fmt.Sprintf("« %s » du %s.", ev.Title, ev.OnDate.Format("02/01/2006"))
	notices := make([]notify.Notice, 0, 2*len(pupils))
	for _, p := range pupils {
		notices = append(notices, notify.Notice{Kind: notify.KindNewMark, Recipients: []uuid.UUID{p},
			Title: "Nouvelle note " + subject, Body: body, Link: "/notes"})
		if gs := guardians[p]; len(gs) > 0 {
			notices = append(notices, notify.Notice{Kind: notify.KindNewMark, Recipients: gs,
				Title: fmt.Sprintf("Nouvelle note %s pour %s", subject, names[p]), Body: body, Link: "/notes/eleves/" + p.String()})
		}
	}
	return s.notifier.Notify(st.tx, t, notices...)
}
