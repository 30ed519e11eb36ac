package resources

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"gorm.io/gorm"
)

// The signing keys' life: a new key every ltiKeyLife; the one it replaces is still
// published for ltiKeyOverlap (a tool holding a token signed just before, or a JWKS cached
// a while, still verifies), then deleted.
const (
	ltiKeyLife    = 90 * 24 * time.Hour
	ltiKeyOverlap = 7 * 24 * time.Hour
	ltiKeyBits    = 2048
)

// sealedKeyPrefix marks a sealed private key in platform.lti_keys.
const sealedKeyPrefix = "aesgcm1:"

// ltiKeyRow is a row of platform.lti_keys.
type ltiKeyRow struct {
	Kid        string
	PrivateKey string
	PublicJWK  string `gorm:"column:public_jwk"`
	CreatedAt  time.Time
	RetiredAt  *time.Time
}

// ltiSigner is the key id_tokens are signed with.
type ltiSigner struct {
	kid string
	key jwk.Key // the private key, kid and alg set
}

// keysLock serialises the making and rotation of keys across replicas.
const keysLock = `SELECT pg_advisory_xact_lock(hashtext('cartable.resources.lti_keys'))`

// signingKey is the newest key not retired, made on first need.
func (s *Service) signingKey(ctx context.Context) (*ltiSigner, error) {
	now := s.now()
	s.lti.mu.Lock()
	if sg := s.lti.signer; sg != nil && now.Sub(s.lti.signerAt) < ltiKeyTTL && !now.Before(s.lti.signerAt) {
		s.lti.mu.Unlock()
		return sg, nil
	}
	s.lti.mu.Unlock()
	var row *ltiKeyRow
	err := s.cat.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if row, err = currentKey(tx); err != nil || row != nil {
			return err
		}
		if err = tx.Exec(keysLock).Error; err != nil {
			return fmt.Errorf("resources: lock the LTI keys: %w", err)
		}
		if row, err = currentKey(tx); err != nil || row != nil {
			return err
		}
		row, err = s.newKey(tx, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	sg, err := s.openKey(row)
	if errors.Is(err, errKeyUnreadable) {
		// Sealed under another secret key: replace it (the rotation retires it).
		if _, err = s.RotateLTIKeys(ctx); err == nil {
			err = s.cat.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				var err error
				row, err = currentKey(tx)
				return err
			})
		}
		if err == nil && row != nil {
			sg, err = s.openKey(row)
		}
	}
	if err != nil {
		return nil, err
	}
	s.lti.mu.Lock()
	s.lti.signer, s.lti.signerAt = sg, now
	s.lti.mu.Unlock()
	return sg, nil
}

// currentKey is the newest key not retired, or nil.
func currentKey(tx *gorm.DB) (*ltiKeyRow, error) {
	var rows []ltiKeyRow
	if err := tx.Raw(`SELECT kid, private_key, public_jwk::text AS public_jwk, created_at, retired_at
		FROM platform.lti_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("resources: read the LTI signing key: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// newKey makes an RSA key, stores it sealed with its public JWK, and returns its row.
func (s *Service) newKey(tx *gorm.DB, now time.Time) (*ltiKeyRow, error) {
	priv, err := rsa.GenerateKey(rand.Reader, ltiKeyBits)
	if err != nil {
		return nil, fmt.Errorf("resources: make an LTI key: %w", err)
	}
	pub, err := jwk.Import(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("resources: LTI public key: %w", err)
	}
	if err := jwk.AssignKeyID(pub); err != nil {
		return nil, fmt.Errorf("resources: LTI key id: %w", err)
	}
	kid, _ := pub.KeyID()
	for k, v := range map[string]any{jwk.AlgorithmKey: jwa.RS256(), jwk.KeyUsageKey: "sig"} {
		if err := pub.Set(k, v); err != nil {
			return nil, fmt.Errorf("resources: LTI public key: %w", err)
		}
	}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealKey(kid, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return nil, err
	}
	row := &ltiKeyRow{Kid: kid, PrivateKey: sealed, PublicJWK: string(pubJSON), CreatedAt: now}
	if err := tx.Exec(`INSERT INTO platform.lti_keys (kid, private_key, public_jwk, created_at) VALUES (?, ?, ?::jsonb, ?)`,
		row.Kid, row.PrivateKey, row.PublicJWK, row.CreatedAt).Error; err != nil {
		return nil, fmt.Errorf("resources: store the LTI key: %w", err)
	}
	return row, nil
}

// sealKey seals a PEM private key; the key id is the additional data, so that a sealed key
// copied onto another row does not open.
func (s *Service) sealKey(kid string, plain []byte) (string, error) {
	box, err := s.lti.keyBox()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, box.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedKeyPrefix + base64.StdEncoding.EncodeToString(box.Seal(nonce, nonce, plain, []byte(kid))), nil
}

// errKeyUnreadable: the signing key was sealed under another secret key.
var errKeyUnreadable = errors.New("resources: the LTI signing key does not open with the configured key (CARTABLE_SECRET_KEY changed?)")

// openKey opens a row's private key.
func (s *Service) openKey(row *ltiKeyRow) (*ltiSigner, error) {
	box, err := s.lti.keyBox()
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(row.PrivateKey, sealedKeyPrefix))
	if err != nil || !strings.HasPrefix(row.PrivateKey, sealedKeyPrefix) || len(raw) < box.NonceSize() {
		return nil, fmt.Errorf("resources: LTI key %s is damaged", row.Kid)
	}
	plain, err := box.Open(nil, raw[:box.NonceSize()], raw[box.NonceSize():], []byte(row.Kid))
	if err != nil {
		return nil, errKeyUnreadable
	}
	block, _ := pem.Decode(plain)
	if block == nil {
		return nil, fmt.Errorf("resources: LTI key %s is not PEM", row.Kid)
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("resources: LTI key %s: %w", row.Kid, err)
	}
	key, err := jwk.Import(priv)
	if err != nil {
		return nil, err
	}
	for k, v := range map[string]any{jwk.KeyIDKey: row.Kid, jwk.AlgorithmKey: jwa.RS256()} {
		if err := key.Set(k, v); err != nil {
			return nil, err
		}
	}
	return &ltiSigner{kid: row.Kid, key: key}, nil
}

// JWKS is the platform's public keys as a JWK set: the current key and those retired less
// than ltiKeyOverlap ago. The first call makes the first key.
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	if _, err := s.signingKey(ctx); err != nil {
		return nil, err
	}
	var keys []string
	if err := s.cat.DB().WithContext(ctx).Raw(`SELECT public_jwk::text FROM platform.lti_keys
		WHERE retired_at IS NULL OR retired_at > ? ORDER BY created_at DESC, kid`, s.now()).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("resources: read the LTI keys: %w", err)
	}
	raw := make([]json.RawMessage, len(keys))
	for i, k := range keys {
		raw[i] = json.RawMessage(k)
	}
	return json.Marshal(map[string]any{"keys": raw})
}

// RotateLTIKeys is the rotation (the job's work, at the service's clock): keys retired past
// their overlap are deleted; when the current key is ltiKeyLife old (or there is none, or it
// does not open with this server's secret key), a new one is made and the others retired,
// still published for ltiKeyOverlap. It returns the new key's id, or "".
func (s *Service) RotateLTIKeys(ctx context.Context) (string, error) {
	now := s.now()
	var made string
	err := s.cat.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(keysLock).Error; err != nil {
			return fmt.Errorf("resources: lock the LTI keys: %w", err)
		}
		if err := tx.Exec(`DELETE FROM platform.lti_keys WHERE retired_at <= ?`, now).Error; err != nil {
			return fmt.Errorf("resources: delete retired LTI keys: %w", err)
		}
		cur, err := currentKey(tx)
		if err != nil {
			return err
		}
		if cur != nil && now.Sub(cur.CreatedAt) < ltiKeyLife {
			if _, err := s.openKey(cur); !errors.Is(err, errKeyUnreadable) {
				return nil
			}
		}
		row, err := s.newKey(tx, now)
		if err != nil {
			return err
		}
		made = row.Kid
		if err := tx.Exec(`UPDATE platform.lti_keys SET retired_at = ? WHERE retired_at IS NULL AND kid <> ?`, now.Add(ltiKeyOverlap), made).Error; err != nil {
			return fmt.Errorf("resources: retire the LTI key: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if made != "" {
		s.lti.mu.Lock()
		s.lti.signer = nil
		s.lti.mu.Unlock()
	}
	return made, nil
}
