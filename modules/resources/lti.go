package resources

import "github.com/lestrrat-go/jwx/v3/jwt"

// ltiPlatform is the LTI 1.3 platform's state: its signing keys, issuer and URLs.
type ltiPlatform struct{}

// The JOSE library of the launch (signed id_tokens, JWKS, the tools' client assertions).
var _ = jwt.New
