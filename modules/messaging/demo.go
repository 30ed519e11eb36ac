package messaging

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo gives a demo establishment a few conversations, sent through the rules like any
// other: a parent writes to a teacher of their child with the vie scolaire in copy and the
// teacher answers all; the direction writes to every guardian of the child's class (in
// Markdown); the teacher writes to the pupil, who has not read it yet.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	var cast struct {
		Parent, Pupil, Teacher, CPE, Direction uuid.UUID
		Class                                  uuid.UUID
		PupilName                              string
	}
	err := s.db.ReadTx(ctx, t, func(tx *gorm.DB) error {
		// A legal guardian whose child has a teacher this year, that teacher and the class.
		if err := tx.Raw(`SELECT g.guardian_id AS parent, g.pupil_id AS pupil, te.teacher_id AS teacher, c.id AS class, k.first_name AS pupil_name
			FROM guardianships g JOIN people k ON k.id = g.pupil_id AND k.active JOIN people pg ON pg.id = g.guardian_id AND pg.active
			JOIN class_members m ON m.person_id = g.pupil_id JOIN classes c ON c.id = m.class_id AND c.kind = 'classe'
			JOIN school_years y ON y.code = c.school_year AND y.current JOIN teachings te ON te.class_id = c.id
			JOIN people tp ON tp.id = te.teacher_id AND tp.active
			WHERE g.legal ORDER BY c.code, k.last_name, pg.last_name, tp.last_name LIMIT 1`).Scan(&cast).Error; err != nil {
			return fmt.Errorf("messaging: demo cast: %w", err)
		}
		var staff []struct {
			ID   uuid.UUID
			Role string
		}
		if err := tx.Raw(`SELECT DISTINCT ON (r) id, r AS role FROM people, unnest(roles) AS r
			WHERE active AND r IN ('vie_scolaire', 'direction') ORDER BY r, last_name, first_name`).Scan(&staff).Error; err != nil {
			return fmt.Errorf("messaging: demo staff: %w", err)
		}
		for _, p := range staff {
			if p.Role == "vie_scolaire" {
				cast.CPE = p.ID
			} else {
				cast.Direction = p.ID
			}
		}
		return nil
	})
	if err != nil || cast.Parent == uuid.Nil || cast.CPE == uuid.Nil || cast.Direction == uuid.Nil {
		return err // a demo establishment without families or staff has no conversation
	}
	to := func(role Role, ids ...string) map[Role][]string { return map[Role][]string{role: ids} }
	first, err := s.Send(ctx, t, cast.Parent, Draft{Subject: "Absence de " + cast.PupilName + " jeudi", Format: Text,
		Body:       "Bonjour,\n\n" + cast.PupilName + " aura un rendez-vous médical jeudi matin et manquera votre cours.\nPourriez-vous lui indiquer le travail à rattraper ?\n\nCordialement",
		Recipients: map[Role][]string{To: {cast.Teacher.String()}, Cc: {cast.CPE.String()}}})
	if err != nil {
		return err
	}
	reply, _, _, err := s.ReplyDraft(ctx, t, cast.Teacher, first.Message, true)
	if err != nil {
		return err
	}
	reply.Body = "Bonjour,\n\nMerci de m'avoir prévenu. Le travail sera dans le cahier de textes ; " + cast.PupilName + " pourra me demander des explications vendredi."
	if _, err := s.Send(ctx, t, cast.Teacher, reply); err != nil {
		return err
	}
	if _, err := s.Send(ctx, t, cast.Direction, Draft{Subject: "Réunion parents-professeurs", Format: Markdown,
		Body:       "Madame, Monsieur,\n\nLa **réunion parents-professeurs** aura lieu :\n\n- mardi de 17 h à 20 h,\n- en salle polyvalente.\n\nLa direction",
		Recipients: to(To, "groupe:"+cast.Class.String()+":"+string(Responsable))}); err != nil {
		return err
	}
	_, err = s.Send(ctx, t, cast.Teacher, Draft{Subject: "Exposé", Format: Text,
		Body: "Bonjour " + cast.PupilName + ",\nN'oublie pas ton exposé de lundi.", Recipients: to(To, cast.Pupil.String())})
	return err
}
