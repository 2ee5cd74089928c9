package account

import (
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// maxCachedKeys bounds the cache; only successful checks enter it, so it cannot be
// flooded with made-up keys, but a bound keeps memory flat regardless.
const maxCachedKeys = 10000

// keyCache remembers successful key-pair checks for ttl, so the hot path costs one
// HMAC and no database read. Deleting a pair or its owner drops it here at once;
// other instances sharing the database trust their copy for at most ttl. It also
// gathers last-use times so they are written in batches, not per request.
type keyCache struct {
	ttl time.Duration

	mu    sync.RWMutex
	byKey map[string]cachedKey // checked api-key / api-secret pairs
	byID  map[string]cachedKey // pairs behind key-pair access tokens, by key ID

	usedMu sync.Mutex
	used   map[string]time.Time // key ID -> last use not yet stored
}

type cachedKey struct {
	owner *models.KeyPairOwner
	at    time.Time
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, byKey: map[string]cachedKey{}, byID: map[string]cachedKey{}, used: map[string]time.Time{}}
}

func (c *keyCache) get(apiKey string, now time.Time) (*models.KeyPairOwner, bool) {
	c.mu.RLock()
	e, ok := c.byKey[apiKey]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.owner, true
}

func (c *keyCache) put(apiKey string, owner *models.KeyPairOwner, now time.Time) {
	c.mu.Lock()
	if len(c.byKey) >= maxCachedKeys {
		c.byKey = map[string]cachedKey{}
	}
	c.byKey[apiKey] = cachedKey{owner: owner, at: now}
	c.mu.Unlock()
}

func (c *keyCache) getByID(keyID string, now time.Time) (*models.KeyPairOwner, bool) {
	c.mu.RLock()
	e, ok := c.byID[keyID]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.owner, true
}

func (c *keyCache) putByID(owner *models.KeyPairOwner, now time.Time) {
	c.mu.Lock()
	if len(c.byID) >= maxCachedKeys {
		c.byID = map[string]cachedKey{}
	}
	c.byID[owner.KeyPair.ID] = cachedKey{owner: owner, at: now}
	c.mu.Unlock()
}

func (c *keyCache) dropKey(apiKey string) {
	c.mu.Lock()
	delete(c.byKey, apiKey)
	c.mu.Unlock()
}

func (c *keyCache) dropKeyID(id string) {
	c.drop(func(o *models.KeyPairOwner) bool { return o.KeyPair.ID == id })
}

func (c *keyCache) dropUser(userID string) {
	c.drop(func(o *models.KeyPairOwner) bool { return o.KeyPair.UserID == userID })
}

func (c *keyCache) drop(match func(*models.KeyPairOwner) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range []map[string]cachedKey{c.byKey, c.byID} {
		for k, e := range m {
			if match(e.owner) {
				delete(m, k)
			}
		}
	}
}

func (c *keyCache) markUsed(keyID string, at time.Time) {
	c.usedMu.Lock()
	c.used[keyID] = at
	c.usedMu.Unlock()
}

// lastUsed returns an unsaved last use of keyID, if any.
func (c *keyCache) lastUsed(keyID string) (time.Time, bool) {
	c.usedMu.Lock()
	defer c.usedMu.Unlock()
	at, ok := c.used[keyID]
	return at, ok
}

func (c *keyCache) takeUsed() map[string]time.Time {
	c.usedMu.Lock()
	defer c.usedMu.Unlock()
	out := c.used
	c.used = map[string]time.Time{}
	return out
}
