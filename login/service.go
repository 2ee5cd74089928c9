// Package login holds the use cases of a person's sessions: registering, logging in
// with an emailed code, refreshing, extending, listing and closing sessions, the OAuth
// revocation, introspection and userinfo of those tokens, and the admin's doors to
// sessions. It decides what every outcome means to a client (which error kind, which
// public sentence) and keeps the rules that stop account enumeration.
//
// It reaches storage through the Store interface below, codes through package codes,
// and mints tokens through package issuer. It knows nothing of HTTP.
package login

import (
	"context"
	"log/slog"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// Store is the storage the session use cases need; *store.Store implements it.
type Store interface {
	AliasTaken(ctx context.Context, alias string) (bool, error)
	EmailsByAddress(ctx context.Context, address string) ([]models.EmailOwner, error)
	CreateAccount(ctx context.Context, a models.NewAccount, fx models.Effects) error
	UserByID(ctx context.Context, id string) (*models.User, error)
	Identity(ctx context.Context, userID string) (*models.Identity, error)
	IdentityOf(ctx context.Context, u *models.User) (*models.Identity, error)
	PreferredEmail(ctx context.Context, userID string) (*models.Email, error)

	CreatePendingSession(ctx context.Context, s *models.Session, c *models.VerificationCode) error
	ActivateSession(ctx context.Context, a models.Activation, fx models.Effects) error
	CreateVerifiedSession(ctx context.Context, sess *models.Session, fx models.Effects) error
	SessionView(ctx context.Context, sessionID string) (*models.SessionView, error)
	TouchSession(ctx context.Context, userID, sessionID string, now time.Time, defIdle time.Duration) (*models.Session, error)
	RevokeSession(ctx context.Context, userID, sessionID string, now time.Time, fx models.Effects) error
	CancelLogin(ctx context.Context, sessionID string, until, now time.Time, fx models.Effects) error
	SessionIPs(ctx context.Context, userID string, since time.Time) ([]string, error)
	ActiveSessions(ctx context.Context, userID string, now time.Time, defIdle time.Duration) ([]models.Session, error)
	OpenSessions(ctx context.Context, userID string, now time.Time, limit, offset int) ([]models.Session, int, error)
	SessionByID(ctx context.Context, id string) (*models.Session, error)
	SessionsStartedBy(ctx context.Context, parentID string) ([]models.Session, error)
	RevokeSessions(ctx context.Context, userID string, ids []string, now time.Time, fx models.Effects) error
	AdoptSessions(ctx context.Context, userID, fromParent, toParent string, now time.Time, fx models.Effects) error
	AppSessions(ctx context.Context, userID, clientID string) ([]models.Session, error)
	RevokeAppAccess(ctx context.Context, userID, clientID string, ids []string, now time.Time, fx models.Effects) error

	RefreshCurrent(ctx context.Context, sessionID string, gen int64, old, next []byte, now time.Time, defIdle time.Duration) (*models.Session, error)
	SessionByLegacyRefresh(ctx context.Context, h []byte) (*models.Session, error)
	RotateLegacyRefresh(ctx context.Context, sessionID string, old, next []byte, now time.Time) error
	UsedRefreshToken(ctx context.Context, h []byte) (*models.UsedRefreshToken, error)
	LimitSessionLifetime(ctx context.Context, sessionID string, expiresAt time.Time, idleSeconds int, now time.Time, fx models.Effects) error

	Record(ctx context.Context, fx models.Effects, now time.Time) error
	authn.AuditStore
}

// Options are the session rules' parameters; app copies them from config.
type Options struct {
	IdleTimeout           time.Duration // a session unused this long ends (default 7 days)
	AbsoluteLifetime      time.Duration // a session ends this long after login (default 30 days)
	AdminIdleTimeout      time.Duration // idle timeout of sessions of admins (default 30m)
	AdminAbsoluteLifetime time.Duration // absolute lifetime of sessions of admins (default 12h)
	RefreshGrace          time.Duration // a rotated refresh token still works this long (default 10s)
	// The hosted login's browser sessions (single sign-on) idle out and end on their
	// own clock (defaults 12h and 7 days).
	BrowserIdleTimeout      time.Duration
	BrowserAbsoluteLifetime time.Duration
	// ScopeRoles are the role-based custom scopes: an app session holds one only while
	// its person holds one of its roles (see grantedScopes).
	ScopeRoles map[string][]string
	Now        func() time.Time
	Logger     *slog.Logger
}

// Deps are the other use cases sessions build on.
type Deps struct {
	Tokens *issuer.Issuer
	Authn  *authn.Service
	Codes  *codes.Service
	Limits *limits.Guard
	Caches *revocation.Caches
}

// Service runs the session use cases.
type Service struct {
	store  Store
	tokens *issuer.Issuer
	authn  *authn.Service
	codes  *codes.Service
	guard  *limits.Guard
	caches *revocation.Caches
	audit  *authn.Auditor
	o      Options
}

// New builds the service, filling unset options with authd's defaults.
func New(st Store, d Deps, o Options) *Service {
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 7 * 24 * time.Hour
	}
	if o.AbsoluteLifetime <= 0 {
		o.AbsoluteLifetime = 30 * 24 * time.Hour
	}
	if o.AdminIdleTimeout <= 0 {
		o.AdminIdleTimeout = 30 * time.Minute
	}
	if o.AdminAbsoluteLifetime <= 0 {
		o.AdminAbsoluteLifetime = 12 * time.Hour
	}
	if o.RefreshGrace <= 0 {
		o.RefreshGrace = 10 * time.Second
	}
	if o.BrowserIdleTimeout <= 0 {
		o.BrowserIdleTimeout = 12 * time.Hour
	}
	if o.BrowserAbsoluteLifetime <= 0 {
		o.BrowserAbsoluteLifetime = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, tokens: d.Tokens, authn: d.Authn, codes: d.Codes, guard: d.Limits, caches: d.Caches,
		audit: authn.NewAuditor(st, o.Logger, o.Now), o: o}
}

// now is the injected clock in UTC, truncated to what both databases keep.
func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }
