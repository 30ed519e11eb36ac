package resources

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"gorm.io/gorm"
)

// The OAuth 2 client credentials grant of the tools (LTI Security Framework, RFC 7523).
const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	assertionMaxLife    = 5 * time.Minute
	assertionSkew       = 30 * time.Second
	accessTokenLife     = time.Hour
)

// OAuthError is a refused token request, as RFC 6749 §5.2 words it.
type OAuthError struct {
	Status      int    // 400 or 401
	Code        string // invalid_request, invalid_client, invalid_grant, invalid_scope, unsupported_grant_type
	Description string
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func oauthErr(status int, code, format string, args ...any) *OAuthError {
	return &OAuthError{Status: status, Code: code, Description: fmt.Sprintf(format, args...)}
}

// TokenRequest is the form a tool posts to the token endpoint.
type TokenRequest struct {
	GrantType           string
	ClientAssertionType string
	ClientAssertion     string
	Scope               string
}

// AccessToken is a granted token.
type AccessToken struct {
	Token     string
	Scopes    []string
	ExpiresIn int
}

// IssueToken checks a tool's client assertion (a JWT it signed with its own key: iss = sub =
// its client id, aud = the token URL, exp within 5 minutes, a jti never seen) and grants
// an opaque access token of the scopes asked among those of a tool sending scores, for an
// hour. A refusal is an *OAuthError.
func (s *Service) IssueToken(ctx context.Context, r TokenRequest) (*AccessToken, error) {
	if r.GrantType != "client_credentials" {
		return nil, oauthErr(400, "unsupported_grant_type", "grant_type must be client_credentials")
	}
	if r.ClientAssertionType != clientAssertionType {
		return nil, oauthErr(401, "invalid_client", "client_assertion_type must be %s", clientAssertionType)
	}
	if r.ClientAssertion == "" {
		return nil, oauthErr(401, "invalid_client", "client_assertion is missing")
	}
	if s.ags.portal == "" {
		return nil, oauthErr(400, "invalid_request", "scores are not served by this platform")
	}
	unverified, err := jwt.ParseInsecure([]byte(r.ClientAssertion))
	if err != nil {
		return nil, oauthErr(401, "invalid_client", "client_assertion is not a JWT")
	}
	clientID, _ := unverified.Issuer()
	if clientID == "" {
		return nil, oauthErr(401, "invalid_client", "client_assertion has no iss")
	}
	db := s.cat.DB().WithContext(ctx)
	var tools []*Tool
	if err := db.Where("client_id = ? AND kind = ?", clientID, ToolLTI).Limit(1).Find(&tools).Error; err != nil {
		return nil, fmt.Errorf("resources: find tool %q: %w", clientID, err)
	}
	if len(tools) == 0 {
		return nil, oauthErr(401, "invalid_client", "unknown client")
	}
	tool := tools[0]
	keyOpt, err := s.toolKeys(ctx, tool)
	if err != nil {
		return nil, oauthErr(401, "invalid_client", "the tool's keys cannot be read")
	}
	now := s.now()
	tok, err := jwt.Parse([]byte(r.ClientAssertion), keyOpt, jwt.WithValidate(false))
	if err != nil && tool.PublicKey == "" && tool.JWKSURL != "" && s.ags.mayRefresh(tool.JWKSURL, now) {
		// the tool may have rotated its keys since the cache's last fetch: fetch once more
		if set, ferr := s.ags.jwks.Refresh(ctx, tool.JWKSURL); ferr == nil {
			tok, err = jwt.Parse([]byte(r.ClientAssertion), jwt.WithKeySet(set, jws.WithInferAlgorithmFromKey(true)), jwt.WithValidate(false))
		}
	}
	if err != nil {
		return nil, oauthErr(401, "invalid_client", "client_assertion signature does not verify")
	}
	if err := jwt.Validate(tok, jwt.WithClock(jwt.ClockFunc(s.now)), jwt.WithAcceptableSkew(assertionSkew),
		jwt.WithIssuer(clientID), jwt.WithSubject(clientID), jwt.WithAudience(s.tokenURL()),
		jwt.WithRequiredClaim(jwt.ExpirationKey), jwt.WithRequiredClaim(jwt.JwtIDKey)); err != nil {
		return nil, oauthErr(400, "invalid_grant", "client_assertion refused: %s", validationReason(err))
	}
	exp, _ := tok.Expiration()
	if exp.After(now.Add(assertionMaxLife + assertionSkew)) {
		return nil, oauthErr(400, "invalid_grant", "client_assertion refused: exp is more than 5 minutes ahead")
	}
	jti, _ := tok.JwtID()
	if jti == "" || len(jti) > 255 {
		return nil, oauthErr(400, "invalid_grant", "client_assertion refused: jti is required (255 characters at most)")
	}
	if !tool.Scores {
		return nil, oauthErr(400, "invalid_scope", "this tool does not send scores")
	}
	scopes, err := grantedScopes(r.Scope)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("resources: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	hash := sha256.Sum256([]byte(token))
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM platform.lti_assertions WHERE tool_id = ? AND expires_at < ?`, tool.ID, now.Add(-assertionSkew)).Error; err != nil {
			return fmt.Errorf("resources: sweep assertions: %w", err)
		}
		res := tx.Exec(`INSERT INTO platform.lti_assertions (tool_id, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tool.ID, jti, exp)
		if res.Error != nil {
			return fmt.Errorf("resources: record assertion: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return oauthErr(400, "invalid_grant", "client_assertion already used (jti seen)")
		}
		if err := tx.Exec(`DELETE FROM platform.lti_access_tokens WHERE tool_id = ? AND expires_at < ?`, tool.ID, now).Error; err != nil {
			return fmt.Errorf("resources: sweep tokens: %w", err)
		}
		// (GORM spreads a slice placed right after a parenthesis: the hash comes second)
		if err := tx.Exec(`INSERT INTO platform.lti_access_tokens (tool_id, token_hash, scopes, expires_at) VALUES (?, ?, ?::text[], ?)`,
			tool.ID, hash[:], textArray(scopes), now.Add(accessTokenLife)).Error; err != nil {
			return fmt.Errorf("resources: record token: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AccessToken{Token: token, Scopes: scopes, ExpiresIn: int(accessTokenLife / time.Second)}, nil
}

// grantedScopes are the scopes asked (space separated), each one of AGS's.
func grantedScopes(asked string) ([]string, error) {
	var out []string
	for _, sc := range strings.Fields(asked) {
		if !slices.Contains(agsScopes, sc) {
			return nil, oauthErr(400, "invalid_scope", "unknown scope %q", sc)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, oauthErr(400, "invalid_scope", "scope is missing")
	}
	return out, nil
}

// textArray is a text[] literal of values free of quotes and backslashes (the scopes).
func textArray(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = `"` + v + `"`
	}
	return "{" + strings.Join(quoted, ",") + "}"
}

func validationReason(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return "expired"
	case errors.Is(err, jwt.InvalidIssuedAtError()), errors.Is(err, jwt.TokenNotYetValidError()):
		return "not valid yet"
	case errors.Is(err, jwt.InvalidAudienceError()):
		return "aud is not the token URL"
	case errors.Is(err, jwt.InvalidIssuerError()):
		return "iss is not the client id"
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		return "exp and jti are required"
	}
	return "invalid claims"
}

// toolKeys is how a tool's signatures are verified: its public key (PEM), or its JWKS URL
// fetched and kept fresh by jwx's cache.
func (s *Service) toolKeys(ctx context.Context, tool *Tool) (jwt.ParseOption, error) {
	if tool.PublicKey != "" {
		key, err := jwk.ParseKey([]byte(tool.PublicKey), jwk.WithPEM(true))
		if err != nil {
			return nil, fmt.Errorf("resources: public key of tool %s: %w", tool.ID, err)
		}
		return jwt.WithKey(jwa.RS256(), key), nil
	}
	if tool.JWKSURL == "" {
		return nil, fmt.Errorf("resources: tool %s has no key", tool.ID)
	}
	s.ags.jwksOnce.Do(func() {
		// The cache lives as long as the service, not as the request that first needed it.
		s.ags.jwks, s.ags.jwksErr = jwk.NewCache(context.WithoutCancel(ctx), httprc.NewClient())
	})
	if s.ags.jwksErr != nil {
		return nil, s.ags.jwksErr
	}
	if !s.ags.jwks.IsRegistered(ctx, tool.JWKSURL) {
		if err := s.ags.jwks.Register(ctx, tool.JWKSURL); err != nil {
			return nil, fmt.Errorf("resources: JWKS of tool %s: %w", tool.ID, err)
		}
	}
	set, err := s.ags.jwks.Lookup(ctx, tool.JWKSURL)
	if err != nil {
		return nil, fmt.Errorf("resources: JWKS of tool %s: %w", tool.ID, err)
	}
	return jwt.WithKeySet(set, jws.WithInferAlgorithmFromKey(true)), nil
}

// agsGrant is what a valid access token lets its tool do.
type agsGrant struct {
	Tool   *Tool
	Scopes Strings
}

func (g *agsGrant) has(scopes ...string) bool {
	return slices.ContainsFunc(scopes, func(sc string) bool { return slices.Contains(g.Scopes, sc) })
}

// errBadToken is a missing, unknown or expired access token.
var errBadToken = &OAuthError{Status: 401, Code: "invalid_token", Description: "the access token is missing, unknown or expired"}

// grantOf reads an access token.
func (s *Service) grantOf(ctx context.Context, token string) (*agsGrant, error) {
	if token == "" {
		return nil, errBadToken
	}
	hash := sha256.Sum256([]byte(token))
	var row struct {
		ToolID uuid.UUID
		Scopes Strings
	}
	db := s.cat.DB().WithContext(ctx)
	res := db.Raw(`SELECT tool_id, scopes FROM platform.lti_access_tokens WHERE token_hash = ? AND expires_at > ?`, hash[:], s.now()).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("resources: read access token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, errBadToken
	}
	var tool Tool
	if err := db.Where("id = ?", row.ToolID).Take(&tool).Error; err != nil {
		return nil, fmt.Errorf("resources: token's tool: %w", err)
	}
	if !tool.Scores || !tool.LTI() {
		return nil, errBadToken
	}
	return &agsGrant{Tool: &tool, Scopes: row.Scopes}, nil
}
