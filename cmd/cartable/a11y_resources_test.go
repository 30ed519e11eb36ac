package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/tenant"
)

// a11yResources seeds the resources the accessibility walk visits: a small catalogue (a
// link with a cover, an LTI textbook), the lycée's subscriptions (the dictionary for
// everyone, the textbook assigned to a class of the walk's teacher, with a licence for the
// pupil, its tool told the pupil's name), and adds to the walk the pupil's médiacentre (and a
// search), the teacher's view of their classes, the région's catalogue and its forms.
func a11yResources(t *testing.T, reg *tenant.Registry, now func() time.Time, lycee *tenant.Tenant, people []a11yPerson, pupilID, teacherID uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	cat := resources.NewCatalogue(reg.Platform())
	pub, err := cat.SavePublisher(ctx, uuid.Nil, resources.PublisherForm{Name: "Éditions de l'Estuaire", Website: "https://estuaire.example"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := cat.SaveTool(ctx, uuid.Nil, resources.ToolForm{PublisherID: pub.String(), Name: "Site de l'Estuaire", Kind: resources.ToolLink})
	if err != nil {
		t.Fatal(err)
	}
	lti, err := cat.SaveTool(ctx, uuid.Nil, resources.ToolForm{PublisherID: pub.String(), Name: "Estuaire Manuels", Kind: resources.ToolLTI,
		LoginURL: "https://manuels.estuaire.example/login", LaunchURL: "https://manuels.estuaire.example/launch", JWKSURL: "https://manuels.estuaire.example/jwks"})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 30, 40))
	for x := range 30 {
		img.Set(x, 10, color.RGBA{0x1f, 0x5f, 0x9f, 0xff})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	cover := buf.Bytes()
	dico, err := cat.SaveResource(ctx, uuid.Nil, resources.ResourceForm{ToolID: link.String(), Title: "Dictionnaire de l'Estuaire", Type: "dictionnaire",
		Subjects: "Français", Levels: "2nde, 1re, Tle", TargetURL: "https://estuaire.example/dico", Cover: cover, CoverSize: int64(len(cover))})
	if err != nil {
		t.Fatal(err)
	}
	book, err := cat.SaveResource(ctx, uuid.Nil, resources.ResourceForm{ToolID: lti.String(), Title: "Manuel de mathématiques 2nde", Type: "manuel",
		Subjects: "Mathématiques", Levels: "2nde"})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.DB().Tx(ctx, lycee, func(tx *gorm.DB) error {
		var class uuid.UUID
		if err := tx.Raw(`SELECT class_id FROM teachings WHERE teacher_id = ? ORDER BY class_id LIMIT 1`, teacherID).Row().Scan(&class); err != nil {
			return err
		}
		sub, assign := uuid.New(), uuid.New()
		stamp := now()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO resource_subscriptions (resource_id, tool_id, starts_on, ends_on, kind, target, licence_mode, created_at)
				VALUES (?, ?, '2026-09-01', '2027-07-04', 'etablissement', 'tous', 'illimite', ?)`, []any{dico, link, stamp}},
			{`INSERT INTO resource_subscriptions (id, resource_id, tool_id, deployment_id, starts_on, ends_on, kind, target, licence_mode, created_at)
				VALUES (?, ?, ?, 'd', '2026-09-01', '2027-07-04', 'personne', 'eleves', 'illimite', ?)`, []any{sub, book, lti, stamp}},
			{`INSERT INTO resource_assignments (id, subscription_id, target_kind, class_id, created_at) VALUES (?, ?, 'classe', ?, ?)`, []any{assign, sub, class, stamp}},
			{`INSERT INTO class_members (class_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, []any{class, pupilID}},
			{`INSERT INTO resource_licences (subscription_id, person_id, assignment_id, profile, assigned_at) VALUES (?, ?, ?, 'eleve', ?)`, []any{sub, pupilID, assign, stamp}},
			{`INSERT INTO resource_tool_sharing (tool_id, share_name, updated_at) VALUES (?, true, ?)`, []any{lti, stamp}},
		} {
			if err := tx.Exec(q.sql, q.args...).Error; err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("the walk's subscriptions: %v", err)
	}
	lyceeURL := "http://" + lycee.Slug + ".cartable.test"
	console := "http://admin.cartable.test/console/ressources"
	for i := range people {
		switch people[i].who {
		case "eleve":
			people[i].extra = append(people[i].extra, lyceeURL+"/ressources", lyceeURL+"/ressources?q=dictionnaire&matiere=Fran%C3%A7ais", lyceeURL+"/ressources?q=rien")
		case "enseignant":
			people[i].extra = append(people[i].extra, lyceeURL+"/ressources/classes")
		case "admin_regional":
			people[i].extra = append(people[i].extra, console, console+"/editeurs/nouveau", console+"/outils/nouveau", console+"/outils/"+lti.String(),
				console+"/ressources/nouvelle", console+"/ressources/"+book.String(), console+"/ressources/"+dico.String()+"/retrait")
		}
	}
}
