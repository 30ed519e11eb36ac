// Package console is the administration host's pages for the people who run the platform:
// the région's administrators (every establishment) and each département's (its collèges).
// They provision, suspend, resume, export, delete and restore establishments, run AAF imports,
// record a département's opt-in, and read the audit log, with the same rules as the
// administration API: the registry's methods do the work, the caller's tenant.Scope limits it.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the console's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Directory is what the console needs of the directory: AAF imports and their records.
type Directory interface {
	ImportAAF(ctx context.Context, t *tenant.Tenant, files []directory.File, opt directory.ImportOptions) (*directory.Report, error)
	ImportRuns(ctx context.Context, t *tenant.Tenant) ([]directory.ImportRun, error)
}

// Space is what the console needs of the files layer (files.Space): an establishment's file
// space and the quota the région sets for it.
type Space interface {
	Usage(ctx context.Context, t *tenant.Tenant) (files.Usage, error)
	Quota(ctx context.Context, t *tenant.Tenant) (files.Quota, error)
	SetQuota(ctx context.Context, t *tenant.Tenant, bytes int64, actor string) error
}

// Config wires a Handler.
type Config struct {
	Registry  *tenant.Registry
	Directory Directory
	Space     Space // nil: the page shows no file space
	// TenantURL is an establishment's address from its slug (ends with "/").
	TenantURL func(slug string) string
	// MaxUploadBytes caps an AAF upload, MaxImportBytes an archive to restore.
	MaxUploadBytes, MaxImportBytes int64
	// Retention is how long a deleted establishment is kept (the registry's), shown before a deletion.
	Retention time.Duration
	// Billing wires the billing pages (http_billing*.go); nil: none.
	Billing *Billing
	Now     func() time.Time
}

// Handler serves the console.
type Handler struct {
	cfg   Config
	store *Store
	zone  *time.Location // dates are shown in Paris time
}

// NewHandler returns the console's handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Retention <= 0 {
		cfg.Retention = tenant.DefaultRetention
	}
	zone, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		zone = time.UTC
	}
	return &Handler{cfg: cfg, store: NewStore(cfg.Registry.Platform()), zone: zone}
}

// scoped records the viewer's scope the way the administration API does (identity.AdminAPI),
// so that the registry's ForScope and the directory's import apply the same rules here.
// The route's permission (platform.tenants) has already been checked.
func (h *Handler) scoped(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := identity.ViewerOf(c)
		sc := tenant.Scope{All: v.PlatformRole == identity.RoleAdminRegion, Actor: "user:" + v.Login}
		if !sc.All {
			sc.Organisation = v.Departement
		}
		tenant.SetScope(c, sc)
		return next(c)
	}
}

// regional tells whether the viewer acts for the whole région.
func regional(c echo.Context) bool { return tenant.ScopeOf(c).All }

// render shows a console page.
func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Data: data})
}

// redirect ends a change with a GET of where its result shows (post/redirect/get); msg names
// the result message of that page (see flash).
func redirect(c echo.Context, path, msg string) error {
	if msg != "" {
		path += "?message=" + msg
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// formError is an error to show on the form that caused it, in French, with its field.
type formError struct {
	Field, Label, Text string
	Status             int
}

// fieldLabels name the forms' fields as users see them.
var fieldLabels = map[string]string{
	"uai": "UAI", "name": "Nom", "kind": "Type", "slug": "Sous-domaine", "effective_date": "Date d'effet",
	"quota": "Quota de stockage", "archive": "Archive", "opt_out_date": "Date de fin d'adhésion", "files": "Fichiers AAF", "confirmation": "Confirmation", "format": "Fichiers AAF",
}

// userError turns an error meant for the user (a field to correct, a conflict, a refusal)
// into what the form shows; other errors (nil, false) go to the central error handler.
func userError(err error) (*formError, bool) {
	var inv *fault.Invalid
	var msg *fault.Message
	var fe formError
	switch {
	case errors.As(err, &inv):
		fe = formError{Field: inv.Field, Text: inv.Message, Status: http.StatusUnprocessableEntity}
	case errors.As(err, &msg) && msg.Kind != fault.ErrBusy && msg.Kind != fault.ErrUnavailable:
		fe = formError{Field: msg.Field, Text: msg.Text, Status: statusOf(msg.Kind)}
	default:
		return nil, false
	}
	fe.Label = fieldLabels[fe.Field]
	if fe.Field != "" && fe.Label == "" {
		fe.Label = fe.Field
	}
	return &fe, true
}

func statusOf(kind error) int {
	switch kind {
	case fault.ErrConflict:
		return http.StatusConflict
	case fault.ErrForbidden:
		return http.StatusForbidden
	case fault.ErrNotFound:
		return http.StatusNotFound
	case fault.ErrTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// outOfScope is the refusal of a département's administrator outside their collèges.
func outOfScope(c echo.Context, what string) error {
	return fault.New(fault.ErrForbidden, "%s : un administrateur départemental n'agit que sur les collèges de son département (%s) ; demandez-le à l'administration régionale", what, tenant.ScopeOf(c).Organisation)
}

// statusLabel is a tenant state in French.
func statusLabel(s tenant.Status) string {
	switch s {
	case tenant.StatusActive:
		return "ouvert"
	case tenant.StatusSuspended:
		return "suspendu"
	case tenant.StatusDeleted:
		return "supprimé"
	}
	return string(s)
}

// day formats a date as French users read it.
func (h *Handler) day(t time.Time) string { return t.In(h.zone).Format("02/01/2006") }

// stamp formats a moment as French users read it.
func (h *Handler) stamp(t time.Time) string { return t.In(h.zone).Format("02/01/2006 à 15:04") }

// retentionDays is the retention period in whole days.
func (h *Handler) retentionDays() int { return int(h.cfg.Retention / (24 * time.Hour)) }

// flash is the result message of a change, shown by the page it redirected to. Only these
// fixed messages exist: nothing typed in the address is ever shown.
func flash(c echo.Context, t *tenant.Tenant, url string) string {
	name := ""
	if t != nil {
		name = t.Name
	}
	switch c.QueryParam("message") {
	case "ouvert":
		return fmt.Sprintf("L'établissement « %s » est ouvert, à l'adresse %s.", name, url)
	case "existant":
		return fmt.Sprintf("L'établissement « %s » était déjà ouvert avec ces informations : rien n'a changé.", name)
	case "suspendu":
		return fmt.Sprintf("L'établissement « %s » est suspendu : ses pages affichent qu'il l'est, sans aucune donnée. Ses données sont intactes.", name)
	case "repris":
		return fmt.Sprintf("L'établissement « %s » est de nouveau ouvert.", name)
	case "restaure":
		return fmt.Sprintf("L'établissement « %s » est restauré depuis l'archive : ses personnes retrouvent leur accès.", name)
	case "adhesion":
		return "L'adhésion du département est enregistrée."
	case "quota":
		return fmt.Sprintf("Le quota de stockage de « %s » est enregistré.", name)
	}
	return ""
}

// trimmed reads a form field without its surrounding spaces.
func trimmed(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }
