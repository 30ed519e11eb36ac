package resources

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/modules/identity"
	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// LTI's claims and vocabularies (LTI 1.3 Core, 5.3 and appendix A).
const (
	claimPrefix         = "https://purl.imsglobal.org/spec/lti/claim/"
	claimMessageType    = claimPrefix + "message_type"
	claimVersion        = claimPrefix + "version"
	claimDeploymentID   = claimPrefix + "deployment_id"
	claimTargetLinkURI  = claimPrefix + "target_link_uri"
	claimResourceLink   = claimPrefix + "resource_link"
	claimRoles          = claimPrefix + "roles"
	claimContext        = claimPrefix + "context"
	claimToolPlatform   = claimPrefix + "tool_platform"
	claimAGSEndpoint    = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
	messageResourceLink = "LtiResourceLinkRequest"
	ltiVersion          = "1.3.0"
	contextCourseSec    = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"

	roleLearner       = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
	roleInstructor    = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
	roleStudent       = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
	roleFaculty       = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"
	roleAdministrator = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
	roleStaff         = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff"
)

// ltiLaunchLife is how long a launch may wait for its authentication request, and
// ltiTokenLife how long an id_token is valid.
const (
	ltiLaunchLife = 5 * time.Minute
	ltiTokenLife  = 5 * time.Minute
)

// AuthRequest is the tool's OIDC authentication request (LTI 1.3 Core, 5.1.1.2).
type AuthRequest struct {
	Scope, ResponseType, ResponseMode, Prompt string
	ClientID, RedirectURI                     string
	LoginHint, MessageHint                    string
	Nonce, State                              string
}

// AuthResponse is what the browser posts to the tool's redirect_uri: an id_token, or an
// OIDC error (Error, ErrorDescription), with the request's state.
type AuthResponse struct {
	RedirectURI      string
	IDToken          string
	State            string
	Error            string
	ErrorDescription string
	Title            string // the resource's title, for the page that posts
}

// Refusals shown as a French page: the request cannot be answered at its redirect_uri.
var (
	errUnknownClient   = fault.New(fault.ErrInvalid, "lancement refusé : l'outil (client_id) n'est pas dans le catalogue des ressources")
	errBadRedirect     = fault.New(fault.ErrInvalid, "lancement refusé : l'adresse de retour (redirect_uri) n'est pas une adresse enregistrée de cet outil")
	errLaunchNotValid  = fault.New(fault.ErrForbidden, "ce lancement n'est pas valable (inconnu, déjà utilisé, expiré ou ouvert par une autre personne) : revenez à « Mes ressources » et ouvrez la ressource à nouveau")
	errNotYourLaunch   = fault.New(fault.ErrForbidden, "ce lancement a été demandé par une autre personne que celle connectée : revenez à « Mes ressources » et ouvrez la ressource à nouveau")
	errLaunchWithdrawn = fault.New(fault.ErrForbidden, "cette ressource a été retirée du catalogue")
)

// Authenticate answers a tool's authentication request for the person signed in with
// identity (uuid.Nil: nobody). The client and redirect_uri must be the tool's before
// anything is sent there (else a French page); the launch named by login_hint must be
// recent, not completed, the tool's, with the same message hint, and the person's; it is
// completed in the same transaction as the nonce is recorded, so that neither serves twice.
func (s *Service) Authenticate(ctx context.Context, identity uuid.UUID, req AuthRequest) (*AuthResponse, error) {
	if s.lti.issuer == "" {
		return nil, errLTIOff
	}
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var tool *Tool
	for _, tl := range snap.Tools {
		if tl.LTI() && tl.ClientID != nil && *tl.ClientID == req.ClientID && req.ClientID != "" {
			tool = tl
			break
		}
	}
	if tool == nil {
		return nil, errUnknownClient
	}
	if !registeredRedirect(tool, req.RedirectURI) {
		return nil, errBadRedirect
	}
	refuse := func(code, desc string) (*AuthResponse, error) {
		return &AuthResponse{RedirectURI: req.RedirectURI, State: req.State, Error: code, ErrorDescription: desc}, nil
	}
	switch {
	case req.Scope != "openid":
		return refuse("invalid_scope", "scope doit valoir openid")
	case req.ResponseType != "id_token":
		return refuse("unsupported_response_type", "response_type doit valoir id_token")
	case req.ResponseMode != "form_post":
		return refuse("invalid_request", "response_mode doit valoir form_post")
	case req.Prompt != "none":
		return refuse("invalid_request", "prompt doit valoir none")
	case req.Nonce == "" || len(req.Nonce) > 255:
		return refuse("invalid_request", "nonce manquant ou trop long")
	case len(req.State) > 2000:
		return refuse("invalid_request", "state trop long")
	case identity == uuid.Nil:
		return refuse("login_required", "personne n'est connecté à Cartable dans ce navigateur")
	}
	tenantID, launchID, ok := parseLoginHint(req.LoginHint)
	if !ok {
		return nil, errLaunchNotValid
	}
	var t tenant.Tenant
	if err := s.cat.DB().WithContext(ctx).Where("id = ? AND status = ?", tenantID, tenant.StatusActive).Limit(1).Find(&t).Error; err != nil {
		return nil, fmt.Errorf("resources: read the launch's establishment: %w", err)
	}
	if t.ID == uuid.Nil {
		return nil, errLaunchNotValid
	}
	signer, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	var signed []byte
	var title string
	err = s.write(ctx, &t, func(tx *gorm.DB) error {
		l, err := s.claimLaunch(tx, tool, launchID, identity, req)
		if err != nil {
			return err
		}
		r, ok := snap.Resources[l.ResourceID]
		if !ok || !r.Active {
			return errLaunchWithdrawn
		}
		title = r.Title
		ent, err := s.stillGiven(tx, snap, l)
		if err != nil {
			return err
		}
		claims, err := s.launchClaims(tx, &t, tool, r, l, ent.Subscription, req)
		if err != nil {
			return err
		}
		// Signed before the commit: a launch is completed only with its id_token.
		signed, err = signClaims(signer, claims)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &AuthResponse{RedirectURI: req.RedirectURI, IDToken: string(signed), State: req.State, Title: title}, nil
}

// signClaims signs claims as a JWT (RS256, with the key's kid in the header).
func signClaims(signer *ltiSigner, claims map[string]any) ([]byte, error) {
	tok := jwt.New()
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			return nil, fmt.Errorf("resources: id_token claim %s: %w", k, err)
		}
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), signer.key))
	if err != nil {
		return nil, fmt.Errorf("resources: sign the id_token: %w", err)
	}
	return b, nil
}

// launchRow is a launch and its person.
type launchRow struct {
	Launch
	IdentityID *uuid.UUID
	FirstName  string
	LastName   string
	Email      *string
	Roles      Strings
	Active     bool
}

// claimLaunch checks launch id against the request and the person, then completes it with
// the request's nonce (refused when the tool already used it).
func (s *Service) claimLaunch(tx *gorm.DB, tool *Tool, id, identity uuid.UUID, req AuthRequest) (*launchRow, error) {
	var rows []launchRow
	if err := tx.Raw(`SELECT l.*, p.identity_id, p.first_name, p.last_name, p.email, p.roles, p.active
		FROM resource_launches l JOIN people p ON p.id = l.person_id WHERE l.id = ? FOR UPDATE OF l`, id).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("resources: read the launch: %w", err)
	}
	now := s.now()
	if len(rows) == 0 {
		return nil, errLaunchNotValid
	}
	l := &rows[0]
	switch {
	case l.ToolID != tool.ID, l.CompletedAt != nil, !l.Active,
		subtle.ConstantTimeCompare([]byte(l.MessageHint), []byte(req.MessageHint)) != 1,
		now.Sub(l.CreatedAt) > ltiLaunchLife, now.Before(l.CreatedAt.Add(-time.Minute)):
		return nil, errLaunchNotValid
	case l.IdentityID == nil || *l.IdentityID != identity:
		return nil, errNotYourLaunch
	}
	res := tx.Exec(`UPDATE resource_launches SET nonce = ?, completed_at = ? WHERE id = ? AND completed_at IS NULL`, req.Nonce, now, l.ID)
	var pg *pgconn.PgError
	if errors.As(res.Error, &pg) && pg.Code == "23505" {
		return nil, fault.New(fault.ErrForbidden, "lancement refusé : l'outil a déjà utilisé ce nonce (rejeu)")
	}
	if res.Error != nil {
		return nil, fmt.Errorf("resources: complete the launch: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, errLaunchNotValid
	}
	return l, nil
}

// stillGiven checks, when the id_token is about to be signed, what « Ouvrir » checked: the
// resource is still given to the person (a licence withdrawn since refuses it), and the tool
// is told only what the establishment still shares (l.Shared narrowed, and recorded so).
// It returns the entitlement that gives the resource now (its subscription's deployment is
// the launch's: the one « Ouvrir » found may have been deleted since).
func (s *Service) stillGiven(tx *gorm.DB, snap *Snapshot, l *launchRow) (*Entitlement, error) {
	roles := make([]identity.Role, len(l.Roles))
	for i, r := range l.Roles {
		roles[i] = identity.Role(r)
	}
	ent, err := Entitled(tx, snap, l.PersonID, ProfileOf(roles), s.Today(), l.ResourceID)
	if err != nil {
		return nil, err
	}
	var share Sharing
	if err := tx.Where("tool_id = ?", l.ToolID).Limit(1).Find(&share).Error; err != nil {
		return nil, fmt.Errorf("resources: read the sharing of %s: %w", l.ToolID, err)
	}
	still := Strings{}
	for _, what := range l.Shared {
		if (what == SharedName && share.ShareName) || (what == SharedEmail && share.ShareEmail) || (what == SharedClass && share.ShareClass) {
			still = append(still, what)
		}
	}
	if len(still) != len(l.Shared) {
		l.Shared = still
		if err := tx.Exec(`UPDATE resource_launches SET shared = ? WHERE id = ?`, still, l.ID).Error; err != nil {
			return nil, fmt.Errorf("resources: record what the launch shares: %w", err)
		}
	}
	return ent, nil
}

// launchClaims are the id_token's claims for launch l.
func (s *Service) launchClaims(tx *gorm.DB, t *tenant.Tenant, tool *Tool, r *Resource, l *launchRow, sub *Subscription, req AuthRequest) (map[string]any, error) {
	now := s.now()
	c := map[string]any{
		jwt.IssuerKey:      s.lti.issuer,
		jwt.AudienceKey:    []string{req.ClientID},
		"azp":              req.ClientID,
		jwt.SubjectKey:     Pseudonym(tool, *l.IdentityID),
		jwt.IssuedAtKey:    now,
		jwt.ExpirationKey:  now.Add(ltiTokenLife),
		"nonce":            req.Nonce,
		claimMessageType:   messageResourceLink,
		claimVersion:       ltiVersion,
		claimDeploymentID:  deploymentOf(tool, sub),
		claimTargetLinkURI: targetOf(tool, r),
		claimResourceLink:  map[string]any{"id": r.ID.String(), "title": r.Title},
		claimRoles:         ltiRoles(l.Roles),
		claimToolPlatform:  map[string]any{"guid": s.lti.guid, "name": s.lti.name, "product_family_code": "cartable"},
	}
	ctxClaim := map[string]any{"id": t.ID.String(), "label": string(t.UAI), "title": t.Name, "type": []string{contextCourseSec}}
	if l.ClassID != nil && slices.Contains(l.Shared, SharedClass) {
		var cl struct {
			ID    uuid.UUID
			Code  string
			Label string
		}
		if err := tx.Raw(`SELECT id, code, label FROM classes WHERE id = ?`, *l.ClassID).Scan(&cl).Error; err != nil {
			return nil, fmt.Errorf("resources: read the launch's class: %w", err)
		}
		if cl.ID != uuid.Nil {
			ctxClaim = map[string]any{"id": cl.ID.String(), "label": cl.Code, "title": cl.Label, "type": []string{contextCourseSec}}
		}
	}
	c[claimContext] = ctxClaim
	lineItemsCtx := "" // the establishment: no line items
	if ctxClaim["id"] != t.ID.String() {
		lineItemsCtx = ctxClaim["id"].(string)
	}
	if slices.Contains(l.Shared, SharedName) {
		c["given_name"], c["family_name"] = l.FirstName, l.LastName
		c["name"] = l.FirstName + " " + l.LastName
	}
	if slices.Contains(l.Shared, SharedEmail) && l.Email != nil && *l.Email != "" {
		c["email"] = *l.Email
	}
	if ags := s.agsClaim(t, tool, lineItemsCtx, r.ID.String()); ags != nil {
		c[claimAGSEndpoint] = ags
	}
	return c, nil
}

// ltiRoles maps a person's roles here to LIS roles: pupils are learners, teachers
// instructors, the direction administrators, the other staff staff.
func ltiRoles(roles []string) []string {
	var out []string
	add := func(rs ...string) {
		for _, r := range rs {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	for _, r := range roles {
		switch r {
		case "eleve":
			add(roleLearner, roleStudent)
		case "enseignant":
			add(roleInstructor, roleFaculty)
		case "direction":
			add(roleAdministrator)
		case "vie_scolaire", "personnel", "admin":
			add(roleStaff)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
