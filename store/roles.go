package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// GrantRole gives a user a role; granting a role the user holds is a no-op and records
// nothing.
func (s *Store) GrantRole(ctx context.Context, userID, role string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewInsert().Model(&models.UserRole{UserID: userID, Role: role, CreatedAt: now}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already held: nothing changed, nothing recorded
		}
		return tx.record(ctx, fx, now)
	})
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
