package revocation

import (
	"time"

	"github.com/authd/authd/models"
)

// maxCachedKeys bounds each of the key caches.
const maxCachedKeys = 10000

// keyCache remembers successful key-pair checks for ttl, so the hot path costs one
// HMAC and no database read. Deleting a pair or its owner drops it here at once on
// this instance and, through the change feed, within about a second on others (ttl
// bounds it if the feed cannot be read).
type keyCache struct {
	byKey *ttlMap[*models.KeyPairOwner] // checked api-key / api-secret pairs
	byID  *ttlMap[*models.KeyPairOwner] // pairs behind key-pair access tokens, by key ID
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{byKey: newTTLMap[*models.KeyPairOwner](ttl, maxCachedKeys),
		byID: newTTLMap[*models.KeyPairOwner](ttl, maxCachedKeys)}
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
