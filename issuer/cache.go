package issuer

import (
	"sync"

	"github.com/authd/authd/claims"
)

// maxVerified bounds the verified-token cache. Only tokens whose signature and claims
// passed enter it, so it cannot be flooded with forgeries; when full it starts over.
const maxVerified = 20000

// verifiedCache remembers the claims of access tokens whose signature was checked,
// keyed by the exact token text, so a token presented again costs a map lookup and
// the claim checks (times included) rather than a signature verification. The same
// bytes always verify the same way, so nothing is trusted that was not checked; the
// key that signed is remembered, so a hit is refused once that key is no longer
// published (revoked, or retired past its tokens' lifetime).
type verifiedCache struct {
	max int
	mu  sync.RWMutex
	m   map[string]verified
}

type verified struct {
	claims *claims.Wire
	kid    string
}

func newVerifiedCache(max int) *verifiedCache {
	return &verifiedCache{max: max, m: make(map[string]verified)}
}

func (c *verifiedCache) get(token string) (verified, bool) {
	c.mu.RLock()
	v, ok := c.m[token]
	c.mu.RUnlock()
	return v, ok
}

func (c *verifiedCache) put(token string, v verified) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		c.m = make(map[string]verified, c.max)
	}
	c.m[token] = v
	c.mu.Unlock()
}
