package cahier

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// SeedDemo fills, as a teacher would, the séances of the first teacher's lessons of the last
// seven days (the timetable's demo must be seeded first) with work for the next lesson on
// some of them (the first asks a text handed in: two pupils did, one was returned), and the
// direction's visa on the first class's cahier. An establishment without lessons gets
// nothing; seeding twice adds nothing.
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
	var asked uuid.UUID // the first work: it asks a text handed in
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
		if asked == uuid.Nil {
			f.Submission, f.Description = string(ExpectText), "Rédiger en quelques lignes la méthode de résolution vue en classe, avec un exemple."
		}
		wid, _, err := s.SaveWork(ctx, t, a, uuid.Nil, f)
		if err != nil {
			return fmt.Errorf("cahier: demo work: %w", err)
		}
		if asked == uuid.Nil {
			asked = wid
		}
	}
	if err := s.seedDemoSubmissions(ctx, t, a, asked); err != nil {
		return err
	}
	return s.seedDemoVisa(ctx, t, lessons)
}

// seedDemoSubmissions has two pupils of the work's class hand in a text, the first returned
// by the teacher with a comment (and 15/20 in the grid, where the grades know the teaching).
func (s *Service) seedDemoSubmissions(ctx context.Context, t *tenant.Tenant, teacher Actor, work uuid.UUID) error {
	if work == uuid.Nil || s.portfolio == nil {
		return nil
	}
	var pupils []uuid.UUID
	if err := s.read(ctx, t, func(st store) error {
		return st.tx.Raw(`SELECT pe.id FROM cahier_work w JOIN class_members m ON m.class_id = w.class_id JOIN people pe ON pe.id = m.person_id
			WHERE w.id = ? AND pe.active AND pe.category = 'eleve' ORDER BY pe.last_name, pe.first_name LIMIT 2`, work).Scan(&pupils).Error
	}); err != nil {
		return err
	}
	texts := []string{"On isole l'inconnue, puis on vérifie la solution en la remplaçant dans l'équation. Exemple : 2x + 3 = 11 donne x = 4.",
		"Je commence par développer, puis je regroupe les termes. Exemple : 3(x − 1) = 9, donc x = 4."}
	var first uuid.UUID
	for i, p := range pupils {
		id, err := s.HandIn(ctx, t, Actor{PersonID: p, Roles: []identity.Role{identity.RoleEleve}}, work, texts[i], nil)
		if err != nil {
			return fmt.Errorf("cahier: demo submission: %w", err)
		}
		if i == 0 {
			first = id
		}
	}
	if first == uuid.Nil {
		return nil
	}
	back := ReturnForm{Comment: "Méthode claire et exemple juste. Pensez à conclure par une phrase.", Mark: "15"}
	err := s.Return(ctx, t, teacher, first, back)
	var refused FormErrors
	if errors.As(err, &refused) || errors.Is(err, fault.ErrUnavailable) { // no grades for this teaching: returned without a mark
		back.Mark = ""
		err = s.Return(ctx, t, teacher, first, back)
	}
	if err != nil {
		return fmt.Errorf("cahier: demo return: %w", err)
	}
	return nil
}

func demoSession(l timetable.Lesson, i int) SessionForm {
	topics := []string{"Introduction du chapitre", "Exercices d'application", "Correction du devoir", "Travail en groupes", "Synthèse et méthode"}
	return SessionForm{Slot: l.SlotID.String(), Date: l.Date.Format(dateLayout), Title: topics[i%len(topics)],
		Body:  "Au programme :\n\n- rappel de la séance précédente\n- " + topics[i%len(topics)] + "\n- questions des élèves",
		Links: "Fiche méthode https://eduscol.education.fr/"}
}
