package identity

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// Actor is the admin acting, for the audit log.
type Actor struct{ ID, IP, UserAgent string }

// Attempt is one verification attempt as admins see it, with the screen's outcome.
type Attempt struct {
	ID, SessionID, Status, Reason         string
	Counted                               bool
	Screening, ScanID, ScreeningError     string
	Matches, ScreeningTries               int
	NextScreeningAt, CreatedAt, UpdatedAt time.Time
}

// AdminView is a user's verification as admins see it: the stored fields even when
// the user is not (or no longer) verified, and every attempt.
type AdminView struct {
	UserID   string
	Status   Status
	Attempts []Attempt
}

var (
	errNoUser   = models.E(models.KindNotFound, "user not found")
	errNotAdmin = models.E(models.KindForbidden, "this needs the admin role")
)

// requireAdmin is each admin use case's own check that the actor holds admin now, in
// the database, whatever door the call came through (the route table checks it too).
func (s *Service) requireAdmin(ctx context.Context, a Actor) error {
	if a.ID == "" {
		return errNotAdmin
	}
	id, err := s.store.Identity(ctx, a.ID)
	if errors.Is(err, models.ErrNotFound) {
		return errNotAdmin
	}
	if err != nil {
		return models.Internal(err)
	}
	if !slices.Contains(id.Roles, models.RoleAdmin) {
		return errNotAdmin
	}
	return nil
}

// checkUserID refuses what is not a canonical lowercase UUID with a 400.
func checkUserID(raw string) error {
	id, err := uuid.Parse(raw)
	if err != nil || id.String() != raw || id == uuid.Nil {
		return models.Invalid("user id must be a lowercase UUID")
	}
	return nil
}

// AdminVerification returns a user's verification state, fields and attempts.
func (s *Service) AdminVerification(ctx context.Context, a Actor, userID string) (*AdminView, error) {
	if err := s.requireAdmin(ctx, a); err != nil {
		return nil, err
	}
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	attempts, err := s.store.Verifications(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	v := &AdminView{UserID: userID, Status: Status{Status: models.VerificationNone, Attempts: counted(attempts),
		MaxAttempts: s.o.MaxAttempts, Verified: u.Verified}}
	if len(attempts) > 0 && attempts[0].Counted {
		v.Status.Status = attempts[0].Status
	}
	if u.Verified {
		v.Status.Status = models.VerificationVerified
	}
	if v.Status.KYC, err = s.kycOf(ctx, userID); err != nil {
		return nil, err
	}
	for _, a := range attempts {
		at := Attempt{ID: a.ID, SessionID: a.StripeSessionID, Status: a.Status, Reason: a.LastError, Counted: a.Counted,
			Screening: a.Screening, ScanID: a.ScanID, ScreeningError: a.ScreeningError, Matches: a.Matches,
			ScreeningTries: a.ScreeningTries, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
		if a.ScreeningNextAt != nil && a.Screening == models.ScreeningPending {
			at.NextScreeningAt = *a.ScreeningNextAt
		}
		v.Attempts = append(v.Attempts, at)
	}
	return v, nil
}

// AdminReset gives a user their attempts back: earlier attempts stop counting.
func (s *Service) AdminReset(ctx context.Context, a Actor, userID string) error {
	return s.adminChange(ctx, a, userID, s.auditEvent(a, models.AuditVerificationReset, userID, "identity verification attempts reset"),
		models.Effects{}, s.store.ResetVerifications)
}

// AdminRevoke withdraws a user's identity verification: the verified flag is cleared
// and the stored identity fields are deleted.
func (s *Service) AdminRevoke(ctx context.Context, a Actor, userID string) error {
	return s.adminChange(ctx, a, userID, s.auditEvent(a, models.AuditVerificationRevoked, userID, "identity verification revoked; KYC fields deleted"),
		userEffects("", userID, ""), s.store.RevokeVerification)
}

func (s *Service) adminChange(ctx context.Context, a Actor, userID string, audit *models.AuditEvent, fx models.Effects,
	change func(context.Context, string, *models.AuditEvent, models.Effects) error) error {
	if err := s.requireAdmin(ctx, a); err != nil {
		return err
	}
	if err := checkUserID(userID); err != nil {
		return err
	}
	err := change(ctx, userID, audit, fx)
	if errors.Is(err, models.ErrNotFound) {
		return errNoUser
	}
	if err != nil {
		return models.Internal(err)
	}
	s.o.Evict(fx.Changes...)
	return nil
}

func (s *Service) auditEvent(a Actor, action, targetID, detail string) *models.AuditEvent {
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New()
	}
	return &models.AuditEvent{ID: id.String(), At: s.now(), Action: action, ActorID: a.ID, TargetID: targetID,
		IP: a.IP, UserAgent: a.UserAgent, Detail: detail}
}
