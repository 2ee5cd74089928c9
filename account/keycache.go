package account

import (
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// maxCachedKeys bounds each of the key caches.
const maxCachedKeys = 10000

// keyCache remembers successful key-pair checks for ttl, so the hot path costs one
// HMAC and no database read. Deleting a pair or its owner drops it here at once on
// this instance and, through the revocation feed, within about a second on others
// (ttl bounds it if the feed cannot be read). It also gathers last-use times so they
// are written in batches, not per request.
type keyCache struct {
	byKey *ttlMap[*models.KeyPairOwner] // checked api-key / api-secret pairs
	byID  *ttlMap[*models.KeyPairOwner] // pairs behind key-pair access tokens, by key ID

	usedMu sync.Mutex
	used   map[string]time.Time // key ID -> last use not yet stored
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{byKey: newTTLMap[*models.KeyPairOwner](ttl, maxCachedKeys),
		byID: newTTLMap[*models.KeyPairOwner](ttl, maxCachedKeys), used: map[string]time.Time{}}
}

func (c *keyCache) dropKeyID(id string) {
	c.drop(func(o *models.KeyPairOwner) bool { return o.KeyPair.ID == id })
}

func (c *keyCache) dropUser(userID string) {
	c.drop(func(o *models.KeyPairOwner) bool { return o.KeyPair.UserID == userID })
}

func (c *keyCache) drop(match func(*models.KeyPairOwner) bool) {
	c.byKey.deleteIf(match)
	c.byID.deleteIf(match)
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
