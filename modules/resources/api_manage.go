package resources

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
	"github.com/cartable-ent/cartable/web/module"
)

// The managers' JSON API (openapi/manage.json): the subscriptions with their licences.

func (h *Handler) manageAPIRoutes() []module.Route {
	return []module.Route{
		module.Get(module.Tenant, "/api/v1/ressources/abonnements", PermView, h.apiSubscriptions).AsAPI(),
		module.Post(module.Tenant, "/api/v1/ressources/abonnements/:id/attributions", PermView, h.apiAssign).AsAPI(),
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

// apiAssignment is an assignment asked through the API: to (tous, profil, classe, groupe,
// personne) and the profile, class, group or person it names.
type apiAssignmentRequest struct {
	To       string `json:"to"`
	Profile  string `json:"profile"`
	ClassID  string `json:"class_id"`
	GroupID  string `json:"group_id"`
	PersonID string `json:"person_id"`
}

// apiFieldOf turns a refused form into the API's error: its first field and message.
func apiFieldOf(errs ManageErrors) error {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &fault.Invalid{Field: keys[0], Message: errs[keys[0]]}
}

func (h *Handler) apiAssign(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var r apiAssignmentRequest
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return fault.Decoding(err)
	}
	as, given, err := h.svc.Assign(c.Request().Context(), web.TenantOf(c), requestActor(c), id,
		AssignmentForm{To: r.To, Profile: r.Profile, Class: r.ClassID, Group: r.GroupID, Person: r.PersonID})
	var errs ManageErrors
	if errors.As(err, &errs) {
		return apiFieldOf(errs)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": as, "licences_given": given})
}
