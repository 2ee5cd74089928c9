package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// AddKeyPair stores an unverified key pair and its code (if any). models.ErrLimit when
// the user already has max pairs.
func (s *Store) AddKeyPair(ctx context.Context, k *models.KeyPair, code *models.VerificationCode, max int, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.insertUnderLimit(ctx, k.UserID, (*models.KeyPair)(nil), k, code, max); err != nil {
			return err
		}
		return tx.record(ctx, fx, k.CreatedAt)
	})
}

// VerifyKeyPairCode spends a key-pair code and marks its pair verified, at once.
func (s *Store) VerifyKeyPairCode(ctx context.Context, c *models.VerificationCode, now time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.consumeCode(ctx, c.ID, now); err != nil {
			return err
		}
		return affected(tx.db.NewUpdate().Model((*models.KeyPair)(nil)).
			Set("verified = TRUE").Set("verified_at = ?", now).
			Where("id = ? AND user_id = ? AND NOT verified", c.SubjectID, c.UserID).Exec(ctx))
	})
}

// KeyPairByAPIKey returns a key pair with its owner's identity.
func (s *Store) KeyPairByAPIKey(ctx context.Context, apiKey string) (*models.KeyPairOwner, error) {
	out := new(models.KeyPairOwner)
	if err := s.db.NewSelect().Model(&out.KeyPair).Where("api_key = ?", apiKey).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	id, err := s.Identity(ctx, out.KeyPair.UserID)
	if err != nil {
		return nil, err
	}
	out.Identity = *id
	return out, nil
}

// KeyPairsOfUser lists a user's key pairs, oldest first.
func (s *Store) KeyPairsOfUser(ctx context.Context, userID string) ([]models.KeyPair, error) {
	var out []models.KeyPair
	err := s.db.NewSelect().Model(&out).Where("user_id = ?", userID).Order("created_at ASC", "id ASC").Scan(ctx)
	return out, translate(err)
}

// DeleteKeyPair removes one of the user's key pairs and returns it; another user's or
// an unknown pair is models.ErrNotFound.
func (s *Store) DeleteKeyPair(ctx context.Context, userID, id string, now time.Time, fx models.Effects) (*models.KeyPair, error) {
	k := new(models.KeyPair)
	err := s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		_, err := tx.db.NewDelete().Model(k).Where("id = ? AND user_id = ?", id, userID).Returning("*").Exec(ctx, k)
		if err != nil {
			return translate(err)
		}
		if k.ID == "" {
			return models.ErrNotFound
		}
		return tx.record(ctx, fx, now)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// RecordKeyPairUse stores last-use times gathered in memory, one statement per pair,
// never moving a time backwards.
func (s *Store) RecordKeyPairUse(ctx context.Context, used map[string]time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		for id, at := range used {
			_, err := tx.db.NewUpdate().Model((*models.KeyPair)(nil)).Set("last_used_at = ?", at).
				Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at).Exec(ctx)
			if err != nil {
				return translate(err)
			}
		}
		return nil
	})
}
