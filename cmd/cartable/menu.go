package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/portfolio"
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
			out = append(out, identity.Child{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, ClassLabel: c.ClassLabel, BirthDate: c.BirthDate})
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
			href := childHref(path, tenantURL(k.Slug), k, time.Now())
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

// childHref is the switcher's link to child k (base: the child's establishment's address) for
// a parent on path: the same kind of page of that child, marks by default. A child of age has
// a portfolio of their own: the parent is sent to the portfolio's list of their children,
// which says so, rather than to a page they may not read.
func childHref(path, base string, k identity.Child, now time.Time) string {
	id := k.ID.String()
	switch {
	case strings.HasPrefix(path, "/bulletins"):
		return base + "bulletins"
	case strings.HasPrefix(path, "/emploi-du-temps"):
		return base + "emploi-du-temps/eleves/" + id
	case strings.HasPrefix(path, "/absences"):
		return base + "absences/eleves/" + id
	case strings.HasSuffix(path, "/a-faire") && strings.HasPrefix(path, "/cahier"):
		return base + "cahier/eleves/" + id + "/a-faire"
	case strings.HasPrefix(path, "/cahier"):
		return base + "cahier/eleves/" + id
	case strings.HasPrefix(path, "/portfolio") && portfolio.Adult(k.BirthDate, now):
		return base + "portfolio"
	case strings.HasPrefix(path, "/portfolio"):
		return base + "portfolio/eleves/" + id
	}
	return base + "notes/eleves/" + id
}
