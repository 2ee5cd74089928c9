package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// AddClient stores a new registered app with fx (its audit row); a taken ID is
// models.ErrConflict.
func (s *Store) AddClient(ctx context.Context, c *models.Client, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(c).Exec(ctx); err != nil {
			return translate(err)
		}
		return tx.record(ctx, fx, c.CreatedAt)
	})
}

// ClientByID returns one registered app.
func (s *Store) ClientByID(ctx context.Context, id string) (*models.Client, error) {
	c := new(models.Client)
	err := s.db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	return c, translate(err)
}

// ListClients returns a page of registered apps by name, and how many there are.
func (s *Store) ListClients(ctx context.Context, limit, offset int) ([]models.Client, int, error) {
	var rows []models.Client
	n, err := s.db.NewSelect().Model(&rows).Order("name", "id").Limit(int64(limit)).Offset(int64(offset)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, translate(err)
	}
	return rows, int(n), nil
}

// UpdateClient replaces every field of a registered app but its ID and creation time,
// with fx; an unknown ID is models.ErrNotFound.
func (s *Store) UpdateClient(ctx context.Context, c *models.Client, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewUpdate().Model(c).ExcludeColumn("id", "created_at").WherePK().Exec(ctx))
		if err != nil {
			return err
		}
		return tx.record(ctx, fx, c.UpdatedAt)
	})
}

// DeleteClient removes a registered app, with fx; an unknown ID is models.ErrNotFound.
func (s *Store) DeleteClient(ctx context.Context, id string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewDelete().Model((*models.Client)(nil)).Where("id = ?", id).Exec(ctx))
		if err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}
