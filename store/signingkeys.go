package store

import (
	"context"

	"github.com/authd/authd/models"
)

// ListSigningKeys returns every signing key, oldest first.
func (s *Store) ListSigningKeys(ctx context.Context) ([]models.SigningKey, error) {
	var out []models.SigningKey
	err := s.db.NewSelect().Model(&out).Order("created_at ASC", "id ASC").Scan(ctx)
	return out, translate(err)
}

// InsertSigningKey stores a new signing key.
func (s *Store) InsertSigningKey(ctx context.Context, k *models.SigningKey) error {
	_, err := s.db.NewInsert().Model(k).Exec(ctx)
	return translate(err)
}

// signingKeyLock is the Postgres advisory lock held while signing keys change.
const signingKeyLock = 0x61757468640002

// UpdateSigningKeys runs decide on the current keys inside one transaction that holds
// a lock (a Postgres advisory lock; SQLite's single writer), so two instances can never
// rotate at once: the second sees the first one's result.
func (s *Store) UpdateSigningKeys(ctx context.Context, decide func(current []models.SigningKey) (models.KeyChanges, error)) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if tx.dialect == Postgres {
			if _, err := tx.db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", signingKeyLock); err != nil {
				return err
			}
		}
		current, err := tx.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		ch, err := decide(current)
		if err != nil {
			return err
		}
		for i := range ch.Insert {
			if err := tx.InsertSigningKey(ctx, &ch.Insert[i]); err != nil {
				return err
			}
		}
		for i := range ch.Update {
			k := ch.Update[i]
			err := affected(tx.db.NewUpdate().Model(&k).Column("state", "activated_at", "retired_at", "not_after").
				WherePK().Exec(ctx))
			if err != nil {
				return err
			}
		}
		return tx.record(ctx, ch.Effects, ch.Now)
	})
}
