// Package directory holds the use cases of accounts as a whole: finding users,
// granting and revoking roles, enabling, disabling, marking identity verified,
// deleting (by the owner or an admin), partners opening accounts, the audit log, failed
// webhook deliveries, and withdrawing a signing key. The operator CLI calls the
// operator methods (they take an Actor); the admin API calls the Admin methods, which
// check the admin role themselves and add the rules of who may act on whom. Either way
// a change carries its events, feed entries and audit, and this instance's caches drop
// what it changed once it is committed.
package directory

import (
	"context"
	"log/slog"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// Store is the storage the directory use cases need; *store.Store implements it.
type Store interface {
	EmailsByAddress(ctx context.Context, address string) ([]models.EmailOwner, error)
	EmailsOfUser(ctx context.Context, userID string) ([]models.Email, error)
	EmailsOfUsers(ctx context.Context, userIDs []string) (map[string][]models.Email, error)
	Identity(ctx context.Context, userID string) (*models.Identity, error)
	UserByID(ctx context.Context, id string) (*models.User, error)
	ListUsers(ctx context.Context, f models.UserFilter, limit, offset int) ([]models.Identity, int, error)
	CreateAccount(ctx context.Context, a models.NewAccount, fx models.Effects) error
	GrantRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error
	RevokeRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error
	SetUserEnabled(ctx context.Context, userID string, enabled bool, now time.Time, fx models.Effects) error
	SetUserVerified(ctx context.Context, userID string, verified bool, now time.Time, fx models.Effects) error
	DeleteUser(ctx context.Context, userID string, now time.Time, fx models.Effects) error
	ListAudit(ctx context.Context, userID string, limit, offset int) ([]models.AuditEvent, int, error)
	FailedDeliveries(ctx context.Context, limit, offset int) ([]models.DeliveryView, int, error)
	ReplayDelivery(ctx context.Context, eventID, endpoint string, now time.Time) error
	UnverifiedAccounts(ctx context.Context, before time.Time, limit int) ([]string, error)
	DeleteUnverifiedAccount(ctx context.Context, userID string, before, now time.Time, fx models.Effects) error
	authn.AuditStore
}

// Mailer delivers invitations; like the code mail it must not wait for the server.
type Mailer interface {
	SendInvite(ctx context.Context, i models.InviteEmail) error
}

// Options are the directory rules' parameters.
type Options struct {
	CustomRoles  []string // roles known besides user, admin, partner and gateway
	PartnerRoles []string // roles a partner may grant to the users it creates
	PortalHosts  []string // hosts an invitation may link to (https); none: no invitations
	// UnverifiedTTL is how long an account may wait for its first verified address
	// before ExpireRegistrations deletes it (default 24h).
	UnverifiedTTL time.Duration
	Now           func() time.Time
	Logger        *slog.Logger
}

// Service runs the directory use cases.
type Service struct {
	store   Store
	authn   *authn.Service
	caches  *revocation.Caches
	guard   *limits.Guard
	mail    Mailer
	signing SigningKeys
	audit   *authn.Auditor
	known   map[string]bool // role names this deployment accepts
	o       Options
}

// New builds the service.
func New(st Store, auth *authn.Service, caches *revocation.Caches, guard *limits.Guard, mail Mailer, signing SigningKeys, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.UnverifiedTTL <= 0 {
		o.UnverifiedTTL = defaultUnverifiedTTL
	}
	known := map[string]bool{models.RoleUser: true, models.RoleAdmin: true, models.RolePartner: true, models.RoleGateway: true}
	for _, r := range o.CustomRoles {
		known[r] = true
	}
	return &Service{store: st, authn: auth, caches: caches, guard: guard, mail: mail, signing: signing,
		audit: authn.NewAuditor(st, o.Logger, o.Now), known: known, o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }
