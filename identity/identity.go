package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// Options are the verification rules.
type Options struct {
	MaxAttempts int    // sessions a user may start (default 3)
	ReturnURL   string // where Stripe sends the user back
	// Webhooks is whether a Stripe webhook secret is configured; without it
	// POST /verify/webhook answers 503.
	Webhooks bool
	// Evict drops from this instance's caches what a committed change covers (the
	// account caches behind GET /session); other instances learn of it through the
	// change feed. Nil: nothing is cached here.
	Evict  func(changes ...models.Change)
	Now    func() time.Time
	Logger *slog.Logger
}

// Service runs the identity use cases.
type Service struct {
	store    Store
	stripe   Stripe   // nil: not configured
	screener Screener // nil: not configured (screening then never clears anyone)
	sealer   Sealer
	o        Options
	kick     chan struct{}
}

// New builds the service; stripe nil means identity verification is not configured,
// screener nil that nobody can pass the screen (fail closed).
func New(st Store, stripe Stripe, screener Screener, sealer Sealer, o Options) *Service {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Evict == nil {
		o.Evict = func(...models.Change) {}
	}
	return &Service{store: st, stripe: stripe, screener: screener, sealer: sealer, o: o, kick: make(chan struct{}, 1)}
}

// Configured reports whether Stripe Identity is configured.
func (s *Service) Configured() bool { return s.stripe != nil }

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// userEffects goes with a change to a user's verification: the event (if any) and the
// change that makes every instance re-read the user's verified flag.
func userEffects(event, userID, verificationID string) models.Effects {
	var fx models.Effects
	if event != "" {
		fx.Emit(event, userID, map[string]string{"userID": userID, "verificationID": verificationID})
	}
	fx.Changed(models.ChangedUser, userID)
	return fx
}

// sessionURLLifetime is how long Stripe keeps a session's URL usable.
const sessionURLLifetime = 48 * time.Hour

// errNotConfigured says to retry soon: clients (the ThreatWinds go-sdk) sleep out
// Retry-After, and an operator may turn verification on at any time.
var errNotConfigured = &models.Error{Kind: models.KindUnavailable, Public: "identity verification is not configured", RetryAfter: 30}

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
	if open := s.openAttempt(attempts); open != nil {
		return s.resume(ctx, open)
	}
	if counted(attempts) >= s.o.MaxAttempts {
		return nil, s.exhausted()
	}
	sess, err := s.stripe.CreateSession(ctx, userID, s.o.ReturnURL)
	if err != nil {
		return nil, stripeDown(err)
	}
	now := s.now()
	v := &models.IdentityVerification{ID: uuid.NewString(), UserID: userID, StripeSessionID: sess.ID,
		Status: models.VerificationRequiresInput, Counted: true, CreatedAt: now, UpdatedAt: now}
	switch err := s.store.AddVerification(ctx, v, s.o.MaxAttempts, now.Add(-sessionURLLifetime)); {
	case errors.Is(err, models.ErrLimit):
		return nil, s.exhausted()
	case errors.Is(err, models.ErrConflict):
		// A concurrent start won; hand back its session. The one created here is
		// never used and lapses at Stripe.
		attempts, err := s.store.Verifications(ctx, userID)
		if err != nil {
			return nil, models.Internal(err)
		}
		if open := s.openAttempt(attempts); open != nil {
			return s.resume(ctx, open)
		}
		return nil, models.E(models.KindConflict, "identity verification changed meanwhile; try again")
	case err != nil:
		return nil, models.Internal(err)
	}
	return &Started{URL: sess.URL, SessionID: sess.ID, ClientSecret: sess.ClientSecret, Status: v.Status}, nil
}

// openAttempt is the newest attempt if the user can still complete it.
func (s *Service) openAttempt(attempts []models.IdentityVerification) *models.IdentityVerification {
	if len(attempts) > 0 && attempts[0].Open() && s.o.Now().Sub(attempts[0].CreatedAt) < sessionURLLifetime {
		return &attempts[0]
	}
	return nil
}

func (s *Service) resume(ctx context.Context, v *models.IdentityVerification) (*Started, error) {
	sess, err := s.stripe.GetSession(ctx, v.StripeSessionID)
	if err != nil {
		return nil, stripeDown(err)
	}
	return &Started{URL: sess.URL, SessionID: sess.ID, ClientSecret: sess.ClientSecret, Status: v.Status}, nil
}

func counted(attempts []models.IdentityVerification) int {
	n := 0
	for _, a := range attempts {
		if a.Counted {
			n++
		}
	}
	return n
}

func (s *Service) exhausted() error {
	return models.E(models.KindConflict, fmt.Sprintf("all %d identity verification attempts are used", s.o.MaxAttempts))
}

func stripeDown(err error) error {
	return &models.Error{Kind: models.KindUnavailable, Public: "identity provider unavailable; try again", Cause: err, RetryAfter: 30}
}

// Status is what GET /verify/status answers.
type Status struct {
	Status                string
	Attempts, MaxAttempts int
	ExpiresAt             time.Time // when the open session's link expires; zero if none
	Verified              bool
	KYC                   KYC
}

// Status reports the user's verification state. The KYC fields are filled once the
// verification is complete (the user is verified), and empty before.
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
	st := &Status{Status: models.VerificationNone, Attempts: counted(attempts), MaxAttempts: s.o.MaxAttempts, Verified: u.Verified}
	if len(attempts) > 0 && attempts[0].Counted {
		st.Status = attempts[0].Status
		if attempts[0].Open() {
			st.ExpiresAt = attempts[0].CreatedAt.Add(sessionURLLifetime)
		}
	}
	if u.Verified {
		st.Status = models.VerificationVerified
		if st.KYC, err = s.kycOf(ctx, userID); err != nil {
			return nil, err
		}
	}
	return st, nil
}
