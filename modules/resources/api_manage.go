package resources

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/module"
)

// The managers' JSON API (openapi/manage.json): the subscriptions with their licences.

func (h *Handler) manageAPIRoutes() []module.Route {
	return []module.Route{
		module.Get(module.Tenant, "/api/v1/ressources/abonnements", PermView, h.apiSubscriptions).AsAPI(),
	}
}

// apiLicences are one profile's licences: bought (null: unlimited), used, left (null: unlimited).
type apiLicences struct {
	Limit *int `json:"limit"`
	Used  int  `json:"used"`
	Left  *int `json:"left"`
}

type apiSubscription struct {
	ID           uuid.UUID   `json:"id"`
	ResourceID   uuid.UUID   `json:"resource_id"`
	Title        string      `json:"title"`
	Publisher    string      `json:"publisher"`
	ToolID       uuid.UUID   `json:"tool_id"`
	DeploymentID string      `json:"deployment_id"`
	StartsOn     string      `json:"starts_on"`
	EndsOn       string      `json:"ends_on"`
	Kind         string      `json:"kind"`
	Target       string      `json:"target"`
	LicenceMode  string      `json:"licence_mode"`
	Eleves       apiLicences `json:"eleves"`
	Enseignants  apiLicences `json:"enseignants"`
	Assignments  int         `json:"assignments"`
}

func apiLicencesOf(l SubscriptionLine, profile string) apiLicences {
	out := apiLicences{Used: l.Used.of(profile)}
	if !TargetHas(l.Subscription.Target, profile) {
		zero := 0
		return apiLicences{Limit: &zero, Used: out.Used, Left: &zero}
	}
	if n := l.Limit(profile); n >= 0 {
		left := l.Left(profile)
		out.Limit, out.Left = &n, &left
	}
	return out
}

func (h *Handler) apiSubscriptions(c echo.Context) error {
	lines, err := h.svc.Subscriptions(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiSubscription, 0, len(lines))
	for _, l := range lines {
		s := l.Subscription
		a := apiSubscription{ID: s.ID, ResourceID: s.ResourceID, Title: l.Title(), ToolID: s.ToolID, DeploymentID: s.DeploymentID,
			StartsOn: s.StartsOn.Format(time.DateOnly), EndsOn: s.EndsOn.Format(time.DateOnly), Kind: s.Kind, Target: s.Target,
			LicenceMode: s.LicenceMode, Eleves: apiLicencesOf(l, ProfileEleve), Enseignants: apiLicencesOf(l, ProfileEnseignant), Assignments: l.Assignments}
		if l.Publisher != nil {
			a.Publisher = l.Publisher.Name
		}
		out = append(out, a)
	}
	return c.JSON(http.StatusOK, map[string]any{"subscriptions": out})
}
