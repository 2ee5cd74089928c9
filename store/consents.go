package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// SaveConsent records (or widens) what a person allowed an app.
func (s *Store) SaveConsent(ctx context.Context, c *models.Consent) error {
	_, err := s.db.NewInsert().Model(c).
		On("CONFLICT (user_id, client_id) DO UPDATE").
		Set("scopes = EXCLUDED.scopes").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	return translate(err)
}

// Consent is what userID allowed clientID; none is models.ErrNotFound.
func (s *Store) Consent(ctx context.Context, userID, clientID string) (*models.Consent, error) {
	c := new(models.Consent)
	err := s.db.NewSelect().Model(c).Where("user_id = ? AND client_id = ?", userID, clientID).Scan(ctx)
	return c, translate(err)
}

// Consents lists what userID allowed, newest first.
func (s *Store) Consents(ctx context.Context, userID string) ([]models.Consent, error) {
	var out []models.Consent
	err := s.db.NewSelect().Model(&out).Where("user_id = ?", userID).Order("updated_at DESC", "client_id").Scan(ctx)
	return out, translate(err)
}

// AppSessions lists userID's open sessions of the app clientID.
func (s *Store) AppSessions(ctx context.Context, userID, clientID string) ([]models.Session, error) {
	var out []models.Session
	err := s.db.NewSelect().Model(&out).Where("user_id = ? AND client_id = ? AND revoked_at IS NULL", userID, clientID).Scan(ctx)
	return out, translate(err)
}

// RevokeAppAccess forgets userID's consent to clientID and closes the sessions ids
// (that app's), with fx, in one transaction. No consent is models.ErrNotFound.
func (s *Store) RevokeAppAccess(ctx context.Context, userID, clientID string, ids []string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewDelete().Model((*models.Consent)(nil)).
			Where("user_id = ? AND client_id = ?", userID, clientID).Exec(ctx))
		if err != nil {
			return err
		}
		if err := tx.closeSessions(ctx, userID, ids, now, fx); err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}
