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
	ttl time.Duration

	mu     sync.RWMutex
	bySID  map[string]cachedSession
	cursor time.Time // SyncRevocations reads the feed from here
}

type cachedSession struct {
	view *models.SessionView // read-only once cached
	at   time.Time
}

func newSessionCache(ttl time.Duration, now time.Time) *sessionCache {
	return &sessionCache{ttl: ttl, bySID: map[string]cachedSession{}, cursor: now}
}

func (c *sessionCache) get(sid string, now time.Time) (*models.SessionView, bool) {
	c.mu.RLock()
	e, ok := c.bySID[sid]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.view, true
}

func (c *sessionCache) put(v *models.SessionView, now time.Time) {
	c.mu.Lock()
	if len(c.bySID) >= maxCachedSessions {
		c.bySID = map[string]cachedSession{}
	}
	c.bySID[v.ID] = cachedSession{view: v, at: now}
	c.mu.Unlock()
}

// forget evicts what a revocation covers: one session, or every session of a user.
func (c *sessionCache) forget(kind, subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch kind {
	case models.RevokedSession:
		delete(c.bySID, subject)
	case models.RevokedUser:
		for sid, e := range c.bySID {
			if e.view.UserID == subject {
				delete(c.bySID, sid)
			}
		}
	}
}

// Forget is the store's revocation hook: it runs as each revocation is written, on
// the instance that writes it.
func (s *Service) Forget(kind, subject string) { s.sessions.forget(kind, subject) }

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
			c.forget(e.Kind, e.Subject)
			switch e.Kind {
			case models.RevokedKeyPair:
				s.keys.dropKeyID(e.Subject)
			case models.RevokedUser:
				s.keys.dropUser(e.Subject)
			}
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
