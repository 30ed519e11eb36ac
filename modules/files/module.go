package files

import (
	"embed"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// PermSpace is reading the establishment's file space (« Espace de stockage »).
const PermSpace identity.Permission = "files.space"

// Grants: the direction sees the establishment's space; the région sets its quota in the
// console (console.PermQuota).
var Grants = module.Grants{identity.RoleDirection: {PermSpace}}

func init() { identity.Grant(Grants) }

// Templates are the files layer's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// openAPI describes the space's JSON API, merged into the platform's document.
//
//go:embed openapi.json
var openAPI []byte

// Handler serves the establishment's space on its host.
type Handler struct{ space *Space }

// NewHandler wires the space's page and API.
func NewHandler(space *Space) *Handler { return &Handler{space: space} }

// Module declares the files layer's own pages: the direction's « Espace de stockage ».
func (h *Handler) Module() module.Module {
	t := module.Tenant
	return module.Module{
		Name:    "files",
		OpenAPI: openAPI,
		Grants:  Grants,
		Routes: []module.Route{
			module.Get(t, "/stockage", PermSpace, h.page),
			module.Get(t, "/api/v1/stockage", PermSpace, h.api).AsAPI(),
		},
		Menu:        []module.MenuEntry{{Text: "Espace de stockage", Href: "/stockage", Permission: PermSpace, Order: 65}},
		Templates:   Templates,
		Export:      module.NothingPersonal,
		ExportAbout: ExportAbout,
	}
}

// spacePage is the page's data.
type spacePage struct {
	Report
	Largest []largeRow
}

type largeRow struct {
	Large
	Day string
}

func (h *Handler) page(c echo.Context) error {
	r, err := h.space.Report(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	p := spacePage{Report: r}
	for _, l := range r.Largest {
		p.Largest = append(p.Largest, largeRow{Large: l, Day: frenchDay(l.CreatedAt)})
	}
	return c.Render(http.StatusOK, "files_space.html", web.Page{Title: "Espace de stockage", Tenant: web.TenantOf(c), Data: p})
}

func (h *Handler) api(c echo.Context) error {
	r, err := h.space.Report(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, spaceJSON{Report: r, Percent: r.Percent(), Warn: r.Warn()})
}

// spaceJSON is the report with what the page computes from it.
type spaceJSON struct {
	Report
	Percent int64 `json:"percent"`
	Warn    bool  `json:"warn"`
}

var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

func frenchDay(t time.Time) string { return t.In(paris).Format("02/01/2006") }

// UsedText, QuotaText and FreeText are the usage in French, for the pages.
func (u Usage) UsedText() string  { return SizeText(u.Used) }
func (u Usage) QuotaText() string { return SizeText(u.Quota) }
func (u Usage) FreeText() string  { return SizeText(u.Free()) }
