package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/directory"
	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// runRow is one past import as the console lists it.
type runRow struct {
	ID, At, Actor, Source, Summary, Page, Sheets string
}

// runs lists the establishment's latest imports (limit ≤ 0: all the directory keeps).
func (h *Handler) runs(c echo.Context, t *tenant.Tenant, limit int) ([]runRow, error) {
	runs, err := h.cfg.Directory.ImportRuns(c.Request().Context(), t)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(runs) > limit {
		runs = runs[:limit]
	}
	out := make([]runRow, 0, len(runs))
	for _, r := range runs {
		row := runRow{ID: r.ID.String(), At: h.stamp(r.At), Actor: r.Actor, Source: r.Source,
			Page: fmt.Sprintf("/console/etablissements/%s/imports/%s", t.UAI, r.ID)}
		var rep directory.Report
		if json.Unmarshal(r.Report, &rep) == nil {
			row.Summary = summary(&rep)
		}
		if r.HasCredentials {
			row.Sheets = h.cfg.TenantURL(t.Slug) + "admin/imports/" + r.ID.String() + "/fiches"
		}
		out = append(out, row)
	}
	return out, nil
}

// summary says in one line what an import changed.
func summary(r *directory.Report) string {
	return fmt.Sprintf("personnes créées : %d, modifiées : %d, désactivées : %d, sans changement : %d ; comptes ouverts : %d",
		r.Created, r.Updated, r.Deleted, r.Unchanged, r.AccountsCreated)
}

// importsPage lists the establishment's imports and offers the AAF upload.
func (h *Handler) importsPage(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	return h.renderImports(c, t, http.StatusOK, nil)
}

func (h *Handler) renderImports(c echo.Context, t *tenant.Tenant, status int, fe *formError) error {
	runs, err := h.runs(c, t, 0)
	if err != nil {
		return err
	}
	return render(c, status, "console_imports.html", "Imports – "+t.Name, map[string]any{
		"T": h.rowOf(*t, nil), "Runs": runs, "Error": fe, "MaxMB": h.cfg.MaxUploadBytes >> 20})
}

// runImport imports the uploaded AAF files into the establishment with the viewer's scope,
// as the API does: existing accounts are attached by join key only when all their
// memberships lie within that scope (issue 7). The report is the result page.
func (h *Handler) runImport(c echo.Context, t *tenant.Tenant) (*directory.Report, error) {
	form, err := c.MultipartForm()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fault.NewField(fault.ErrTooLarge, "files", "fichiers trop volumineux : %d Mo au plus (CARTABLE_MAX_UPLOAD_MB) ; pour l'export de toute l'académie, utilisez « cartable import aaf »", h.cfg.MaxUploadBytes>>20)
		}
		return nil, fault.Invalidf("files", "aucun fichier reçu : choisissez un ou plusieurs fichiers AAF (.xml) puis cliquez sur « Importer »")
	}
	headers := form.File["files"]
	if len(headers) == 0 {
		return nil, fault.Invalidf("files", "aucun fichier reçu : choisissez un ou plusieurs fichiers AAF (.xml) puis cliquez sur « Importer »")
	}
	var files []directory.File
	for _, fh := range headers {
		if !strings.HasSuffix(strings.ToLower(fh.Filename), ".xml") {
			return nil, fault.Invalidf("files", "« %s » n'est pas un fichier AAF (.xml) : la console importe les exports AAF de l'académie ; les fichiers CSV s'importent depuis la page « Imports de l'annuaire » de l'établissement", fh.Filename)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		files = append(files, directory.File{Name: fh.Filename, R: f})
	}
	dry, _ := strconv.ParseBool(c.FormValue("dry_run"))
	opt := directory.ImportOptions{DryRun: dry, Actor: tenant.ActorOf(c), Scope: identity.ScopeOfAPI(tenant.ScopeOf(c))}
	rep, err := h.cfg.Directory.ImportAAF(c.Request().Context(), t, files, opt)
	if err != nil {
		return nil, err
	}
	details := map[string]any{"dry_run": rep.DryRun, "files": rep.Files, "created": rep.Created, "updated": rep.Updated,
		"deleted": rep.Deleted, "accounts_created": rep.AccountsCreated}
	if rep.ID != uuid.Nil {
		details["import_run"] = rep.ID.String()
	}
	if err := h.store.Record(c.Request().Context(), tenant.ActorOf(c), "directory.import_aaf", string(t.UAI), details); err != nil {
		return nil, err
	}
	return rep, nil
}

func (h *Handler) importAAF(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	rep, err := h.runImport(c, t)
	if err != nil {
		if fe, ok := userError(err); ok {
			return h.renderImports(c, t, fe.Status, fe)
		}
		return err
	}
	return h.renderReport(c, t, http.StatusOK, rep, "", true)
}

// renderReport shows an import's report; kept tells whether its first-login sheets are
// still kept (30 days), to link them.
func (h *Handler) renderReport(c echo.Context, t *tenant.Tenant, status int, rep *directory.Report, at string, kept bool) error {
	sheets := ""
	if kept && rep.ID != uuid.Nil && rep.AccountsCreated > 0 && !rep.DryRun {
		sheets = h.cfg.TenantURL(t.Slug) + "admin/imports/" + rep.ID.String() + "/fiches"
	}
	return render(c, status, "console_import_report.html", "Rapport d'import – "+t.Name, map[string]any{
		"T": h.rowOf(*t, nil), "Report": rep, "At": at, "Sheets": sheets})
}

// importReport shows a past import's report.
func (h *Handler) importReport(c echo.Context) error {
	t, err := h.establishment(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return fault.New(fault.ErrNotFound, "aucun import « %s » pour %s", c.Param("id"), t.Name)
	}
	runs, err := h.cfg.Directory.ImportRuns(c.Request().Context(), t)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.ID != id {
			continue
		}
		var rep directory.Report
		if err := json.Unmarshal(r.Report, &rep); err != nil {
			return fmt.Errorf("console: report of import %s: %w", id, err)
		}
		rep.ID = r.ID
		return h.renderReport(c, t, http.StatusOK, &rep, h.stamp(r.At)+" par "+r.Actor, r.HasCredentials)
	}
	return fault.New(fault.ErrNotFound, "aucun import de ce numéro parmi les 50 derniers de %s", t.Name)
}
