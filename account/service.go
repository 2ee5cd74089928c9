package account

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"time"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// Store is the storage the account use cases need; *store.Store implements it.
type Store interface {
	AliasTaken(ctx context.Context, alias string) (bool, error)
	EmailsByAddress(ctx context.Context, address string) ([]models.EmailOwner, error)
	CreateAccount(ctx context.Context, a models.NewAccount, fx models.Effects) error
	UserByID(ctx context.Context, id string) (*models.User, error)
	Identity(ctx context.Context, userID string) (*models.Identity, error)

	CreatePendingSession(ctx context.Context, s *models.Session, c *models.VerificationCode) error
	AttemptCode(ctx context.Context, id, purpose string, maxAttempts int, now time.Time) (*models.VerificationCode, error)
	ActivateSession(ctx context.Context, a models.Activation, fx models.Effects) error
	SessionView(ctx context.Context, sessionID string) (*models.SessionView, error)
	TouchSession(ctx context.Context, userID, sessionID string, now time.Time, defIdle time.Duration) (*models.Session, error)
	RevokeSession(ctx context.Context, userID, sessionID string, now time.Time, fx models.Effects) error
	CancelPendingSession(ctx context.Context, sessionID string, now time.Time) error
	ActiveSessions(ctx context.Context, userID string, now time.Time, defIdle time.Duration) ([]models.Session, error)

	SessionByLegacyRefresh(ctx context.Context, h []byte) (*models.Session, error)
	RefreshCurrent(ctx context.Context, sessionID string, gen int64, old, next []byte, now time.Time, defIdle time.Duration) (*models.Session, error)
	RotateLegacyRefresh(ctx context.Context, sessionID string, old, next []byte, now time.Time) error
	UsedRefreshToken(ctx context.Context, h []byte) (*models.UsedRefreshToken, error)
	SessionByID(ctx context.Context, id string) (*models.Session, error)

	EmailsOfUser(ctx context.Context, userID string) ([]models.Email, error)
	EmailsOfUsers(ctx context.Context, userIDs []string) (map[string][]models.Email, error)
	AddEmail(ctx context.Context, e *models.Email, code *models.VerificationCode, max int) error
	VerifyEmailCode(ctx context.Context, c *models.VerificationCode, now time.Time) error
	SetPreferredEmail(ctx context.Context, userID, emailID string) error
	DeleteEmail(ctx context.Context, userID, emailID string) error
	PreferredEmail(ctx context.Context, userID string) (*models.Email, error)
	DeleteUser(ctx context.Context, userID string, now time.Time, fx models.Effects) error

	AddKeyPair(ctx context.Context, k *models.KeyPair, code *models.VerificationCode, max int, fx models.Effects) error
	VerifyKeyPairCode(ctx context.Context, c *models.VerificationCode, now time.Time) error
	KeyPairByAPIKey(ctx context.Context, apiKey string) (*models.KeyPairOwner, error)
	KeyPairsOfUser(ctx context.Context, userID string) ([]models.KeyPair, error)
	DeleteKeyPair(ctx context.Context, userID, id string, now time.Time, fx models.Effects) (*models.KeyPair, error)
	Revocations(ctx context.Context, since, now time.Time, limit int) ([]models.Revocation, error)
	RevokedTokenIDs(ctx context.Context, now time.Time) ([]string, error)
	Record(ctx context.Context, fx models.Effects, now time.Time) error
	FailedDeliveries(ctx context.Context, limit, offset int) ([]models.DeliveryView, int, error)
	ReplayDelivery(ctx context.Context, eventID, endpoint string, now time.Time) error
	RecordKeyPairUse(ctx context.Context, used map[string]time.Time) error

	AuditStore
	DirectoryStore
	LimitStore
	SetUserVerified(ctx context.Context, userID string, verified bool, now time.Time, fx models.Effects) error
	ListAudit(ctx context.Context, userID string, limit, offset int) ([]models.AuditEvent, int, error)

	CreateVerifiedSession(ctx context.Context, sess *models.Session, fx models.Effects) error
	OpenSessions(ctx context.Context, userID string, now time.Time, limit, offset int) ([]models.Session, int, error)
	KeyPairs(ctx context.Context, userID string, limit, offset int) ([]models.KeyPair, int, error)
	KeyPairByID(ctx context.Context, id string) (*models.KeyPair, error)
	SetKeyPairVerified(ctx context.Context, id string, now time.Time) error
	EmailByID(ctx context.Context, id string) (*models.Email, error)
	SetEmailVerified(ctx context.Context, userID, emailID string, now time.Time) error
}

// Mailer delivers verification codes. It must not wait for the mail server: a slow
// or down SMTP server may delay codes but never a request.
type Mailer interface {
	SendCode(ctx context.Context, c models.CodeEmail) error
	SendInvite(ctx context.Context, i models.InviteEmail) error
}

// Options are the account rules' parameters; cmd/authd copies them from config.
type Options struct {
	CodeTTL          time.Duration // how long an emailed code lives (default 10m)
	MaxCodeAttempts  int           // wrong submissions that kill a code (default 5)
	IdleTimeout      time.Duration // a session unused this long ends (default 7 days)
	AbsoluteLifetime time.Duration // a session ends this long after login (default 30 days)
	CodePepper       []byte        // HMAC key for stored codes; required
	SecretPepper     []byte        // HMAC key for stored API secrets; required
	MaxEmails        int           // addresses per user (default 10)
	MaxKeyPairs      int           // key pairs per user (default 20)
	MaxKeyPairDays   int           // longest key-pair lifetime in days (default 365)
	KeyCacheTTL      time.Duration // how long a checked key pair is trusted from memory (default 30s)
	TokenHorizon     time.Duration // access lifetime plus leeway: how long revocation entries live (default 15m30s)
	SessionCacheTTL  time.Duration // how long a session row is trusted from memory (default 5s)
	CustomRoles      []string      // roles known besides user, admin and partner
	PartnerRoles     []string      // roles a partner may grant to the users it creates
	RefreshGrace     time.Duration // a rotated refresh token still works this long (default 10s)
	Limits           Limits        // abuse limits
	LimitPepper      []byte        // HMAC key naming rate-limit counters; required

	AdminIdleTimeout      time.Duration // idle timeout of sessions of admins (default 30m)
	AdminAbsoluteLifetime time.Duration // absolute lifetime of sessions of admins (default 12h)
	Now                   func() time.Time
	Rand                  io.Reader
	Logger                *slog.Logger
	Observer              Observer // nil: nothing is counted
}

// Observer counts code events: sent, wrong (a wrong or unknown code), blocked (the
// account's codes are refused after a run of wrong ones), throttled (a 429 from a
// limit). metrics.Metrics implements it.
type Observer interface{ Code(event string) }

type noObserver struct{}

func (noObserver) Code(string) {}

// Service runs the account use cases.
type Service struct {
	store    Store
	tokens   *issuer.Issuer
	signing  SigningKeys
	mail     Mailer
	o        Options
	keys     *keyCache
	sessions *sessionCache
	// identities are users with roles and groups, read-only once cached (identity).
	identities *ttlMap[*models.Identity]
	dir        *Directory
	// ipCodes and ipKeys refuse client IPs with too many failed codes or key pairs.
	ipCodes, ipKeys *ipGuard
}

// New builds the service, filling unset options with authd's defaults.
func New(st Store, tokens *issuer.Issuer, mailer Mailer, signing SigningKeys, o Options) *Service {
	if o.CodeTTL <= 0 {
		o.CodeTTL = 10 * time.Minute
	}
	if o.MaxCodeAttempts <= 0 {
		o.MaxCodeAttempts = 5
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 7 * 24 * time.Hour
	}
	if o.AbsoluteLifetime <= 0 {
		o.AbsoluteLifetime = 30 * 24 * time.Hour
	}
	if o.RefreshGrace <= 0 {
		o.RefreshGrace = 10 * time.Second
	}
	if o.AdminIdleTimeout <= 0 {
		o.AdminIdleTimeout = 30 * time.Minute
	}
	if o.AdminAbsoluteLifetime <= 0 {
		o.AdminAbsoluteLifetime = 12 * time.Hour
	}
	if o.MaxEmails <= 0 {
		o.MaxEmails = 10
	}
	if o.MaxKeyPairs <= 0 {
		o.MaxKeyPairs = 20
	}
	if o.MaxKeyPairDays <= 0 {
		o.MaxKeyPairDays = 365
	}
	if o.KeyCacheTTL <= 0 {
		o.KeyCacheTTL = 30 * time.Second
	}
	if o.TokenHorizon <= 0 {
		o.TokenHorizon = 15*time.Minute + 30*time.Second
	}
	if o.SessionCacheTTL <= 0 {
		o.SessionCacheTTL = 5 * time.Second
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
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	o.Limits.fill()
	svc := &Service{store: st, tokens: tokens, signing: signing, mail: mailer, o: o, keys: newKeyCache(o.KeyCacheTTL),
		sessions: newSessionCache(o.SessionCacheTTL), identities: newTTLMap[*models.Identity](o.SessionCacheTTL, maxCachedSessions),
		ipCodes: newIPGuard("fail-code-ip", o.Limits.FailedCodesPerIP), ipKeys: newIPGuard("fail-key-ip", o.Limits.FailedKeyPairsPerIP)}
	svc.dir = newDirectory(svc, st, o.CustomRoles)
	return svc
}

// now is the injected clock in UTC, truncated to what both databases keep.
func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// Client is who is calling, as the HTTP layer saw it.
type Client struct {
	IP        string
	UserAgent string
}

// storeFault turns an unexpected storage error into an internal error for the log.
func storeFault(err error) error { return models.Internal(err) }
