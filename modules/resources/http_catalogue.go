package resources

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// The région's catalogue console (administration host): publishers, tools, resources.

// catalogueUploadLimit is the largest resource form accepted (the cover is checked at
// MaxCover by the form, so that a too large image gets a French error on its field).
const catalogueUploadLimit = 4 << 20

func (h *Handler) catalogueRoutes() []module.Route {
	a := module.Admin
	return []module.Route{
		module.Get(a, "/console/ressources", PermCatalogue, h.catalogueList),
		module.Get(a, "/console/ressources/editeurs/nouveau", PermCatalogue, h.publisherForm),
		module.Post(a, "/console/ressources/editeurs/nouveau", PermCatalogue, h.savePublisher),
		module.Get(a, "/console/ressources/editeurs/:id", PermCatalogue, h.publisherForm),
		module.Post(a, "/console/ressources/editeurs/:id", PermCatalogue, h.savePublisher),
		module.Get(a, "/console/ressources/outils/nouveau", PermCatalogue, h.toolForm),
		module.Post(a, "/console/ressources/outils/nouveau", PermCatalogue, h.saveTool),
		module.Get(a, "/console/ressources/outils/:id", PermCatalogue, h.toolForm),
		module.Post(a, "/console/ressources/outils/:id", PermCatalogue, h.saveTool),
		module.Get(a, "/console/ressources/ressources/nouvelle", PermCatalogue, h.resourceForm),
		module.Post(a, "/console/ressources/ressources/nouvelle", PermCatalogue, h.saveResource).WithLimit(catalogueUploadLimit),
		module.Get(a, "/console/ressources/ressources/:id", PermCatalogue, h.resourceForm),
		module.Post(a, "/console/ressources/ressources/:id", PermCatalogue, h.saveResource).WithLimit(catalogueUploadLimit),
		module.Get(a, "/console/ressources/ressources/:id/retrait", PermCatalogue, h.confirmActive),
		module.Post(a, "/console/ressources/ressources/:id/retrait", PermCatalogue, h.setActive),
		module.Get(a, "/console/ressources/ressources/:id/reactivation", PermCatalogue, h.confirmActive),
		module.Post(a, "/console/ressources/ressources/:id/reactivation", PermCatalogue, h.setActive),
	}
}

func (h *Handler) catalogueMenu() []module.MenuEntry {
	return []module.MenuEntry{{Host: module.Admin, Text: "Ressources numériques", Href: "/console/ressources", Permission: PermCatalogue,
		Roles: []module.Role{identity.RoleAdminRegion}, Order: 12}}
}

var catalogueNotices = map[string]string{
	"editeur":    "L'éditeur est enregistré.",
	"outil":      "L'outil est enregistré.",
	"ressource":  "La ressource est enregistrée.",
	"retrait":    "La ressource est retirée du catalogue : plus de nouvel abonnement ni d'ouverture.",
	"reactivite": "La ressource est de nouveau au catalogue.",
}

// catalogueList is the catalogue: publishers, tools, resources.
func (h *Handler) catalogueList(c echo.Context) error {
	cat := h.svc.Catalogue()
	cat.Invalidate() // the console shows the catalogue as it is now
	snap, err := cat.Snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	pubs := sortedPublishers(snap)
	type toolLine struct {
		*Tool
		Publisher   string
		ClientID    string
		Deployments string
		KindLabel   string
	}
	var tools []toolLine
	for _, p := range pubs {
		for _, t := range sortedTools(snap, p.ID) {
			l := toolLine{Tool: t, Publisher: p.Name, Deployments: strings.Join(t.DeploymentIDs, ", "), KindLabel: "Lien simple"}
			if t.LTI() {
				l.KindLabel = "LTI 1.3"
			}
			if t.ClientID != nil {
				l.ClientID = *t.ClientID
			}
			tools = append(tools, l)
		}
	}
	type resLine struct {
		*Resource
		Publisher, Tool, TypeLabel string
	}
	var res []resLine
	for _, r := range snap.Ordered {
		l := resLine{Resource: r, TypeLabel: TypeLabel(r.Type)}
		if p := snap.Publishers[r.PublisherID]; p != nil {
			l.Publisher = p.Name
		}
		if t := snap.Tools[r.ToolID]; t != nil {
			l.Tool = t.Name
		}
		res = append(res, l)
	}
	return mediaPage(c, http.StatusOK, "catalogue_list.html", "Catalogue des ressources numériques", map[string]any{
		"Publishers": pubs, "Tools": tools, "Resources": res, "Notice": catalogueNotices[c.QueryParam("ok")]})
}

func sortedPublishers(snap *Snapshot) []*Publisher {
	out := make([]*Publisher, 0, len(snap.Publishers))
	for _, p := range snap.Publishers {
		out = append(out, p)
	}
	sortBy(out, func(p *Publisher) string { return fold(p.Name) })
	return out
}

func sortedTools(snap *Snapshot, pub uuid.UUID) []*Tool {
	var out []*Tool
	for _, t := range snap.Tools {
		if pub == uuid.Nil || t.PublisherID == pub {
			out = append(out, t)
		}
	}
	sortBy(out, func(t *Tool) string { return fold(t.Name) })
	return out
}

// optionalID is the :id of an edit page, or Nil on a creation page.
func optionalID(c echo.Context) (uuid.UUID, error) {
	if c.Param("id") == "" {
		return uuid.Nil, nil
	}
	return paramID(c, "id")
}

// formPage renders a catalogue form, with its errors (status 422) or not.
func formPage(c echo.Context, errs FormErrors, name, title string, data map[string]any) error {
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	data["Errors"] = errs
	return mediaPage(c, status, name, title, data)
}

// asFormErrors tells a form's errors from any other failure.
func asFormErrors(err error) (FormErrors, bool) {
	var fe FormErrors
	ok := errors.As(err, &fe)
	return fe, ok
}

func (h *Handler) publisherForm(c echo.Context) error {
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	f := PublisherForm{}
	if id != uuid.Nil {
		snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
		if err != nil {
			return err
		}
		p, ok := snap.Publishers[id]
		if !ok {
			return errCatalogueNotFound
		}
		f = PublisherForm{Name: p.Name, Website: p.Website}
	}
	return h.renderPublisher(c, id, f, nil)
}

func (h *Handler) renderPublisher(c echo.Context, id uuid.UUID, f PublisherForm, errs FormErrors) error {
	title, action := "Nouvel éditeur", "/console/ressources/editeurs/nouveau"
	if id != uuid.Nil {
		title, action = "Modifier l'éditeur", "/console/ressources/editeurs/"+id.String()
	}
	return formPage(c, errs, "catalogue_publisher.html", title, map[string]any{"Heading": title, "Action": action, "Form": f})
}

func (h *Handler) savePublisher(c echo.Context) error {
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	f := PublisherForm{Name: c.FormValue("nom"), Website: c.FormValue("site")}
	if _, err := h.svc.Catalogue().SavePublisher(c.Request().Context(), id, f); err != nil {
		if fe, ok := asFormErrors(err); ok {
			return h.renderPublisher(c, id, f, fe)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/ressources?ok=editeur")
}

type selectOption struct {
	Value, Label string
	Selected     bool
}

func (h *Handler) toolForm(c echo.Context) error {
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	f := ToolForm{Kind: ToolLTI, PublisherID: c.QueryParam("editeur")}
	if id != uuid.Nil {
		snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
		if err != nil {
			return err
		}
		t, ok := snap.Tools[id]
		if !ok {
			return errCatalogueNotFound
		}
		f = ToolForm{PublisherID: t.PublisherID.String(), Name: t.Name, Kind: t.Kind, LoginURL: t.LoginURL, LaunchURL: t.LaunchURL,
			RedirectURLs: strings.Join(t.RedirectURLs, "\n"), JWKSURL: t.JWKSURL, PublicKey: t.PublicKey,
			DeploymentIDs: strings.Join(t.DeploymentIDs, "\n"), Scores: t.Scores}
	}
	return h.renderTool(c, id, f, nil)
}

func (h *Handler) renderTool(c echo.Context, id uuid.UUID, f ToolForm, errs FormErrors) error {
	snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	title, action := "Nouvel outil", "/console/ressources/outils/nouveau"
	var clientID string
	if id != uuid.Nil {
		title, action = "Modifier l'outil", "/console/ressources/outils/"+id.String()
		if t, ok := snap.Tools[id]; ok && t.ClientID != nil {
			clientID = *t.ClientID
		}
	}
	var pubs []selectOption
	for _, p := range sortedPublishers(snap) {
		pubs = append(pubs, selectOption{p.ID.String(), p.Name, p.ID.String() == f.PublisherID})
	}
	return formPage(c, errs, "catalogue_tool.html", title, map[string]any{"Heading": title, "Action": action, "Form": f,
		"New": id == uuid.Nil, "Publishers": pubs, "ClientID": clientID, "LTI": f.Kind == ToolLTI,
		"Endpoints": h.svc.Endpoints()})
}

func (h *Handler) saveTool(c echo.Context) error {
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	f := ToolForm{PublisherID: c.FormValue("editeur"), Name: c.FormValue("nom"), Kind: c.FormValue("type"),
		LoginURL: c.FormValue("connexion"), LaunchURL: c.FormValue("lancement"), RedirectURLs: c.FormValue("redirections"),
		JWKSURL: c.FormValue("jwks"), PublicKey: c.FormValue("cle"), DeploymentIDs: c.FormValue("deploiements"),
		Scores: c.FormValue("notes") == "1"}
	if _, err := h.svc.Catalogue().SaveTool(c.Request().Context(), id, f); err != nil {
		if fe, ok := asFormErrors(err); ok {
			if id != uuid.Nil {
				if t, ok := h.toolOf(c, id); ok {
					f.Kind = t.Kind
				}
			}
			return h.renderTool(c, id, f, fe)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/ressources?ok=outil")
}

func (h *Handler) toolOf(c echo.Context, id uuid.UUID) (*Tool, bool) {
	snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
	if err != nil {
		return nil, false
	}
	t, ok := snap.Tools[id]
	return t, ok
}

func (h *Handler) resourceForm(c echo.Context) error {
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	f := ResourceForm{}
	if id != uuid.Nil {
		snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
		if err != nil {
			return err
		}
		r, ok := snap.Resources[id]
		if !ok {
			return errCatalogueNotFound
		}
		f = ResourceForm{ToolID: r.ToolID.String(), Title: r.Title, Type: r.Type, Subjects: strings.Join(r.Subjects, ", "),
			Levels: strings.Join(r.Levels, ", "), Description: r.Description, TargetURL: r.TargetURL}
	}
	return h.renderResource(c, id, f, nil)
}

func (h *Handler) renderResource(c echo.Context, id uuid.UUID, f ResourceForm, errs FormErrors) error {
	snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	title, action := "Nouvelle ressource", "/console/ressources/ressources/nouvelle"
	hasCover := false
	if id != uuid.Nil {
		title, action = "Modifier la ressource", "/console/ressources/ressources/"+id.String()
		if r, ok := snap.Resources[id]; ok {
			hasCover = r.HasCover()
		}
	}
	var tools, types []selectOption
	for _, t := range sortedTools(snap, uuid.Nil) {
		label := t.Name
		if p := snap.Publishers[t.PublisherID]; p != nil {
			label = p.Name + " — " + t.Name
		}
		tools = append(tools, selectOption{t.ID.String(), label, t.ID.String() == f.ToolID})
	}
	sortBy(tools, func(o selectOption) string { return fold(o.Label) })
	for _, t := range ResourceTypes {
		types = append(types, selectOption{t.Code, t.Label, t.Code == f.Type})
	}
	return formPage(c, errs, "catalogue_resource.html", title, map[string]any{"Heading": title, "Action": action, "Form": f,
		"Tools": tools, "Types": types, "HasCover": hasCover})
}

func (h *Handler) saveResource(c echo.Context) error {
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	f := ResourceForm{ToolID: c.FormValue("outil"), Title: c.FormValue("titre"), Type: c.FormValue("type_ressource"),
		Subjects: c.FormValue("matieres"), Levels: c.FormValue("niveaux"), Description: c.FormValue("description"),
		TargetURL: c.FormValue("adresse"), RemoveCover: c.FormValue("sans_couverture") == "1"}
	fh, err := c.FormFile("couverture")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
	case err != nil:
		return fault.Wrap(fault.ErrInvalid, err, "le formulaire envoyé est illisible : envoyez-le de nouveau")
	case fh.Size > 0 || fh.Filename != "":
		file, err := fh.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(file, MaxCover+1))
		_ = file.Close()
		if err != nil {
			return err
		}
		f.Cover, f.CoverSize = data, fh.Size
		if f.Cover == nil {
			f.Cover = []byte{}
		}
	}
	if _, err := h.svc.Catalogue().SaveResource(c.Request().Context(), id, f); err != nil {
		if fe, ok := asFormErrors(err); ok {
			return h.renderResource(c, id, f, fe)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/ressources?ok=ressource")
}

// confirmActive asks before withdrawing a resource or putting it back.
func (h *Handler) confirmActive(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	snap, err := h.svc.Catalogue().Snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	r, ok := snap.Resources[id]
	if !ok {
		return errCatalogueNotFound
	}
	withdraw := strings.HasSuffix(c.Path(), "/retrait")
	title := "Retirer la ressource du catalogue"
	if !withdraw {
		title = "Remettre la ressource au catalogue"
	}
	return mediaPage(c, http.StatusOK, "catalogue_confirm.html", title, map[string]any{"Heading": title, "Resource": r,
		"Withdraw": withdraw, "Action": c.Request().URL.Path})
}

func (h *Handler) setActive(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	withdraw := strings.HasSuffix(c.Path(), "/retrait")
	if err := h.svc.Catalogue().SetActive(c.Request().Context(), id, !withdraw); err != nil {
		return err
	}
	if withdraw {
		return c.Redirect(http.StatusSeeOther, "/console/ressources?ok=retrait")
	}
	return c.Redirect(http.StatusSeeOther, "/console/ressources?ok=reactivite")
}
