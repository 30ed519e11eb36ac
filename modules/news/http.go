package news

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
)

// Templates are news's pages.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves news on the establishments' host.
type Handler struct{ svc *Service }

// NewHandler wires news's HTTP side.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func render(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

func requestActor(c echo.Context) Actor { return ActorOf(identity.ViewerOf(c)) }

func paramID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, notFound()
	}
	return id, nil
}

// notice is the confirmation shown after a redirect (?ok=…).
func notice(code string) string {
	switch code {
	case "brouillon":
		return "Le brouillon a été enregistré."
	case "soumise":
		return "L'actualité a été envoyée à la direction pour validation."
	case "publiee":
		return "L'actualité a été publiée."
	case "renvoyee":
		return "L'actualité a été renvoyée à son auteur comme brouillon."
	case "supprimee":
		return "L'actualité a été supprimée."
	}
	return ""
}

// panel is the home page's block of headlines; the page's own template is the layout's, so
// the block is rendered here from its own small template.
var panel = template.Must(template.New("panel").Parse(`<section aria-labelledby="a-la-une">
<h2 id="a-la-une">À la une</h2>
<ul class="cards">{{range .}}<li><a href="/actualites/{{.ID}}">{{.Title}}</a> <span class="meta">{{.Date}} · {{.Target}}{{if not .Read}} · non lue{{end}}</span></li>
{{end}}</ul>
<p><a href="/actualites">Toutes les actualités</a></p>
</section>`))

// homePanel shows the viewer's current headlines on the home page, nothing when they have
// none or may not read news.
func (h *Handler) homePanel(c echo.Context) (template.HTML, error) {
	v := identity.ViewerOf(c)
	if v == nil || !v.Member || !v.Can(PermRead) {
		return "", nil
	}
	posts, err := h.svc.Headlines(c.Request().Context(), web.TenantOf(c), ActorOf(v))
	if err != nil || len(posts) == 0 {
		return "", err
	}
	var buf bytes.Buffer
	if err := panel.Execute(&buf, posts); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil // #nosec: html/template escaped it
}

// list is the reader's page: the current posts addressed to them.
func (h *Handler) list(c echo.Context) error {
	a := requestActor(c)
	posts, err := h.svc.Shown(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "news_list.html", "Actualités", map[string]any{"Posts": posts, "Writes": a.Writes()})
}

// show is one post's page; the first view counts as a read.
func (h *Handler) show(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a := requestActor(c)
	p, err := h.svc.View(c.Request().Context(), web.TenantOf(c), a, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "news_post.html", p.Title, map[string]any{
		"Post": p, "Body": template.HTML(p.BodyHTML), // sanitised when saved (markdown.go)
		"Manages": a.Publishes() || (a.Writes() && p.AuthorID == a.PersonID)})
}
