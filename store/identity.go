package store

import (
	"context"

	"github.com/authd/authd/models"
)

// Verifications lists a user's identity-verification attempts, newest first.
func (s *Store) Verifications(ctx context.Context, userID string) ([]models.IdentityVerification, error) {
	var out []models.IdentityVerification
	err := s.db.NewSelect().Model(&out).Where("user_id = ?", userID).Order("created_at DESC", "id DESC").Scan(ctx)
	return out, translate(err)
}

// AddVerification records a new attempt unless the user already has max attempts
// (models.ErrLimit); the user row is locked so concurrent starts cannot overshoot.
func (s *Store) AddVerification(ctx context.Context, v *models.IdentityVerification, max int) error {
	return s.insertUnderLimit(ctx, v.UserID, (*models.IdentityVerification)(nil), v, nil, max)
}
