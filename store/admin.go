package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// These queries serve the admin API: they act on any account's rows, so every
// authorisation decision is the caller's (the use-case packages).

// CreateVerifiedSession stores a session that needs no code (an admin's, audited by the caller).
func (s *Store) CreateVerifiedSession(ctx context.Context, sess *models.Session, fx models.Effects) error {
	return s.insertWith(ctx, sess, fx, sess.CreatedAt)
}

// OpenSessions returns a page of sessions neither revoked nor past their absolute end,
// newest first, optionally of one user, and the total.
func (s *Store) OpenSessions(ctx context.Context, userID string, now time.Time, limit, offset int) ([]models.Session, int, error) {
	var out []models.Session
	q := s.db.NewSelect().Model(&out).Where("revoked_at IS NULL AND expires_at > ?", now)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	total, err := q.Order("created_at DESC", "id DESC").Limit(int64(limit)).Offset(int64(offset)).ScanAndCount(ctx)
	return out, int(total), translate(err)
}

// KeyPairs returns a page of key pairs, newest first, optionally of one user, and the total.
func (s *Store) KeyPairs(ctx context.Context, userID string, limit, offset int) ([]models.KeyPair, int, error) {
	var out []models.KeyPair
	q := s.db.NewSelect().Model(&out)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	total, err := q.Order("created_at DESC", "id DESC").Limit(int64(limit)).Offset(int64(offset)).ScanAndCount(ctx)
	return out, int(total), translate(err)
}

// KeyPairByID returns one key pair.
func (s *Store) KeyPairByID(ctx context.Context, id string) (*models.KeyPair, error) {
	k := new(models.KeyPair)
	err := s.db.NewSelect().Model(k).Where("id = ?", id).Scan(ctx)
	return k, translate(err)
}

// SetKeyPairVerified marks a key pair verified without a code.
func (s *Store) SetKeyPairVerified(ctx context.Context, id string, now time.Time) error {
	return affected(s.db.NewUpdate().Model((*models.KeyPair)(nil)).Set("verified = TRUE").
		Set("verified_at = COALESCE(verified_at, ?)", now).Where("id = ?", id).Exec(ctx))
}

// EmailByID returns one email row.
func (s *Store) EmailByID(ctx context.Context, id string) (*models.Email, error) {
	e := new(models.Email)
	err := s.db.NewSelect().Model(e).Where("id = ?", id).Scan(ctx)
	return e, translate(err)
}

// SetEmailVerified verifies an address without a code; verified on another account
// is models.ErrConflict. The user's first verified address becomes preferred.
func (s *Store) SetEmailVerified(ctx context.Context, userID, emailID string, now time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, userID); err != nil {
			return err
		}
		return tx.verifyEmail(ctx, userID, emailID, now)
	})
}
