package account

import (
	"context"
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// maxCachedSessions bounds the session cache; when full it starts over.
const maxCachedSessions = 50000

// sessionCache keeps the session rows access tokens were checked against, so the hot
// path (a request with a JWT) reads no database. Revocations evict at once on this
// instance (the store reports each one as it writes it) and within the feed poll
// (SyncRevocations, every second) on every other instance; other changes to a row
// (the KYC flag, a name) show after ttl.
type sessionCache struct {
	bySID *ttlMap[*models.SessionView] // read-only once cached

	mu      sync.RWMutex
	revoked map[string]time.Time // revoked key-pair token IDs (jti), when learnt
	cursor  time.Time            // SyncRevocations reads the feed from here
}

// newSessionCache starts with its feed cursor at the beginning, so the first
// SyncRevocations (at start, before serving) loads every live entry.
func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{bySID: newTTLMap[*models.SessionView](ttl, maxCachedSessions), revoked: map[string]time.Time{},
		cursor: time.Unix(0, 0).UTC()}
}

// tokenRevoked reports whether a key-pair token ID is on the revocation feed.
func (c *sessionCache) tokenRevoked(jti string) bool {
	c.mu.RLock()
	_, ok := c.revoked[jti]
	c.mu.RUnlock()
	return ok
}

// forget evicts what a revocation covers: one session, or every session of a user,
// and remembers revoked token IDs (they are few, and dropped once their tokens have
// expired; access tokens live minutes).
func (c *sessionCache) forget(kind, subject string, now time.Time) {
	switch kind {
	case models.RevokedToken:
		c.mu.Lock()
		c.revoked[subject] = now
		for jti, at := range c.revoked {
			if now.Sub(at) > 24*time.Hour {
				delete(c.revoked, jti)
			}
		}
		c.mu.Unlock()
	case models.RevokedSession:
		c.bySID.delete(subject)
	case models.RevokedUser:
		c.bySID.deleteIf(func(v *models.SessionView) bool { return v.UserID == subject })
	}
}

// Forget drops what a revocation covers from this instance's caches. The store calls
// it as each revocation is written; SyncRevocations for those other instances wrote.
func (s *Service) Forget(kind, subject string) {
	s.sessions.forget(kind, subject, s.now())
	switch kind {
	case models.RevokedKeyPair:
		s.keys.dropKeyID(subject)
	case models.RevokedUser:
		s.keys.dropUser(subject)
	}
}

// SyncRevocations applies the revocation feed written since the last call (by any
// instance) to this instance's caches.
func (s *Service) SyncRevocations(ctx context.Context) error {
	c := s.sessions
	c.mu.RLock()
	since := c.cursor.Add(-feedOverlap)
	c.mu.RUnlock()
	for {
		from := since
		entries, err := s.store.Revocations(ctx, since, s.now(), feedPage)
		if err != nil {
			return err
		}
		for _, e := range entries {
			s.Forget(e.Kind, e.Subject)
			since = e.CreatedAt
		}
		if len(entries) < feedPage || !since.After(from) {
			break
		}
	}
	c.mu.Lock()
	if since.After(c.cursor) {
		c.cursor = since
	}
	c.mu.Unlock()
	return nil
}
