package grades

import (
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/module"
)

// Grants says what each role may do with marks: everyone sees the marks they may see (their
// own, their children's, their pupils'), teachers enter them, direction oversees periods,
// coefficients and publication.
var Grants = module.Grants{
	identity.RoleEleve:            {identity.PermMarksView},
	identity.RoleResponsable:      {identity.PermMarksView},
	identity.RoleEnseignant:       {identity.PermMarksView, identity.PermMarksTeach},
	identity.RoleVieScolaire:      {identity.PermMarksView},
	identity.RoleDirection:        overseers,
	identity.RoleAdmin:            overseers,
	identity.RoleAdminRegion:      overseers,
	identity.RoleAdminDepartement: overseers,
}

var overseers = []identity.Permission{identity.PermMarksView, identity.PermMarksTeach, identity.PermMarksOversee}

func init() { identity.Grant(Grants) }

// Module declares the marks and report cards: routes, menu entries, pages and demo marks.
func (h *Handler) Module() module.Module {
	families := []module.Role{identity.RoleEleve, identity.RoleResponsable}
	return module.Module{
		Name:    "grades",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes:  h.routes(),
		Menu: []module.MenuEntry{
			{Text: "Notes", Href: "/notes", Section: "/notes", Permission: identity.PermMarksView, Roles: families, Order: 10},
			{Text: "Notes de mes classes", Href: "/notes/enseignement", Section: "/notes", Permission: identity.PermMarksTeach, Order: 11},
			// Vie scolaire looks a pupil's marks up by class.
			{Text: "Notes des élèves", Href: "/notes", Section: "/notes", Permission: identity.PermMarksView, Roles: []module.Role{identity.RoleVieScolaire}, Order: 12},
			{Text: "Tableau des moyennes", Href: "/notes/tableau", Permission: identity.PermMarksOversee, Order: 13},
			{Text: "Périodes et coefficients", Href: "/notes/periodes", Permission: identity.PermMarksOversee, Order: 14},
			// Report cards are for families and teachers: vie scolaire has none to see there.
			{Text: "Bulletins", Href: "/bulletins", Permission: identity.PermMarksView, Roles: families, Order: 20},
			{Text: "Bulletins", Href: "/bulletins", Permission: identity.PermMarksTeach, Order: 20},
		},
		Templates:   Templates,
		Demo:        h.svc.SeedDemo,
		Export:      h.svc.Export,
		ExportAbout: ExportAbout,
	}
}

// SeedDemo gives every class × subject of a demo establishment three published evaluations
// of the current period, with marks for every pupil (a few absent), through the service.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant) error {
	director := Actor{Roles: []identity.Role{identity.RoleDirection}}
	p, err := s.CurrentPeriod(ctx, t)
	if err != nil {
		return err
	}
	teachings, err := s.Teachings(ctx, t, director)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(42, 7))
	titles := []string{"Devoir surveillé", "Interrogation écrite", "Exposé"}
	for _, te := range teachings {
		for i, title := range titles {
			day := p.StartsOn.AddDate(0, 0, 7+14*i)
			ev, err := s.SaveEvaluation(ctx, t, director, uuid.Nil, EvaluationForm{
				ClassID: te.ClassID.String(), Subject: te.SubjectCode, Title: fmt.Sprintf("%s n°%d", title, i+1),
				Date: day.Format("2006-01-02"), Scale: []string{"20", "20", "10"}[i], Coefficient: []string{"2", "1", "0,5"}[i], Published: true,
			})
			if err != nil {
				return err
			}
			g, err := s.Grid(ctx, t, director, ev.ID)
			if err != nil {
				return err
			}
			in := GridInput{Marks: map[uuid.UUID]string{}}
			for _, row := range g.Rows {
				switch v := rng.IntN(100); {
				case v < 4:
					in.Marks[row.PupilID] = "Abs"
				default:
					scale := []int{20, 20, 10}[i]
					in.Marks[row.PupilID] = fmt.Sprintf("%d,%d", rng.IntN(scale*6/10)+scale*4/10, rng.IntN(2)*5)
				}
			}
			if _, err := s.SaveMarks(ctx, t, director, ev.ID, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// openAPI describes the module's JSON API: its paths and schemas, merged into the platform's
// document (web.MergeOpenAPI).
//
//go:embed openapi.json
var openAPI []byte
