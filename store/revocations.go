package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// revoke appends a feed entry in the caller's transaction. horizon is how long a
// token issued just now could still be accepted (access lifetime plus leeway, or the
// key-pair cache lifetime), so the entry lives exactly as long as it matters.
func (s *Store) revoke(ctx context.Context, kind, subject string, now time.Time) error {
	if s.horizon(kind) <= 0 {
		return nil
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	_, err = s.db.NewInsert().Model(&models.Revocation{ID: id.String(), Kind: kind, Subject: subject,
		CreatedAt: now, ExpiresAt: now.Add(s.horizon(kind))}).Exec(ctx)
	if err == nil && s.opts.OnRevoke != nil {
		s.opts.OnRevoke(kind, subject)
	}
	return translate(err)
}

func (s *Store) horizon(kind string) time.Duration {
	if kind == models.RevokedKeyPair {
		return s.opts.KeyPairHorizon
	}
	return s.opts.TokenHorizon
}

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

// RevokeToken puts one token ID on the feed.
func (s *Store) RevokeToken(ctx context.Context, jti string, now time.Time) error {
	return s.revoke(ctx, models.RevokedToken, jti, now)
}

// TokenRevoked reports whether a token ID is on the feed.
func (s *Store) TokenRevoked(ctx context.Context, jti string) (bool, error) {
	n, err := s.db.NewSelect().Model((*models.Revocation)(nil)).Where("kind = ? AND subject = ?", models.RevokedToken, jti).Count(ctx)
	return n > 0, translate(err)
}
