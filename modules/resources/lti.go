package resources

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// ltiPlatform is the LTI 1.3 platform's state: its signing keys, issuer and URLs.
type ltiPlatform struct{}

// The JOSE library of the launch (signed id_tokens, JWKS, the tools' client assertions).
var _ = jwt.New

// Pseudonym is the LTI `sub` of a person for a tool: HMAC-SHA256 of the person's identity
// (their Kratos identity, which follows them from one establishment to the next) under the
// tool's salt, base32 without padding, lower case. Stable for the person and the tool;
// unlinkable across tools without the salts, which never leave the platform.
func Pseudonym(tool *Tool, identityID uuid.UUID) string {
	m := hmac.New(sha256.New, tool.PseudonymSalt)
	m.Write(identityID[:])
	sum := m.Sum(nil)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20]))
}
