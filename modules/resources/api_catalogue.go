package resources

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// catalogueAPIRoutes: the région's catalogue, on the administration API.
func (h *Handler) catalogueAPIRoutes() []module.Route {
	return []module.Route{module.Get(module.AdminAPI, "/ressources/catalogue", PermCatalogue, h.apiCatalogue).AsAPI()}
}

type apiPublisher struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Website string `json:"website"`
}

type apiTool struct {
	ID            string   `json:"id"`
	PublisherID   string   `json:"publisher_id"`
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	ClientID      *string  `json:"client_id"`
	LoginURL      string   `json:"login_url"`
	LaunchURL     string   `json:"launch_url"`
	RedirectURLs  []string `json:"redirect_urls"`
	JWKSURL       string   `json:"jwks_url"`
	HasPublicKey  bool     `json:"has_public_key"`
	DeploymentIDs []string `json:"deployment_ids"`
	Scores        bool     `json:"scores"`
}

type apiResource struct {
	ID          string   `json:"id"`
	PublisherID string   `json:"publisher_id"`
	ToolID      string   `json:"tool_id"`
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	Subjects    []string `json:"subjects"`
	Levels      []string `json:"levels"`
	Description string   `json:"description"`
	TargetURL   string   `json:"target_url"`
	HasCover    bool     `json:"has_cover"`
	Active      bool     `json:"active"`
}

// apiCatalogue is the whole catalogue (the tools' pseudonym salts never leave the platform).
// The catalogue is the région's: a département's administrators do not read it here.
func (h *Handler) apiCatalogue(c echo.Context) error {
	if !tenant.ScopeOf(c).All {
		return fault.New(fault.ErrForbidden, "le catalogue des ressources est celui de la région : il est réservé à l'administration régionale")
	}
	cat := h.svc.Catalogue()
	cat.Invalidate()
	snap, err := cat.Snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	pubs := []apiPublisher{}
	for _, p := range sortedPublishers(snap) {
		pubs = append(pubs, apiPublisher{ID: p.ID.String(), Name: p.Name, Website: p.Website})
	}
	tools := []apiTool{}
	for _, t := range sortedTools(snap, [16]byte{}) {
		tools = append(tools, apiTool{ID: t.ID.String(), PublisherID: t.PublisherID.String(), Name: t.Name, Kind: t.Kind, ClientID: t.ClientID,
			LoginURL: t.LoginURL, LaunchURL: t.LaunchURL, RedirectURLs: nonNil(t.RedirectURLs), JWKSURL: t.JWKSURL,
			HasPublicKey: t.PublicKey != "", DeploymentIDs: nonNil(t.DeploymentIDs), Scores: t.Scores})
	}
	res := []apiResource{}
	for _, r := range snap.Ordered {
		res = append(res, apiResource{ID: r.ID.String(), PublisherID: r.PublisherID.String(), ToolID: r.ToolID.String(), Title: r.Title,
			Type: r.Type, Subjects: nonNil(r.Subjects), Levels: nonNil(r.Levels), Description: r.Description, TargetURL: r.TargetURL,
			HasCover: r.HasCover(), Active: r.Active})
	}
	return c.JSON(http.StatusOK, map[string]any{"publishers": pubs, "tools": tools, "resources": res})
}
