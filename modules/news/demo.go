package news

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
)

// SeedDemo writes a demo establishment's news through the service, as its people would: a
// headline of the direction to everyone, a post to the parents of the first class, one to
// the staff, and a teacher's post waiting for validation. An establishment without a
// direction or a teacher gets none; seeding twice adds nothing.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	var head, teacher uuid.UUID
	var classes []ClassChoice
	var existing int
	err := s.read(ctx, t, func(st store) error {
		if err := st.tx.Raw(`SELECT count(*) FROM news_posts`).Scan(&existing).Error; err != nil {
			return err
		}
		for role, id := range map[string]*uuid.UUID{"direction": &head, "enseignant": &teacher} {
			if err := firstWith(st.tx, role, id); err != nil {
				return err
			}
		}
		var err error
		classes, err = st.classes()
		return err
	})
	if err != nil || existing > 0 || head == uuid.Nil || teacher == uuid.Nil {
		return err
	}
	direction := Actor{PersonID: head, Roles: []identity.Role{identity.RoleDirection}}
	posts := []struct {
		by   Actor
		form PostForm
		act  Action
	}{
		{direction, PostForm{Title: "Journée portes ouvertes samedi", Audience: string(Everyone), Headline: true,
			Body: "Le lycée ouvre ses portes **samedi de 9h à 13h** : visites des ateliers, rencontre avec les professeurs.\n\n- accueil dans le hall\n- inscriptions à la vie scolaire"}, Publish},
		{direction, PostForm{Title: "Réunion des personnels", Audience: string(Staff), Body: "Réunion jeudi à 17h en salle des conférences."}, Publish},
		{Actor{PersonID: teacher, Roles: []identity.Role{identity.RoleEnseignant}}, PostForm{Title: "Sortie pédagogique au musée",
			Audience: string(Everyone), Body: "Prévoir un pique-nique et une tenue adaptée."}, Submit},
	}
	for _, c := range classes {
		if c.Kind == "classe" {
			posts = append(posts, struct {
				by   Actor
				form PostForm
				act  Action
			}{direction, PostForm{Title: "Réunion parents-professeurs de " + c.Label, Audience: string(Guardians), Class: c.ID.String(),
				Body: "Les parents de " + c.Label + " sont invités mardi à 18h."}, Publish})
			break
		}
	}
	for _, p := range posts {
		id, err := s.Save(ctx, t, p.by, uuid.Nil, p.form, p.act)
		if err != nil {
			return fmt.Errorf("news: demo post %q: %w", p.form.Title, err)
		}
		// The outing's programme, so that the establishment's space (« Espace de stockage »)
		// has a file to show; without a blob store, none.
		if p.form.Title == "Sortie pédagogique au musée" && s.files != nil {
			if _, err := s.Attach(ctx, t, p.by, id, Upload{Name: "programme-sortie.pdf", Data: []byte(demoPDF)}); err != nil {
				return fmt.Errorf("news: demo file: %w", err)
			}
		}
	}
	return nil
}

// demoPDF is the smallest PDF the checks accept, for the demo's attachment.
const demoPDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

// firstWith finds an active person holding role (Nil when nobody does).
func firstWith(tx *gorm.DB, role string, id *uuid.UUID) error {
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT id FROM people WHERE active AND ? = ANY (roles) ORDER BY last_name, first_name, id LIMIT 1`, role).Scan(&ids).Error; err != nil {
		return fmt.Errorf("news: first %s: %w", role, err)
	}
	if len(ids) > 0 {
		*id = ids[0]
	}
	return nil
}
