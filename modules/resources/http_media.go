package resources

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// mediaRoutes are the médiacentre (« Mes ressources »), the teacher's view of their classes'
// resources and the covers, on the establishment's host.
func (h *Handler) mediaRoutes() []module.Route {
	t := module.Tenant
	return []module.Route{
		module.Get(t, "/ressources", PermView, h.media),
		module.Get(t, "/ressources/classes", PermView, h.mediaClasses),
		module.Get(t, "/ressources/couvertures/:id", PermView, h.mediaCover),
	}
}

func (h *Handler) mediaMenu() []module.MenuEntry {
	return []module.MenuEntry{{Text: "Mes ressources", Href: "/ressources", Permission: PermView, Order: 12}}
}

// mediaPage renders a page of the médiacentre or the catalogue.
func mediaPage(c echo.Context, status int, name, title string, data any) error {
	return c.Render(status, name, web.Page{Title: title, Tenant: web.TenantOf(c), Data: data})
}

// mediaCard is a card of the médiacentre as the page shows it.
type mediaCard struct {
	ID        string
	Title     string
	Publisher string
	Type      string
	Subjects  string
	Levels    string
	CoverURL  string
	LTI       bool
	Sharing   string
}

// sharingText says what the publisher receives of the person.
func sharingText(lti bool, shared []string) string {
	switch {
	case !lti:
		return "Lien simple : l'éditeur ne reçoit aucune donnée personnelle."
	case len(shared) == 0:
		return "L'éditeur reçoit seulement un pseudonyme, propre à son outil : ni votre nom ni votre adresse."
	}
	return "L'éditeur reçoit un pseudonyme propre à son outil et, comme l'établissement l'a choisi : " + strings.Join(shared, ", ") + "."
}

func coverURL(e Entitlement) string {
	if !e.Resource.HasCover() {
		return ""
	}
	return "/ressources/couvertures/" + e.Resource.ID.String() + "?v=" + strconv.FormatInt(e.Resource.UpdatedAt.Unix(), 10)
}

func cardOf(it MediaItem) mediaCard {
	c := mediaCard{ID: it.Resource.ID.String(), Title: it.Resource.Title, Type: TypeLabel(it.Resource.Type),
		Subjects: strings.Join(it.Resource.Subjects, ", "), Levels: strings.Join(it.Resource.Levels, ", "),
		CoverURL: coverURL(it.Entitlement), LTI: it.Tool.LTI(), Sharing: sharingText(it.Tool.LTI(), it.Shared)}
	if it.Publisher != nil {
		c.Publisher = it.Publisher.Name
	}
	return c
}

func mediaFilterOf(c echo.Context) MediaFilter {
	return MediaFilter{Query: strings.TrimSpace(c.QueryParam("q")), Subject: strings.TrimSpace(c.QueryParam("matiere"))}
}

// media is « Mes ressources »: the person's resources today, searched and filtered.
func (h *Handler) media(c echo.Context) error {
	a := requestActor(c)
	f := mediaFilterOf(c)
	m, err := h.svc.Medias(c.Request().Context(), web.TenantOf(c), a, f)
	if err != nil {
		return err
	}
	cards := make([]mediaCard, 0, len(m.Items))
	for _, it := range m.Items {
		cards = append(cards, cardOf(it))
	}
	type option struct {
		Value    string
		Selected bool
	}
	subjects := make([]option, 0, len(m.Subjects))
	for _, s := range m.Subjects {
		subjects = append(subjects, option{s, s == f.Subject})
	}
	return mediaPage(c, http.StatusOK, "media_list.html", "Mes ressources", map[string]any{
		"Cards": cards, "Total": m.Total, "Query": f.Query, "Subject": f.Subject, "Subjects": subjects,
		"Filtered": f.Query != "" || f.Subject != "", "Manages": m.Manages, "Teacher": isTeacher(a),
	})
}

func isTeacher(a Actor) bool { return slices.Contains(a.Roles, identity.RoleEnseignant) }

// mediaClasses is the teacher's view: the resources of the classes and groups they teach
// (from the teachings: someone who teaches nothing sees an empty page, never a class).
func (h *Handler) mediaClasses(c echo.Context) error {
	a := requestActor(c)
	classes, err := h.svc.TeacherClasses(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	type class struct {
		ID    string
		Label string
		Kind  string
		Cards []mediaCard
	}
	out := make([]class, 0, len(classes))
	for _, cr := range classes {
		cl := class{ID: cr.ClassID.String(), Label: cr.Label, Kind: "Classe"}
		if cr.Kind == "groupe" {
			cl.Kind = "Groupe"
		}
		for _, e := range cr.Resources {
			cl.Cards = append(cl.Cards, cardOf(MediaItem{Entitlement: e}))
		}
		out = append(out, cl)
	}
	return mediaPage(c, http.StatusOK, "media_classes.html", "Les ressources de mes classes", map[string]any{"Classes": out,
		"Pupil": requestActor(c).Profile() == ProfileEleve})
}

// mediaCover serves a resource's cover to the members of an establishment subscribed to it.
func (h *Handler) mediaCover(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	cv, err := h.svc.CoverFor(c.Request().Context(), web.TenantOf(c), id)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("X-Content-Type-Options", "nosniff")
	etag := `"` + strconv.FormatInt(cv.UpdatedAt.UnixMicro(), 36) + `"`
	hd.Set("ETag", etag)
	hd.Set("Last-Modified", cv.UpdatedAt.UTC().Format(http.TimeFormat))
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, cv.Type, cv.Data)
}
