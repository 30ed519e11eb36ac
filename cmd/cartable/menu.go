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
// (marks, report cards, timetable, absences, cahier de textes) of that child on the child's establishment's host, so that a parent
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
			switch {
			case strings.HasPrefix(path, "/bulletins"):
				href = tenantURL(k.Slug) + "bulletins"
			case strings.HasPrefix(path, "/emploi-du-temps"):
				href = tenantURL(k.Slug) + "emploi-du-temps/eleves/" + k.ID.String()
			case strings.HasPrefix(path, "/absences"):
				href = tenantURL(k.Slug) + "absences/eleves/" + k.ID.String()
			case strings.HasSuffix(path, "/a-faire") && strings.HasPrefix(path, "/cahier"):
				href = tenantURL(k.Slug) + "cahier/eleves/" + k.ID.String() + "/a-faire"
			case strings.HasPrefix(path, "/cahier"):
				href = tenantURL(k.Slug) + "cahier/eleves/" + k.ID.String()
			case strings.HasPrefix(path, "/portfolio"):
				href = tenantURL(k.Slug) + "portfolio/eleves/" + k.ID.String()
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
