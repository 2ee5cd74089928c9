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
