package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// Revocations returns the live entries created at or after since, oldest first, at
// most limit of them.
func (s *Store) Revocations(ctx context.Context, since, now time.Time, limit int) ([]models.Revocation, error) {
	var out []models.Revocation
	err := s.db.NewSelect().Model(&out).Where("created_at >= ? AND expires_at > ?", since, now).
		Order("created_at ASC", "id ASC").Limit(int64(limit)).Scan(ctx)
	return out, translate(err)
}

// PruneRevocations deletes entries whose tokens have all expired.
func (s *Store) PruneRevocations(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.Revocation)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// TokenRevoked reports whether a token ID is on the feed.
func (s *Store) TokenRevoked(ctx context.Context, jti string) (bool, error) {
	n, err := s.db.NewSelect().Model((*models.Revocation)(nil)).Where("kind = ? AND subject = ?", models.RevokedToken, jti).Count(ctx)
	return n > 0, translate(err)
}

// RevokedTokenIDs returns the token IDs (jti) of every live token revocation.
func (s *Store) RevokedTokenIDs(ctx context.Context, now time.Time) ([]string, error) {
	var out []string
	err := s.db.NewSelect().Model((*models.Revocation)(nil)).Column("subject").
		Where("kind = ? AND expires_at > ?", models.RevokedToken, now).Scan(ctx, &out)
	return out, translate(err)
}
