package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// tenantRow is an establishment as the console's tables show it.
type tenantRow struct {
	Name, UAI, Kind, Departement, Status, StatusValue, URL, Page string
	Accounts, ActiveAccounts                                     int
	Storage, Created, PurgeAfter, AccountsText                   string
	Live                                                         bool
}

func (h *Handler) rowOf(t tenant.Tenant, sizes map[uuid.UUID]Size) tenantRow {
	r := tenantRow{Name: t.Name, UAI: string(t.UAI), Kind: t.Kind.Label(), Departement: t.UAI.Departement(),
		Status: statusLabel(t.Status), StatusValue: string(t.Status), Live: t.Status != tenant.StatusDeleted,
		Created: h.day(t.CreatedAt), Storage: "inconnue"}
	if r.Live {
		r.URL, r.Page = h.cfg.TenantURL(t.Slug), "/console/etablissements/"+string(t.UAI)
	}
	if s, ok := sizes[t.ID]; ok {
		r.Accounts, r.ActiveAccounts = s.Accounts, s.ActiveAccounts
		r.AccountsText = fmt.Sprintf("%d %s sur %d", s.ActiveAccounts, plural(s.ActiveAccounts, "actif", "actifs"), s.Accounts)
		if s.Bytes > 0 {
			r.Storage = megabytes(s.Bytes)
		}
	}
	if t.PurgeAfter != nil {
		r.PurgeAfter = h.day(*t.PurgeAfter)
	}
	return r
}

// megabytes is a size as the console shows storage: Ko under a megabyte, then Mo or Go with
// one decimal (French comma).
func megabytes(n int64) string {
	switch {
	case n < 1<<20:
		return fmt.Sprintf("%d Ko", (n+1023)>>10)
	case n < 1<<30:
		return strings.Replace(fmt.Sprintf("%.1f Mo", float64(n)/(1<<20)), ".", ",", 1)
	}
	return strings.Replace(fmt.Sprintf("%.1f Go", float64(n)/(1<<30)), ".", ",", 1)
}

// plural picks the French form for n (0 and 1 take the singular).
func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

type option struct {
	Value, Label string
	Selected     bool
}

// home is the console's first page: the establishments of the viewer's scope, filtered by
// kind, département and state, with their size, then the latest actions.
func (h *Handler) home(c echo.Context) error {
	ctx, sc, v := c.Request().Context(), tenant.ScopeOf(c), identity.ViewerOf(c)
	kind, dep, state := c.QueryParam("type"), strings.TrimLeft(c.QueryParam("departement"), "0"), c.QueryParam("etat")
	var problems []string
	if kind != "" && !slices.Contains(tenant.Kinds, tenant.Kind(kind)) {
		problems = append(problems, fmt.Sprintf("type « %s » inconnu : choisissez-en un dans la liste", kind))
		kind = ""
	}
	if !slices.Contains([]string{"", "active", "suspended", "deleted"}, state) {
		problems = append(problems, fmt.Sprintf("état « %s » inconnu : choisissez-en un dans la liste", state))
		state = ""
	}
	lf := tenant.ListFilter{Status: tenant.Status(state)}
	if !sc.All {
		lf.Organisation = sc.Organisation
	}
	ts, err := h.cfg.Registry.List(ctx, lf)
	if err != nil {
		return err
	}
	ts = slices.DeleteFunc(ts, func(t tenant.Tenant) bool {
		return kind != "" && string(t.Kind) != kind || dep != "" && t.UAI.Departement() != dep
	})
	rows, err := h.rows(c, ts, false)
	if err != nil {
		return err
	}
	deps, err := h.departements(c)
	if err != nil {
		return err
	}
	journal, err := h.journal(c, "", 10)
	if err != nil {
		return err
	}
	kinds := []option{{Value: "", Label: "tous"}}
	for _, k := range tenant.Kinds {
		kinds = append(kinds, option{Value: string(k), Label: k.Label(), Selected: string(k) == kind})
	}
	states := []option{{Value: "", Label: "ouverts et suspendus"}}
	for _, s := range []tenant.Status{tenant.StatusActive, tenant.StatusSuspended, tenant.StatusDeleted} {
		states = append(states, option{Value: string(s), Label: statusLabel(s), Selected: string(s) == state})
	}
	depOptions := []option{{Value: "", Label: "tous"}}
	for _, d := range deps {
		depOptions = append(depOptions, option{Value: d.Code, Label: d.Code + " – " + d.Name, Selected: d.Code == dep})
	}
	return render(c, http.StatusOK, "console_home.html", "Console", map[string]any{
		"Role": v.PlatformRole.Label(), "Departement": sc.Organisation, "Regional": sc.All,
		"Tenants": rows, "Kinds": kinds, "States": states, "Departements": deps, "DepOptions": depOptions,
		"Problems": problems, "Journal": journal, "Filtered": kind != "" || dep != "" || state != "",
	})
}

// rows measures ts (exactly, or PostgreSQL's estimate for long lists) and turns them into
// table rows.
func (h *Handler) rows(c echo.Context, ts []tenant.Tenant, exact bool) ([]tenantRow, error) {
	sizes, err := h.store.Sizes(c.Request().Context(), ts, exact)
	if err != nil {
		return nil, err
	}
	rows := make([]tenantRow, 0, len(ts))
	for _, t := range ts {
		rows = append(rows, h.rowOf(t, sizes))
	}
	return rows, nil
}

// establishment returns the live establishment of the route's :uai when the viewer's scope
// covers it; otherwise the same French 404 as the API (nothing tells whether it exists).
func (h *Handler) establishment(c echo.Context) (*tenant.Tenant, error) {
	return h.cfg.Registry.ForScope(c, c.Param("uai"))
}

// tenantPage is one establishment: state, size, actions, latest imports and actions.
func (h *Handler) tenantPage(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	return h.renderTenant(c, http.StatusOK, t, nil, "")
}

// renderTenant shows the establishment's page, with the quota form's refusal and what was
// typed, if any.
func (h *Handler) renderTenant(c echo.Context, status int, t *tenant.Tenant, quotaErr *formError, typed string) error {
	rows, err := h.rows(c, []tenant.Tenant{*t}, true)
	if err != nil {
		return err
	}
	runs, err := h.runs(c, t, 5)
	if err != nil {
		return err
	}
	journal, err := h.journal(c, string(t.UAI), 20)
	if err != nil {
		return err
	}
	row := rows[0]
	space, err := h.spaceOf(c, t, quotaErr, typed)
	if err != nil {
		return err
	}
	return render(c, status, "console_tenant.html", t.Name, map[string]any{
		"T": row, "Flash": flash(c, t, row.URL), "Suspended": t.Status == tenant.StatusSuspended,
		"Runs": runs, "Journal": journal, "Slug": t.Slug, "Schema": t.SchemaVersion, "Space": space,
	})
}

// provisionForm is the form opening an establishment.
type provisionForm struct {
	UAI, Name, Kind, Slug, Proposed string
	Kinds                           []option
	Regional                        bool
	Departement                     string
	Preview                         bool // the fields were checked: confirm to open
	Error                           *formError
}

func (h *Handler) newForm(c echo.Context, f provisionForm) provisionForm {
	sc := tenant.ScopeOf(c)
	f.Regional, f.Departement = sc.All, sc.Organisation
	for _, k := range tenant.Kinds {
		if !sc.All && k != tenant.KindCollege {
			continue // a département opens only collèges
		}
		f.Kinds = append(f.Kinds, option{Value: string(k), Label: k.Label(), Selected: string(k) == f.Kind})
	}
	return f
}

func (h *Handler) newTenant(c echo.Context) error {
	f := provisionForm{Kind: c.QueryParam("type")}
	return render(c, http.StatusOK, "console_new.html", "Ouvrir un établissement", h.newForm(c, f))
}

// mayProvision is the API's rule (tenant.Handler.create): a département's administrator
// opens only collèges of their own département.
func mayProvision(c echo.Context, req tenant.NewTenant) error {
	sc := tenant.ScopeOf(c)
	if sc.All {
		return nil
	}
	uai, err := tenant.ParseUAI(req.UAI)
	if err != nil {
		return err
	}
	if tenant.Kind(req.Kind) != tenant.KindCollege || uai.Departement() != sc.Organisation {
		return fault.New(fault.ErrForbidden, "un administrateur départemental n'ouvre que les collèges de son département (%s) ; un lycée ou un collège d'un autre département relève d'un autre administrateur", sc.Organisation)
	}
	return nil
}

// provision checks the form, shows the subdomain proposed from the name, then, once
// confirmed, opens the establishment (one transaction, in the registry).
func (h *Handler) provision(c echo.Context) error {
	f := provisionForm{UAI: trimmed(c, "uai"), Name: trimmed(c, "name"), Kind: trimmed(c, "kind"),
		Slug: strings.ToLower(trimmed(c, "slug")), Proposed: trimmed(c, "proposed")}
	req := tenant.NewTenant{UAI: f.UAI, Name: f.Name, Kind: f.Kind, Slug: f.Slug}
	refuse := func(err error) error {
		fe, ok := userError(err)
		if !ok {
			return err
		}
		f.Error, f.Preview = fe, false
		return render(c, fe.Status, "console_new.html", "Ouvrir un établissement", h.newForm(c, f))
	}
	if err := mayProvision(c, req); err != nil {
		return refuse(err)
	}
	uai, err := tenant.ParseUAI(f.UAI)
	if err != nil {
		return refuse(err)
	}
	f.UAI = string(uai)
	if c.FormValue("confirmer") != "1" {
		if f.Slug == "" {
			f.Slug = tenant.Slugify(f.Name)
			f.Proposed = f.Slug
		}
		f = h.newForm(c, f)
		f.Preview = true
		return render(c, http.StatusOK, "console_new.html", "Ouvrir un établissement", f)
	}
	if f.Slug != "" && f.Slug == f.Proposed {
		// The proposal kept as is: the registry derives it again from the name, and makes it
		// unique with the UAI if another establishment took it meanwhile.
		req.Slug = ""
	}
	t, created, err := h.cfg.Registry.Provision(c.Request().Context(), req, tenant.ActorOf(c))
	if err != nil {
		return refuse(err)
	}
	msg := "ouvert"
	if !created {
		msg = "existant"
	}
	return redirect(c, "/console/etablissements/"+string(t.UAI), msg)
}

// confirmPage asks before a destructive change.
type confirmPage struct {
	T                    tenantRow
	Heading, Action      string
	Paragraphs           []string
	Button               string
	Danger, AskUAI       bool
	Error                *formError
	RetentionDays        int
	PurgeDate, Cancelled string
}

func (h *Handler) confirmSuspend(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "console_confirm.html", "Suspendre "+t.Name, h.suspendPage(t))
}

func (h *Handler) suspendPage(t *tenant.Tenant) confirmPage {
	return confirmPage{T: h.rowOf(*t, nil), Heading: "Suspendre « " + t.Name + " » ?",
		Action: "/console/etablissements/" + string(t.UAI) + "/suspendre", Button: "Suspendre l'établissement",
		Paragraphs: []string{
			"Plus personne ne pourra entrer dans l'ENT de cet établissement : ses pages diront qu'il est suspendu, sans aucune donnée.",
			"Ses données sont gardées intactes ; vous pourrez le rouvrir à tout moment depuis sa page.",
		}}
}

func (h *Handler) suspend(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	if _, err := h.cfg.Registry.Suspend(c.Request().Context(), string(t.UAI), tenant.ActorOf(c)); err != nil {
		return err
	}
	return redirect(c, "/console/etablissements/"+string(t.UAI), "suspendu")
}

func (h *Handler) resume(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	if _, err := h.cfg.Registry.Resume(c.Request().Context(), string(t.UAI), tenant.ActorOf(c)); err != nil {
		return err
	}
	return redirect(c, "/console/etablissements/"+string(t.UAI), "repris")
}

func (h *Handler) deletePage(t *tenant.Tenant) confirmPage {
	days := h.retentionDays()
	return confirmPage{T: h.rowOf(*t, nil), Heading: "Supprimer « " + t.Name + " » ?", Danger: true, AskUAI: true,
		Action: "/console/etablissements/" + string(t.UAI) + "/supprimer", Button: "Supprimer l'établissement",
		RetentionDays: days, PurgeDate: h.day(h.cfg.Now().Add(h.cfg.Retention)),
		Paragraphs: []string{
			"L'établissement disparaît aussitôt : son adresse, le portail et les listes ne le montrent plus, et personne n'y entre plus.",
			fmt.Sprintf("Ses données sont conservées %d jours, jusqu'au %s : d'ici là, on peut le restaurer depuis une archive exportée. Passé cette date, elles sont effacées définitivement.", days, h.day(h.cfg.Now().Add(h.cfg.Retention))),
			"Exportez-le d'abord si vous voulez en garder une copie.",
		}}
}

func (h *Handler) confirmDelete(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "console_confirm.html", "Supprimer "+t.Name, h.deletePage(t))
}

// delete soft-deletes the establishment once its UAI has been typed again, and shows when
// its data will be purged.
func (h *Handler) delete(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	if typed := strings.ToUpper(trimmed(c, "confirmation")); typed != string(t.UAI) {
		p := h.deletePage(t)
		p.Error = &formError{Field: "confirmation", Label: fieldLabels["confirmation"],
			Text: fmt.Sprintf("saisissez l'UAI de l'établissement, %s, pour confirmer la suppression (reçu : « %s ») ; rien n'a été supprimé", t.UAI, typed)}
		return render(c, http.StatusUnprocessableEntity, "console_confirm.html", "Supprimer "+t.Name, p)
	}
	done, err := h.cfg.Registry.Delete(c.Request().Context(), string(t.UAI), tenant.ActorOf(c))
	if err != nil {
		return err
	}
	purge := ""
	if done.PurgeAfter != nil {
		purge = h.stamp(*done.PurgeAfter)
	}
	return render(c, http.StatusOK, "console_deleted.html", "Établissement supprimé", map[string]any{
		"Name": done.Name, "UAI": string(done.UAI), "PurgeAfter": purge, "RetentionDays": h.retentionDays(), "Regional": regional(c)})
}

// export downloads the establishment's archive (the API's format), after recording who took it.
func (h *Handler) export(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	// Recorded before the first byte leaves: once the download has begun, the data is out.
	if err := h.store.Record(c.Request().Context(), tenant.ActorOf(c), "tenant.export", string(t.UAI), map[string]any{"via": "console"}); err != nil {
		return err
	}
	name := fmt.Sprintf("cartable-%s-%s.tar.gz", t.UAI, h.cfg.Now().UTC().Format("20060102-150405"))
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/gzip")
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "no-store")
	_, err = h.cfg.Registry.Export(c.Request().Context(), string(t.UAI), c.Response())
	return err
}
