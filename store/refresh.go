package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// SessionByRefreshHash finds the session whose current (legacy) refresh token hashes to h.
func (s *Store) SessionByRefreshHash(ctx context.Context, h []byte) (*models.Session, error) {
	sess := new(models.Session)
	err := s.db.NewSelect().Model(sess).Where("refresh_hash = ?", h).Scan(ctx)
	return sess, translate(err)
}

// AdvanceRefresh moves a session's refresh token from generation gen (stored as old)
// to gen+1 (stored as next) and slides its idle window, in one conditional UPDATE by
// primary key. It is a compare-and-swap on what the caller read (generation and hash):
// of concurrent rotations one wins, and another rotation or a close since the read
// makes it models.ErrNotFound. (An extend meanwhile only moved the idle window on.)
func (s *Store) AdvanceRefresh(ctx context.Context, sess *models.Session, old, next []byte, now time.Time) error {
	return affected(s.db.NewUpdate().Model((*models.Session)(nil)).
		Set("refresh_hash = ?", next).Set("refresh_gen = refresh_gen + 1").
		Set("refresh_rotated_at = ?", now).Set("last_seen_at = ?", now).
		Where("id = ? AND refresh_gen = ? AND refresh_hash = ? AND revoked_at IS NULL", sess.ID, sess.RefreshGen, old).Exec(ctx))
}

// RotateLegacyRefresh replaces a session's legacy refresh token (hash old) with the
// first of the current format (generation 1, hash next) and remembers old as used, at
// once; a compare-and-swap like AdvanceRefresh.
func (s *Store) RotateLegacyRefresh(ctx context.Context, sessionID string, old, next []byte, now time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewUpdate().Model((*models.Session)(nil)).
			Set("refresh_hash = ?", next).Set("refresh_gen = 1").Set("refresh_rotated_at = ?", now).Set("last_seen_at = ?", now).
			Where("id = ? AND refresh_hash = ? AND revoked_at IS NULL", sessionID, old).Exec(ctx))
		if err != nil {
			return err
		}
		_, err = tx.db.NewInsert().Model(&models.UsedRefreshToken{Hash: old, SessionID: sessionID, RotatedAt: now}).Exec(ctx)
		return translate(err)
	})
}

// UsedRefreshToken finds a rotated-out legacy refresh token by its hash.
func (s *Store) UsedRefreshToken(ctx context.Context, h []byte) (*models.UsedRefreshToken, error) {
	u := new(models.UsedRefreshToken)
	err := s.db.NewSelect().Model(u).Where("hash = ?", h).Scan(ctx)
	return u, translate(err)
}

// SessionByID returns one session.
func (s *Store) SessionByID(ctx context.Context, id string) (*models.Session, error) {
	sess := new(models.Session)
	err := s.db.NewSelect().Model(sess).Where("id = ?", id).Scan(ctx)
	return sess, translate(err)
}

// PruneUsedRefreshTokens forgets spent refresh tokens of sessions that have ended
// (past their absolute end, or closed before cutoff): reuse detection matters only
// while a session can still be refreshed.
func (s *Store) PruneUsedRefreshTokens(ctx context.Context, now, cutoff time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.UsedRefreshToken)(nil)).
		Where("session_id IN (SELECT id FROM sessions WHERE expires_at <= ? OR revoked_at <= ?)", now, cutoff).
		Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
