package resources

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// mediaAPIRoutes: one's resources today (the médiacentre), on the establishment's host.
func (h *Handler) mediaAPIRoutes() []module.Route {
	return []module.Route{module.Get(module.Tenant, "/api/v1/ressources", PermView, h.apiMedia).AsAPI()}
}

// apiMediaItem is a resource of the médiacentre in the JSON API.
type apiMediaItem struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Publisher   string   `json:"publisher"`
	Type        string   `json:"type"`
	TypeLabel   string   `json:"type_label"`
	Subjects    []string `json:"subjects"`
	Levels      []string `json:"levels"`
	Description string   `json:"description"`
	Kind        string   `json:"kind"`      // lti: POST open_url with the session; lien: GET open_url
	OpenURL     string   `json:"open_url"`  // on the establishment's host
	CoverURL    *string  `json:"cover_url"` // null without a cover
	Shared      []string `json:"shared"`    // what the publisher receives besides a pseudonym: nom, courriel, classe
	EndsOn      string   `json:"ends_on"`   // the last day of the subscription giving it
}

func apiShared(sh *Sharing, lti bool) []string {
	out := []string{}
	if sh == nil || !lti {
		return out
	}
	if sh.ShareName {
		out = append(out, "nom")
	}
	if sh.ShareEmail {
		out = append(out, "courriel")
	}
	if sh.ShareClass {
		out = append(out, "classe")
	}
	return out
}

// apiMedia lists one's resources today, searched (q) and filtered by subject (matiere).
func (h *Handler) apiMedia(c echo.Context) error {
	m, err := h.svc.Medias(c.Request().Context(), web.TenantOf(c), requestActor(c), mediaFilterOf(c))
	if err != nil {
		return err
	}
	items := make([]apiMediaItem, 0, len(m.Items))
	for _, it := range m.Items {
		r := it.Resource
		x := apiMediaItem{ID: r.ID.String(), Title: r.Title, Type: r.Type, TypeLabel: TypeLabel(r.Type),
			Subjects: nonNil(r.Subjects), Levels: nonNil(r.Levels), Description: r.Description, Kind: it.Tool.Kind,
			Shared: apiShared(it.sharing, it.Tool.LTI()), EndsOn: it.Subscription.EndsOn.Format("2006-01-02")}
		if it.Publisher != nil {
			x.Publisher = it.Publisher.Name
		}
		if it.Tool.LTI() {
			x.OpenURL = "/ressources/" + x.ID + "/ouvrir"
		} else {
			x.OpenURL = "/ressources/" + x.ID + "/lien"
		}
		if u := coverURL(it.Entitlement); u != "" {
			x.CoverURL = &u
		}
		items = append(items, x)
	}
	return c.JSON(http.StatusOK, map[string]any{"resources": items, "total": m.Total, "subjects": nonNil(m.Subjects)})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
