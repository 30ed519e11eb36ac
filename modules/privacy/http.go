package privacy

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// Templates are the module's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// openAPI describes the exports' JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Children lists a guardian's children in all their establishments (identity.Family.Of).
type Children func(ctx context.Context, identityID uuid.UUID) ([]identity.Child, error)

// Handler serves « Mes données personnelles » on the portal and on every establishment's
// host, and its JSON API.
type Handler struct {
	svc       *Service
	children  Children
	portalURL string
}

// NewHandler wires the pages; children may be nil (no « Mes enfants » section).
func NewHandler(svc *Service, children Children, portalURL string) *Handler {
	return &Handler{svc: svc, children: children, portalURL: strings.TrimSuffix(portalURL, "/")}
}

// Page is where the exports are asked for and downloaded.
const Page = "/compte/donnees"

// Module declares the pages, the API and the export's own exporter (the exports a person
// asked for).
func (h *Handler) Module() module.Module {
	var routes []module.Route
	for _, host := range []module.Host{module.Portal, module.Tenant} {
		perm := identity.PermMe
		if host == module.Portal {
			perm = module.Public // no establishment roles there: the handlers need a signed-in viewer
		}
		routes = append(routes,
			module.Get(host, Page, perm, h.page),
			module.Post(host, Page, perm, h.request),
			module.Get(host, Page+"/:id/telecharger", perm, h.download),
		)
	}
	t := module.Tenant
	routes = append(routes,
		module.Get(t, "/api/v1/compte/exports", identity.PermMe, h.apiList).AsAPI(),
		module.Post(t, "/api/v1/compte/exports", identity.PermMe, h.apiRequest).AsAPI(),
		module.Get(t, "/api/v1/compte/exports/:id/fichier", identity.PermMe, h.download).AsAPI(),
	)
	return module.Module{
		Name:   "privacy",
		Routes: routes,
		Menu: []module.MenuEntry{
			{Host: module.Portal, Text: "Mes données personnelles", Href: Page, Order: 90},
		},
		Templates:   Templates,
		OpenAPI:     openAPI,
		Export:      h.svc.export,
		ExportAbout: "Les exports de données personnelles que vous avez demandés (date, état, empreinte SHA-256 du fichier).",
	}
}

// viewerOf is the signed-in person, or an error that sends the anonymous to log in.
func (h *Handler) viewerOf(c echo.Context) (*identity.Viewer, error) {
	v := identity.ViewerOf(c)
	if v == nil {
		return nil, fault.New(fault.ErrUnauthorized, "connectez-vous pour accéder à vos données personnelles")
	}
	return v, nil
}

type exportRow struct {
	Export
	URL string // the download link, when ready
}

// StatusLabel is the state in French.
func (r exportRow) StatusLabel() string { return r.Status.Label() }

// Day is the request's date in French.
func (r exportRow) Day() string { return r.CreatedAt.In(paris).Format("02/01/2006 à 15:04") }

// Until is the last day of the download, in French.
func (r exportRow) Until() string {
	if r.ExpiresAt == nil {
		return ""
	}
	return r.ExpiresAt.In(paris).Format("02/01/2006 à 15:04")
}

// SizeText is the ZIP's size in French.
func (r exportRow) SizeText() string {
	if r.Size == nil {
		return ""
	}
	return fault.ByteSize(*r.Size)
}

type childRow struct {
	Name, Class, Establishment string
	Value                      string // the form's « enfant » field: UAI:person
}

// exportList is one table of exports.
type exportList struct {
	Rows        []exportRow
	Caption, ID string
}

type pageData struct {
	Mine, Theirs exportList
	Children     []childRow
	Done         string // the confirmation after a request
	Error        string
	Child        string // the child asked for (?enfant=): the page opens on them
}

func (h *Handler) page(c echo.Context) error {
	v := identity.ViewerOf(c)
	if v == nil {
		return c.Redirect(http.StatusSeeOther, h.portalURL+"/connexion?return_to="+url.QueryEscape(web.RequestURL(c)))
	}
	d, err := h.data(c, v)
	if err != nil {
		return err
	}
	if c.QueryParam("demande") == "ok" {
		d.Done = "Votre demande est enregistrée. L'export est en préparation : il sera prêt dans quelques minutes, sur cette page, pendant 7 jours."
	}
	return h.render(c, http.StatusOK, d)
}

func (h *Handler) render(c echo.Context, code int, d *pageData) error {
	return c.Render(code, "privacy_exports.html", web.Page{Title: "Mes données personnelles", Tenant: web.TenantOf(c), Data: d})
}

func (h *Handler) data(c echo.Context, v *identity.Viewer) (*pageData, error) {
	ctx := c.Request().Context()
	list, err := h.svc.List(ctx, v.IdentityID)
	if err != nil {
		return nil, err
	}
	d := &pageData{Child: c.QueryParam("enfant"),
		Mine:   exportList{Caption: "Mes exports", ID: "liste-mes-exports"},
		Theirs: exportList{Caption: "Exports des données de mes enfants", ID: "liste-exports-enfants"}}
	for _, e := range list {
		r := exportRow{Export: e}
		if e.Status == Ready && e.ExpiresAt != nil && e.ExpiresAt.After(h.svc.now()) {
			r.URL = Page + "/" + e.ID.String() + "/telecharger"
		} else if e.Status == Ready {
			r.Status = Expired
		}
		if e.ForChild() {
			d.Theirs.Rows = append(d.Theirs.Rows, r)
		} else {
			d.Mine.Rows = append(d.Mine.Rows, r)
		}
	}
	if h.children != nil && v.PlatformRole == "" {
		kids, err := h.children(ctx, v.IdentityID)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			d.Children = append(d.Children, childRow{Name: k.Name(), Class: k.ClassLabel, Establishment: k.Establishment, Value: k.UAI + ":" + k.ID.String()})
		}
	}
	return d, nil
}

// parseChild reads the form's « enfant » field: empty for oneself, else UAI:person.
func parseChild(s string) (*Child, error) {
	if s == "" {
		return nil, nil
	}
	uai, id, ok := strings.Cut(s, ":")
	p, err := uuid.Parse(id)
	if !ok || err != nil {
		return nil, fault.New(fault.ErrNotFound, "cet élève n'est pas un enfant dont vous êtes responsable légal")
	}
	return &Child{UAI: uai, Person: p}, nil
}

func (h *Handler) request(c echo.Context) error {
	v, err := h.viewerOf(c)
	if err != nil {
		return err
	}
	child, err := parseChild(c.FormValue("enfant"))
	if err != nil {
		return err
	}
	_, err = h.svc.Request(c.Request().Context(), v.IdentityID, v.Name(), child)
	if errors.Is(err, fault.ErrConflict) {
		d, derr := h.data(c, v)
		if derr != nil {
			return derr
		}
		var m *fault.Message
		if errors.As(err, &m) {
			d.Error = m.Text
		}
		return h.render(c, http.StatusConflict, d)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, Page+"?demande=ok")
}

// download streams a ready export to its requester; anyone else gets 404.
func (h *Handler) download(c echo.Context) error {
	v, err := h.viewerOf(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return fault.New(fault.ErrNotFound, "cet export n'existe pas ou n'est plus disponible")
	}
	ctx := c.Request().Context()
	e, err := h.svc.Ready(ctx, v.IdentityID, id)
	if err != nil {
		return err
	}
	r, err := h.svc.Open(ctx, e)
	if err != nil {
		return err
	}
	defer r.Close()
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Length", strconv.FormatInt(*e.Size, 10))
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "donnees-personnelles-" + e.CreatedAt.In(paris).Format("2006-01-02") + ".zip"}))
	hd.Set("Cache-Control", "private, no-store")
	if e.SHA256 != nil {
		hd.Set("X-Checksum-Sha256", *e.SHA256)
	}
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), r); err != nil {
		return fmt.Errorf("privacy: send export %s: %w", e.ID, err)
	}
	return nil
}

// exportJSON is an export in the API.
type exportJSON struct {
	Export
	Child       bool   `json:"child"`
	DownloadURL string `json:"download_url,omitempty"`
}

func (h *Handler) toJSON(e Export) exportJSON {
	j := exportJSON{Export: e, Child: e.ForChild()}
	if e.Status == Ready && e.ExpiresAt != nil && e.ExpiresAt.After(h.svc.now()) {
		j.DownloadURL = "/api/v1/compte/exports/" + e.ID.String() + "/fichier"
	} else if e.Status == Ready {
		j.Status = Expired
	}
	return j
}

func (h *Handler) apiList(c echo.Context) error {
	v, err := h.viewerOf(c)
	if err != nil {
		return err
	}
	list, err := h.svc.List(c.Request().Context(), v.IdentityID)
	if err != nil {
		return err
	}
	out := make([]exportJSON, 0, len(list))
	for _, e := range list {
		out = append(out, h.toJSON(e))
	}
	return c.JSON(http.StatusOK, map[string]any{"exports": out})
}

func (h *Handler) apiRequest(c echo.Context) error {
	v, err := h.viewerOf(c)
	if err != nil {
		return err
	}
	var body struct {
		Child *Child `json:"child"`
	}
	if c.Request().ContentLength != 0 {
		if err := c.Bind(&body); err != nil {
			return fault.Decoding(err)
		}
	}
	e, err := h.svc.Request(c.Request().Context(), v.IdentityID, v.Name(), body.Child)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, h.toJSON(*e))
}
