package directory

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// sealedPrefix marks an encrypted credentials value (a JSON string in import_runs.credentials).
const sealedPrefix = "aesgcm1:"

// credentialBox encrypts the first-login sheets of an import run with AES-256-GCM. The
// additional data binds a ciphertext to its run, so a sealed value copied onto another run
// does not open.
type credentialBox struct {
	aead cipher.AEAD
}

func newCredentialBox(key []byte) (*credentialBox, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("directory: the credentials key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &credentialBox{aead: aead}, nil
}

// seal returns the JSON value to store: a string "aesgcm1:<base64(nonce|ciphertext)>".
func (b *credentialBox) seal(run uuid.UUID, creds []Credential) (string, error) {
	plain, err := json.Marshal(creds)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, plain, run[:])
	j, err := json.Marshal(sealedPrefix + base64.StdEncoding.EncodeToString(out))
	return string(j), err
}

// unreadableCredentials is the French answer when an import's sheets cannot be opened (the
// key changed, or they were written before they were sealed); the cause goes to the log.
func unreadableCredentials(cause error) error {
	return fault.Wrap(fault.ErrNotFound, cause, "les identifiants de cet import ne peuvent plus être lus (la clé de chiffrement du serveur a changé) : émettez un code de récupération depuis la fiche de chaque personne")
}

// open decrypts a value written by seal.
func (b *credentialBox) open(run uuid.UUID, stored string) ([]Credential, error) {
	var s string
	if err := json.Unmarshal([]byte(stored), &s); err != nil || !strings.HasPrefix(s, sealedPrefix) {
		return nil, unreadableCredentials(errors.New("directory: credentials of this import are not sealed"))
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, sealedPrefix))
	if err != nil || len(raw) < b.aead.NonceSize() {
		return nil, unreadableCredentials(errors.New("directory: sealed credentials are damaged"))
	}
	plain, err := b.aead.Open(nil, raw[:b.aead.NonceSize()], raw[b.aead.NonceSize():], run[:])
	if err != nil {
		return nil, unreadableCredentials(errors.New("directory: sealed credentials do not open with the configured key (CARTABLE_SECRET_KEY changed?)"))
	}
	var out []Credential
	return out, json.Unmarshal(plain, &out)
}

// SetCredentialKey sets the 32-byte key (CARTABLE_SECRET_KEY) that encrypts initial
// passwords kept with import runs. Without it, a key is drawn for the life of the process:
// sheets printed before a restart can then no longer be read.
func (s *Service) SetCredentialKey(key []byte) error {
	b, err := newCredentialBox(key)
	if err != nil {
		return err
	}
	s.box = b
	return nil
}

func (s *Service) sealCredentials(run uuid.UUID, creds []Credential) (string, error) {
	return s.box.seal(run, creds)
}

func (s *Service) credentialsOfRun(tx *gorm.DB, run uuid.UUID) ([]Credential, error) {
	var raw *string
	if err := tx.Raw(`SELECT credentials::text FROM import_runs WHERE id = ? AND credentials_expire_at > ?`, run, s.now()).Scan(&raw).Error; err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, nil
	}
	return s.box.open(run, *raw)
}

// ExpireCredentials erases the initial passwords of the establishment's import runs whose
// keeping period ended at now; it returns how many runs it erased.
func (s *Service) ExpireCredentials(ctx context.Context, t *tenant.Tenant, now time.Time) (int, error) {
	var n int64
	err := s.db.Tx(ctx, t, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE import_runs SET credentials = NULL WHERE credentials IS NOT NULL AND credentials_expire_at <= ?`, now)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("directory: expire credentials of %s: %w", t.UAI, err)
	}
	return int(n), nil
}

func ephemeralBox() *credentialBox {
	key := make([]byte, 32)
	rand.Read(key)
	b, _ := newCredentialBox(key)
	return b
}
