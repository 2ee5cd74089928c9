// Package clients holds the registry of apps that sign their users in through authd
// (OpenID Connect relying parties, OAuth 2.1 clients): registering one, listing,
// changing, rotating its secret with a grace period, deleting, and checking a client's
// secret. It owns the rules of what may be registered (exact redirect URIs, https but
// for loopback, RFC 8252 loopback ports for native apps, known scopes, grant types,
// ID token algorithms, lifetimes within the server's bounds) and the secret's format.
// The operator CLI calls the methods that take an Actor; the admin API calls the Admin
// methods, which check the admin role first. Every change is audited with it.
package clients

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// Store is the storage the registry needs; *store.Store implements it.
type Store interface {
	AddClient(ctx context.Context, c *models.Client, fx models.Effects) error
	ClientByID(ctx context.Context, id string) (*models.Client, error)
	ListClients(ctx context.Context, limit, offset int) ([]models.Client, int, error)
	UpdateClient(ctx context.Context, c *models.Client, fx models.Effects) error
	DeleteClient(ctx context.Context, id string, now time.Time, fx models.Effects) error
}

// Cache is this instance's memory of apps (revocation.Caches). The sign-in path reads
// apps from it; a change is written with its change-feed entry (every instance drops
// the app) and evicted here once committed.
type Cache interface {
	App(ctx context.Context, id string) (*models.Client, error)
	Commit(fx models.Effects, write func(fx models.Effects) error) error
}

// SigningKeys gives an algorithm keys of its own (keys.Manager): an app's ID tokens are
// signed with the algorithm it registered, so the JWKS must hold a key of it.
type SigningKeys interface {
	EnsureAlgorithm(ctx context.Context, alg string) error
}

// Options are the registry's rules.
type Options struct {
	SecretPepper []byte // HMAC key for stored client secrets; required
	// Dev allows http://localhost redirect URIs (loopback IP literals are always allowed).
	Dev bool
	// Scopes a client may be allowed besides openid, profile, email and offline_access.
	CustomScopes []string
	// MaxAccessTTL and MaxRefreshTTL bound a client's own lifetimes.
	MaxAccessTTL, MaxRefreshTTL time.Duration
	// DefaultGrace is how long a rotated-out secret stays valid (default 24h); MaxGrace
	// bounds what a rotation may ask (default 30 days).
	DefaultGrace, MaxGrace time.Duration
	Rand                   io.Reader
	Now                    func() time.Time
}

// Service runs the registry's use cases.
type Service struct {
	store  Store
	cache  Cache
	authn  *authn.Service
	keys   SigningKeys
	o      Options
	scopes map[string]bool
}

// New builds the registry.
func New(st Store, cache Cache, a *authn.Service, k SigningKeys, o Options) *Service {
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DefaultGrace <= 0 {
		o.DefaultGrace = 24 * time.Hour
	}
	if o.MaxGrace <= 0 {
		o.MaxGrace = 30 * 24 * time.Hour
	}
	scopes := map[string]bool{ScopeOpenID: true, ScopeProfile: true, ScopeEmail: true, ScopeOfflineAccess: true}
	for _, sc := range o.CustomScopes {
		scopes[sc] = true
	}
	return &Service{store: st, cache: cache, authn: a, keys: k, o: o, scopes: scopes}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// Scopes lists the scopes apps may be allowed: the built-in ones, then the
// deployment's custom ones.
func (s *Service) Scopes() []string {
	return append([]string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess}, s.o.CustomScopes...)
}
