package directory

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// Templates are the directory pages.
//
//go:embed templates/*.html
var Templates embed.FS

// formRoles are the profiles a person created by hand may be given: the establishment's
// roles but the personnel's (from the AAF), and the inspection given read access.
var formRoles = []identity.Role{identity.RoleEleve, identity.RoleResponsable, identity.RoleEnseignant, identity.RoleVieScolaire,
	identity.RoleDirection, identity.RoleAdmin, identity.RoleInspecteur}

// Handler serves the directory pages (establishment hosts) and the import API (admin host).
type Handler struct {
	svc            *Service
	auth           *identity.Authenticator
	reg            *tenant.Registry
	maxUploadBytes int64
	portal         string // the portal's address, printed on first-login sheets
}

// NewHandler wires the directory's HTTP side.
func NewHandler(svc *Service, auth *identity.Authenticator, reg *tenant.Registry, maxUploadBytes int64, portalURL string) *Handler {
	return &Handler{svc: svc, auth: auth, reg: reg, maxUploadBytes: maxUploadBytes, portal: portalURL}
}

func page(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func idParam(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, fault.New(fault.ErrNotFound, "adresse inconnue")
	}
	return id, nil
}

func (h *Handler) me(c echo.Context) error {
	v := identity.ViewerOf(c)
	if !v.Member {
		return fault.New(fault.ErrNotFound, "vous n'êtes pas membre de l'annuaire de cet établissement")
	}
	body, err := h.svc.MeJSON(c.Request().Context(), web.TenantOf(c), v.PersonID)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

func (h *Handler) classes(c echo.Context) error {
	cs, err := h.svc.Classes(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "classes.html", "Classes et groupes", cs)
}

func (h *Handler) class(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := h.svc.ClassDetail(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "class.html", v.Class.Label, v)
}

// card shows a person: to themself, to their guardians, and to staff whose role allows.
func (h *Handler) card(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, t, ctx := identity.ViewerOf(c), web.TenantOf(c), c.Request().Context()
	self := v.Member && v.PersonID == id
	if !self && !v.Can(identity.PermPeopleView) {
		ok, err := v.Member && v.Has(identity.RoleResponsable), error(nil)
		if ok {
			ok, err = h.svc.IsGuardianOf(ctx, t, v.PersonID, id, false)
		}
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.ErrNotFound, "cette fiche n'existe pas ou ne vous est pas accessible")
		}
		self = true // a guardian sees their child's card in full
	}
	card, err := h.svc.Card(ctx, t, id)
	if err != nil {
		return err
	}
	manage, shared := v.Can(identity.PermPeopleManage), false
	if manage {
		if shared, err = h.svc.AccountOutOfScope(ctx, t, id, v.Scope()); err != nil {
			return err
		}
	}
	return page(c, http.StatusOK, "card.html", card.Person.FullName(), map[string]any{
		"Card": card, "Details": self || v.Can(identity.PermPeopleDetails), "Manage": manage, "Shared": shared,
		"Staff": v.Can(identity.PermPeopleView),
	})
}

func (h *Handler) people(c echo.Context) error {
	f := PeopleFilter{Query: c.QueryParam("q"), Category: c.QueryParam("categorie"), Inactive: c.QueryParam("inactifs") == "1"}
	ps, err := h.svc.People(c.Request().Context(), web.TenantOf(c), f)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "people.html", "Gestion des personnes", map[string]any{"People": ps, "Filter": f, "Notice": c.QueryParam("ok")})
}

type personFormPage struct {
	Form   PersonForm
	Errors FormErrors
	Roles  []identity.Role
	Action string
	Person *Person
}

func (h *Handler) newPerson(c echo.Context) error {
	return page(c, http.StatusOK, "person_form.html", "Nouvelle personne", personFormPage{Roles: formRoles, Action: "/admin/personnes"})
}

func (h *Handler) createPerson(c echo.Context) error {
	var f PersonForm
	if err := c.Bind(&f); err != nil {
		return web.BadRequest(err)
	}
	p, cred, err := h.svc.CreatePerson(c.Request().Context(), web.TenantOf(c), f, identity.ViewerOf(c).Login)
	var fe FormErrors
	if errors.As(err, &fe) {
		return page(c, http.StatusUnprocessableEntity, "person_form.html", "Nouvelle personne", personFormPage{Form: f, Errors: fe, Roles: formRoles, Action: "/admin/personnes"})
	}
	if err != nil {
		return err
	}
	return page(c, http.StatusCreated, "sheets.html", "Fiche de connexion", map[string]any{"Groups": groupSheets([]Credential{*cred}), "Back": "/annuaire/personnes/" + p.ID.String(), "PortalURL": h.portal})
}

func (h *Handler) editPerson(c echo.Context) error {
	card, err := h.cardParam(c)
	if err != nil {
		return err
	}
	p, id := card.Person, card.Person.ID
	f := PersonForm{LastName: p.LastName, FirstName: p.FirstName}
	if len(p.Roles) > 0 {
		f.Role = string(p.Roles[0])
	}
	if p.BirthDate != nil {
		f.BirthDate = p.BirthDate.Format("2006-01-02")
	}
	if p.Email != nil {
		f.Email = *p.Email
	}
	return page(c, http.StatusOK, "person_form.html", "Modifier "+p.FullName(), personFormPage{Form: f, Roles: formRoles, Action: "/admin/personnes/" + id.String(), Person: &p})
}

func (h *Handler) updatePerson(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var f PersonForm
	if err := c.Bind(&f); err != nil {
		return web.BadRequest(err)
	}
	err = h.svc.UpdatePerson(c.Request().Context(), web.TenantOf(c), id, f, identity.ViewerOf(c).Scope())
	var fe FormErrors
	if errors.As(err, &fe) {
		return page(c, http.StatusUnprocessableEntity, "person_form.html", "Modifier", personFormPage{Form: f, Errors: fe, Roles: formRoles, Action: "/admin/personnes/" + id.String()})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/annuaire/personnes/"+id.String())
}

// cardParam reads the card of the :id person.
func (h *Handler) cardParam(c echo.Context) (*Card, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return h.svc.Card(c.Request().Context(), web.TenantOf(c), id)
}

func (h *Handler) confirmDeactivate(c echo.Context) error {
	card, err := h.cardParam(c)
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "confirm.html", "Désactiver", card)
}

func (h *Handler) deactivate(c echo.Context) error { return h.setActive(c, false) }

func (h *Handler) reactivate(c echo.Context) error { return h.setActive(c, true) }

func (h *Handler) setActive(c echo.Context, active bool) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetActive(c.Request().Context(), web.TenantOf(c), id, active, identity.ViewerOf(c).Scope()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/annuaire/personnes/"+id.String())
}

func (h *Handler) recoveryCode(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, code, link, err := h.svc.RecoveryCode(c.Request().Context(), web.TenantOf(c), id, identity.ViewerOf(c).Scope())
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "recovery.html", "Code de récupération", map[string]any{"Person": p, "Code": code, "Link": link})
}

func (h *Handler) imports(c echo.Context) error {
	runs, err := h.svc.ImportRuns(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "imports.html", "Imports de l'annuaire", h.importsData(c, runs, ""))
}

// importsData is what the imports page shows: AAF files are offered only to platform
// administrators (see ImportAAF); an establishment's staff import CSV files.
func (h *Handler) importsData(c echo.Context, runs []ImportRun, errText string) map[string]any {
	sc := identity.ViewerOf(c).Scope()
	return map[string]any{"Runs": runs, "Error": errText, "Columns": strings.Join(CSVColumns, ";"), "AAF": sc.Platform() && sc.Covers(web.TenantOf(c))}
}

// uploadPage runs an import from the upload form and shows its report. The importer's scope
// is the viewer's: a platform administrator of the establishment may import AAF files, its
// staff only CSV files.
func (h *Handler) uploadPage(c echo.Context) error {
	t := web.TenantOf(c)
	v := identity.ViewerOf(c)
	rep, err := h.runImport(c, t, v.Login, v.Scope())
	if err != nil {
		var inv *fault.Invalid
		if errors.As(err, &inv) || errors.Is(err, fault.ErrTooLarge) || errors.Is(err, fault.ErrForbidden) {
			runs, _ := h.svc.ImportRuns(c.Request().Context(), t)
			_, text, _ := classifyMsg(err)
			status := http.StatusUnprocessableEntity
			if errors.Is(err, fault.ErrForbidden) {
				status = http.StatusForbidden
			}
			return page(c, status, "imports.html", "Imports de l'annuaire", h.importsData(c, runs, text))
		}
		return err
	}
	return page(c, http.StatusOK, "import_report.html", "Rapport d'import", rep)
}

func classifyMsg(err error) (int, string, string) {
	var inv *fault.Invalid
	var msg *fault.Message
	switch {
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, inv.Message, inv.Field
	case errors.As(err, &msg):
		return http.StatusRequestEntityTooLarge, msg.Text, msg.Field
	}
	return http.StatusInternalServerError, err.Error(), ""
}

// runImport reads the multipart field "files" (one or more), the format (aaf or csv, guessed
// from the names) and dry_run, and imports.
func (h *Handler) runImport(c echo.Context, t *tenant.Tenant, actor string, by identity.Scope) (*Report, error) {
	req := c.Request()
	if req.ContentLength > h.maxUploadBytes {
		return nil, fault.New(fault.ErrTooLarge, "fichiers trop volumineux : %d Mo au plus", h.maxUploadBytes>>20)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, h.maxUploadBytes)
	form, err := c.MultipartForm()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fault.New(fault.ErrTooLarge, "fichiers trop volumineux : %d Mo au plus", h.maxUploadBytes>>20)
		}
		return nil, fault.Invalidf("files", "envoi illisible : joignez les fichiers dans le champ « files » d'un formulaire multipart/form-data")
	}
	headers := form.File["files"]
	if len(headers) == 0 {
		return nil, fault.Invalidf("files", "aucun fichier reçu : joignez un ou plusieurs fichiers AAF (.xml) ou CSV dans le champ « files »")
	}
	var files []File
	csvCount := 0
	for _, fh := range headers {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		files = append(files, File{Name: fh.Filename, R: f})
		if strings.HasSuffix(strings.ToLower(fh.Filename), ".csv") {
			csvCount++
		}
	}
	format := c.FormValue("format")
	if format == "" {
		format = "aaf"
		if csvCount == len(files) {
			format = "csv"
		}
	}
	dry, _ := strconv.ParseBool(c.FormValue("dry_run"))
	if q := c.QueryParam("dry_run"); q != "" {
		dry, _ = strconv.ParseBool(q)
	}
	opt := ImportOptions{DryRun: dry, Actor: actor, Scope: by}
	switch format {
	case "aaf":
		return h.svc.ImportAAF(req.Context(), t, files, opt)
	case "csv":
		return h.svc.ImportCSV(req.Context(), t, files, opt)
	}
	return nil, fault.Invalidf("format", "format « %s » inconnu : aaf ou csv", format)
}

func (h *Handler) apiImport(c echo.Context) error {
	t, err := h.reg.ForScope(c, c.Param("uai"))
	if err != nil {
		return err
	}
	rep, err := h.runImport(c, t, tenant.ActorOf(c), identity.ScopeOfAPI(tenant.ScopeOf(c)))
	if err != nil {
		return err
	}
	if rep.ID != uuid.Nil && rep.AccountsCreated > 0 {
		rep.CredentialsURL = fmt.Sprintf("/api/v1/tenants/%s/imports/%s/credentials.csv", t.UAI, rep.ID)
	}
	status := http.StatusOK
	if !rep.DryRun {
		status = http.StatusCreated
	}
	return c.JSON(status, rep)
}

func (h *Handler) apiCredentials(c echo.Context) error {
	t, err := h.reg.ForScope(c, c.Param("uai"))
	if err != nil {
		return err
	}
	return h.writeCredentials(c, t)
}

func (h *Handler) credentialsCSV(c echo.Context) error { return h.writeCredentials(c, web.TenantOf(c)) }

func (h *Handler) writeCredentials(c echo.Context, t *tenant.Tenant) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	creds, err := h.svc.Credentials(c.Request().Context(), t, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteCredentialsCSV(&buf, creds); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="identifiants-%s-%s.csv"`, t.UAI, id.String()[:8]))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

type sheetGroup struct {
	Class string
	Items []Credential
}

func groupSheets(creds []Credential) []sheetGroup {
	var out []sheetGroup
	idx := map[string]int{}
	for _, cr := range creds {
		k := cr.Class
		if k == "" {
			k = map[string]string{CategoryPersonnel: "Personnels", CategoryResponsable: "Responsables"}[cr.Category]
			if k == "" {
				k = "Sans classe"
			}
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, sheetGroup{Class: k})
		}
		out[i].Items = append(out[i].Items, cr)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Class < out[j].Class })
	return out
}

// credentialSheets is the printable page: one sheet per person, grouped by class.
func (h *Handler) credentialSheets(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	creds, err := h.svc.Credentials(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	groups := groupSheets(creds)
	if cl := c.QueryParam("classe"); cl != "" {
		var keep []sheetGroup
		for _, g := range groups {
			if g.Class == cl {
				keep = append(keep, g)
			}
		}
		groups = keep
	}
	return page(c, http.StatusOK, "sheets.html", "Fiches de connexion", map[string]any{"Groups": groups, "Back": "/admin/imports", "RunID": id, "PortalURL": h.portal})
}
