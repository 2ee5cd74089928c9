package authn

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// Store is the storage authentication reads when memory does not know the answer.
type Store interface {
	SessionView(ctx context.Context, sessionID string) (*models.SessionView, error)
	KeyPairByID(ctx context.Context, id string) (*models.KeyPair, error)
	Identity(ctx context.Context, userID string) (*models.Identity, error)
}

// Options are authentication's parameters.
type Options struct {
	IdleTimeout time.Duration // a session unused this long ends (default 7 days)
	// UpgradePending makes the credential POST /session and POST /user answer the
	// session's bearer once its code is verified (sessions.upgrade_pending_bearer, off in
	// cookie mode); otherwise it stays a pending login's until it expires.
	UpgradePending bool
	Now            func() time.Time
}

// Service checks credentials.
type Service struct {
	store  Store
	tokens *issuer.Issuer
	caches *revocation.Caches
	o      Options
}

// New builds the service.
func New(st Store, tokens *issuer.Issuer, caches *revocation.Caches, o Options) *Service {
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, tokens: tokens, caches: caches, o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// Authenticate checks a bearer: a pending credential by its MAC alone (so real and
// decoy ones behave the same), an access token by signature and then its session, in
// one indexed read, so a closed session or disabled account is refused at once.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Principal, error) {
	if issuer.IsPending(bearer) {
		return s.authenticatePending(ctx, bearer)
	}
	claims, err := s.tokens.VerifyAccess(bearer)
	if err != nil {
		return nil, err
	}
	if claims.KeyID != "" {
		return s.authenticateKeyToken(ctx, claims)
	}
	view, err := s.sessionView(ctx, claims.SessionID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.Wrap(models.KindUnauthorized, "invalid or expired token", err)
	}
	if err != nil {
		return nil, err
	}
	if view.UserID != claims.Subject || !view.Active(s.now(), s.o.IdleTimeout) {
		return nil, models.Wrap(models.KindUnauthorized, "session is closed or expired", errors.New("inactive session"))
	}
	if !view.UserEnabled {
		return nil, models.E(models.KindForbidden, "account is disabled")
	}
	return &Principal{SessionID: claims.SessionID, UserID: claims.Subject, ExpiresAt: claims.ExpiresAt, claims: claims, view: view}, nil
}

// authenticateKeyToken admits an access token minted from a key pair while the pair is
// still usable and the token is not revoked. The pair and its owner come from memory
// (by key ID), and revoked token IDs from the revocation feed kept in memory, so the
// hot path reads no database.
func (s *Service) authenticateKeyToken(ctx context.Context, c *issuer.Claims) (*Principal, error) {
	owner, ok := s.caches.KeyPairByID(c.KeyID)
	if !ok {
		k, err := s.store.KeyPairByID(ctx, c.KeyID)
		if errors.Is(err, models.ErrNotFound) {
			return nil, models.Wrap(models.KindUnauthorized, "invalid or expired token", err)
		}
		if err != nil {
			return nil, models.Internal(err)
		}
		id, err := s.store.Identity(ctx, k.UserID)
		if err != nil {
			return nil, models.Internal(err)
		}
		owner = &models.KeyPairOwner{KeyPair: *k, Identity: *id}
		s.caches.PutKeyPairByID(owner)
	}
	k := owner.KeyPair
	if s.caches.TokenRevoked(c.TokenID) || k.UserID != c.Subject || !k.Verified || !s.now().Before(k.ExpiresAt) || !owner.Identity.User.Enabled {
		return nil, models.E(models.KindUnauthorized, "invalid or expired token")
	}
	return &Principal{KeyID: k.ID, UserID: k.UserID, ExpiresAt: c.ExpiresAt, claims: c, key: owner}, nil
}

// CurrentRoles reads the caller's roles from the database: admin routes use them
// instead of the token's, so a revoked admin loses access at once. The answer is kept
// on the principal for the rest of its request.
func (s *Service) CurrentRoles(ctx context.Context, p *Principal) ([]string, error) {
	if p.Pending {
		return nil, models.E(models.KindUnauthorized, "session is not verified")
	}
	if p.rolesRead {
		return p.roles, nil
	}
	id, err := s.store.Identity(ctx, p.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	p.roles, p.rolesRead = id.Roles, true
	return id.Roles, nil
}

var errNotAdmin = models.E(models.KindForbidden, "this needs the admin role")

// RequireAdmin is every admin use case's own check that the caller holds admin now
// (in the database), whatever door the call came through; the route table checks it
// too, and the principal keeps the answer, so it costs one read per request.
func (s *Service) RequireAdmin(ctx context.Context, p *Principal) error {
	if p == nil {
		return errNotAdmin
	}
	roles, err := s.CurrentRoles(ctx, p)
	if err != nil {
		return err
	}
	if !slices.Contains(roles, models.RoleAdmin) {
		return errNotAdmin
	}
	return nil
}

// RequireAdminSession admits an admin's own session only: admin actions that create
// credentials (sessions, key pairs, addresses and their verification) need a person,
// so a leaked admin key pair cannot mint itself lasting access.
func (s *Service) RequireAdminSession(ctx context.Context, p *Principal) error {
	if err := s.RequireAdmin(ctx, p); err != nil {
		return err
	}
	return RequireSession(p)
}
