package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
	"github.com/uptrace/bun"
)

// CreatePendingSession stores a session awaiting its code, and the code, at once. On
// Postgres that is one statement (the session's insert and the superseding of the
// address's unused codes as data-modifying CTEs: they see the table as it was, so the
// new code is not superseded), with no BEGIN and COMMIT round trips.
func (s *Store) CreatePendingSession(ctx context.Context, sess *models.Session, code *models.VerificationCode) error {
	if s.dialect == Postgres {
		q := new(hotSQL).sql("WITH s AS (")
		if err := s.insert(q, sess); err != nil {
			return err
		}
		q.sql(")")
		if code.Purpose == models.PurposeSession {
			s.supersedeCodesSQL(q.sql(", superseded AS ("), code).sql(")")
		}
		if err := s.insert(q.sql(" "), code); err != nil {
			return err
		}
		_, err := s.execHot(ctx, q)
		return err
	}
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.insertRow(ctx, sess); err != nil {
			return err
		}
		return tx.insertCode(ctx, code)
	})
}

// SessionView reads a session, its user and whether its login was cancelled, in one
// query whatever exists: a decoy login's bearer (no row) costs what a real one's does.
// With neither a session nor a cancellation it is models.ErrNotFound; a cancelled
// decoy is a view with only ID and CancelledUntil.
func (s *Store) SessionView(ctx context.Context, sessionID string) (*models.SessionView, error) {
	v := new(models.SessionView)
	err := s.db.NewRaw(`SELECT session.*, u.alias AS alias, u.full_name AS full_name,
		u.enabled AS user_enabled, u.verified AS user_verified, c.expires_at AS cancelled_until
		FROM (SELECT CAST(? AS TEXT) AS id) AS q
		LEFT JOIN sessions AS session ON session.id = q.id
		LEFT JOIN users AS u ON u.id = session.user_id
		LEFT JOIN cancelled_logins AS c ON c.session_id = q.id`, sessionID).Scan(ctx, v)
	if err != nil {
		return nil, translate(err)
	}
	if v.ID == "" {
		if v.CancelledUntil == nil {
			return nil, models.ErrNotFound
		}
		v.ID = sessionID
	}
	return v, nil
}

// TouchSession slides an active session's idle window to now and returns it. A
// session that is revoked, pending, past its absolute end, or idle for longer than its
// own idle timeout (defIdle when it has none) is models.ErrNotFound.
func (s *Store) TouchSession(ctx context.Context, userID, sessionID string, now time.Time, defIdle time.Duration) (*models.Session, error) {
	sess := new(models.Session)
	err := s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.db.NewSelect().Model(sess).Where("id = ? AND user_id = ?", sessionID, userID).Scan(ctx); err != nil {
			return translate(err)
		}
		if !sess.Active(now, defIdle) {
			return models.ErrNotFound
		}
		sess.LastSeenAt = now
		return affected(tx.db.NewUpdate().Model((*models.Session)(nil)).Set("last_seen_at = ?", now).
			Where("id = ? AND revoked_at IS NULL", sessionID).Exec(ctx))
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// RevokeSession closes one of userID's sessions and forgets its refresh token.
// Another user's or an unknown session is models.ErrNotFound; closing a closed session
// again succeeds and keeps the first closing time.
func (s *Store) RevokeSession(ctx context.Context, userID, sessionID string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.queueAppLogouts(ctx, fx, now, "id = ? AND user_id = ?", sessionID, userID); err != nil {
			return err
		}
		err := affected(tx.db.NewUpdate().Model((*models.Session)(nil)).
			Set("revoked_at = COALESCE(revoked_at, ?)", now).
			Set("refresh_hash = NULL").
			Where("id = ? AND user_id = ?", sessionID, userID).Exec(ctx))
		if err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}

// ActiveSessions lists userID's verified sessions that are neither revoked nor past
// their absolute or idle end, newest first.
func (s *Store) ActiveSessions(ctx context.Context, userID string, now time.Time, defIdle time.Duration) ([]models.Session, error) {
	var rows []models.Session
	err := s.db.NewSelect().Model(&rows).
		Where("user_id = ?", userID).
		Where("verified_at IS NOT NULL AND revoked_at IS NULL AND expires_at > ?", now).
		Order("created_at DESC").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Active(now, defIdle) {
			out = append(out, r)
		}
	}
	return out, nil
}

// CancelLogin records that the login of sessionID was cancelled with its own bearer
// before its code (its bearer is refused from now until until), and closes its session
// when that is a pending one. The same statements run whether the session exists (a
// real login) or not (a decoy), so the answer tells nothing. fx are recorded with it.
func (s *Store) CancelLogin(ctx context.Context, sessionID string, until, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		_, err := tx.db.NewUpdate().Model((*models.Session)(nil)).
			Set("revoked_at = ?", now).
			Where("id = ? AND verified_at IS NULL AND revoked_at IS NULL", sessionID).Exec(ctx)
		if err != nil {
			return translate(err)
		}
		_, err = tx.db.NewInsert().Model(&models.CancelledLogin{SessionID: sessionID, ExpiresAt: until}).
			On("CONFLICT (session_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return translate(err)
		}
		return tx.record(ctx, fx, now)
	})
}

// PruneCancelledLogins forgets cancellations whose bearers have expired.
func (s *Store) PruneCancelledLogins(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.CancelledLogin)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// SessionsStartedBy lists the open sessions whose parent is parentID (the app sessions
// a browser session's logins opened).
func (s *Store) SessionsStartedBy(ctx context.Context, parentID string) ([]models.Session, error) {
	var out []models.Session
	err := s.db.NewSelect().Model(&out).Where("parent_id = ? AND revoked_at IS NULL", parentID).Order("created_at").Scan(ctx)
	return out, translate(err)
}

// RevokeSessions closes several of userID's sessions, and forgets their refresh
// tokens, with fx, in one transaction; closed ones stay closed.
func (s *Store) RevokeSessions(ctx context.Context, userID string, ids []string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.closeSessions(ctx, userID, ids, now, fx); err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}

// AdoptSessions moves userID's open sessions started by the browser session fromParent
// to toParent, then closes fromParent with fx, in one transaction: the app sessions
// stay open and now end with toParent.
func (s *Store) AdoptSessions(ctx context.Context, userID, fromParent, toParent string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		_, err := tx.db.NewUpdate().Model((*models.Session)(nil)).Set("parent_id = ?", toParent).
			Where("user_id = ? AND parent_id = ? AND revoked_at IS NULL", userID, fromParent).Exec(ctx)
		if err != nil {
			return translate(err)
		}
		if err := tx.closeSessions(ctx, userID, []string{fromParent}, now, fx); err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}

// closeSessions marks userID's sessions ids closed and forgets their refresh tokens,
// queueing the apps' logout notices fx asks for.
func (s *Store) closeSessions(ctx context.Context, userID string, ids []string, now time.Time, fx models.Effects) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.queueAppLogouts(ctx, fx, now, "user_id = ? AND id IN (?)", userID, bun.List(ids)); err != nil {
		return err
	}
	_, err := s.db.NewUpdate().Model((*models.Session)(nil)).
		Set("revoked_at = COALESCE(revoked_at, ?)", now).Set("refresh_hash = NULL").
		Where("user_id = ? AND id IN (?)", userID, bun.List(ids)).Exec(ctx)
	return translate(err)
}
