package resources

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/tenant"
)

// demoResource is a plain-link resource of the demo catalogue.
type demoResource struct {
	Publisher, Website, Title, Type, URL, Description string
	Subjects, Levels                                  []string
	Colour                                            color.RGBA
}

var demoResources = []demoResource{
	{Publisher: "Dictionnaires du Sud-Ouest", Website: "https://dictionnaire.example.org", Title: "Dictionnaire de français en ligne", Type: "dictionnaire",
		URL: "https://dictionnaire.example.org/", Description: "Définitions, synonymes et conjugaisons.", Subjects: []string{"Français"},
		Levels: []string{"6e", "5e", "4e", "3e", "2nde", "1re", "Tle"}, Colour: color.RGBA{0x1f, 0x5f, 0x9f, 0xff}},
	{Publisher: "Encyclopédie libre des collèges", Website: "https://encyclopedie.example.org", Title: "Encyclopédie junior", Type: "encyclopedie",
		URL: "https://encyclopedie.example.org/", Description: "Articles illustrés pour les exposés.", Subjects: []string{"Histoire-géographie", "Sciences"},
		Levels: []string{"6e", "5e", "4e", "3e"}, Colour: color.RGBA{0x2e, 0x7d, 0x32, 0xff}},
	{Publisher: "Encyclopédie libre des collèges", Website: "https://encyclopedie.example.org", Title: "Atlas du monde", Type: "banque",
		URL: "https://encyclopedie.example.org/atlas", Description: "Cartes du monde et de la France.", Subjects: []string{"Histoire-géographie"},
		Levels: []string{"2nde", "1re", "Tle"}, Colour: color.RGBA{0x8d, 0x4e, 0x00, 0xff}},
	{Publisher: "Presse des lycéens", Website: "https://presse.example.org", Title: "Revue de presse quotidienne", Type: "presse",
		URL: "https://presse.example.org/", Description: "L'actualité expliquée, chaque jour.", Subjects: []string{"Éducation aux médias"},
		Levels: []string{"2nde", "1re", "Tle"}, Colour: color.RGBA{0x6a, 0x1b, 0x9a, 0xff}},
}

// demoCover is a small plain cover of colour c, with a lighter band for the title.
func demoCover(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 60, 80))
	light := color.RGBA{0xf5, 0xf5, 0xf5, 0xff}
	for y := 0; y < 80; y++ {
		for x := 0; x < 60; x++ {
			if y >= 20 && y < 34 && x >= 6 && x < 54 {
				img.Set(x, y, light)
			} else {
				img.Set(x, y, c)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory does not fail
	return buf.Bytes()
}

// seedDemoCatalogue fills a catalogue without them with the demo's plain-link resources, then
// subscribes the demo establishment to them for everyone, for the current school year.
// Seeding again adds nothing.
func (s *Service) seedDemoCatalogue(ctx context.Context, t *tenant.Tenant) error {
	db := s.cat.DB().WithContext(ctx)
	var n int64
	// The demo LTI tool's publisher may already be there (make dev records it first): the
	// plain-link catalogue is missing while none of its publishers is.
	names := make([]string, 0, len(demoResources))
	for _, d := range demoResources {
		names = append(names, d.Publisher)
	}
	if err := db.Table("platform.resource_publishers").Where("name IN ?", names).Count(&n).Error; err != nil {
		return fmt.Errorf("resources: demo catalogue: %w", err)
	}
	if n == 0 {
		if err := db.Transaction(func(tx *gorm.DB) error {
			pubs := map[string]uuid.UUID{}
			tools := map[string]uuid.UUID{}
			for _, d := range demoResources {
				if _, ok := pubs[d.Publisher]; !ok {
					pubs[d.Publisher], tools[d.Publisher] = uuid.New(), uuid.New()
					salt := make([]byte, 32)
					if _, err := rand.Read(salt); err != nil {
						return err
					}
					if err := tx.Exec(`INSERT INTO platform.resource_publishers (id, name, website) VALUES (?, ?, ?)`, pubs[d.Publisher], d.Publisher, d.Website).Error; err != nil {
						return err
					}
					if err := tx.Exec(`INSERT INTO platform.resource_tools (id, publisher_id, name, kind, pseudonym_salt) VALUES (?, ?, ?, 'lien', ?)`,
						tools[d.Publisher], pubs[d.Publisher], "Site : "+d.Publisher, salt).Error; err != nil {
						return err
					}
				}
				if err := tx.Exec(`INSERT INTO platform.resources (publisher_id, tool_id, title, type, subjects, levels, description, target_url, cover, cover_type)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'image/png')`, pubs[d.Publisher], tools[d.Publisher], d.Title, d.Type, Strings(d.Subjects), Strings(d.Levels),
					d.Description, d.URL, demoCover(d.Colour)).Error; err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("resources: demo catalogue: %w", err)
		}
		s.cat.Invalidate()
	}
	var demo []struct{ ID, ToolID uuid.UUID }
	for _, d := range demoResources {
		var row struct{ ID, ToolID uuid.UUID }
		res := db.Raw(`SELECT r.id, r.tool_id FROM platform.resources r JOIN platform.resource_publishers p ON p.id = r.publisher_id
			WHERE p.name = ? AND r.title = ?`, d.Publisher, d.Title).Scan(&row)
		if res.Error != nil {
			return fmt.Errorf("resources: demo catalogue: %w", res.Error)
		}
		if res.RowsAffected > 0 {
			demo = append(demo, row)
		}
	}
	_, start, end := directory.SchoolYearOf(s.now())
	return s.write(ctx, t, func(tx *gorm.DB) error {
		for _, r := range demo {
			if err := tx.Exec(`INSERT INTO resource_subscriptions (resource_id, tool_id, starts_on, ends_on, kind, target, licence_mode, created_at)
				SELECT ?, ?, ?, ?, 'etablissement', 'tous', 'illimite', ? WHERE NOT EXISTS (SELECT 1 FROM resource_subscriptions WHERE resource_id = ?)`,
				r.ID, r.ToolID, start.Format(time.DateOnly), end.Format(time.DateOnly), s.now(), r.ID).Error; err != nil {
				return fmt.Errorf("resources: demo subscriptions: %w", err)
			}
		}
		return nil
	})
}
