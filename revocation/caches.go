package revocation

import (
	"context"
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// Store is the storage the caches read through and the feed reads from.
type Store interface {
	Identity(ctx context.Context, userID string) (*models.Identity, error)
	RevokedTokenIDs(ctx context.Context, now time.Time) ([]string, error)
	Revocations(ctx context.Context, since, now time.Time, limit int) ([]models.Revocation, error)
	RevocationsAfter(ctx context.Context, pos int64, now time.Time, limit int) ([]models.Revocation, int64, bool, error)
	RevocationsHead(ctx context.Context) (int64, error)
	ClientByID(ctx context.Context, id string) (*models.Client, error)
}

// Options are the cache lifetimes and feed horizons; zero fields take the defaults.
type Options struct {
	SessionTTL   time.Duration // how long a session row or a user's roles are trusted (default 5s)
	KeyPairTTL   time.Duration // how long a checked key pair is trusted (default 30s)
	TokenHorizon time.Duration // access lifetime plus leeway (default 15m30s)
	Now          func() time.Time
}

// maxCachedSessions bounds the session and identity caches, maxCachedApps the apps';
// when full they start over.
const (
	maxCachedSessions = 50000
	maxCachedApps     = 10000
)

// Caches are one instance's memory of checked credentials. A change evicts at once on
// the instance that made it (after its commit) and through the change feed (package
// changefeed: each second, at once on Postgres) on every other; the TTLs bound what a
// lost feed read could leave behind.
type Caches struct {
	store Store
	o     Options
	// sessions are the session rows access tokens were checked against, so the hot
	// path (a request with a JWT) reads no database; read-only once cached.
	sessions *ttlMap[*models.SessionView]
	// identities are users with roles and groups, read-only once cached.
	identities *ttlMap[*models.Identity]
	// apps are registered apps (clients), read-only once cached: every step of a
	// sign-in through the provider names its app, three times for single sign-on.
	apps *ttlMap[*models.Client]
	keys *keyCache

	mu      sync.RWMutex
	revoked map[string]time.Time // revoked key-pair token IDs (jti), when learnt
}

// New builds empty caches.
func New(st Store, o Options) *Caches {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 5 * time.Second
	}
	if o.KeyPairTTL <= 0 {
		o.KeyPairTTL = 30 * time.Second
	}
	if o.TokenHorizon <= 0 {
		o.TokenHorizon = 15*time.Minute + 30*time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Caches{store: st, o: o, sessions: newTTLMap[*models.SessionView](o.SessionTTL, maxCachedSessions),
		identities: newTTLMap[*models.Identity](o.SessionTTL, maxCachedSessions), keys: newKeyCache(o.KeyPairTTL),
		apps:    newTTLMap[*models.Client](o.SessionTTL, maxCachedApps),
		revoked: map[string]time.Time{}}
}

func (c *Caches) now() time.Time { return c.o.Now().UTC().Truncate(time.Microsecond) }

// Session returns a cached session row.
func (c *Caches) Session(id string) (*models.SessionView, bool) { return c.sessions.get(id, c.now()) }

// PutSession remembers a session row read from the database.
func (c *Caches) PutSession(v *models.SessionView) { c.sessions.put(v.ID, v, c.now()) }

// KeyPair returns a cached key-pair check by API key.
func (c *Caches) KeyPair(apiKey string) (*models.KeyPairOwner, bool) {
	return c.keys.byKey.get(apiKey, c.now())
}

// PutKeyPair remembers a key pair whose check succeeded.
func (c *Caches) PutKeyPair(o *models.KeyPairOwner) { c.keys.byKey.put(o.KeyPair.APIKey, o, c.now()) }

// KeyPairByID returns a cached key pair behind key-pair access tokens.
func (c *Caches) KeyPairByID(id string) (*models.KeyPairOwner, bool) {
	return c.keys.byID.get(id, c.now())
}

// PutKeyPairByID remembers the key pair behind a key-pair access token.
func (c *Caches) PutKeyPairByID(o *models.KeyPairOwner) { c.keys.byID.put(o.KeyPair.ID, o, c.now()) }

// TokenRevoked reports whether a key-pair token ID is on the revocation feed.
func (c *Caches) TokenRevoked(jti string) bool {
	c.mu.RLock()
	_, ok := c.revoked[jti]
	c.mu.RUnlock()
	return ok
}

// Identity returns a user with roles and groups, from memory for up to the session
// TTL: refresh and extend mint tokens from it without a database read. A change to
// the user evicts it like a session row.
func (c *Caches) Identity(ctx context.Context, userID string) (*models.Identity, error) {
	return readThrough(ctx, c.identities, userID, c.now(), c.store.Identity)
}

// App returns a registered app, from memory for up to the session TTL; a change to it
// evicts it like a user. The result is shared: read it, never change it. An unknown
// ID is the store's error and is not remembered (made-up IDs cannot fill the cache).
func (c *Caches) App(ctx context.Context, clientID string) (*models.Client, error) {
	return readThrough(ctx, c.apps, clientID, c.now(), c.store.ClientByID)
}

// readThrough returns m's entry for key, or loads it and remembers it; a failed load
// is returned and nothing is remembered.
func readThrough[V any](ctx context.Context, m *ttlMap[V], key string, now time.Time, load func(context.Context, string) (V, error)) (V, error) {
	if v, ok := m.get(key, now); ok {
		return v, nil
	}
	v, err := load(ctx, key)
	if err != nil {
		return v, err
	}
	m.put(key, v, now)
	return v, nil
}

// Evict drops from this instance's caches what changes cover. Commit calls it after a
// use case's write, so this instance reads its own writes at once; the change-feed
// follower calls it with what other instances wrote.
func (c *Caches) Evict(changes ...models.Change) {
	now := c.now()
	for _, ch := range changes {
		switch ch.Kind {
		case models.RevokedToken:
			c.forgetToken(ch.Subject, now)
		case models.RevokedSession:
			c.sessions.delete(ch.Subject)
		case models.RevokedUser:
			c.sessions.deleteIf(func(v *models.SessionView) bool { return v.UserID == ch.Subject })
		}
		switch ch.Kind {
		case models.ChangedKeyPair:
			c.keys.dropKeyID(ch.Subject)
		case models.ChangedUser:
			c.keys.dropUser(ch.Subject)
			c.identities.delete(ch.Subject)
		case models.ChangedClient:
			c.apps.delete(ch.Subject)
		}
	}
}

// forgetToken remembers a revoked token ID (they are few, and dropped once their
// tokens have expired; access tokens live minutes).
func (c *Caches) forgetToken(jti string, now time.Time) {
	c.mu.Lock()
	c.revoked[jti] = now
	for id, at := range c.revoked {
		if now.Sub(at) > 24*time.Hour {
			delete(c.revoked, id)
		}
	}
	c.mu.Unlock()
}

// Commit runs write and, once it has committed, evicts what fx changed here.
func (c *Caches) Commit(fx models.Effects, write func(fx models.Effects) error) error {
	if err := write(fx); err != nil {
		return err
	}
	c.Evict(fx.Changes...)
	return nil
}

// LoadRevokedTokens reads every live revoked token ID from the revocation feed; it runs
// before the first request, and later revocations arrive through the change feed.
func (c *Caches) LoadRevokedTokens(ctx context.Context) error {
	ids, err := c.store.RevokedTokenIDs(ctx, c.now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		c.forgetToken(id, c.now())
	}
	return nil
}
