package account

import (
	"context"
	"errors"

	"github.com/authd/authd/models"
)

// sendCode queues a code email. A full or closed queue is logged, not returned: the
// answer must not differ (for logins it would tell who has an account), and the user
// can ask for a new code.
func (s *Service) sendCode(ctx context.Context, c models.CodeEmail) {
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
	c, err := s.store.AttemptCode(ctx, codeID, purpose, s.o.MaxCodeAttempts, s.now())
	if errors.Is(err, models.ErrNotFound) {
		return nil, errBadCode(err)
	}
	if err != nil {
		return nil, storeFault(err)
	}
	if c.UserID != p.UserID || !codeMatches(s.o.CodePepper, c, code) {
		s.auditExhausted(ctx, c, p.Client)
		return nil, errBadCode(errors.New("code mismatch or not the caller's"))
	}
	return c, nil
}
