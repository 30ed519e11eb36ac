package cahier

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo fills, as a teacher would, the séances of the first teacher's lessons of the last
// seven days (the timetable's demo must be seeded first) with work for the next lesson on
// some of them, and the direction's visa on the first class's cahier. An establishment
// without lessons gets nothing; seeding twice adds nothing.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	var existing int
	var teachers []uuid.UUID
	err := s.read(ctx, t, func(st store) error {
		if err := st.tx.Raw(`SELECT count(*) FROM cahier_sessions`).Scan(&existing).Error; err != nil {
			return err
		}
		return st.tx.Raw(`SELECT DISTINCT lt.teacher_id FROM lesson_slot_teachers lt JOIN people p ON p.id = lt.teacher_id
			WHERE p.active ORDER BY lt.teacher_id LIMIT 1`).Scan(&teachers).Error
	})
	if err != nil || existing > 0 || len(teachers) == 0 {
		return err
	}
	a := Actor{PersonID: teachers[0], Roles: []identity.Role{identity.RoleEnseignant}}
	today := s.Today()
	lessons, err := s.lessons.LessonsOfPerson(ctx, t, a.PersonID, today.AddDate(0, 0, -7), today)
	if err != nil {
		return err
	}
	set, err := s.Settings(ctx, t)
	if err != nil || len(set.Types) == 0 {
		return err
	}
	for i, l := range lessons {
		if !l.Taught() || !l.EndsAt().Before(s.now()) {
			continue
		}
		id, err := s.SaveSession(ctx, t, a, uuid.Nil, demoSession(l, i), true)
		if err != nil {
			return fmt.Errorf("cahier: demo séance: %w", err)
		}
		if i%2 == 1 {
			continue
		}
		f := WorkForm{Session: id.String(), Kind: set.Types[i%len(set.Types)], Due: "prochaine", Minutes: itoa(20 + 10*(i%4)),
			Description: "Terminer les exercices commencés en classe et relire le **résumé** du cours."}
		if _, _, err := s.SaveWork(ctx, t, a, uuid.Nil, f); err != nil {
			return fmt.Errorf("cahier: demo work: %w", err)
		}
	}
	return s.seedDemoVisa(ctx, t, lessons)
}

func demoSession(l timetable.Lesson, i int) SessionForm {
	topics := []string{"Introduction du chapitre", "Exercices d'application", "Correction du devoir", "Travail en groupes", "Synthèse et méthode"}
	return SessionForm{Slot: l.SlotID.String(), Date: l.Date.Format(dateLayout), Title: topics[i%len(topics)],
		Body:  "Au programme :\n\n- rappel de la séance précédente\n- " + topics[i%len(topics)] + "\n- questions des élèves",
		Links: "Fiche méthode https://eduscol.education.fr/"}
}
