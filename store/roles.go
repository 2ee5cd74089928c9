package store

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// GrantRole gives a user a role; granting a role the user holds is a no-op and records
// nothing.
func (s *Store) GrantRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error {
	err := s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(&models.UserRole{UserID: userID, Role: role, CreatedAt: now}).Exec(ctx); err != nil {
			return translate(err)
		}
		return tx.record(ctx, fx, now)
	})
	if errors.Is(err, models.ErrConflict) {
		return nil
	}
	return err
}

// RevokeRole takes a role from a user; models.ErrNotFound when the user lacks it.
func (s *Store) RevokeRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := affected(tx.db.NewDelete().Model((*models.UserRole)(nil)).Where("user_id = ? AND role = ?", userID, role).Exec(ctx)); err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}
