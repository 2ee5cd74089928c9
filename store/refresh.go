package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/models"
)

// SessionByLegacyRefresh finds the session whose current refresh token is the legacy
// token hashing to h. Legacy tokens are indexed in a table of their own (filled by the
// migration that introduced the current format), so the hot UPDATE of a refresh
// touches no index of sessions.
func (s *Store) SessionByLegacyRefresh(ctx context.Context, h []byte) (*models.Session, error) {
	sess := new(models.Session)
	err := s.db.NewSelect().Model(sess).
		Where("id = (SELECT session_id FROM legacy_refresh_tokens WHERE hash = ?) AND refresh_hash = ?", h, h).Scan(ctx)
	return sess, translate(err)
}

// RefreshCurrent rotates a session's refresh token in one statement (the hot path):
// when generation gen with hash old is current and the session is active at now
// (verified, not closed, before its absolute end, used within its idle timeout, defIdle
// when it has none of its own), it moves to gen+1 with hash next, slides the idle
// window and returns the session as it now is. Anything else is models.ErrNotFound,
// and nothing changed: the caller reads the session to tell a retry, a reuse or a
// plain refusal apart. Of concurrent rotations of one token exactly one succeeds.
func (s *Store) RefreshCurrent(ctx context.Context, sessionID string, gen int64, old, next []byte, now time.Time, defIdle time.Duration) (*models.Session, error) {
	if s.dialect == Postgres {
		return s.refreshCurrentPostgres(ctx, sessionID, gen, old, next, now, defIdle)
	}
	sess := new(models.Session)
	res, err := s.db.NewUpdate().Model(sess).
		Set("refresh_hash = ?", next).Set("refresh_gen = refresh_gen + 1").
		Set("refresh_rotated_at = ?", now).Set("last_seen_at = ?", now).
		Where("id = ? AND refresh_gen = ? AND refresh_hash = ?", sessionID, gen, old).
		Where("revoked_at IS NULL AND verified_at IS NOT NULL AND expires_at > ?", now).
		Where(s.usedSince(), now, int64(defIdle/time.Second)).
		Returning("*").Exec(ctx, sess)
	if err := affected(res, err); err != nil {
		return nil, err
	}
	return sess, nil
}

// refreshCurrentSQL is RefreshCurrent for Postgres with server-side parameters: the
// statement text never changes, so pgx prepares it once per connection and Postgres
// plans it once, where bun's inlined values would make it parse and plan every call.
const refreshCurrentSQL = `UPDATE sessions SET refresh_hash = $1, refresh_gen = refresh_gen + 1,
	refresh_rotated_at = $2, last_seen_at = $2
	WHERE id = $3 AND refresh_gen = $4 AND refresh_hash = $5
	AND revoked_at IS NULL AND verified_at IS NOT NULL AND expires_at > $2
	AND last_seen_at > $2 - make_interval(secs => (CASE WHEN idle_seconds > 0 THEN idle_seconds ELSE $6::bigint END)::double precision)
	RETURNING *`

func (s *Store) refreshCurrentPostgres(ctx context.Context, sessionID string, gen int64, old, next []byte, now time.Time, defIdle time.Duration) (*models.Session, error) {
	// The pool's default mode is exec (see Open); this one statement is prepared and cached.
	rows, err := s.root.DB.QueryContext(ctx, refreshCurrentSQL, pgx.QueryExecModeCacheStatement,
		next, now, sessionID, gen, old, int64(defIdle/time.Second))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, translate(err)
		}
		return nil, models.ErrNotFound
	}
	sess := new(models.Session)
	if err := s.root.ScanRow(ctx, rows, sess); err != nil {
		return nil, translate(err)
	}
	return sess, translate(rows.Close())
}

// usedSince is the condition "last_seen_at is within the session's idle timeout of
// the first argument" (idle_seconds, or the second argument when zero), in the
// dialect's own date arithmetic.
func (s *Store) usedSince() string {
	const idle = "(CASE WHEN idle_seconds > 0 THEN idle_seconds ELSE ? END)"
	if s.dialect == Postgres {
		return "last_seen_at > ?::timestamptz - make_interval(secs => " + idle + "::double precision)"
	}
	return "julianday(last_seen_at) > julianday(?) - " + idle + " / 86400.0"
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
		if _, err := tx.db.ExecContext(ctx, "DELETE FROM legacy_refresh_tokens WHERE hash = ?", old); err != nil {
			return translate(err)
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
