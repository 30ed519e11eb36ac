package main

import (
	"cmp"
	"fmt"
	"html/template"
	"log/slog"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/console"
	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/exercises"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/jobs"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/platform"
	"github.com/cartable-ent/cartable/modules/portfolio"
	"github.com/cartable-ent/cartable/modules/privacy"
	"github.com/cartable-ent/cartable/modules/resources"
	"github.com/cartable-ent/cartable/modules/retention"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/modules/transfer"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// app is what the modules are built from.
type app struct {
	cfg           config
	reg           *tenant.Registry
	srv           *web.Server
	auth          *identity.Authenticator
	browser       string // Kratos' public URL as browsers reach it
	queue         *jobs.Queue
	directory     *directory.Service
	grades        *grades.Service
	family        *identity.Family // a parent's children in every establishment
	notify        *notify.Service
	timetable     *timetable.Service
	absences      *attendance.Service
	messaging     *messaging.Service
	news          *news.Service
	courses       *courses.Service
	exercises     *exercises.Service
	resources     *resources.Service
	space         *files.Space // every module's files against the establishment's quota
	cahier        *cahier.Service
	portfolio     *portfolio.Service
	retention     *retention.Service // the purges' report, the leavers' portfolios
	transfer      *transfer.Service
	privacy       *privacy.Service // the personal data exports
	billing       *billing.Closer  // the monthly close and its store
	stripeWebhook *billing.Webhook // Stripe's invoice events
	mailbox       notify.Mailbox   // the development mailbox (make dev), or nil
	log           *slog.Logger
}

// modules is the ordered list of Cartable's modules: adding a capability is one line here,
// its folder under modules/ and its migrations under migrations/tenant/. The order is the
// menu's for entries of equal rank and the demo data's (grades needs directory's people).
func modules(a app) []module.Module {
	ui := identity.NewUI(a.auth, a.browser, a.srv.PortalURL(), a.srv.TenantURL("admin")+"console", a.srv.TenantURL)
	ui.SetFamily(a.family)
	// Automation (no viewer) or a regional administrator: jobs span every establishment.
	jh := jobs.NewHandler(a.queue, func(c echo.Context) bool {
		v := identity.ViewerOf(c)
		return v == nil || v.PlatformRole == identity.RoleAdminRegion
	})
	return []module.Module{
		ui.Module(),
		platform.Module(tenant.NewHandler(a.reg, int64(a.cfg.MaxImportMB)<<20)),
		jh.Module(),
		directory.NewHandler(a.directory, a.auth, a.reg, int64(cmp.Or(a.cfg.MaxUploadMB, 256))<<20, a.srv.PortalURL()).Module(),
		grades.NewHandler(a.grades, a.auth).Module(),
		timetable.NewHandler(a.timetable, a.srv.TenantURL).Module(),
		notify.NewHandler(a.notify, a.mailbox, a.log).Module(),
		attendance.NewHandler(a.absences).Module(),
		messaging.NewHandler(a.messaging).Module(),
		news.NewHandler(a.news).Module(),
		courses.NewHandler(a.courses).Module(),
		exercises.NewHandler(a.exercises).Module(),
		resources.NewHandler(a.resources).Module(), // after directory and grades: its demo subscribes the demo classes
		cahier.NewHandler(a.cahier).Module(),       // after timetable: its demo fills the timetable's lessons
		portfolio.NewHandler(a.portfolio).Module(), // after cahier, exercises and grades: its demo reads their work
		transfer.NewHandler(a.transfer).Module(),
		files.NewHandler(a.space).Module(),
		privacy.NewHandler(a.privacy, a.childrenOf(), a.srv.PortalURL()).Module(),
		console.NewHandler(console.Config{Registry: a.reg, Directory: a.directory, Space: a.space, TenantURL: a.srv.TenantURL,
			MaxUploadBytes: int64(cmp.Or(a.cfg.MaxUploadMB, 256)) << 20, MaxImportBytes: int64(a.cfg.MaxImportMB) << 20,
			Retention: time.Duration(a.cfg.RetentionDays) * 24 * time.Hour, Billing: a.billingPages()}).Module(),
		a.billingModule(),
		retention.NewHandler(a.retention.Report(), time.Duration(a.cfg.RetentionDays)*24*time.Hour).Module(a.retention),
	}
}

// childrenOf is the family look-up the export's page offers children from (nil: none).
func (a app) childrenOf() privacy.Children {
	if a.family == nil {
		return nil
	}
	return a.family.Of
}

// billingPages wires the console's billing pages on the metering, the monthly close and the
// opt-out.
func (a app) billingPages() *console.Billing {
	s := a.billing.Store()
	return &console.Billing{Store: s, Usage: billing.NewUsageCache(s, 5*time.Minute), Preview: a.billing.Preview, Close: a.billing.Close, OptOut: s.OptOut}
}

// billingModule is the Stripe webhook, on the administration host.
func (a app) billingModule() module.Module {
	return module.Module{Name: "billing", Routes: a.stripeWebhook.Routes(), OpenAPI: billing.WebhookOpenAPI,
		Export: a.billing.Store().Export, ExportAbout: billing.ExportAbout}
}

// mount registers every module's pages, grants and routes, and builds the menu from their
// entries. A route declared twice is an error (two modules would shadow each other).
func mount(srv *web.Server, auth *identity.Authenticator, mods []module.Module) error {
	seen := map[string]string{}
	hosts := identity.Hosts{Portal: srv.Portal(), Admin: srv.Admin(), Tenant: srv.Tenants(), AdminAPI: srv.AdminAPI().Group("", auth.AdminAPI)}
	for _, m := range mods {
		for _, r := range m.Routes {
			k := string(r.Host) + " " + r.Key()
			if other, dup := seen[k]; dup {
				return fmt.Errorf("route %s declared by both %s and %s", k, other, m.Name)
			}
			seen[k] = m.Name
		}
		if err := srv.AddPages(m.Templates); err != nil {
			return fmt.Errorf("module %s: %w", m.Name, err)
		}
		if err := auth.MountModule(hosts, m); err != nil {
			return err
		}
	}
	srv.SetMenu(menuOf(mods))
	srv.SetHomePanels(homePanelsOf(mods))
	return nil
}

// homePanelsOf gathers the modules' blocks of the home page, in the modules' order.
func homePanelsOf(mods []module.Module) func(echo.Context) ([]template.HTML, error) {
	return func(c echo.Context) ([]template.HTML, error) {
		var out []template.HTML
		for _, m := range mods {
			if m.HomePanel == nil {
				continue
			}
			h, err := m.HomePanel(c)
			if err != nil {
				return nil, fmt.Errorf("module %s: home panel: %w", m.Name, err)
			}
			if h != "" {
				out = append(out, h)
			}
		}
		return out, nil
	}
}

// menuOf builds the menu function from the modules' entries: on each host, each viewer sees
// the entries their roles grant, in order, once per link (the layout marks the current one).
func menuOf(mods []module.Module) func(echo.Context) []web.MenuItem {
	var entries []module.MenuEntry
	for _, m := range mods {
		entries = append(entries, m.Menu...)
	}
	slices.SortStableFunc(entries, func(a, b module.MenuEntry) int { return cmp.Compare(a.Order, b.Order) })
	return func(c echo.Context) []web.MenuItem {
		v := identity.ViewerOf(c)
		if v == nil {
			return nil
		}
		var items []web.MenuItem
		seen := map[string]bool{}
		host := module.Host(web.HostOf(c))
		for _, e := range entries {
			if cmp.Or(e.Host, module.Tenant) != host ||
				(e.Permission != module.Public && !v.Can(e.Permission)) ||
				(len(e.Roles) > 0 && !slices.ContainsFunc(e.Roles, v.Has)) {
				continue
			}
			href := e.Href
			if e.HrefFor != nil {
				href = e.HrefFor(c)
			}
			if href == "" || seen[href] {
				continue
			}
			seen[href] = true
			text := e.Text
			if e.TextFor != nil {
				text = e.TextFor(c)
			}
			items = append(items, web.MenuItem{Href: href, Text: text, Section: e.Section})
		}
		return items
	}
}
