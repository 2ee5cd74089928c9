package store

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// claimRegistration names a never-verified, self-registered account with the alias
// and full name the pending session being activated carries (none: not a
// registration): the first registrant to prove the address names the account, not
// whoever registered it first. It runs in ActivateSession's transaction,
// before the address is verified.
func (tx *Store) claimRegistration(ctx context.Context, userID, alias, fullName string, now time.Time) error {
	if alias == "" {
		return nil
	}
	verified, err := tx.db.NewSelect().Model((*models.Email)(nil)).Where("user_id = ? AND verified", userID).Exists(ctx)
	if err != nil || verified {
		return translate(err)
	}
	return tx.nameAccount(ctx, userID, alias, fullName, now)
}

// nameAccount gives a self-registered account the alias and full name its
// registration asked for; an alias taken meanwhile is models.ErrAliasTaken.
func (tx *Store) nameAccount(ctx context.Context, userID, alias, fullName string, now time.Time) error {
	_, err := tx.db.NewUpdate().Model((*models.User)(nil)).Set("alias = ?", alias).
		Set("full_name = ?", fullName).Set("updated_at = ?", now).
		Where("id = ? AND invited_by IS NULL", userID).Exec(ctx)
	if err = translate(err); errors.Is(err, models.ErrConflict) {
		return models.ErrAliasTaken
	}
	return err
}

// DeleteUnverifiedAccount deletes userID if no address of it was ever verified, it was
// created before before and it registered itself (a partner's invitation waits for
// its invitee): an abandoned registration, whose alias is then free.
// Anything else is models.ErrNotFound and records nothing.
func (s *Store) DeleteUnverifiedAccount(ctx context.Context, userID string, before, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, userID); err != nil {
			return err
		}
		err := affected(tx.db.NewDelete().Model((*models.User)(nil)).Where("id = ? AND created_at < ? AND invited_by IS NULL", userID, before).
			Where("NOT EXISTS (SELECT 1 FROM emails AS e WHERE e.user_id = ?TableAlias.id AND e.verified)").Exec(ctx))
		if err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}

// UnverifiedAccounts lists up to limit accounts created before before that never
// verified an address, oldest first.
func (s *Store) UnverifiedAccounts(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.db.NewSelect().Model((*models.User)(nil)).Column("id").Where("created_at < ? AND invited_by IS NULL", before).
		Where("NOT EXISTS (SELECT 1 FROM emails AS e WHERE e.user_id = ?TableAlias.id AND e.verified)").
		Order("created_at ASC").Limit(int64(limit)).Scan(ctx, &ids)
	return ids, translate(err)
}
