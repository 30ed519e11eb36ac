package resources

// Endpoints are the platform's addresses a publisher registers in its LTI tool: the issuer
// (iss), the OIDC authentication endpoint, the keys, and the OAuth 2 token endpoint of the
// scores' service. Empty when the platform's LTI side is not configured.
type Endpoints struct {
	Issuer, Auth, JWKS, Token string
}

// Endpoints are the platform's LTI addresses.
func (s *Service) Endpoints() Endpoints {
	iss := s.lti.issuer
	if iss == "" {
		iss = s.ags.portal
	}
	if iss == "" {
		return Endpoints{}
	}
	return Endpoints{Issuer: iss, Auth: iss + "/lti/auth", JWKS: iss + "/lti/jwks.json", Token: iss + "/lti/token"}
}
