package store

import (
	"context"
	"database/sql"

	"github.com/authd/authd/models"
)

// ActivateSession spends the code, marks the session verified with its refresh-token
// hash and new absolute end, and verifies the address the code went to (preferred
// when the user has no preferred address yet), in one transaction. A code someone
// else spent first, or a session no longer pending, is models.ErrNotFound; the
// address verified on another account meanwhile is models.ErrConflict.
func (s *Store) ActivateSession(ctx context.Context, a models.Activation, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, a.UserID); err != nil {
			return err
		}
		if tx.dialect == Postgres {
			return tx.activateTogether(ctx, a, fx)
		}
		if err := tx.consumeCode(ctx, a.CodeID, a.Now); err != nil {
			return err
		}
		// The registration a session carries comes back with its activation.
		var alias, fullName sql.NullString
		rows, err := tx.query(ctx, tx.activationSQL(new(hotSQL), a).sql(" RETURNING register_alias, register_full_name"))
		if err := scanOne(rows, err, &alias, &fullName); err != nil {
			return err
		}
		if err := tx.claimRegistration(ctx, a.UserID, alias.String, fullName.String, a.Now); err != nil {
			return err
		}
		if err := tx.verifyEmail(ctx, a.UserID, a.EmailID, a.Now); err != nil {
			return err
		}
		return tx.record(ctx, fx, a.Now)
	})
}

// activateTogether is ActivateSession's writes on Postgres once the user's row is
// locked: the code, the session, the address and the effects in one statement
// (data-modifying CTEs) instead of one round trip each. The statement's snapshot is
// taken after the lock, so it reads the user's addresses as the last holder left them
// ("no preferred address yet", "no verified address yet" for a registration's claim).
// A row it could not update is models.ErrNotFound, and the caller's transaction rolls
// everything back, the notification included.
func (tx *Store) activateTogether(ctx context.Context, a models.Activation, fx models.Effects) error {
	rows, err := effectRows(fx, a.Now)
	if err != nil {
		return err
	}
	q := new(hotSQL)
	tx.consumeCodeSQL(q.sql("WITH code AS ("), a.CodeID, a.Now).sql(" RETURNING id), ")
	tx.activationSQL(q.sql("session AS ("), a).sql(" RETURNING register_alias, register_full_name), ")
	tx.verifyEmailSQL(q.sql("email AS ("), a.UserID, a.EmailID, a.Now).sql(" RETURNING id)")
	if err := tx.withInserts(q, 3, rows); err != nil {
		return err
	}
	q.sql(` SELECT (SELECT count(*) FROM code) + (SELECT count(*) FROM session) + (SELECT count(*) FROM email) AS updated,
		(SELECT register_alias FROM session) AS alias, (SELECT register_full_name FROM session) AS full_name,
		EXISTS (SELECT 1 FROM emails AS v WHERE v.user_id = `).value(a.UserID).sql(" AND v.verified) AS had_verified, ")
	if len(fx.Changes) > 0 {
		q.sql("(SELECT count(*) FROM (SELECT pg_notify(").value(tx.channel).sql(", '')) AS n) AS notified")
	} else {
		q.sql("0 AS notified")
	}
	var (
		updated, notified int
		alias, fullName   sql.NullString
		hadVerified       bool
	)
	res, err := tx.query(ctx, q)
	if err := scanOne(res, err, &updated, &alias, &fullName, &hadVerified, &notified); err != nil {
		return err
	}
	if updated != 3 {
		return models.ErrNotFound
	}
	if alias.String == "" || hadVerified {
		return nil
	}
	return tx.nameAccount(ctx, a.UserID, alias.String, fullName.String, a.Now)
}

// activationSQL marks a pending session of the activation's kind verified.
func (tx *Store) activationSQL(q *hotSQL, a models.Activation) *hotSQL {
	kind := " AND kind <> "
	if a.Browser {
		kind = " AND kind = "
	}
	return q.sql("UPDATE sessions SET verified_at = ").value(tx.timeArg(a.Now)).
		sql(", last_seen_at = ").value(tx.timeArg(a.Now)).
		sql(", expires_at = ").value(tx.timeArg(a.ExpiresAt)).
		sql(", idle_seconds = ").value(a.IdleSeconds).
		sql(", refresh_hash = ").value(a.RefreshHash).
		sql(" WHERE id = ").value(a.SessionID).sql(" AND user_id = ").value(a.UserID).
		sql(" AND verified_at IS NULL AND revoked_at IS NULL").sql(kind).value(models.SessionBrowser)
}
