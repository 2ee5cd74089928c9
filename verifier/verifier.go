package verifier

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/authd/authd/claims"
)

// Options configures a Verifier.
type Options struct {
	Issuer   string // authd's public URL (the iss of its tokens); discovery is read from it
	Audience string // the aud tokens must carry
	// FeedAuth adds the gateway's credentials to revocation-feed requests (the feed
	// is readable by the gateway and admin roles).
	FeedAuth     func(*http.Request)
	HTTPClient   *http.Client  // default: 10 s timeout
	Leeway       time.Duration // clock skew on exp/nbf/iat (default 30s)
	FeedInterval time.Duration // how often the feed is polled (default 5s)
	MaxFeedAge   time.Duration // refuse everything when the feed is older (default 60s)
	KeyRefresh   time.Duration // how often the JWKS is re-read (default 5m)
	MinRefetch   time.Duration // unknown-kid refetches at most this often (default 30s)
	CacheSize    int           // verified tokens kept (default 10000; negative disables)
	MaxTokenSize int           // longer tokens are refused unparsed (default 8192)
	// MaxLifetime is the longest exp - iat accepted: set it to authd's
	// tokens.access_ttl plus tokens.leeway (default 1h30s, the longest authd allows),
	// so a token minted with a stolen key for years is refused.
	MaxLifetime time.Duration
	Now         func() time.Time
}

// Claims are a verified token's contents.
type Claims struct {
	Subject   string // the user
	SessionID string // sid: the login session (person tokens)
	KeyID     string // azp: the API key pair (integrator tokens)
	TokenID   string // jti
	Roles     []string
	Groups    []string
	Verified  bool // the user's identity is verified (KYC)
	AMR       []string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// HasAnyRole reports whether the claims hold at least one of roles.
func (c *Claims) HasAnyRole(roles ...string) bool {
	for _, have := range c.Roles {
		for _, want := range roles {
			if have == want {
				return true
			}
		}
	}
	return false
}

// Errors Verify returns; all mean "refuse".
var (
	ErrInvalid   = errors.New("verifier: invalid token")
	ErrRevoked   = errors.New("verifier: token revoked")
	ErrStaleFeed = errors.New("verifier: revocation feed is stale; refusing all tokens")
)

// Verifier checks tokens. It is safe for concurrent use.
type Verifier struct {
	o      Options
	keys   *keySet
	feed   *feed
	mu     sync.RWMutex
	cache  map[[32]byte]cached
	jwks   string
	feedAt string
}

// New reads discovery, the JWKS and the whole revocation feed; call Run to keep them
// fresh.
func New(ctx context.Context, o Options) (*Verifier, error) {
	o = withDefaults(o)
	d, err := discover(ctx, o)
	if err != nil {
		return nil, err
	}
	v := newVerifier(o, d.JWKSURI, strings.TrimSuffix(d.JWKSURI, "/jwks")+"/revocations")
	if err := v.keys.fetch(ctx); err != nil {
		return nil, err
	}
	if err := v.feed.poll(ctx); err != nil {
		return nil, fmt.Errorf("verifier: revocation feed: %w", err)
	}
	return v, nil
}

func withDefaults(o Options) Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Leeway == 0 {
		o.Leeway = 30 * time.Second
	}
	if o.FeedInterval <= 0 {
		o.FeedInterval = 5 * time.Second
	}
	if o.MaxFeedAge <= 0 {
		o.MaxFeedAge = 60 * time.Second
	}
	if o.KeyRefresh <= 0 {
		o.KeyRefresh = 5 * time.Minute
	}
	if o.MinRefetch <= 0 {
		o.MinRefetch = 30 * time.Second
	}
	if o.CacheSize == 0 {
		o.CacheSize = 10000
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = time.Hour + o.Leeway
	}
	if o.MaxTokenSize <= 0 {
		o.MaxTokenSize = 8192
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Issuer = strings.TrimRight(o.Issuer, "/")
	return o
}

func newVerifier(o Options, jwksURL, feedURL string) *Verifier {
	v := &Verifier{o: o, cache: map[[32]byte]cached{}, jwks: jwksURL, feedAt: feedURL}
	v.keys = &keySet{o: o, url: jwksURL}
	v.feed = &feed{o: o, url: feedURL, onRevoke: v.dropCache}
	return v
}

// Run keeps the revocation feed and the keys fresh until ctx ends.
func (v *Verifier) Run(ctx context.Context) {
	poll := time.NewTicker(v.o.FeedInterval)
	defer poll.Stop()
	keys := time.NewTicker(v.o.KeyRefresh)
	defer keys.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			_ = v.feed.poll(ctx) // a failure shows as staleness, which fails closed
		case <-keys.C:
			_ = v.keys.fetch(ctx)
		}
	}
}

// Verify checks a token and returns its claims.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	now := v.o.Now()
	if v.feed.stale(now) {
		return nil, ErrStaleFeed
	}
	if len(token) > v.o.MaxTokenSize {
		return nil, ErrInvalid
	}
	key := sha256.Sum256([]byte(token))
	v.mu.RLock()
	e, hit := v.cache[key]
	v.mu.RUnlock()
	if hit && !v.keys.has(e.kid) {
		return nil, ErrInvalid // its key left the JWKS (revoked, or retired past its tokens)
	}
	c := e.claims
	if !hit {
		var kid string
		var err error
		if c, kid, err = v.verify(ctx, token, now); err != nil {
			return nil, err
		}
		v.remember(key, cached{claims: c, kid: kid})
	}
	if !now.Before(c.ExpiresAt.Add(v.o.Leeway)) {
		return nil, ErrInvalid
	}
	if v.feed.revoked(c) {
		return nil, ErrRevoked
	}
	return c, nil
}

// cached is a verified token's claims and the kid of the key that signed it.
type cached struct {
	claims *Claims
	kid    string
}

func (v *Verifier) remember(key [32]byte, c cached) {
	if v.o.CacheSize < 0 {
		return
	}
	v.mu.Lock()
	if len(v.cache) >= v.o.CacheSize {
		v.cache = map[[32]byte]cached{} // bounded memory; refills from hot tokens
	}
	v.cache[key] = c
	v.mu.Unlock()
}

// dropCache forgets cached claims that a new revocation covers. Verify re-checks
// revocations on every hit anyway; this only keeps memory honest.
func (v *Verifier) dropCache(covers func(*Claims) bool) {
	v.mu.Lock()
	for k, c := range v.cache {
		if covers(c.claims) {
			delete(v.cache, k)
		}
	}
	v.mu.Unlock()
}

// verify is the cold path: one signature check under the key's own algorithm. It
// returns the claims and the kid that signed.
func (v *Verifier) verify(ctx context.Context, token string, now time.Time) (*Claims, string, error) {
	h, err := claims.ParseHeader(token)
	if err != nil {
		return nil, "", ErrInvalid
	}
	key, ok := v.keys.get(ctx, *h.Kid)
	if !ok || h.Alg != key.Algorithm().String() {
		return nil, "", ErrInvalid
	}
	payload, err := jws.Verify([]byte(token), jws.WithKey(key.Algorithm(), key))
	if err != nil {
		return nil, "", ErrInvalid
	}
	var c claims.Wire
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, "", ErrInvalid
	}
	if c.Check(claims.Expect{Issuer: v.o.Issuer, Audience: v.o.Audience, Leeway: v.o.Leeway, MaxLifetime: v.o.MaxLifetime}, now) != nil {
		return nil, "", ErrInvalid
	}
	return &Claims{Subject: c.Sub, SessionID: c.Sid, KeyID: c.Azp, TokenID: c.Jti, Roles: c.Roles, Groups: c.Groups,
		Verified: c.Verified, AMR: c.AMR, ExpiresAt: c.ExpiresAt(), IssuedAt: c.IssuedAt()}, *h.Kid, nil
}
