package resources

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/cartable-ent/cartable/modules/grades"
	"github.com/cartable-ent/cartable/tenant"
)

// Grades is what the scores need of the grades module: an evaluation made or changed, its
// grid and marks (grades.Service).
type Grades interface {
	SaveEvaluation(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID, f grades.EvaluationForm) (*grades.Evaluation, error)
	SaveMarks(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID, in grades.GridInput) (*grades.Grid, error)
	Grid(ctx context.Context, t *tenant.Tenant, a grades.Actor, id uuid.UUID) (*grades.Grid, error)
}

// agsState is the scores' service (LTI Assignment and Grade Services) and the grades module
// their line items become drafts in.
type agsState struct {
	grades Grades // nil: no draft evaluation
	portal string // the portal's address, "https://cartable.example/" (no scores without it)

	jwksOnce sync.Once
	jwks     *jwk.Cache // the tools' JWKS, fetched and refreshed by jwx

	queue   ExportQueue // where the GAR-style exports are made (gar.go)
	jwksErr error

	refreshMu sync.Mutex
	refreshed map[string]time.Time // when a tool's JWKS was last fetched out of turn
}

// jwksRefreshGap is how long after fetching a tool's JWKS out of turn (an assertion that did
// not verify) the platform waits before doing it again: otherwise anyone posting forged
// assertions in a tool's name would make it fetch the publisher's keys at each one.
const jwksRefreshGap = time.Minute

// mayRefresh tells whether the JWKS at u may be fetched out of turn now, and records it.
func (a *agsState) mayRefresh(u string, now time.Time) bool {
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	if last, ok := a.refreshed[u]; ok && now.Sub(last) < jwksRefreshGap && !now.Before(last) {
		return false
	}
	if a.refreshed == nil {
		a.refreshed = map[string]time.Time{}
	}
	a.refreshed[u] = now
	return true
}

// WithGrades lets the tools' scores become grades drafts (g, the grades module) and serves
// the scores' endpoints on the portal at portalURL (web.Server.PortalURL). It returns s.
func (s *Service) WithGrades(g Grades, portalURL string) *Service {
	s.ags.grades = g
	s.ags.portal = strings.TrimSuffix(portalURL, "/")
	return s
}

// The AGS scopes a tool may ask for.
const (
	ScopeLineItem         = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
	ScopeLineItemReadOnly = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
	ScopeScore            = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
	ScopeResultReadOnly   = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
)

// agsScopes are every scope a tool that sends scores is given.
var agsScopes = []string{ScopeLineItem, ScopeLineItemReadOnly, ScopeScore, ScopeResultReadOnly}

// agsClaimName is the launch's claim naming the scores' endpoints.
const agsClaimName = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

// tokenURL is the platform's OAuth 2 token endpoint (the client assertions' audience).
func (s *Service) tokenURL() string { return s.ags.portal + "/lti/token" }

// lineItemsURL is the line items' container of a class of an establishment.
func (s *Service) lineItemsURL(tenantID uuid.UUID, classID string) string {
	return s.ags.portal + "/lti/ags/" + tenantID.String() + "/" + classID + "/lineitems"
}

// agsClaim is the "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint" claim of a launch
// of tool in establishment t for the context (a class, or nil for the establishment) and the
// resource link: nil when the tool does not send scores. The launch (lti.go) adds it to the
// id_token; the line items' and scores' endpoints (http_ags.go) serve what it names.
// Line items belong to a class: an establishment context (contextID "") has none, so no
// claim either.
func (s *Service) agsClaim(t *tenant.Tenant, tool *Tool, contextID string, resourceLinkID string) map[string]any {
	if t == nil || tool == nil || !tool.LTI() || !tool.Scores || s.ags.portal == "" {
		return nil
	}
	// Line items live in a class: an establishment context (its id is the tenant's) has none.
	if id, err := uuid.Parse(contextID); err != nil || id == t.ID {
		return nil
	}
	_ = resourceLinkID // a line item is found by the tool with ?resource_link_id=
	return map[string]any{
		"scope":     append([]string(nil), agsScopes...),
		"lineitems": s.lineItemsURL(t.ID, contextID),
	}
}
