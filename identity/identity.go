package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// Session is what authd needs of a Stripe Identity verification session.
type Session struct {
	ID, URL, ClientSecret, Status string
}

// Stripe is the port to Stripe Identity.
type Stripe interface {
	CreateSession(ctx context.Context, userID, returnURL string) (*Session, error)
	GetSession(ctx context.Context, id string) (*Session, error)
}

// Store is the storage identity needs; *store.Store implements it.
type Store interface {
	UserByID(ctx context.Context, id string) (*models.User, error)
	Verifications(ctx context.Context, userID string) ([]models.IdentityVerification, error)
	AddVerification(ctx context.Context, v *models.IdentityVerification, max int) error
}

// Options are the verification rules.
type Options struct {
	MaxAttempts int    // sessions a user may start (default 3)
	ReturnURL   string // where Stripe sends the user back
	Now         func() time.Time
}

// Service runs the identity use cases.
type Service struct {
	store  Store
	stripe Stripe // nil: not configured
	o      Options
}

// New builds the service; stripe nil means identity verification is not configured.
func New(st Store, stripe Stripe, o Options) *Service {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, stripe: stripe, o: o}
}

// sessionURLLifetime is how long Stripe keeps a session's URL usable.
const sessionURLLifetime = 48 * time.Hour

var errNotConfigured = &models.Error{Kind: models.KindUnavailable, Public: "identity verification is not configured", RetryAfter: 3600}

// Started is what POST /verify answers.
type Started struct {
	URL, SessionID, ClientSecret, Status string
}

// Start opens a Stripe Identity document check (matching selfie, live capture) for
// the user, or hands back the open one, so repeated calls never stack up sessions.
// A user who used every attempt, or is already verified, is refused with 409.
func (s *Service) Start(ctx context.Context, userID string) (*Started, error) {
	if s.stripe == nil {
		return nil, errNotConfigured
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	if u.Verified {
		return nil, models.E(models.KindConflict, "identity is already verified")
	}
	attempts, err := s.store.Verifications(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	if len(attempts) > 0 && attempts[0].Open() && s.o.Now().Sub(attempts[0].CreatedAt) < sessionURLLifetime {
		sess, err := s.stripe.GetSession(ctx, attempts[0].StripeSessionID)
		if err != nil {
			return nil, stripeDown(err)
		}
		return &Started{URL: sess.URL, SessionID: sess.ID, ClientSecret: sess.ClientSecret, Status: attempts[0].Status}, nil
	}
	if len(attempts) >= s.o.MaxAttempts {
		return nil, models.E(models.KindConflict, fmt.Sprintf("all %d identity verification attempts are used", s.o.MaxAttempts))
	}
	sess, err := s.stripe.CreateSession(ctx, userID, s.o.ReturnURL)
	if err != nil {
		return nil, stripeDown(err)
	}
	now := s.o.Now().UTC().Truncate(time.Microsecond)
	v := &models.IdentityVerification{ID: uuid.NewString(), UserID: userID, StripeSessionID: sess.ID,
		Status: models.VerificationRequiresInput, CreatedAt: now, UpdatedAt: now}
	switch err := s.store.AddVerification(ctx, v, s.o.MaxAttempts); {
	case errors.Is(err, models.ErrLimit):
		return nil, models.E(models.KindConflict, fmt.Sprintf("all %d identity verification attempts are used", s.o.MaxAttempts))
	case err != nil:
		return nil, models.Internal(err)
	}
	return &Started{URL: sess.URL, SessionID: sess.ID, ClientSecret: sess.ClientSecret, Status: v.Status}, nil
}

func stripeDown(err error) error {
	return &models.Error{Kind: models.KindUnavailable, Public: "identity provider unavailable; try again", Cause: err, RetryAfter: 30}
}

// Status is what GET /verify/status answers. The KYC fields stay empty until a
// verification completes.
type Status struct {
	Status                string
	Attempts, MaxAttempts int
	ExpiresAt             time.Time // when the open session's link expires; zero if none
	Verified              bool
	KYC                   KYC
}

// KYC are the identity fields filled from a verified document.
type KYC struct {
	Country, DateOfBirth, AddressLine1, AddressLine2, City, State, PostalCode, Nationality string
}

// Status reports the user's verification state.
func (s *Service) Status(ctx context.Context, userID string) (*Status, error) {
	if s.stripe == nil {
		return nil, errNotConfigured
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	attempts, err := s.store.Verifications(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	st := &Status{Status: models.VerificationNone, Attempts: len(attempts), MaxAttempts: s.o.MaxAttempts, Verified: u.Verified}
	if len(attempts) > 0 {
		st.Status = attempts[0].Status
		if attempts[0].Open() {
			st.ExpiresAt = attempts[0].CreatedAt.Add(sessionURLLifetime)
		}
	}
	if u.Verified {
		st.Status = models.VerificationVerified
	}
	return st, nil
}
