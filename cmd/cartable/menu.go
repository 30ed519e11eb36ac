package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
)

// menuFor is the menu of every page for the signed-in person: on an establishment's host
// what their roles there open, on the portal their establishments and children, on the
// administration host the consoles. It holds the menu's data only (the layout renders and
// marks it): the module list will give these entries when modules declare their own.
// fam tells who is a parent on the portal, where nobody has an establishment's roles.
func menuFor(fam *identity.Family) func(echo.Context) []web.MenuItem {
	return func(c echo.Context) []web.MenuItem {
		v := identity.ViewerOf(c)
		if v == nil {
			return nil
		}
		switch web.HostOf(c) {
		case web.HostPortal:
			kids, err := fam.Of(c.Request().Context(), v.IdentityID)
			return portalMenu(err == nil && len(kids) > 0)
		case web.HostAdmin:
			return adminMenu(v)
		}
		return tenantMenu(v)
	}
}

func tenantMenu(v *identity.Viewer) []web.MenuItem {
	if !v.Can(identity.PermHome) {
		return nil // signed in, but nothing here: the home page says so
	}
	items := []web.MenuItem{{Href: "/", Text: "Accueil"}}
	add := func(href, text, section string) {
		items = append(items, web.MenuItem{Href: href, Text: text, Section: section})
	}
	family := v.Has(identity.RoleEleve) || v.Has(identity.RoleResponsable)
	if v.Member && v.Has(identity.RoleResponsable) {
		add("/enfants", "Mes enfants", "")
	}
	if v.Can(identity.PermMarksView) && family {
		section := "/notes"
		if v.Can(identity.PermMarksTeach) {
			section = "/notes/eleves" // a teacher's own classes are the other entry
		}
		add("/notes", "Notes", section)
	}
	switch {
	case v.Can(identity.PermMarksTeach):
		add("/notes/enseignement", "Notes de mes classes", "/notes")
	case v.Can(identity.PermMarksView) && !family:
		add("/notes", "Notes des élèves", "/notes") // vie scolaire: a pupil's marks by class
	}
	if v.Can(identity.PermMarksOversee) {
		add("/notes/tableau", "Tableau des moyennes", "")
		add("/notes/periodes", "Périodes et coefficients", "")
	}
	if v.Can(identity.PermMarksView) && family || v.Can(identity.PermMarksTeach) {
		add("/bulletins", "Bulletins", "") // vie scolaire has none to see there
	}
	if v.Can(identity.PermClassesList) {
		add("/annuaire/classes", "Classes et groupes", "/annuaire")
	} else if v.Member {
		add("/annuaire/personnes/"+v.PersonID.String(), "Ma fiche", "")
	}
	if v.Can(identity.PermPeopleManage) {
		add("/admin/personnes", "Gestion des personnes", "")
	}
	if v.Can(identity.PermImport) {
		add("/admin/imports", "Imports de l'annuaire", "")
	}
	return items
}

func portalMenu(parent bool) []web.MenuItem {
	items := []web.MenuItem{{Href: "/", Text: "Accueil"}, {Href: "/choix", Text: "Mes établissements"}}
	if parent {
		items = append(items, web.MenuItem{Href: "/enfants", Text: "Mes enfants"})
	}
	return items
}

func adminMenu(v *identity.Viewer) []web.MenuItem {
	if !v.Can(identity.PermTenantsManage) {
		return nil
	}
	items := []web.MenuItem{{Href: "/console", Text: "Console"}}
	if v.PlatformRole == identity.RoleAdminRegion {
		items = append(items, web.MenuItem{Href: "/console/taches", Text: "Tâches de fond"})
	}
	return items
}

// familyOf finds parents' children in all their establishments, through the grades'
// list of a guardian's legal children (those whose marks the parent sees).
func familyOf(auth *identity.Authenticator, reg *tenant.Registry, svc *grades.Service) *identity.Family {
	return identity.NewFamily(auth.Store(), reg.BySlug, func(ctx context.Context, t *tenant.Tenant, guardian uuid.UUID) ([]identity.Child, error) {
		cs, err := svc.LegalChildren(ctx, t, guardian)
		if err != nil {
			return nil, err
		}
		out := make([]identity.Child, 0, len(cs))
		for _, c := range cs {
			out = append(out, identity.Child{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, ClassLabel: c.ClassLabel})
		}
		return out, nil
	})
}

// childSwitcher lists a parent's children on every page, each link to the same kind of page
// (marks, report cards) of that child on the child's establishment's host, so that a parent
// with children in two establishments never chooses an establishment.
func childSwitcher(fam *identity.Family, tenantURL func(string) string, log *slog.Logger) func(echo.Context) []web.MenuItem {
	return func(c echo.Context) []web.MenuItem {
		v := identity.ViewerOf(c)
		if v == nil || v.PlatformRole != "" {
			return nil
		}
		kids, err := fam.Of(c.Request().Context(), v.IdentityID)
		if err != nil {
			log.Warn("child switcher: children not found", "err", err, "identity", v.IdentityID)
			return nil
		}
		path, here := c.Request().URL.Path, ""
		if t := web.TenantOf(c); t != nil {
			here = t.Slug
		}
		items := make([]web.MenuItem, 0, len(kids))
		for _, k := range kids {
			href := tenantURL(k.Slug) + "notes/eleves/" + k.ID.String()
			if strings.HasPrefix(path, "/bulletins") {
				href = tenantURL(k.Slug) + "bulletins"
			}
			text := k.Name()
			if k.ClassLabel != "" {
				text += " (" + k.ClassLabel + ")"
			}
			items = append(items, web.MenuItem{Href: href, Text: text,
				Current: k.Slug == here && strings.Contains(path, "/"+k.ID.String())})
		}
		return items
	}
}
