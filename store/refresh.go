package store

import (
	"context"
	"database/sql"
	"runtime"
	"strings"
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
		// Outside the caller's transaction, as it always was: rotations are grouped
		// across requests (refreshbatch.go).
		return s.rotations.rotate(ctx, s, &rotation{sessionID: sessionID, gen: gen, old: old, next: next, now: now, defIdle: defIdle})
	}
	rows, err := s.queryHot(ctx, refreshCurrentSQLite, sqliteRefreshArgs(sessionID, gen, old, next, now, defIdle)...)
	sess, err := s.scanRefreshed(ctx, rows, err)
	// The one connection is back in the pool. When a request was waiting for it, it
	// went straight to that one, which the runtime queued to run only after this
	// goroutine: yield, so the database works on the next rotation while this request
	// signs its access token, instead of sitting idle until this request is done.
	if s.root.DB.Stats().InUse > 0 {
		runtime.Gosched()
	}
	return sess, err
}

// refreshCurrentSQLite is RefreshCurrent for SQLite, prepared once (see queryHot):
// parsing and planning the UPDATE was a third of a refresh's time holding SQLite's
// single connection when bun wrote the values into a new text each call. The
// conditions are those of the Postgres statement below, in SQLite's date arithmetic.
const refreshCurrentSQLite = `UPDATE sessions SET refresh_hash = ?, refresh_gen = refresh_gen + 1,
	refresh_rotated_at = ?, last_seen_at = ?
	WHERE id = ? AND refresh_gen = ? AND refresh_hash = ?
	AND revoked_at IS NULL AND verified_at IS NOT NULL AND expires_at > ?
	AND julianday(last_seen_at) > julianday(?) - (CASE WHEN idle_seconds > 0 THEN idle_seconds ELSE ? END) / 86400.0
	RETURNING *`

// sqliteRefreshArgs are refreshCurrentSQLite's arguments. Times go as the text bun
// writes (sqliteTime), so the column's values and comparisons stay what they were.
func sqliteRefreshArgs(sessionID string, gen int64, old, next []byte, now time.Time, defIdle time.Duration) []any {
	t := sqliteTime(now)
	return []any{next, t, t, sessionID, gen, old, t, t, int64(defIdle / time.Second)}
}

// scanRefreshed reads the session a RETURNING rotation answered; no row is
// models.ErrNotFound.
func (s *Store) scanRefreshed(ctx context.Context, rows *sql.Rows, err error) (*models.Session, error) {
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

// sessionColumnList is every column of models.Session, in scanSession's order.
var sessionColumnList = []string{"id", "user_id", "email_id", "kind", "ip", "user_agent", "created_at", "expires_at",
	"last_seen_at", "verified_at", "revoked_at", "refresh_hash", "refresh_gen", "idle_seconds", "refresh_rotated_at",
	"client_id", "scope", "parent_id"}

// sessionColumnsOf lists sessionColumnList qualified by a table alias, for a SELECT
// or RETURNING that scanSession reads.
func sessionColumnsOf(alias string) string {
	return alias + "." + strings.Join(sessionColumnList, ", "+alias+".")
}

// scanSession reads one row of sessionColumnsOf, after the leading destinations
// lead (columns the statement returns before the session's).
func scanSession(row pgx.Row, sess *models.Session, lead ...any) error {
	var email, client, parent *string
	dest := append(lead, &sess.ID, &sess.UserID, &email, &sess.Kind, &sess.IP, &sess.UserAgent, &sess.CreatedAt,
		&sess.ExpiresAt, &sess.LastSeenAt, &sess.VerifiedAt, &sess.RevokedAt, &sess.RefreshHash, &sess.RefreshGen,
		&sess.IdleSeconds, &sess.RefreshRotatedAt, &client, &sess.Scope, &parent)
	err := row.Scan(dest...)
	for dst, v := range map[*string]*string{&sess.EmailID: email, &sess.ClientID: client, &sess.ParentID: parent} {
		if v != nil {
			*dst = *v
		}
	}
	return err
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
