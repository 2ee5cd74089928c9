package store

import (
	"context"
	"time"

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
	return s.execOne(ctx, s.consumeCodeSQL(new(hotSQL), id, now))
}

func (s *Store) consumeCodeSQL(q *hotSQL, id string, now time.Time) *hotSQL {
	return q.sql("UPDATE verification_codes SET used_at = ").value(s.timeArg(now)).
		sql(" WHERE id = ").value(id).sql(" AND used_at IS NULL AND expires_at > ").value(s.timeArg(now))
}

// insertCode stores a new code. A new login code retires every unused login code sent
// to the same address, so only the newest works; codes for other purposes are bound to
// their own subject and leave each other alone.
func (s *Store) insertCode(ctx context.Context, c *models.VerificationCode) error {
	if c.Purpose == models.PurposeSession {
		if _, err := s.execHot(ctx, s.supersedeCodesSQL(new(hotSQL), c)); err != nil {
			return err
		}
	}
	return s.insertRow(ctx, c)
}

// supersedeCodesSQL marks spent the unused login codes of c's address: a new login
// code is the only one that works.
func (s *Store) supersedeCodesSQL(q *hotSQL, c *models.VerificationCode) *hotSQL {
	return q.sql("UPDATE verification_codes SET used_at = ").value(s.timeArg(c.CreatedAt)).
		sql(" WHERE email_id = ").value(c.EmailID).sql(" AND purpose = ").value(c.Purpose).sql(" AND used_at IS NULL")
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
