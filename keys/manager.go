package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/authd/authd/models"
)

// Store is the storage the key manager needs; *store.Store implements it.
type Store interface {
	ListSigningKeys(ctx context.Context) ([]models.SigningKey, error)
	// UpdateSigningKeys runs decide on the current keys under a lock and applies its
	// changes in the same transaction.
	UpdateSigningKeys(ctx context.Context, decide func(current []models.SigningKey) (models.KeyChanges, error)) error
}

// Options configures the manager.
type Options struct {
	// Algorithm is the primary algorithm, which signs access tokens ("ES256" by
	// default). Other algorithms get keys of their own once something needs them
	// (EnsureAlgorithm: an app's ID tokens), rotated on the same schedule.
	Algorithm  string
	JWKSMaxAge time.Duration // Cache-Control max-age of the JWKS (default 5m)
	// TokenLifetime is the longest a signed token stays valid (access lifetime plus
	// leeway, default 15m30s): a retired key stays published that long.
	TokenLifetime time.Duration
	// PublishDelay is how long a next key is published before it signs (default
	// JWKSMaxAge + TokenLifetime, ARCHITECTURE's minimum).
	PublishDelay time.Duration
	// RotationPeriod is how often Tick rotates; zero turns scheduled rotation off.
	RotationPeriod time.Duration
	Now            func() time.Time
	Rand           io.Reader
	Logger         *slog.Logger
}

// Manager holds the signing keys in memory. Reads take no lock: a reload swaps in a
// new immutable snapshot.
type Manager struct {
	store   Store
	secrets *Secrets
	o       Options
	snap    atomic.Pointer[snapshot]
}

type snapshot struct {
	rings  map[string]*ring   // by algorithm: the primary one, and any other in use
	public map[string]jwk.Key // published public keys by kid
	algs   []string           // algorithms of the published keys, sorted
	jwks   []byte
	etag   string
}

// ring is one algorithm's keys in memory: each algorithm in use has its own active key,
// next key and rotation, on the same schedule.
type ring struct {
	signer      jwk.Key   // the active private key
	activeSince time.Time // when the signer became active
	nextKID     string    // a published key waiting to sign, if any
}

// NewManager loads the keys, creating an active one on the very first start.
func NewManager(ctx context.Context, st Store, sec *Secrets, o Options) (*Manager, error) {
	if o.Algorithm == "" {
		o.Algorithm = "ES256"
	}
	if _, ok := generators[o.Algorithm]; !ok {
		return nil, fmt.Errorf("signing algorithm %q is not one of ES256, EdDSA, RS256", o.Algorithm)
	}
	if o.JWKSMaxAge <= 0 {
		o.JWKSMaxAge = 5 * time.Minute
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = 15*time.Minute + 30*time.Second
	}
	if o.PublishDelay <= 0 {
		o.PublishDelay = o.JWKSMaxAge + o.TokenLifetime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{store: st, secrets: sec, o: o}
	if err := m.Reload(ctx); err != nil {
		return nil, err
	}
	if m.snap.Load().rings[o.Algorithm] == nil {
		// First start: create the active key under the rotation lock, so instances
		// starting together agree on one.
		if _, err := m.Rotate(ctx, false); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// now is the injected clock in UTC, truncated to what both databases keep.
func (m *Manager) now() time.Time { return m.o.Now().UTC().Truncate(time.Microsecond) }

// Reload reads every key from storage and publishes a new snapshot.
func (m *Manager) Reload(ctx context.Context) error {
	rows, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("list signing keys: %w", err)
	}
	now := m.o.Now()
	s := &snapshot{rings: map[string]*ring{}, public: map[string]jwk.Key{}}
	var pubs []jwk.Key
	for _, row := range rows {
		if row.State == models.KeyRevoked || row.State == models.KeyRetired && (row.NotAfter == nil || !now.Before(*row.NotAfter)) {
			continue
		}
		pub, err := parsePublic(row)
		if err != nil {
			return err
		}
		s.public[row.ID] = pub
		pubs = append(pubs, pub)
		if !slices.Contains(s.algs, row.Algorithm) {
			s.algs = append(s.algs, row.Algorithm)
		}
		// Rows come oldest first: the newest active key of each algorithm signs (two
		// instances that raced on first start both published theirs; either verifies).
		r := s.rings[row.Algorithm]
		if r == nil && (row.State == models.KeyActive || row.State == models.KeyNext) {
			r = &ring{}
			s.rings[row.Algorithm] = r
		}
		switch row.State {
		case models.KeyActive:
			if r.signer, err = m.openPrivate(row); err != nil {
				return err
			}
			if row.ActivatedAt != nil {
				r.activeSince = *row.ActivatedAt
			}
		case models.KeyNext:
			r.nextKID = row.ID
		}
	}
	s.jwks, s.etag, err = renderJWKS(pubs)
	if err != nil {
		return err
	}
	m.snap.Store(s)
	return nil
}

// generators make a fresh private key per supported algorithm. RSA keys are 3072
// bits (ASVS 5.0 11.2.3).
var generators = map[string]func(io.Reader) (crypto.Signer, error){
	"ES256": func(r io.Reader) (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), r) },
	"EdDSA": func(r io.Reader) (crypto.Signer, error) { _, k, err := ed25519.GenerateKey(r); return k, err },
	"RS256": func(r io.Reader) (crypto.Signer, error) { return rsa.GenerateKey(r, 3072) },
}

// newKey generates a key of algorithm alg in state, its private half sealed under
// the KEK.
func (m *Manager) newKey(alg, state string, now time.Time) (models.SigningKey, error) {
	priv, err := generators[alg](m.o.Rand)
	if err != nil {
		return models.SigningKey{}, err
	}
	kid, err := newKID(m.o.Rand)
	if err != nil {
		return models.SigningKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return models.SigningKey{}, err
	}
	sealed, sealID, err := m.secrets.Seal(der, []byte(kid))
	if err != nil {
		return models.SigningKey{}, err
	}
	pub, err := publicJWK(priv.Public(), kid, alg)
	if err != nil {
		return models.SigningKey{}, err
	}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return models.SigningKey{}, err
	}
	k := models.SigningKey{ID: kid, Algorithm: alg, State: state, PublicJWK: string(pubJSON),
		PrivateSealed: sealed, SealKeyID: sealID, CreatedAt: now}
	if state == models.KeyActive {
		k.ActivatedAt = &now
	}
	return k, nil
}

// newKID draws a key ID: "k" and 128 random bits in base64url. The letter in front
// keeps an ID from starting with "-", which a command line would take for a flag
// (`authd keys revoke KID`); IDs made before it may, and take `--` before them.
func newKID(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return "k" + base64.RawURLEncoding.EncodeToString(b), nil
}

func publicJWK(pub crypto.PublicKey, kid, alg string) (jwk.Key, error) {
	k, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.SignatureAlgorithm(alg), jwk.KeyUsageKey: "sig"} {
		if err := k.Set(name, v); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func parsePublic(row models.SigningKey) (jwk.Key, error) {
	k, err := jwk.ParseKey([]byte(row.PublicJWK))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: public half: %w", row.ID, err)
	}
	if k.KeyID() != row.ID || k.Algorithm().String() != row.Algorithm {
		return nil, fmt.Errorf("signing key %s: stored JWK does not match its row", row.ID)
	}
	return k, nil
}

func (m *Manager) openPrivate(row models.SigningKey) (jwk.Key, error) {
	der, err := m.secrets.Open(row.PrivateSealed, row.SealKeyID, []byte(row.ID))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w (is keys.encryption_key the one it was sealed with?)", row.ID, err)
	}
	raw, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
	}
	k, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
	}
	_ = k.Set(jwk.KeyIDKey, row.ID)
	_ = k.Set(jwk.AlgorithmKey, jwa.SignatureAlgorithm(row.Algorithm))
	return k, nil
}

// renderJWKS serialises the public keys once per reload, with a strong ETag.
func renderJWKS(pubs []jwk.Key) ([]byte, string, error) {
	set := jwk.NewSet()
	for _, k := range pubs {
		if err := set.AddKey(k); err != nil {
			return nil, "", err
		}
	}
	body, err := json.Marshal(set)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	return body, `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`, nil
}

// SigningKey returns the active private key of the primary algorithm (access tokens),
// with kid and alg set.
func (m *Manager) SigningKey() (jwk.Key, error) { return m.SigningKeyFor(m.o.Algorithm) }

// SigningKeyFor returns the active private key of algorithm alg (ID tokens of apps that
// chose it); an algorithm without a ring is an error (EnsureAlgorithm makes one).
func (m *Manager) SigningKeyFor(alg string) (jwk.Key, error) {
	if r := m.snap.Load().rings[alg]; r != nil && r.signer != nil {
		return r.signer, nil
	}
	return nil, fmt.Errorf("no active %s signing key", alg)
}

// VerificationKey returns a published public key by kid.
func (m *Manager) VerificationKey(kid string) (jwk.Key, bool) {
	k, ok := m.snap.Load().public[kid]
	return k, ok
}

// JWKS returns the published JWK Set and its ETag.
func (m *Manager) JWKS() (body []byte, etag string) {
	s := m.snap.Load()
	return s.jwks, s.etag
}

// Algorithms lists the algorithms of the published keys (for discovery).
func (m *Manager) Algorithms() []string {
	algs := slices.Clone(m.snap.Load().algs)
	slices.Sort(algs)
	return algs
}

// MaxAge is how long clients may cache the JWKS.
func (m *Manager) MaxAge() time.Duration { return m.o.JWKSMaxAge }

// ActiveSince is when the primary algorithm's active key began to sign.
func (m *Manager) ActiveSince() time.Time {
	if r := m.snap.Load().rings[m.o.Algorithm]; r != nil {
		return r.activeSince
	}
	return time.Time{}
}
