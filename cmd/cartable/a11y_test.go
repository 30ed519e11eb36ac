package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/modules/attendance"
	"github.com/cartable-ent/cartable/modules/billing"
	"github.com/cartable-ent/cartable/modules/billing/billingtest"
	"github.com/cartable-ent/cartable/modules/cahier"
	"github.com/cartable-ent/cartable/modules/courses"
	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/directory/aaf"
	"github.com/cartable-ent/cartable/modules/directory/directorytest"
	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/modules/messaging"
	"github.com/cartable-ent/cartable/modules/news"
	"github.com/cartable-ent/cartable/modules/notify"
	"github.com/cartable-ent/cartable/modules/timetable"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/tenant/tenanttest"
)

// axeVersion is the axe-core release ops/ensure-axe.sh puts in the cache.
const axeVersion = "4.10.3"

// a11yBudget bounds the accessibility walk: nine people, every page of theirs, two widths
// (about 3 min on an idle machine without -race, 20 min under -race beside the whole suite on
// 2 cores, which is why make test runs it in a pass of its own). A stuck page fails at its
// step's own timeout; the budget only keeps the walk inside go test's -timeout (a11yDeadline).
const a11yBudget = 25 * time.Minute

// a11yDeadline is the walk's budget, cut so that it ends a minute before go test's -timeout
// would kill the binary without the page's state.
func a11yDeadline(t *testing.T) time.Duration {
	budget := a11yBudget
	if d, ok := t.Deadline(); ok {
		if left := time.Until(d) - time.Minute; left < budget { // clock-ok: the test binary's own deadline
			budget = left
		}
	}
	return budget
}

// a11yWidths are a phone's and a desktop's viewport widths.
var a11yWidths = []int64{360, 1280}

// axeTags are the rules run: WCAG 2.0 and 2.1 A and AA, and 2.2 AA (tap targets of 24 px).
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// TestBrowserAccessibility signs in as each role in real headless Chromium, visits every page
// their menus lead to (and one page of each kind linked from those), their home, Mon compte,
// a parent's children, the portal and the administration console, at 360 px and 1280 px,
// and fails on any axe-core violation of WCAG 2.1 AA (and 2.2's target size). It also checks
// that every page has the menu with its current entry marked.
func TestBrowserAccessibility(t *testing.T) {
	chromium := browserExecutable(t)
	axe := axeSource(t)
	reg := tenanttest.NewRegistry(t, tenant.Options{}, tenant.PoolOptions{})
	tenanttest.OptIn(t, reg, "33")
	lycee := tenanttest.Provision(t, reg, "0330021U", "Lycée Michel-Montaigne", "lycee")
	college := tenanttest.Provision(t, reg, "0331444R", "Collège Jules-Verne", "college")
	env := directorytest.NewEnv(t, reg)
	people := seedA11y(t, env, reg, lycee, college)

	cfg := config{BaseDomain: "cartable.test", PublicScheme: "http", MaxImportMB: 5,
		KratosPublicURL: env.PublicURL, KratosAdminURL: env.AdminURL}
	log := slog.New(slog.NewTextHandler(browserLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	migrateQueue(t, reg)
	srv, err := buildServer(cfg, reg, log)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	proxy := httptest.NewServer(srv)
	t.Cleanup(proxy.Close)
	b := startBrowser(t, chromium, proxy.URL, a11yDeadline(t))
	start := time.Now() // clock-ok: measures elapsed time
	if _, err := chromedp.Call(b.ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatalf("let axe-core run under the pages' CSP: %v", err)
	}

	portal, admin := "http://cartable.test/", "http://admin.cartable.test/"
	home := "http://" + lycee.Slug + ".cartable.test/"
	visited := 0
	for _, p := range people {
		t.Run(p.who, func(t *testing.T) {
			b.t = t
			b.signInAs(env.BrowserCookie(t, p.login, p.password))
			start := home
			switch p.host {
			case "portal":
				start = portal
			case "admin":
				start = admin + "console"
			}
			pages := b.pagesOf(start, p.extra...)
			for _, w := range a11yWidths {
				b.viewport(w)
				for i, u := range pages {
					b.navigate(u, 0)
					if i == 0 {
						b.screenshot(fmt.Sprintf("a11y-%s-%d.png", p.who, w)) // each person's first page, for people to look at
					}
					b.wantMenu(u)
					for _, v := range b.axeViolations(axe) {
						t.Errorf("%s at %d px: %s", u, w, v)
					}
					visited++
				}
			}
			t.Logf("%s: %d pages × %d widths", p.who, len(pages), len(a11yWidths))
		})
	}
	b.t = t
	t.Run("attempt with the keyboard alone", func(t *testing.T) { b.t = t; keyboardWalk(t, b, env, people[0]) })
	b.t = t
	t.Logf("accessibility walk: %d page views in %s", visited, time.Since(start).Round(time.Millisecond))
}

// a11yPerson is someone the accessibility walk signs in as.
type a11yPerson struct {
	who, login, password string
	host                 string   // where they start: "tenant" (the lycée), "portal", "admin"
	extra                []string // pages to visit besides those their menus lead to
}

// seedA11y fills the lycée through a small AAF import (classes, teachers, pupils, parents),
// gives one parent a child at the collège too, marks for every class, and returns one person
// of each role.
func seedA11y(t *testing.T, env *directorytest.Env, reg *tenant.Registry, lycee, college *tenant.Tenant) []a11yPerson {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := aaf.Generate(&buf, aaf.GenOptions{UAI: string(lycee.UAI), Name: lycee.Name, Pupils: 12, Parents: 16, Staff: 12, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	all := identity.Scope{All: true}
	rep, err := env.Directory.ImportAAF(ctx, lycee, []directory.File{{Name: "ENT_" + string(lycee.UAI) + "_Complet_20260901_Test_0001.xml", R: &buf}},
		directory.ImportOptions{Actor: "test", Scope: all})
	if err != nil {
		t.Fatalf("import the lycée: %v", err)
	}
	creds, err := env.Directory.Credentials(ctx, lycee, rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	passwords := map[string]string{}
	for _, c := range creds {
		passwords[c.Login] = c.Password
	}
	people, err := env.Directory.People(ctx, lycee, directory.PeopleFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	picked := map[identity.Role]*directory.Person{}
	for i := range people {
		for _, r := range people[i].Roles {
			if picked[r] == nil && passwords[people[i].Login] != "" && len(people[i].Roles) == 1 {
				picked[r] = &people[i]
			}
		}
	}
	parent := picked[identity.RoleResponsable]
	if parent == nil || parent.AAFID == nil {
		t.Fatal("the generated AAF export has no parent with an account")
	}
	doc := sharedParentAAF(string(college.UAI), *parent.AAFID, parent.LastName, parent.FirstName)
	if _, err := env.Directory.ImportAAF(ctx, college, []directory.File{{Name: "ENT_" + string(college.UAI) + "_Delta_20260902_Test_0001.xml", R: strings.NewReader(doc)}},
		directory.ImportOptions{Actor: "test", Scope: all}); err != nil {
		t.Fatalf("the parent's child at the collège: %v", err)
	}
	marks := grades.NewService(reg.DB(), env.Clock.Now)
	marks.SetNotifier(notify.NewService(reg.DB(), env.Clock.Now)) // the pupils' and parents' notifications pages have some
	if err := marks.SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("marks: %v", err)
	}
	tt := timetable.NewService(reg.DB(), env.Clock.Now)
	if err := tt.SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("timetable: %v", err)
	}
	att := attendance.NewService(reg.DB(), tt, env.Clock.Now)
	if err := att.SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("attendance: %v", err)
	}
	if err := news.NewService(reg.DB(), reg.Blobs(), env.Clock.Now).SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("news: %v", err)
	}
	lessons := courses.NewService(reg.DB(), reg.Blobs(), env.Clock.Now)
	if err := lessons.SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("courses: %v", err)
	}
	// The cahier de textes: séances of the demo teacher's past week, some with work to do.
	if err := cahier.NewService(reg.DB(), tt, env.Clock.Now).SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("cahier: %v", err)
	}
	// An absence the parent declared in advance: the family's declarations (with the
	// cancellation's confirmation) and the vie scolaire's day show it.
	family := attendance.Actor{PersonID: parent.ID, Roles: []identity.Role{identity.RoleResponsable}}
	decl, err := att.Declarations(ctx, lycee, family)
	if err != nil || len(decl.Children) == 0 || len(decl.Motifs) == 0 {
		t.Fatalf("the parent's declarations page: %+v, %v", decl, err)
	}
	declared, err := att.Declare(ctx, lycee, family, attendance.DeclarationForm{Pupil: decl.Children[0].ID.String(), Span: "matin",
		Date: att.Today().AddDate(0, 0, 1).Format("2006-01-02"), Motif: decl.Motifs[0].ID.String(), Comment: "Rendez-vous chez l'orthodontiste"})
	if err != nil {
		t.Fatalf("declare an absence: %v", err)
	}

	// Conversations (the demo's), and a message in the pupil's corbeille: its deletion's
	// confirmation is one link deeper than the walk goes.
	mail := messaging.NewService(reg.DB(), env.Clock.Now, nil)
	if err := mail.SeedDemo(ctx, lycee); err != nil {
		t.Fatalf("messaging: %v", err)
	}
	trashed, err := mail.Send(ctx, lycee, picked[identity.RoleDirection].ID, messaging.Draft{Subject: "Carnet de correspondance", Body: "À faire signer.",
		Format: messaging.Text, Recipients: map[messaging.Role][]string{messaging.To: {picked[identity.RoleEleve].ID.String()}}})
	if err != nil {
		t.Fatalf("messaging: %v", err)
	}
	if err := mail.Move(ctx, lycee, picked[identity.RoleEleve].ID, trashed.Message, true); err != nil {
		t.Fatal(err)
	}
	// The direction's draft (reopened, its deletion's confirmation) and a message it may
	// still recall: sent on the server's clock, which decides the 60 minutes.
	dirDraft, err := mail.SaveDraft(ctx, lycee, picked[identity.RoleDirection].ID, uuid.Nil, messaging.Draft{Subject: "Conseil pédagogique",
		Body: "Ordre du jour à compléter", Format: messaging.Text, Recipients: map[messaging.Role][]string{messaging.To: {picked[identity.RoleEnseignant].ID.String()}}})
	if err != nil {
		t.Fatalf("messaging: %v", err)
	}
	recallable, err := messaging.NewService(reg.DB(), nil, nil).Send(ctx, lycee, picked[identity.RoleDirection].ID, messaging.Draft{Subject: "Réunion",
		Body: "Lundi 18 h", Format: messaging.Text, Recipients: map[messaging.Role][]string{messaging.To: {picked[identity.RoleEnseignant].ID.String()}}})
	if err != nil {
		t.Fatalf("messaging: %v", err)
	}
	// A message the pupil reports: the report form, and the report as the vie scolaire opens it.
	reported, err := mail.Send(ctx, lycee, picked[identity.RoleDirection].ID, messaging.Draft{Subject: "Sortie scolaire", Body: "Autorisation à rendre.",
		Format: messaging.Text, Recipients: map[messaging.Role][]string{messaging.To: {picked[identity.RoleEleve].ID.String()}}})
	if err != nil {
		t.Fatalf("messaging: %v", err)
	}
	report, err := mail.Report(ctx, lycee, picked[identity.RoleEleve].ID, reported.Message, "Je ne comprends pas ce message")
	if err != nil {
		t.Fatalf("messaging: %v", err)
	}

	var out []a11yPerson
	for _, r := range []identity.Role{identity.RoleEleve, identity.RoleResponsable, identity.RoleEnseignant, identity.RoleVieScolaire, identity.RoleDirection} {
		p := picked[r]
		if p == nil {
			t.Fatalf("the generated AAF export has no %s with an account", r)
		}
		out = append(out, a11yPerson{who: string(r), login: p.Login, password: passwords[p.Login], host: "tenant"})
	}
	// The parent lands on the portal after login: their children there, then everywhere.
	out[1].host, out[1].extra = "portal", []string{"http://cartable.test/compte", "http://cartable.test/choix",
		"http://" + lycee.Slug + ".cartable.test/emploi-du-temps", "http://" + lycee.Slug + ".cartable.test/absences",
		"http://" + lycee.Slug + ".cartable.test/absences/signalements", "http://" + lycee.Slug + ".cartable.test/absences/signalements/" + declared.String() + "/annuler",
		"http://" + lycee.Slug + ".cartable.test/messagerie"}
	out[0].extra = []string{"http://" + lycee.Slug + ".cartable.test/messagerie/messages/" + trashed.Message.String() + "/supprimer",
		"http://" + lycee.Slug + ".cartable.test/messagerie/messages/" + reported.Message.String() + "/signaler"}
	out[3].extra = []string{"http://" + lycee.Slug + ".cartable.test/messagerie/signalements/" + report.String()}
	// Direction: the timetable's holidays and a deletion's confirmation (one link deeper).
	holidays, err := tt.Holidays(ctx, lycee)
	if err != nil || len(holidays) == 0 {
		t.Fatalf("the demo's holidays: %v, %v", holidays, err)
	}
	lyceeURL := "http://" + lycee.Slug + ".cartable.test"
	out[4].extra = append(out[4].extra, lyceeURL+"/emploi-du-temps/gestion/vacances",
		lyceeURL+"/emploi-du-temps/gestion/vacances/"+holidays[0].ID.String()+"/supprimer",
		lyceeURL+"/messagerie/brouillons/"+dirDraft.String(), lyceeURL+"/messagerie/brouillons/"+dirDraft.String()+"/supprimer",
		lyceeURL+"/messagerie/messages/"+recallable.Message.String()+"/rappeler",
		lyceeURL+"/messagerie/suspensions?q=a")
	// Courses: a course of the walk's teacher for every class, the pupil having opened its
	// page (« Reprendre »); the teacher's outline, page editor, block form, copy and deletion
	// (one link deeper than the walk goes), the direction's reading.
	author := courses.Actor{PersonID: picked[identity.RoleEnseignant].ID, Roles: []identity.Role{identity.RoleEnseignant}}
	classes, _, err := lessons.Choices(ctx, lycee)
	if err != nil {
		t.Fatal(err)
	}
	form := courses.CourseForm{Title: "Méthodologie", Description: "Prendre des notes, réviser."}
	for _, c := range classes {
		form.Classes = append(form.Classes, c.ID.String())
	}
	course, err := lessons.Create(ctx, lycee, author, form)
	if err != nil {
		t.Fatalf("courses: %v", err)
	}
	section, err := lessons.AddSection(ctx, lycee, author, course, "Prendre des notes")
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := lessons.AddPage(ctx, lycee, author, section, "Les abréviations")
	if err != nil {
		t.Fatal(err)
	}
	block, err := lessons.AddBlock(ctx, lycee, author, page, courses.BlockForm{Kind: "texte", Body: "Utilisez **des symboles** : → pour « donc »."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lessons.AddBlock(ctx, lycee, author, page, courses.BlockForm{Kind: "video", URL: "https://vimeo.com/1234", Label: "Prendre des notes efficacement"}); err != nil {
		t.Fatal(err)
	}
	if err := lessons.SetPublished(ctx, lycee, author, course, true); err != nil {
		t.Fatal(err)
	}
	if _, err := lessons.Page(ctx, lycee, courses.Actor{PersonID: picked[identity.RoleEleve].ID, Roles: []identity.Role{identity.RoleEleve}}, page); err != nil {
		t.Fatalf("the pupil opens the course's page: %v", err)
	}
	out[2].extra = append(out[2].extra, lyceeURL+"/cours/"+course.String()+"/plan", lyceeURL+"/cours/pages/"+page.String()+"/modifier",
		lyceeURL+"/cours/blocs/"+block.ID.String()+"/modifier", lyceeURL+"/cours/"+course.String()+"/copier",
		lyceeURL+"/cours/"+course.String()+"/modifier", lyceeURL+"/cours/"+course.String()+"/supprimer", lyceeURL+"/cours/nouveau")
	out[0].extra = append(out[0].extra, lyceeURL+"/cours/"+course.String(), lyceeURL+"/cours/pages/"+page.String())
	teacherExercises, pupilExercises := a11yExercises(t, reg, env.Clock.Now, lycee, lessons, page, author.PersonID, picked[identity.RoleEleve].ID)
	out[2].extra = append(out[2].extra, teacherExercises...)
	out[0].extra = append(out[0].extra, pupilExercises...)
	out[4].extra = append(out[4].extra, lyceeURL+"/cours/"+course.String(), lyceeURL+"/cours/pages/"+page.String())
	out[4].extra = append(out[4].extra, a11yResourcesManage(t, reg, env.Clock.Now, lycee, picked[identity.RoleDirection].ID, picked[identity.RoleEnseignant].ID)...)
	// The parent's chooser of children, a child's courses, and the course read-only.
	kids, err := lessons.Children(ctx, lycee, courses.Actor{PersonID: parent.ID, Roles: []identity.Role{identity.RoleResponsable}})
	if err != nil || len(kids) == 0 {
		t.Fatalf("the parent's children for courses: %v, %v", kids, err)
	}
	out[1].extra = append(out[1].extra, lyceeURL+"/cours", lyceeURL+"/cours/eleves/"+kids[0].ID.String(), lyceeURL+"/cours/"+course.String(), lyceeURL+"/cours/pages/"+page.String())
	for _, r := range []identity.Role{identity.RoleAdmin, identity.RolePersonnel} {
		m := env.AddMember(t, lycee, r, "Test", "Accessibilité")
		out = append(out, a11yPerson{who: string(r), login: m.Login, password: m.Password, host: "tenant"})
	}
	region := env.AddPlatformAdmin(t, identity.RoleAdminRegion, "")
	dep := env.AddPlatformAdmin(t, identity.RoleAdminDepartement, "33")
	collegeHome := "http://" + college.Slug + ".cartable.test/"
	// Billing: a closed month (September 2026, the school day being in October) with its
	// statements and Gironde's invoice, so that the billing pages have their tables, their
	// chart and a statement to show.
	bills := billing.NewStore(reg.Platform(), env.Clock.Now)
	billingtest.Tariff(t, bills, time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC))
	september := time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)
	sts := billingtest.CloseMonth(t, bills, september, []billing.Usage{
		{UAI: string(lycee.UAI), Name: lycee.Name, Kind: "lycee", Payer: billing.RegionPayer, BilledDays: 30, DaysInMonth: 30, ActivePupils: 12, Accounts: 40, ByteDays: 30 * 2e9},
		{UAI: string(college.UAI), Name: college.Name, Kind: "college", Payer: "33", BilledDays: 15, DaysInMonth: 30, ActivePupils: 1, Accounts: 2},
	})
	billingtest.Invoice(t, bills, september, "33", "open", "https://invoice.stripe.com/i/test", sts[len(sts)-1].Gross)
	admin := "http://admin.cartable.test/console/facturation"
	out = append(out,
		a11yPerson{who: "admin_regional", login: region.Login, password: region.Password, host: "admin",
			extra: []string{"http://cartable.test/", "http://cartable.test/choix", "http://cartable.test/compte", "http://" + lycee.Slug + ".cartable.test/",
				admin + "?mois=2026-09", admin + "/releves/2026-09?payeur=33", admin + "/cloture?mois=2026-08", "http://admin.cartable.test/console/departements/33"}},
		a11yPerson{who: "admin_departemental", login: dep.Login, password: dep.Password, host: "admin",
			extra: []string{"http://cartable.test/compte", collegeHome, admin + "?mois=2026-09", admin + "/releves/2026-09"}},
	)
	a11yResources(t, reg, env.Clock.Now, lycee, out, picked[identity.RoleEleve].ID, picked[identity.RoleEnseignant].ID)
	return out
}

// axeSource reads axe-core from the cache ops/ensure-axe.sh fills.
func axeSource(t *testing.T) string {
	t.Helper()
	dir, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cartable", "axe-core-"+axeVersion, "axe.min.js")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the accessibility test needs axe-core %s at %s: run `sh ops/ensure-axe.sh` (or `make test`): %v", axeVersion, path, err)
	}
	return string(src)
}

// signInAs replaces the browser's cookies by a session cookie for every host of the base.
func (b *browser) signInAs(session string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		b.fatalf("clear cookies: %v", err)
	}
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: identity.SessionCookie, Value: session,
		Domain: ".cartable.test", Path: "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		b.fatalf("set the session cookie: %v", err)
	}
}

func (b *browser) viewport(width int64) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
		b.fatalf("viewport %d: %v", width, err)
	}
}

// idInPath is an identifier in an address: a UUID, or a subject's code (062900).
var idInPath = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9]{4,}\b`)

// pagesOf lists what a person reaches: start and extra, every link of start's menus and
// main part, then for each of those pages the links of its main part, one per kind of
// address (a class, a pupil, an evaluation: its identifiers replaced), on the platform's
// hosts. Downloads (PDF, CSV), logout and resources' plain links (to their publishers) are left out.
func (b *browser) pagesOf(start string, extra ...string) []string {
	b.t.Helper()
	seen := map[string]bool{}
	var out []string
	add := func(u string) bool {
		p, err := url.Parse(u)
		if err != nil || !strings.HasSuffix(p.Hostname(), "cartable.test") || p.Hostname() == "auth.cartable.test" {
			return false
		}
		path := p.Path
		if strings.HasSuffix(path, "/pdf") || strings.HasSuffix(path, ".pdf") || strings.HasSuffix(path, ".csv") || strings.HasSuffix(path, ".json") || strings.HasPrefix(path, "/absences/pieces/") ||
			strings.HasSuffix(path, "/export") || strings.Contains(path, "/export/") || strings.Contains(path, "/fichiers/") || path == "/deconnexion" ||
			strings.HasSuffix(path, "/lien") { // a resource's plain link: off to its publisher
			return false
		}
		kind := p.Host + idInPath.ReplaceAllString(path, ":id")
		if seen[kind] {
			return false
		}
		seen[kind] = true
		p.Fragment = ""
		out = append(out, p.String())
		return true
	}
	add(start)
	for _, e := range extra {
		add(e)
	}
	b.navigate(start, 0)
	first := b.links("header nav a, main a")
	var level1 []string
	for _, u := range first {
		if add(u) {
			level1 = append(level1, u)
		}
	}
	for _, u := range level1 {
		b.navigate(u, 0)
		for _, l := range b.links("main a") {
			add(l)
		}
	}
	return out
}

// links returns the absolute addresses of the links matching sel.
func (b *browser) links(sel string) []string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	expr := fmt.Sprintf(`[...document.querySelectorAll(%q)].map(a => a.href).filter(h => h.startsWith("http"))`, sel)
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		b.fatalf("links of %s: %v", sel, err)
	}
	return slices.Compact(hrefs)
}

// wantMenu checks that a signed-in page has the menu, its current entry marked when the page
// is one of its entries.
func (b *browser) wantMenu(u string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	type header struct {
		Menu    int    `json:"menu"`
		Current string `json:"current"`
		Account int    `json:"account"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[header](`({menu: document.querySelectorAll("header nav.menu a").length,
		current: [...document.querySelectorAll('header nav.menu a[aria-current="page"]')].map(a => a.href).join(" "),
		account: [...document.querySelectorAll("header nav.account a")].filter(a => a.textContent.trim() === "Mon compte").length})`))
	if err != nil {
		b.fatalf("read the menu of %s: %v", u, err)
	}
	if got.Account != 1 {
		b.t.Errorf("%s: no « Mon compte » link in the header", u)
	}
	if got.Menu == 0 {
		b.t.Errorf("%s: no menu in the header", u)
		return
	}
	for _, href := range b.links("header nav.menu a") {
		if href == u && got.Current != u {
			b.t.Errorf("%s: its menu entry is not marked current (aria-current: %q)", u, got.Current)
		}
	}
}

// axeViolations runs axe-core on the page and describes each violation with its first nodes.
func (b *browser) axeViolations(axe string) []string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err != nil {
		b.fatalf("axe-core: %v", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
			b.fatalf("load axe-core: %v", err)
		}
	}
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	expr := `axe.run(document, {runOnly: {type: "tag", values: ` + tags + `}, resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — " +
			v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + n.html.slice(0, 140) + " [" + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 200) + "]").join(" | ")))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatalf("run axe-core: %v", err)
	}
	return out
}
