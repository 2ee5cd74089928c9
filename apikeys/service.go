// Package apikeys holds the use cases of API key pairs: creating one (verified by a
// code sent to the owner's preferred address), checking an api-key / api-secret pair
// on the hot path (one HMAC, from memory), listing, deleting, exchanging a pair for an
// access token (client_credentials), and the admin's doors to the same. It owns the
// pair's format: prefixed, random, the secret stored only as a keyed hash.
package apikeys

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// Store is the storage the key-pair use cases need; *store.Store implements it.
type Store interface {
	PreferredEmail(ctx context.Context, userID string) (*models.Email, error)
	AddKeyPair(ctx context.Context, k *models.KeyPair, code *models.VerificationCode, max int, fx models.Effects) error
	VerifyKeyPairCode(ctx context.Context, c *models.VerificationCode, now time.Time) error
	SetKeyPairVerified(ctx context.Context, id string, now time.Time) error
	KeyPairByAPIKey(ctx context.Context, apiKey string) (*models.KeyPairOwner, error)
	KeyPairByID(ctx context.Context, id string) (*models.KeyPair, error)
	KeyPairsOfUser(ctx context.Context, userID string) ([]models.KeyPair, error)
	KeyPairs(ctx context.Context, userID string, limit, offset int) ([]models.KeyPair, int, error)
	DeleteKeyPair(ctx context.Context, userID, id string, now time.Time, fx models.Effects) (*models.KeyPair, error)
	RecordKeyPairUse(ctx context.Context, used map[string]time.Time) error
	authn.AuditStore
}

// Options are the key-pair rules' parameters.
type Options struct {
	SecretPepper []byte // HMAC key for stored API secrets; required
	MaxPerUser   int    // key pairs per user (default 20)
	MaxDays      int    // longest key-pair lifetime in days (default 365)
	Rand         io.Reader
	Now          func() time.Time
	Logger       *slog.Logger
}

// Deps are the other use cases key pairs build on.
type Deps struct {
	Tokens *issuer.Issuer
	Authn  *authn.Service
	Codes  *codes.Service
	Limits *limits.Guard
	Caches *revocation.Caches
}

// Service runs the key-pair use cases.
type Service struct {
	store  Store
	tokens *issuer.Issuer
	authn  *authn.Service
	codes  *codes.Service
	guard  *limits.Guard
	caches *revocation.Caches
	audit  *authn.Auditor
	o      Options

	usedMu sync.Mutex
	used   map[string]time.Time // key ID -> last use not yet stored (FlushKeyPairUse)
	issued map[string]*issuance // key ID -> client_credentials tokens not yet audited
}

// issuance gathers one key pair's client_credentials tokens between two flushes.
type issuance struct {
	userID      string
	count       int
	first, last time.Time
	client      authn.Client // of the last one
}

// New builds the service, filling unset options with authd's defaults.
func New(st Store, d Deps, o Options) *Service {
	if o.MaxPerUser <= 0 {
		o.MaxPerUser = 20
	}
	if o.MaxDays <= 0 {
		o.MaxDays = 365
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, tokens: d.Tokens, authn: d.Authn, codes: d.Codes, guard: d.Limits, caches: d.Caches,
		audit: authn.NewAuditor(st, o.Logger, o.Now), o: o, used: map[string]time.Time{}, issued: map[string]*issuance{}}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

var errNoUser = models.E(models.KindNotFound, "user not found")

// Last uses are gathered in memory and written in batches, not per request.
func (s *Service) markUsed(keyID string, at time.Time) {
	s.usedMu.Lock()
	s.used[keyID] = at
	s.usedMu.Unlock()
}

// lastUsed returns an unsaved last use of keyID, if any.
func (s *Service) lastUsed(keyID string) (time.Time, bool) {
	s.usedMu.Lock()
	defer s.usedMu.Unlock()
	at, ok := s.used[keyID]
	return at, ok
}

func (s *Service) takeUsed() (map[string]time.Time, map[string]*issuance) {
	s.usedMu.Lock()
	defer s.usedMu.Unlock()
	used, issued := s.used, s.issued
	s.used, s.issued = map[string]time.Time{}, map[string]*issuance{}
	return used, issued
}

// noteIssued counts a client_credentials token for the next flush's audit row.
func (s *Service) noteIssued(userID, keyID string, c authn.Client) {
	now := s.now()
	s.usedMu.Lock()
	defer s.usedMu.Unlock()
	n := s.issued[keyID]
	if n == nil {
		n = &issuance{userID: userID, first: now}
		s.issued[keyID] = n
	}
	n.count++
	n.last, n.client = now, c
}
