package resources

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ltiPlatform is the LTI 1.3 platform's state: its issuer, the box that seals its signing
// keys, and the current signing key kept for a short while.
type ltiPlatform struct {
	issuer string // the portal's base URL, without a trailing slash: iss of every id_token
	name   string // tool_platform.name
	guid   string // tool_platform.guid: stable for the issuer

	mu       sync.Mutex
	box      cipher.AEAD // AES-256-GCM under CARTABLE_SECRET_KEY
	signer   *ltiSigner
	signerAt time.Time // when signer was read (service clock)
}

// LTIConfig is how the platform presents itself to LTI tools.
type LTIConfig struct {
	// Issuer is the portal's base URL (web.Server.PortalURL): the iss of id_tokens; the
	// authentication endpoint and the JWKS are under it (/lti/auth, /lti/jwks.json).
	Issuer string
	// SecretKey (CARTABLE_SECRET_KEY, 32 bytes) seals the private signing keys in
	// platform.lti_keys. Nil: a key drawn for this process only (keys sealed by another
	// process are then unreadable, and a new signing key is made).
	SecretKey []byte
	// Name is tool_platform.name; default « Cartable ».
	Name string
}

// ltiKeyTTL is how long a replica signs with the key it read before looking again (a key
// rotated by another replica is picked up within it; the old one stays published anyway).
const ltiKeyTTL = time.Minute

// WithLTI configures the LTI platform (serve.go wires it with the portal's URL and the
// servers' secret key). It panics on a secret key that is not 32 bytes: the configuration
// reader already checked it.
func (s *Service) WithLTI(cfg LTIConfig) *Service {
	s.lti.mu.Lock()
	defer s.lti.mu.Unlock()
	s.lti.issuer = strings.TrimSuffix(cfg.Issuer, "/")
	s.lti.name = cfg.Name
	if s.lti.name == "" {
		s.lti.name = "Cartable"
	}
	s.lti.guid = uuid.NewSHA1(uuid.NameSpaceURL, []byte(s.lti.issuer)).String()
	if cfg.SecretKey != nil {
		box, err := newKeyBox(cfg.SecretKey)
		if err != nil {
			panic(err)
		}
		s.lti.box = box
	}
	s.lti.signer = nil
	return s
}

// Issuer is the platform's issuer (iss), "" when WithLTI was not called.
func (s *Service) Issuer() string { return s.lti.issuer }

// LTIAuthURL is the platform's OIDC authentication endpoint, and LTIJWKSURL its keys.
func (s *Service) LTIAuthURL() string { return s.lti.issuer + "/lti/auth" }

// LTIJWKSURL is where the platform's public keys are published.
func (s *Service) LTIJWKSURL() string { return s.lti.issuer + "/lti/jwks.json" }

func newKeyBox(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("resources: the LTI keys' sealing key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// keyBox is the sealing box, drawn for the process when none was configured.
func (p *ltiPlatform) keyBox() (cipher.AEAD, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.box == nil {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		box, err := newKeyBox(k)
		if err != nil {
			return nil, err
		}
		p.box = box
	}
	return p.box, nil
}

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
