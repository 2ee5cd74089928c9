// Package emails holds the use cases of a person's addresses: adding one (with a code
// sent to it), verifying, choosing the preferred one, removing, listing, and the
// admin's doors to the same. An address verified on one account belongs to it alone.
// Changes to where codes go need a recent login through the preferred address
// (fresh.go), and the account's addresses are told of each one by mail.
package emails

import (
	"context"
	"log/slog"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
)

// Store is the storage the address use cases need; *store.Store implements it.
type Store interface {
	EmailsByAddress(ctx context.Context, address string) ([]models.EmailOwner, error)
	EmailsOfUser(ctx context.Context, userID string) ([]models.Email, error)
	EmailByID(ctx context.Context, id string) (*models.Email, error)
	AddEmail(ctx context.Context, e *models.Email, code *models.VerificationCode, max int) error
	VerifyEmailCode(ctx context.Context, c *models.VerificationCode, now time.Time) error
	SetEmailVerified(ctx context.Context, userID, emailID string, now time.Time) error
	SetPreferredEmail(ctx context.Context, userID, emailID string) error
	DeleteEmail(ctx context.Context, userID, emailID string) error
	PreferredEmail(ctx context.Context, userID string) (*models.Email, error)
	authn.AuditStore
}

// Notifier tells an address of a change to the account's credentials.
type Notifier interface {
	SendNotice(ctx context.Context, n models.NoticeEmail) error
}

// Options are the address rules' parameters.
type Options struct {
	MaxPerUser   int           // addresses per user (default 10)
	ReauthWindow time.Duration // how recent a login a credential change needs (default 5m)
	Now          func() time.Time
	Logger       *slog.Logger
}

// Service runs the address use cases.
type Service struct {
	store   Store
	authn   *authn.Service
	codes   *codes.Service
	guard   *limits.Guard
	notices Notifier
	audit   *authn.Auditor
	o       Options
}

// New builds the service, filling unset options with authd's defaults.
func New(st Store, auth *authn.Service, cs *codes.Service, guard *limits.Guard, notices Notifier, o Options) *Service {
	if o.MaxPerUser <= 0 {
		o.MaxPerUser = 10
	}
	if o.ReauthWindow <= 0 {
		o.ReauthWindow = defaultReauthWindow
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, authn: auth, codes: cs, guard: guard, notices: notices,
		audit: authn.NewAuditor(st, o.Logger, o.Now), o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

var errNoUser = models.E(models.KindNotFound, "user not found")
