package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// PruneRateCounters deletes windows that have ended.
func (s *Store) PruneRateCounters(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.RateCounter)(nil)).Where("expires_at < ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// RecordCodeFailure adds one to a user's run of wrong codes and returns the run.
func (s *Store) RecordCodeFailure(ctx context.Context, userID string) (int, error) {
	var n int
	_, err := s.db.NewUpdate().Model((*models.User)(nil)).Set("code_failures = code_failures + 1").
		Where("id = ?", userID).Returning("code_failures").Exec(ctx, &n)
	return n, translate(err)
}

// BlockCodes refuses every code of a user until the given time.
func (s *Store) BlockCodes(ctx context.Context, userID string, until time.Time) error {
	_, err := s.db.NewUpdate().Model((*models.User)(nil)).Set("codes_blocked_until = ?", until).
		Where("id = ?", userID).Exec(ctx)
	return translate(err)
}

// ResetCodeFailures ends a user's run of wrong codes (a right one came).
func (s *Store) ResetCodeFailures(ctx context.Context, userID string) error {
	_, err := s.db.NewUpdate().Model((*models.User)(nil)).Set("code_failures = 0").Set("codes_blocked_until = NULL").
		Where("id = ? AND (code_failures > 0 OR codes_blocked_until IS NOT NULL)", userID).Exec(ctx)
	return translate(err)
}
