package store

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// GrantRole gives a user a role; granting a role the user holds is a no-op.
func (s *Store) GrantRole(ctx context.Context, userID, role string, now time.Time) error {
	_, err := s.db.NewInsert().Model(&models.UserRole{UserID: userID, Role: role, CreatedAt: now}).Exec(ctx)
	if err = translate(err); errors.Is(err, models.ErrConflict) {
		return nil
	}
	return err
}

// RevokeRole takes a role from a user; models.ErrNotFound when the user lacks it.
func (s *Store) RevokeRole(ctx context.Context, userID, role string) error {
	return affected(s.db.NewDelete().Model((*models.UserRole)(nil)).Where("user_id = ? AND role = ?", userID, role).Exec(ctx))
}
