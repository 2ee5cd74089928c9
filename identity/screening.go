package identity

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// Screening retries: the first after screeningBackoff, doubling up to screeningMaxWait;
// a refused request (bad key or request) or a missing configuration waits longest,
// since only an operator can fix it. A claimed attempt is leased for screeningLease,
// longer than a screening call may take, so a dead instance's claim lapses.
const (
	screeningBackoff = 30 * time.Second
	screeningMaxWait = time.Hour
	screeningLease   = 2 * time.Minute
	screeningBatch   = 10
)

// Kick asks the screening loop to look for due work now rather than at its next tick.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// RunScreening screens due attempts every interval, or at once when kicked, until ctx
// ends. Several instances may run it: each attempt is leased to one.
func (s *Service) RunScreening(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.ScreenDue(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.Warn("identity screening round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// ScreenDue screens the attempts whose document Stripe verified and whose screen is
// due, and returns how many it tried. It fails closed: nobody is verified without a
// clear answer from the screening service.
func (s *Service) ScreenDue(ctx context.Context) (int, error) {
	due, err := s.store.ClaimScreenings(ctx, s.now(), screeningLease, screeningBatch)
	if err != nil {
		return 0, err
	}
	for i := range due {
		if err := s.screen(ctx, &due[i]); err != nil {
			return i + 1, err
		}
	}
	return len(due), nil
}

func (s *Service) screen(ctx context.Context, v *models.IdentityVerification) error {
	log := s.o.Logger.With("verification_id", v.ID, "user_id", v.UserID)
	if s.screener == nil {
		log.WarnContext(ctx, "identity screening is not configured; the user stays unverified")
		return s.retry(ctx, v, errors.New("screening is not configured"), true)
	}
	k, err := s.store.KYC(ctx, v.UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil // revoked meanwhile: nothing to screen
	}
	if err != nil {
		return err
	}
	r, err := s.open(k)
	if err != nil {
		return err
	}
	res, err := s.screener.Screen(ctx, Subject{FirstName: r.FirstName, LastName: r.LastName, DOB: r.DOB, Nationality: r.KYC.Nationality})
	if err != nil {
		log.WarnContext(ctx, "identity screening did not answer; will retry", "tries", v.ScreeningTries+1, "err", err)
		return s.retry(ctx, v, err, errors.Is(err, ErrScreeningRefused))
	}
	event := models.EventUserVerified
	if res.Matches > 0 {
		event = models.EventUserVerificationFailed
	}
	fx := userEffects(event, v.UserID, v.ID)
	err = s.store.FinishScreening(ctx, models.ScreeningResult{VerificationID: v.ID, UserID: v.UserID,
		Hit: res.Matches > 0, Matches: res.Matches, ScanID: res.ScanID, Now: s.now(), Effects: fx})
	if errors.Is(err, models.ErrNotFound) {
		return nil // revoked or reset meanwhile
	}
	if err == nil {
		s.o.Evict(fx.Changes...) // GET /session shows the flag at once here
		log.InfoContext(ctx, "identity screened", "scan_id", res.ScanID, "hit", res.Matches > 0)
	}
	return err
}

func (s *Service) retry(ctx context.Context, v *models.IdentityVerification, cause error, longest bool) error {
	tries := v.ScreeningTries + 1
	wait := screeningMaxWait
	if !longest && tries < 8 {
		wait = min(screeningBackoff<<(tries-1), screeningMaxWait)
	}
	return s.store.RetryScreening(ctx, v.ID, tries, s.now().Add(wait), truncate(cause.Error(), 200))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
