package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/authd/authd/models"
)

// AttemptCode counts one attempt against a live code and returns it, in one atomic
// statement: a code that is unknown, used, expired, or already at maxAttempts is
// models.ErrNotFound and is not touched. Counting before comparing means N concurrent
// guesses can never exceed maxAttempts.
func (s *Store) AttemptCode(ctx context.Context, id, purpose string, maxAttempts int, now time.Time) (*models.VerificationCode, error) {
	c := new(models.VerificationCode)
	if err := s.scanHotOne(ctx, c, attemptCodeSQL, id, purpose, s.timeArg(now), maxAttempts); err != nil {
		return nil, err
	}
	return c, nil
}

// attemptCodeSQL is AttemptCode's statement; every code typed runs it (queryHot).
const attemptCodeSQL = `UPDATE verification_codes SET attempts = attempts + 1
	WHERE id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? AND attempts < ? RETURNING *`

// consumeCode spends a code once: only one of several concurrent callers gets nil,
// the others models.ErrNotFound.
func (s *Store) consumeCode(ctx context.Context, id string, now time.Time) error {
	return affected(s.consumeCodeQuery(id, now).Exec(ctx))
}

func (s *Store) consumeCodeQuery(id string, now time.Time) *bun.UpdateQuery {
	return s.db.NewUpdate().Model((*models.VerificationCode)(nil)).
		Set("used_at = ?", now).
		Where("id = ? AND used_at IS NULL AND expires_at > ?", id, now)
}

// insertCode stores a new code. A new login code retires every unused login code sent
// to the same address, so only the newest works; codes for other purposes are bound to
// their own subject and leave each other alone.
func (s *Store) insertCode(ctx context.Context, c *models.VerificationCode) error {
	if c.Purpose == models.PurposeSession {
		if _, err := s.supersedeCodes(c).Exec(ctx); err != nil {
			return translate(err)
		}
	}
	_, err := s.db.NewInsert().Model(c).Exec(ctx)
	return translate(err)
}

// supersedeCodes marks spent the unused login codes of c's address: a new login code
// is the only one that works.
func (s *Store) supersedeCodes(c *models.VerificationCode) *bun.UpdateQuery {
	return s.db.NewUpdate().Model((*models.VerificationCode)(nil)).Set("used_at = ?", c.CreatedAt).
		Where("email_id = ? AND purpose = ? AND used_at IS NULL", c.EmailID, c.Purpose)
}

// DeleteExpiredCodes removes codes that expired before cutoff and returns how many.
func (s *Store) DeleteExpiredCodes(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.VerificationCode)(nil)).
		Where("expires_at < ?", cutoff).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
