package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
	kratos "github.com/ory/kratos-client-go"

	"github.com/cartable-ent/cartable/web/fault"
)

// SessionCookie is the name of Kratos' session cookie (ops kratos configuration).
const SessionCookie = "cartable_session"

// SchemaID is the Kratos identity schema of every person.
const SchemaID = "person"

// Kratos talks to the identity server: its public API for sessions and self-service flows,
// its admin API for accounts.
type Kratos struct {
	Public    *kratos.APIClient
	Admin     *kratos.APIClient
	PublicURL string // as reached by this process (direct)
	cache     *sessionCache
	now       func() time.Time
}

// NewKratos returns a client of the Kratos at publicURL and adminURL.
func NewKratos(publicURL, adminURL string, sessionTTL time.Duration) *Kratos {
	mk := func(u string, timeout time.Duration) *kratos.APIClient {
		cfg := kratos.NewConfiguration()
		cfg.Servers = kratos.ServerConfigurations{{URL: u}}
		// Every request checks its session with Kratos (past the cache): keep enough idle
		// connections for a Monday-morning storm instead of Go's default two per host.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 128
		cfg.HTTPClient = &http.Client{Timeout: timeout, Transport: tr}
		cfg.UserAgent = "cartable"
		return kratos.NewAPIClient(cfg)
	}
	if sessionTTL <= 0 {
		sessionTTL = 10 * time.Second
	}
	// A batch of 500 identities takes seconds, much more on a loaded machine: the admin API
	// gets more time than a session check.
	return &Kratos{Public: mk(publicURL, 10*time.Second), Admin: mk(adminURL, 2*time.Minute), PublicURL: publicURL, cache: newSessionCache(sessionTTL), now: time.Now}
}

// Session is a valid Kratos session, reduced to what Cartable needs.
type Session struct {
	ID         string // Kratos' session id, to revoke it
	IdentityID uuid.UUID
	Login      string
	FirstName  string
	LastName   string
	ExpiresAt  time.Time
}

// ErrNoSession means the credentials are absent, expired or revoked.
var ErrNoSession = errors.New("identity: no valid session")

// Check validates a session cookie value or a session token, with a short cache keyed by a
// hash of the credential. Unknown or expired credentials give ErrNoSession; an unreachable
// Kratos gives fault.ErrUnavailable.
func (k *Kratos) Check(ctx context.Context, cookie, token string) (*Session, error) {
	if cookie == "" && token == "" {
		return nil, ErrNoSession
	}
	key := cacheKey(cookie, token)
	now := k.now()
	if s, ok := k.cache.get(key, now); ok {
		if s == nil {
			return nil, ErrNoSession
		}
		return s, nil
	}
	req := k.Public.FrontendAPI.ToSession(ctx)
	if cookie != "" {
		req = req.Cookie(SessionCookie + "=" + cookie)
	}
	if token != "" {
		req = req.XSessionToken(token)
	}
	ks, resp, err := req.Execute()
	if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		k.cache.put(key, nil, now.Add(refusedTTL))
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fault.Wrap(fault.ErrUnavailable, err, "le service d'identification ne répond pas ; réessayez dans un instant")
	}
	s, err := sessionOf(ks)
	if err != nil {
		return nil, err
	}
	exp := now.Add(k.cache.ttl)
	if !s.ExpiresAt.IsZero() && s.ExpiresAt.Before(exp) {
		exp = s.ExpiresAt
	}
	k.cache.put(key, s, exp)
	return s, nil
}

// cacheKey is the session cache's key of a credential: a hash, so the cache holds no secret.
func cacheKey(cookie, token string) string {
	h := sha256.Sum256([]byte(cookie + "\x00" + token))
	return hex.EncodeToString(h[:])
}

// Evict drops the cached check of this credential (a logout): the next request with it asks
// Kratos. The other sessions stay cached.
func (k *Kratos) Evict(cookie, token string) { k.cache.remove(cacheKey(cookie, token)) }

// ForgetIdentity drops the cached sessions of one identity (deactivated, or its sessions
// revoked): its next request asks Kratos.
func (k *Kratos) ForgetIdentity(id uuid.UUID) { k.cache.removeIdentity(id) }

// SessionsChanged drops from the cache every session of whoever holds this credential: they
// just signed out or revoked sessions through Kratos' own API (the auth host calls it), so
// no cached check may outlive that.
// It returns the session the cache knew for the credential, if any.
func (k *Kratos) SessionsChanged(cookie, token string) *Session {
	key := cacheKey(cookie, token)
	s, ok := k.cache.get(key, k.now())
	if ok && s != nil {
		k.cache.removeIdentity(s.IdentityID)
	}
	k.cache.remove(key)
	return s
}

// RevokeSession ends one session at Kratos (admin API) and drops it from the cache.
func (k *Kratos) RevokeSession(ctx context.Context, s *Session) error {
	resp, err := k.Admin.IdentityAPI.DisableSession(ctx, s.ID).Execute()
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return fault.Wrap(fault.ErrUnavailable, fmt.Errorf("identity: revoke session %s: %w", s.ID, err), "la déconnexion n'a pas abouti : le service d'identification ne répond pas ; réessayez dans un instant")
	}
	k.cache.removeIdentitySession(s.IdentityID, s.ID)
	return nil
}

func sessionOf(ks *kratos.Session) (*Session, error) {
	if ks == nil || ks.Identity == nil || (ks.Active != nil && !*ks.Active) {
		return nil, ErrNoSession
	}
	id, err := uuid.Parse(ks.Identity.Id)
	if err != nil {
		return nil, fmt.Errorf("identity: session of identity %q: %w", ks.Identity.Id, err)
	}
	s := &Session{ID: ks.Id, IdentityID: id}
	if ks.ExpiresAt != nil {
		s.ExpiresAt = *ks.ExpiresAt
	}
	if traits, ok := ks.Identity.Traits.(map[string]any); ok {
		s.Login, _ = traits["username"].(string)
		if name, ok := traits["name"].(map[string]any); ok {
			s.FirstName, _ = name["first"].(string)
			s.LastName, _ = name["last"].(string)
		}
	}
	return s, nil
}

type sessionEntry struct {
	s   *Session
	exp time.Time
}

// sessionCache remembers session checks for a few seconds: valid sessions in a bounded LRU,
// refusals in a smaller one of their own, so that requests with made-up cookies can neither
// flush the valid sessions nor grow memory.
type sessionCache struct {
	ttl     time.Duration
	valid   *expirable.LRU[string, sessionEntry]
	refused *expirable.LRU[string, struct{}]
}

// refusedTTL is how long an unknown or expired credential is remembered as such.
const refusedTTL = 2 * time.Second

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{ttl: ttl,
		valid:   expirable.NewLRU[string, sessionEntry](50000, nil, ttl),
		refused: expirable.NewLRU[string, struct{}](10000, nil, refusedTTL)}
}

// get returns the cached check of k: a session, or nil for a refusal; ok false on a miss.
func (c *sessionCache) get(k string, now time.Time) (*Session, bool) {
	if c.refused.Contains(k) {
		return nil, true
	}
	e, ok := c.valid.Get(k)
	if !ok || now.After(e.exp) {
		return nil, false
	}
	return e.s, true
}

// put caches a check: s until exp (at most the cache's TTL), or a refusal when s is nil.
func (c *sessionCache) put(k string, s *Session, exp time.Time) {
	if s == nil {
		c.refused.Add(k, struct{}{})
		return
	}
	c.valid.Add(k, sessionEntry{s: s, exp: exp})
}

func (c *sessionCache) remove(k string) {
	c.valid.Remove(k)
	c.refused.Remove(k)
}

// removeIdentity drops every entry of identity id (a scan: deactivations are rare).
func (c *sessionCache) removeIdentity(id uuid.UUID) { c.removeIdentitySession(id, "") }

// removeIdentitySession drops the entries of identity id for session sid ("": all of them).
func (c *sessionCache) removeIdentitySession(id uuid.UUID, sid string) {
	for _, k := range c.valid.Keys() {
		if e, ok := c.valid.Peek(k); ok && e.s.IdentityID == id && (sid == "" || e.s.ID == sid) {
			c.valid.Remove(k)
		}
	}
}
