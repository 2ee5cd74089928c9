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
// path (a request with a JWT) reads no database. A change to a session or its user
// evicts at once on the instance that made it (after its commit) and through the
// change feed (package changefeed: each second, at once on Postgres) on every other;
// ttl bounds what a lost feed read could leave behind.
type sessionCache struct {
	bySID *ttlMap[*models.SessionView] // read-only once cached

	mu      sync.RWMutex
	revoked map[string]time.Time // revoked key-pair token IDs (jti), when learnt
}

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{bySID: newTTLMap[*models.SessionView](ttl, maxCachedSessions), revoked: map[string]time.Time{}}
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

// Evict drops from this instance's caches what changes cover. Use cases call it after
// their commit, so this instance reads its own writes at once; the change-feed
// follower calls it with what other instances wrote.
func (s *Service) Evict(changes ...models.Change) {
	now := s.now()
	for _, c := range changes {
		s.sessions.forget(c.Kind, c.Subject, now)
		switch c.Kind {
		case models.ChangedKeyPair:
			s.keys.dropKeyID(c.Subject)
		case models.ChangedUser:
			s.keys.dropUser(c.Subject)
			s.identities.delete(c.Subject)
		}
	}
}

// commit runs write and, once it has committed, evicts what fx changed here.
func (s *Service) commit(fx models.Effects, write func(fx models.Effects) error) error {
	if err := write(fx); err != nil {
		return err
	}
	s.Evict(fx.Changes...)
	return nil
}

// LoadRevokedTokens reads every live revoked token ID from the revocation feed; it runs
// before the first request, and later revocations arrive through the change feed.
func (s *Service) LoadRevokedTokens(ctx context.Context) error {
	ids, err := s.store.RevokedTokenIDs(ctx, s.now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.sessions.forget(models.RevokedToken, id, s.now())
	}
	return nil
}

// identity returns a user with roles and groups, from memory for up to the session
// cache's TTL: refresh and extend mint tokens from it without a database read. A
// change to the user evicts it like a session row (Evict).
func (s *Service) identity(ctx context.Context, userID string) (*models.Identity, error) {
	now := s.now()
	if id, ok := s.identities.get(userID, now); ok {
		return id, nil
	}
	id, err := s.store.Identity(ctx, userID)
	if err != nil {
		return nil, err
	}
	s.identities.put(userID, id, now)
	return id, nil
}
