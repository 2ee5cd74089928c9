package account

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// sendCode queues a code email. A full or closed queue is logged, not returned: the
// answer must not differ (for logins it would tell who has an account), and the user
// can ask for a new code.
func (s *Service) sendCode(ctx context.Context, c models.CodeEmail) {
	s.o.Observer.Code("sent")
	if err := s.mail.SendCode(ctx, c); err != nil {
		s.o.Logger.ErrorContext(ctx, "queue code email", "purpose", c.Purpose, "err", err)
	}
}

// checkOwnCode spends one attempt on a code of purpose that belongs to the caller and
// checks it. A code of someone else, of another purpose, wrong, expired, used or dead
// all get the same 401.
func (s *Service) checkOwnCode(ctx context.Context, p *Principal, purpose, codeID, code string) (*models.VerificationCode, error) {
	if err := requireVerified(p); err != nil {
		return nil, err
	}
	if _, err := ParseID(codeID, "verificationCodeID"); err != nil {
		return nil, err
	}
	if !validCodeShape(code) {
		return nil, models.Invalid("code must be 6 digits")
	}
	return s.attemptCode(ctx, codeID, purpose, code, p.UserID, p.Client, s.now())
}

// attemptCode spends one attempt on a code and checks it, under the abuse limits: a
// client IP with too many failures gets 429; a code of a user whose codes are blocked
// (a long run of wrong ones) is refused exactly like a wrong code; a wrong, unknown
// or foreign code counts against the IP and, when its user is known, their run; a
// right one ends the run. owner, when set, is the only user whose code is accepted.
func (s *Service) attemptCode(ctx context.Context, codeID, purpose, code, owner string, client Client, now time.Time) (*models.VerificationCode, error) {
	if err := s.ipCodes.check(client.IP, now); err != nil {
		return nil, err
	}
	c, err := s.store.AttemptCode(ctx, codeID, purpose, s.o.MaxCodeAttempts, now)
	if errors.Is(err, models.ErrNotFound) {
		s.o.Observer.Code("wrong")
		s.failed(ctx, s.ipCodes, client.IP)
		return nil, errBadCode(err)
	}
	if err != nil {
		return nil, storeFault(err)
	}
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return nil, storeFault(err)
	}
	if codesBlocked(u, now) {
		s.o.Observer.Code("blocked")
		return nil, errBadCode(errors.New("codes of this account are blocked after a run of wrong ones"))
	}
	if (owner != "" && c.UserID != owner) || !codeMatches(s.o.CodePepper, c, code) {
		s.o.Observer.Code("wrong")
		s.failed(ctx, s.ipCodes, client.IP)
		if owner == "" || c.UserID == owner {
			s.codeFailed(ctx, c.UserID, now)
		}
		s.auditExhausted(ctx, c, client)
		return nil, errBadCode(errors.New("code mismatch or not the caller's"))
	}
	if u.CodeFailures > 0 || u.CodesBlockedUntil != nil {
		s.codeSucceeded(ctx, c.UserID)
	}
	return c, nil
}
