package courses

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo writes a demo establishment's course through the service, as a teacher would:
// two sections of pages with text, a link and a video link, published to a class they
// teach (or the first class). An establishment without a teacher or a class gets none;
// seeding twice adds nothing.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	var teacher, class uuid.UUID
	var existing int
	err := s.read(ctx, t, func(st store) error {
		if err := st.tx.Raw(`SELECT count(*) FROM courses`).Scan(&existing).Error; err != nil {
			return err
		}
		var ids []uuid.UUID
		if err := st.tx.Raw(`SELECT id FROM people WHERE active AND 'enseignant' = ANY (roles) ORDER BY last_name, first_name, id LIMIT 1`).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		teacher = ids[0]
		ids = nil
		if err := st.tx.Raw(`SELECT c.id FROM classes c WHERE c.school_year IN (SELECT code FROM school_years WHERE current) AND c.kind = 'classe'
			ORDER BY NOT EXISTS (SELECT 1 FROM teachings te WHERE te.class_id = c.id AND te.teacher_id = ?), c.label LIMIT 1`, teacher).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) > 0 {
			class = ids[0]
		}
		return nil
	})
	if err != nil || existing > 0 || teacher == uuid.Nil || class == uuid.Nil {
		return err
	}
	a := Actor{PersonID: teacher, Roles: []identity.Role{identity.RoleEnseignant}}
	id, err := s.Create(ctx, t, a, CourseForm{Title: "Découvrir les fonctions", Description: "Un cours en deux parties, à suivre à votre rythme.",
		Classes: []string{class.String()}})
	if err != nil {
		return fmt.Errorf("courses: demo course: %w", err)
	}
	outline := []struct {
		section string
		pages   []struct {
			title  string
			blocks []BlockForm
		}
	}{
		{"Premiers pas", []struct {
			title  string
			blocks []BlockForm
		}{
			{"Qu'est-ce qu'une fonction ?", []BlockForm{
				{Kind: string(Text), Body: "Une **fonction** associe à chaque nombre *x* un unique nombre *f(x)*.\n\n- l'ensemble de définition\n- l'image d'un nombre\n- les antécédents"},
				{Kind: string(Video), URL: "https://tube-sciences-technologies.apps.education.fr/w/fonctions-cinq-minutes", Label: "Les fonctions en cinq minutes"},
			}},
			{"Lire un graphique", []BlockForm{
				{Kind: string(Text), Body: "Sur la courbe, l'image de *x* se lit sur l'axe des ordonnées."},
				{Kind: string(Link), URL: "https://fr.wikipedia.org/wiki/Fonction_(math%C3%A9matiques)", Label: "L'article « Fonction » de Wikipédia"},
			}},
		}},
		{"Pour aller plus loin", []struct {
			title  string
			blocks []BlockForm
		}{
			{"Fonctions affines", []BlockForm{{Kind: string(Text), Body: "Une fonction affine s'écrit *f(x) = ax + b*."}}},
		}},
	}
	for _, sec := range outline {
		sid, err := s.AddSection(ctx, t, a, id, sec.section)
		if err != nil {
			return fmt.Errorf("courses: demo section: %w", err)
		}
		for _, p := range sec.pages {
			pid, _, err := s.AddPage(ctx, t, a, sid, p.title)
			if err != nil {
				return fmt.Errorf("courses: demo page: %w", err)
			}
			for _, b := range p.blocks {
				if _, err := s.AddBlock(ctx, t, a, pid, b); err != nil {
					return fmt.Errorf("courses: demo block: %w", err)
				}
			}
		}
	}
	return s.SetPublished(ctx, t, a, id, true)
}
